"""Near-duplicate detection: MinHash signatures of word shingles and an LSH index.

Two documents are near-copies when the estimated Jaccard similarity of their word-shingle sets
is at least ``NEAR_DUPLICATE_THRESHOLD``; the value comes from ``benchmarks/dedup_threshold.py``
(see docs/ingest.md for the measurement).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from exitwatch.ingest.document import normalise_for_id

#: Words per shingle.
SHINGLE_WORDS = 3
#: Permutations per signature (128 gives a Jaccard estimate within about ±0.04).
NUM_PERM = 128
#: Estimated Jaccard at or above which two documents are near-copies (measured, see module doc).
NEAR_DUPLICATE_THRESHOLD = 0.4
METHOD = f"minhash-lsh:{SHINGLE_WORDS}w:{NUM_PERM}p"

#: datasketch's hashing scheme of MinHash(num_perm=NUM_PERM), needed to rebuild stored signatures.
SCHEME = MinHash(num_perm=NUM_PERM).scheme

_WORD = re.compile(r"\w+")


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[bytes]:
    """The set of ``k``-word shingles of the normalised text."""
    words = _WORD.findall(normalise_for_id(text))
    if len(words) < k:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i : i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


def minhash(text: str) -> LeanMinHash:
    m = MinHash(num_perm=NUM_PERM)
    m.update_batch(list(shingles(text)))
    return LeanMinHash(m)


def signature_bytes(m: LeanMinHash) -> bytes:
    """What the store keeps: the hash values as little-endian uint64."""
    return np.asarray(m.hashvalues, dtype="<u8").tobytes()


def from_signature(data: bytes) -> LeanMinHash:
    return LeanMinHash(seed=1, hashvalues=np.frombuffer(data, dtype="<u8"), scheme=SCHEME)


class NearDuplicateIndex:
    """An LSH index over stored signatures; ``find`` gives the most similar earlier document."""

    def __init__(self, threshold: float = NEAR_DUPLICATE_THRESHOLD):
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._signatures: dict[str, LeanMinHash] = {}

    @classmethod
    def from_signatures(cls, pairs: Iterable[tuple[str, bytes]], threshold: float = NEAR_DUPLICATE_THRESHOLD):
        index = cls(threshold)
        for doc_id, data in pairs:
            index.add(doc_id, from_signature(data))
        return index

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, doc_id: str, m: LeanMinHash) -> None:
        if doc_id not in self._signatures:
            self._lsh.insert(doc_id, m)
            self._signatures[doc_id] = m

    def find(self, m: LeanMinHash) -> tuple[str, float] | None:
        """``(doc_id, similarity)`` of the most similar indexed document at or over the
        threshold (ties: smallest id, for a stable answer), or None."""
        best = None
        for doc_id in self._lsh.query(m):
            similarity = float(m.jaccard(self._signatures[doc_id]))
            if similarity >= self.threshold and (best is None or (-similarity, doc_id) < (-best[1], best[0])):
                best = (doc_id, similarity)
        return best
