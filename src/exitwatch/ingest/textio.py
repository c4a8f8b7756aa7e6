"""Bytes to text: binary detection, UTF-8 with a cp1252/latin-1 fallback, size caps, streaming lines."""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator
from typing import BinaryIO

from exitwatch.ingest.problems import SkipInput

#: Largest single document (body or raw record) accepted, in bytes. News articles are < 100 kB;
#: anything far larger is a dump or a mistake and would swamp the reader.
MAX_DOCUMENT_BYTES = 2_000_000
#: Raw HTML pages carry scripts and styles, so they may be this many times the document cap.
HTML_SIZE_FACTOR = 5
#: Whole-file formats that cannot be streamed (JSON arrays, feeds) are refused above this size.
MAX_WHOLE_FILE_BYTES = 200_000_000

_SNIFF_BYTES = 8192


def looks_binary(head: bytes) -> bool:
    """True for NUL bytes or many control characters in the first bytes (images, archives, ...)."""
    if not head:
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control / len(head) > 0.10


def decode(data: bytes, warn: Callable[[str], None]) -> str:
    """Decode ``data`` as UTF-8 (BOM allowed); otherwise as cp1252 (or latin-1), with a warning."""
    if looks_binary(data[:_SNIFF_BYTES]):
        raise SkipInput("binary file (not text); give text, HTML, JSON, JSONL, CSV or an RSS/Atom feed")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        fallback = _fallback_encoding(data)
        warn(f"not valid UTF-8 (byte {e.start}); decoded as {fallback} — check accented characters")
        return data.decode(fallback)


def _fallback_encoding(data: bytes) -> str:
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"  # decodes every byte


def read_capped(stream: BinaryIO, cap: int, what: str) -> bytes:
    """Read at most ``cap`` bytes; a longer input is refused without reading the rest."""
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise SkipInput(f"{what} is larger than the {cap:,}-byte cap for one document; split it into smaller files")
    return data


def check_file_size(size: int, cap: int, what: str) -> None:
    if size > cap:
        raise SkipInput(f"{what} is {size:,} bytes, over the {cap:,}-byte cap; split it into smaller files")
    if size == 0:
        raise SkipInput("empty file")


def text_lines(stream: BinaryIO, cap: int, warn: Callable[[str], None]) -> Iterator[tuple[int, str | None]]:
    """Stream ``(line_number, text)`` from a binary file without loading it whole.

    Lines over ``cap`` bytes give ``(n, None)`` and are skipped in chunks, never held in memory.
    Decoding is UTF-8; the first undecodable line switches the rest of the file to cp1252 with
    one warning.
    """
    encoding = "utf-8"
    number = 0
    while True:
        raw = stream.readline(cap + 1)
        if not raw:
            return
        number += 1
        if number == 1 and looks_binary(raw[:_SNIFF_BYTES]):
            raise SkipInput("binary file (not text)")
        if len(raw) > cap and not raw.endswith(b"\n"):
            while (chunk := stream.readline(1 << 20)) and not chunk.endswith(b"\n"):
                pass
            yield number, None
            continue
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield number, raw.decode(encoding)
        except UnicodeDecodeError:
            encoding = _fallback_encoding(raw)
            warn(f"line {number} is not valid UTF-8; decoding the rest of the file as {encoding}")
            yield number, raw.decode(encoding)


class DecodingReader(io.TextIOBase):
    """Text view of a binary stream for the csv module: UTF-8, falling back to cp1252 per line."""

    def __init__(self, stream: BinaryIO, warn: Callable[[str], None]):
        self._lines = text_lines(stream, MAX_DOCUMENT_BYTES, warn)
        self.line_number = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        number, line = next(self._lines)
        self.line_number = number
        if line is None:
            raise SkipInput(f"line {number} is longer than the {MAX_DOCUMENT_BYTES:,}-byte cap")
        return line
