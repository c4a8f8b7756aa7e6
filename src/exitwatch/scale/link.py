"""The link pass: exact repeats across partitions and near-copies, in input order, in one process.

It replays what ``ingest`` does document by document, but over the staged MinHash signatures
only (about 1 kB a document, never the texts): the first copy of an id is kept, a later one is
dropped; a document whose signature matches an earlier one is linked to that one's first copy.
Partitions are visited in input order, so the links are the single-process path's links.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from exitwatch.ingest.dedup import METHOD, NEAR_DUPLICATE_THRESHOLD, NearDuplicateIndex, from_signature
from exitwatch.scale.partition import Decisions, staged_signatures


def link_partitions(
    out_dir: Path, partition_ids: Iterable[str], *, threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> dict[str, Decisions]:
    """Decisions for every partition, from the staged signatures of all of them."""
    index = NearDuplicateIndex(threshold)
    seen: set[str] = set()
    canonical: dict[str, str] = {}
    decisions = {}
    for pid in partition_ids:
        dropped, links = set(), {}
        for doc_id, data in zip(*staged_signatures(out_dir, pid)):
            if doc_id in seen:
                dropped.add(doc_id)
                continue
            seen.add(doc_id)
            signature = from_signature(data)
            match = index.find(signature)
            if match is not None:
                first = canonical.get(match[0], match[0])
                links[doc_id] = (first, match[1], METHOD)
                canonical[doc_id] = first
            index.add(doc_id, signature)
        decisions[pid] = Decisions(frozenset(dropped), links)
    return decisions
