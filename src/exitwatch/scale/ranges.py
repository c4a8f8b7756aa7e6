"""Reading one partition unit with ingest's own readers: whole files, or byte ranges of big ones.

A range is presented to the unchanged JSONL/CSV readers as a file of its own (with the CSV
header record in front), and record numbers are shifted back so ``file#n`` labels are the same
as when the whole file is read in one process.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from exitwatch.ingest.iterate import read_source
from exitwatch.ingest.options import ReaderOptions
from exitwatch.ingest.problems import IngestProblem
from exitwatch.ingest.sources import InputSource
from exitwatch.records import Document
from exitwatch.scale.plan import Unit


class _RangeReader(io.RawIOBase):
    """Raw stream of ``prefix`` followed by bytes ``start:end`` of a file (``end`` None = to EOF)."""

    def __init__(self, path: Path, prefix: bytes, start: int, end: int | None):
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close(), which BufferedReader calls
        self._file.seek(start)
        self._prefix = prefix
        self._left = None if end is None else end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        view = memoryview(buffer)
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        want = len(view) if self._left is None else min(len(view), self._left)
        if want == 0:
            return 0
        n = self._file.readinto(view[:want])
        if self._left is not None:
            self._left -= n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


@dataclass
class RangeSource(InputSource):
    """An ``InputSource`` for bytes ``start:end`` of a file, with ``header_end`` header bytes in front."""

    start: int = 0
    end: int | None = None
    header_end: int = 0

    def _header(self) -> bytes:
        if not self.header_end:
            return b""
        with open(self.path, "rb") as f:
            return f.read(self.header_end)

    def open(self) -> BinaryIO:
        return io.BufferedReader(_RangeReader(self.path, self._header(), self.start, self.end))

    def size(self) -> int:
        end = self.path.stat().st_size if self.end is None else self.end
        return end - self.start + self.header_end


def unit_documents(unit: Unit, opts: ReaderOptions, report: Callable[[IngestProblem], None]) -> Iterator[Document]:
    """The documents of one unit, read exactly as ``iter_documents`` reads the whole file."""
    path = Path(unit.label)
    if not unit.start and unit.end is None:
        yield from read_source(InputSource(unit.label, unit.fmt, report, path=path), opts)
        return

    def shifted(problem: IngestProblem) -> None:
        report(dataclasses.replace(problem, source=_shift(problem.source, unit)))

    source = RangeSource(unit.label, unit.fmt, shifted, path=path, start=unit.start, end=unit.end, header_end=unit.header_end)
    for doc in read_source(source, opts):
        yield dataclasses.replace(doc, source_path=_shift(doc.source_path, unit))


def _shift(label: str | None, unit: Unit) -> str | None:
    """``file#n`` with ``n`` moved from the range's numbering to the whole file's."""
    prefix = f"{unit.label}#"
    if not unit.line_offset or label is None or not label.startswith(prefix):
        return label
    return f"{prefix}{int(label[len(prefix):]) + unit.line_offset}"
