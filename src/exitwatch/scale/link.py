"""The link pass: exact repeats across partitions and near-copies, in input order, in one process.

It gives what ``ingest`` gives document by document (``NearDuplicateIndex``: MinHash LSH with
datasketch's bands for the threshold, best earlier match by estimated Jaccard, ties to the
smallest id, linked to that match's first copy), but from the staged signatures only, held as
one compact matrix: about 2 kB a document instead of the ~10 kB of an in-memory LSH index, and
never a text. The first copy of an id is kept and later ones dropped; partitions are visited in
input order.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
from datasketch import MinHashLSH

from exitwatch.ingest.dedup import METHOD, NEAR_DUPLICATE_THRESHOLD, NUM_PERM
from exitwatch.scale.partition import Decisions, staged_count, staged_signatures


def link_partitions(
    out_dir: Path, partition_ids: Iterable[str], *, threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> dict[str, Decisions]:
    """Decisions for every partition, from the staged signatures of all of them."""
    partition_ids = list(partition_ids)
    seen: set[str] = set()
    ids: list[str] = []
    owner: list[int] = []
    dropped: dict[str, set[str]] = {pid: set() for pid in partition_ids}
    signatures = np.empty((sum(staged_count(out_dir, pid) for pid in partition_ids), NUM_PERM), dtype="<u8")
    for n, pid in enumerate(partition_ids):
        kept = []
        for doc_id, data in zip(*staged_signatures(out_dir, pid)):
            if doc_id in seen:
                dropped[pid].add(doc_id)
                continue
            seen.add(doc_id)
            kept.append(data)
            ids.append(doc_id)
            owner.append(n)
        if kept:
            signatures[len(ids) - len(kept) : len(ids)] = np.frombuffer(b"".join(kept), dtype="<u8").reshape(-1, NUM_PERM)
    del seen
    signatures = signatures[: len(ids)]
    links: dict[str, dict] = {pid: {} for pid in partition_ids}
    for j, (first, similarity) in _near_copies(signatures, ids, threshold):
        links[partition_ids[owner[j]]][ids[j]] = (first, similarity, METHOD)
    return {pid: Decisions(frozenset(dropped[pid]), links[pid]) for pid in partition_ids}


def _near_copies(signatures: np.ndarray, ids: list[str], threshold: float):
    """``(j, (first copy's id, similarity))`` for every document ``j`` with an earlier match."""
    bands = []
    for start, end in MinHashLSH(threshold=threshold, num_perm=NUM_PERM).hashranges:
        _, group = np.unique(signatures[:, start:end], axis=0, return_inverse=True)
        group = group.reshape(-1).astype(np.int32)
        order = np.argsort(group, kind="stable").astype(np.int32)  # members of a group, in input order
        bounds = np.searchsorted(group[order], np.arange(group.max() + 2 if len(group) else 1)).astype(np.int32)
        bands.append((group, order, bounds))
    shared = np.zeros(len(ids), dtype=bool)
    for group, _, bounds in bands:
        shared |= (bounds[group + 1] - bounds[group]) > 1
    canonical: dict[int, int] = {}
    for j in np.flatnonzero(shared):
        candidates = []
        for group, order, bounds in bands:
            members = order[bounds[group[j]] : bounds[group[j] + 1]]
            candidates.append(members[: np.searchsorted(members, j)])
        earlier = np.unique(np.concatenate(candidates))
        if not len(earlier):
            continue
        similarity = np.count_nonzero(signatures[earlier] == signatures[j], axis=1) / float(NUM_PERM)
        best = None
        for i, s in zip(earlier.tolist(), similarity.tolist()):
            if s >= threshold and (best is None or (-s, ids[i]) < (-best[1], ids[best[0]])):
                best = (i, s)
        if best is not None:
            canonical[j] = canonical.get(best[0], best[0])
            yield int(j), (ids[canonical[j]], best[1])
