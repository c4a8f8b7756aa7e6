"""Reading a byte range of a big JSONL or CSV file exactly as the whole file is read, so that a
file can be split between processes (``exitwatch ingest --dask``) with the same documents, labels
and problems as one process reading it.

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


def read_range(label: str, fmt: str, opts: ReaderOptions, report: Callable[[IngestProblem], None], *,
               start: int = 0, end: int | None = None, header_end: int = 0, line_offset: int = 0) -> Iterator[Document]:
    """The documents of bytes ``start:end`` (``end`` None: to the end) of the file ``label`` in
    format ``fmt``, read as ``iter_documents`` reads the whole file: the first ``header_end``
    bytes (a CSV header) go in front, and ``file#n`` labels of documents and problems count from
    the file's start (the range's first record is record ``line_offset + 1``)."""
    path = Path(label)
    if not start and end is None:
        yield from read_source(InputSource(label, fmt, report, path=path), opts)
        return

    def shifted(problem: IngestProblem) -> None:
        report(dataclasses.replace(problem, source=_shift(problem.source, label, line_offset)))

    source = RangeSource(label, fmt, shifted, path=path, start=start, end=end, header_end=header_end)
    for doc in read_source(source, opts):
        yield dataclasses.replace(doc, source_path=_shift(doc.source_path, label, line_offset))


def _shift(source: str | None, label: str, line_offset: int) -> str | None:
    """``file#n`` with ``n`` moved from the range's numbering to the whole file's."""
    prefix = f"{label}#"
    if not line_offset or source is None or not source.startswith(prefix):
        return source
    return f"{prefix}{int(source[len(prefix):]) + line_offset}"
