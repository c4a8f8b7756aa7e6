"""Reading one partition unit: a whole file, or a byte range of a big one, with ingest's
``read_range`` (the same documents, labels and problems as reading the whole file)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from exitwatch.ingest import IngestProblem, ReaderOptions, read_range
from exitwatch.records import Document
from exitwatch.scale.plan import Unit


def unit_documents(unit: Unit, opts: ReaderOptions, report: Callable[[IngestProblem], None]) -> Iterator[Document]:
    """The documents of one unit, read exactly as ``iter_documents`` reads the whole file."""
    return read_range(unit.label, unit.fmt, opts, report, start=unit.start, end=unit.end, header_end=unit.header_end,
                      line_offset=unit.line_offset)
