"""Splitting the input into partitions: whole files, and byte ranges of big JSONL/CSV/TSV files.

The planner walks the inputs with ingest's own ``expand_inputs`` (same labels, formats and order
as the single-process path). Files larger than ``partition_size`` in a record format are cut at
record boundaries found by one streamed pass (bounded memory); smaller files are grouped into
partitions of about ``partition_size`` bytes. Partition order is input order, which the
near-duplicate link pass relies on.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from exitwatch.errors import ConfigError
from exitwatch.ingest import MAX_DOCUMENT_BYTES, STDIN, IngestProblem, InputSource, expand_inputs

#: Formats whose files can be cut into byte ranges (one record per line, or CSV records).
SPLITTABLE = ("jsonl", "csv", "tsv")
#: Default partition size in bytes of input (about 1,400 news articles of 6 kB).
PARTITION_SIZE = 8_000_000
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Unit:
    """One input of a partition: a whole file, or a byte range of a record file.

    Fields: ``label`` (the file as ingest names it), ``fmt`` (its reader), ``start``/``end``
    (byte range; ``end`` None = to the end of the file), ``header_end`` (bytes of the CSV header
    record to put before a range that does not start at 0; 0 = none), ``line_offset`` (added to
    record numbers inside the range so ``file#n`` labels match a whole-file read).
    """

    label: str
    fmt: str
    start: int = 0
    end: int | None = None
    header_end: int = 0
    line_offset: int = 0


@dataclass(frozen=True)
class Partition:
    """A piece of work: ``id`` (``00000``, ...; input order), ``units`` (Unit tuple), ``size`` (bytes)."""

    id: str
    units: tuple[Unit, ...]
    size: int

    def describe(self) -> str:
        first = self.units[0]
        where = f"{first.label}[{first.start}:{'' if first.end is None else first.end}]" if first.end or first.start else first.label
        return where + (f" and {len(self.units) - 1} more files" if len(self.units) > 1 else "")


def plan_partitions(paths: list[str | Path], *, partition_size: int, on_problem: Callable[[IngestProblem], None]) -> list[Partition]:
    """Partitions covering ``paths`` in input order; missing or unsupported inputs go to ``on_problem``."""
    if partition_size < 1:
        raise ConfigError(f"partition size must be a positive number of bytes, not {partition_size}")
    groups: list[tuple[list[Unit], int]] = []
    pending: list[Unit] = []
    pending_size = 0
    for source in expand_inputs(paths, on_problem):
        if source.path is None or str(source.label) == STDIN:
            raise ConfigError("the dask engine reads files, not stdin (-); save the input to a file or use --engine local")
        size = source.size()
        if source.fmt in SPLITTABLE and size > partition_size:
            groups.extend(([unit], (unit.end or size) - unit.start) for unit in split_source(source, partition_size))
            continue
        if pending and pending_size + size > partition_size:
            groups.append((pending, pending_size))
            pending, pending_size = [], 0
        pending.append(Unit(source.label, source.fmt))
        pending_size += size
    if pending:
        groups.append((pending, pending_size))
    return [Partition(f"{n:05d}", tuple(units), size) for n, (units, size) in enumerate(groups)]


def split_source(source: InputSource, partition_size: int) -> list[Unit]:
    """Byte ranges of about ``partition_size`` of a JSONL or CSV/TSV file, cut between records."""
    with source.open() as f:
        if source.fmt == "jsonl":
            return _cut(source, _line_ends(f), partition_size, header_end=0, header_lines=0)
        ends = _csv_record_ends(f, "\t" if source.fmt == "tsv" else ",")
        header = next(ends, None)
        if header is None:
            return [Unit(source.label, source.fmt)]
        return _cut(source, ends, partition_size, header_end=header[0], header_lines=header[1])


def _cut(source: InputSource, ends: Iterator[tuple[int, int]], size: int, *, header_end: int, header_lines: int) -> list[Unit]:
    units = []
    start, first_line = 0, 1
    for pos, line in ends:
        if pos - start >= size:
            units.append(_unit(source, start, pos, first_line, header_end, header_lines))
            start, first_line = pos, line + 1
    units.append(_unit(source, start, None, first_line, header_end, header_lines))
    return units


def _unit(source: InputSource, start: int, end: int | None, first_line: int, header_end: int, header_lines: int) -> Unit:
    if start == 0:
        return Unit(source.label, source.fmt, 0, end)
    return Unit(source.label, source.fmt, start, end, header_end, first_line - 1 - header_lines)


def _line_ends(f) -> Iterator[tuple[int, int]]:
    """``(byte offset after the line, line number)`` of every complete line, read in 1 MB pieces."""
    pos = line = 0
    while chunk := f.readline(_CHUNK):
        pos += len(chunk)
        if chunk.endswith(b"\n"):
            line += 1
            yield pos, line


def _csv_record_ends(f, delimiter: str) -> Iterator[tuple[int, int]]:
    """``(byte offset after the record, last line number)`` of every CSV record, header first.

    Stops (leaving the rest to one range) at a line over the document cap or malformed CSV: the
    reader of that last range then meets the same problem at the same place as a whole-file read.
    """
    state = {"pos": 0, "line": 0}

    def lines() -> Iterator[str]:
        while raw := f.readline(MAX_DOCUMENT_BYTES + 1):
            if len(raw) > MAX_DOCUMENT_BYTES:
                return
            state["pos"] += len(raw)
            state["line"] += 1
            yield raw.decode("utf-8", errors="replace")

    csv.field_size_limit(max(MAX_DOCUMENT_BYTES, 131072))
    try:
        for _ in csv.reader(lines(), delimiter=delimiter, strict=True):
            yield state["pos"], state["line"]
    except csv.Error:
        return


def fingerprint(partitions: list[Partition], options: dict) -> str:
    """A hash of the partitions, the files' sizes and modification times, and the options: a
    retry must continue the same run, not mix two."""
    files = sorted({u.label for p in partitions for u in p.units})
    stats = [(name, Path(name).stat().st_size, Path(name).stat().st_mtime_ns) for name in files]
    blob = json.dumps([[asdict(p) for p in partitions], stats, options], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
