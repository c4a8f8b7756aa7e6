"""The work done for one partition on a Dask worker, with the same stage functions as ``ingest``.

``prepare_partition``: documents (ingest's readers and ``make_document``), exact repeats inside
the partition dropped, MinHash signatures written to the stage folder. ``write_partition``:
after the global link pass, the same documents again, minus exact repeats of earlier partitions;
near-copies linked and not read; the rest read with ``read_document``; every store table written
as ``<table>/part-<id>.parquet`` through the store's row mapping (``store/rows.py``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from exitwatch.app.ingest_pipeline import document_step, make_reader
from exitwatch.ingest import IngestProblem, ReaderOptions
from exitwatch.ingest.dedup import minhash, signature_bytes
from exitwatch.records import Document, Record
from exitwatch.scale.plan import Partition
from exitwatch.scale.ranges import unit_documents
from exitwatch.store import Store
from exitwatch.store import rows as R

STAGE = "_stage"
#: The store tables a partition writes (the ingest and reader tables).
WRITTEN_TABLES = ("documents", "removed_spans", "duplicates", "minhashes", *R.READING_TABLES)


@dataclass(frozen=True)
class PrepareResult(Record):
    """What ``prepare_partition`` found: ``partition`` id, ``documents`` (distinct inside the
    partition), ``duplicates`` (exact repeats inside it), ``problems`` (IngestProblem tuple)."""

    partition: str
    documents: int
    duplicates: int
    problems: tuple[IngestProblem, ...] = ()


@dataclass(frozen=True)
class Decisions(Record):
    """The link pass's verdict for one partition: ``dropped`` (ids stored by an earlier partition)
    and ``links`` (doc id -> (first copy's id, similarity, method)) for near-copies."""

    dropped: frozenset[str] = frozenset()
    links: dict[str, tuple[str, float, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteResult(Record):
    """What ``write_partition`` wrote: ``partition`` id, ``rows`` per table, ``read`` (documents
    read), ``problems`` (documents stored but not read)."""

    partition: str
    rows: dict[str, int]
    read: int
    problems: tuple[IngestProblem, ...] = ()


def partition_documents(
    partition: Partition, opts: ReaderOptions, problems: list[IngestProblem], repeats: list[str] | None = None
) -> Iterator[Document]:
    """The partition's documents in input order; exact repeats inside the partition are left out
    (and their ids appended to ``repeats``)."""
    seen: set[str] = set()
    for unit in partition.units:
        for doc in unit_documents(unit, opts, problems.append):
            if doc.id in seen:
                if repeats is not None:
                    repeats.append(doc.id)
                continue
            seen.add(doc.id)
            yield doc


def stage_path(out_dir: Path, partition_id: str) -> Path:
    return out_dir / STAGE / f"part-{partition_id}.parquet"


def prepare_partition(partition: Partition, opts: ReaderOptions, out_dir: Path) -> PrepareResult:
    """Read the partition's documents and stage ``(doc_id, signature)`` in input order."""
    problems: list[IngestProblem] = []
    repeats: list[str] = []
    ids, signatures = [], []
    for doc in partition_documents(partition, opts, problems, repeats):
        ids.append(doc.id)
        signatures.append(signature_bytes(minhash(doc.body)))
    target = stage_path(out_dir, partition.id)
    _write_atomically({target: pa.table({"doc_id": pa.array(ids, pa.string()), "signature": pa.array(signatures, pa.binary())})})
    return PrepareResult(partition.id, len(ids), len(repeats), tuple(problems))


def staged_count(out_dir: Path, partition_id: str) -> int:
    """Rows staged by a partition (from the Parquet footer, without reading the rows)."""
    return pq.ParquetFile(stage_path(out_dir, partition_id)).metadata.num_rows


def staged_signatures(out_dir: Path, partition_id: str) -> tuple[list[str], list[bytes]]:
    table = pq.read_table(stage_path(out_dir, partition_id))
    return table.column("doc_id").to_pylist(), table.column("signature").to_pylist()


def write_partition(partition: Partition, opts: ReaderOptions, decisions: Decisions, out_dir: Path, mode: str | None) -> WriteResult:
    """Write every store table of the partition through the one per-document step
    (``document_step``; ``mode`` as ingest's ``read``: a read mode, or None to store unread)."""
    reader = make_reader(mode)
    ids, sigs = staged_signatures(out_dir, partition.id)
    signatures = dict(zip(ids, sigs))
    tables: dict[str, list[dict]] = {t: [] for t in WRITTEN_TABLES}
    problems: list[IngestProblem] = []
    n_read = 0
    for doc in partition_documents(partition, opts, []):  # its problems were reported by prepare
        if doc.id in decisions.dropped:
            continue
        item = document_step(doc, signatures[doc.id], decisions.links.get(doc.id), reader, problems)
        n_read += item.reading is not None
        for table, rows in R.new_document_rows(item).items():
            tables[table].extend(rows)
    write_tables(out_dir, partition.id, tables)
    return WriteResult(partition.id, {t: len(rows) for t, rows in tables.items()}, n_read, tuple(problems))


@lru_cache(maxsize=1)
def store_schemas() -> dict[str, pa.Schema]:
    """The Arrow schema of every store table, from a throw-away in-memory store."""
    with Store(":memory:") as store:
        return store.arrow_schemas()


def write_tables(out_dir: Path, partition_id: str, tables: dict[str, list[dict]]) -> None:
    """``out_dir/<table>/part-<id>.parquet`` for every table, with exactly the store's columns;
    timestamp columns the rows do not set (``ingested_at``, ``read_at``) get the time of writing."""
    now = dt.datetime.now().replace(microsecond=0)
    arrow = {}
    for table, rows in tables.items():
        schema = store_schemas()[table]
        stamps = {f.name: now for f in schema if pa.types.is_timestamp(f.type)}
        arrow[out_dir / table / f"part-{partition_id}.parquet"] = pa.Table.from_pylist([{**stamps, **r} for r in rows], schema=schema)
    _write_atomically(arrow)


def _write_atomically(files: dict[Path, pa.Table]) -> None:
    """Write each table to a hidden temporary file, then rename them all into place."""
    temporary = {}
    for target, table in files.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        pq.write_table(table, tmp)
        temporary[tmp] = target
    for tmp, target in temporary.items():
        os.replace(tmp, target)
