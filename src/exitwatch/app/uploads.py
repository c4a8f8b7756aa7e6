"""Ingest bytes and JSON documents that arrive over the API, safely.

The content decides the format (sniffed, never the client's file name or content type; a
``.csv``/``.tsv`` name is only a hint between CSV and plain text). The bytes are written to a file
whose name this module chooses, inside a fresh temporary folder, so nothing from the request
reaches the file system (and problems name the input ``upload``, not that file). UTF-16 and
UTF-32 text with a byte-order mark is re-encoded as UTF-8 first. Every document is parsed and checked before anything is stored, and
all of them are stored in one transaction: an upload is stored whole or not at all.
"""

from __future__ import annotations

import codecs
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from exitwatch.app.ingest_pipeline import IngestReport, ReadWith, ingest
from exitwatch.errors import InputError, UnsupportedUploadError, UploadTooLargeError
from exitwatch.ingest import iter_documents
from exitwatch.ingest.dedup import NearDuplicateIndex
from exitwatch.ingest.sources import sniff_format
from exitwatch.ingest.textio import looks_binary
from exitwatch.read import DEFAULT_MODE
from exitwatch.records import Document

#: Largest upload accepted, in bytes (news articles are far smaller; a batch file fits).
MAX_UPLOAD_BYTES = 2_000_000
#: The file name the server gives each sniffed format.
UPLOAD_NAMES = {
    "text": "upload.txt",
    "html": "upload.html",
    "feed": "upload.xml",
    "json": "upload.json",
    "jsonl": "upload.jsonl",
    "csv": "upload.csv",
    "tsv": "upload.tsv",
}
#: Byte-order marks of wide encodings, UTF-32 first (its little-endian mark starts with UTF-16's).
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_NOT_TEXT = ("%PDF", "PK\x03\x04", "\x89PNG", "GIF8", "\xff\xd8\xff")


@dataclass(frozen=True)
class UploadResult:
    """What an upload stored: ``report`` (the IngestReport), ``document_ids`` (ids of the
    documents found in the upload, stored now or before), ``fmt`` (the sniffed format)."""

    report: IngestReport
    document_ids: tuple[str, ...]
    fmt: str


def sniff_upload(data: bytes, *, name_hint: str | None = None) -> str:
    """The reader format of ``data`` (a key of ``UPLOAD_NAMES``); raises UnsupportedUploadError
    for empty, binary or non-text content."""
    label = "upload"
    if not data.strip():
        raise UnsupportedUploadError(label, "the file is empty")
    head = data[:8192]
    if looks_binary(head) or head.decode("latin-1").startswith(_NOT_TEXT):
        raise UnsupportedUploadError(
            label, "binary content (not text); upload text, HTML, JSON, JSONL, CSV/TSV or an RSS/Atom feed"
        )
    fmt = sniff_format(head)
    suffix = Path(name_hint or "").suffix.lower()
    first_line = head.split(b"\n", 1)[0]
    if fmt == "text" and suffix in (".csv", ".tsv") and (b"," in first_line or b"\t" in first_line):
        fmt = suffix[1:]
    return fmt


@dataclass(frozen=True)
class ParsedUpload:
    """An upload checked and parsed, not yet stored: ``data`` (UTF-8 unless binary-safe as
    sent), ``fmt`` (the sniffed format), ``documents`` (every document found in it)."""

    data: bytes
    fmt: str
    documents: tuple[Document, ...]

    @property
    def document_ids(self) -> tuple[str, ...]:
        """The ids of its documents, each once, in order."""
        return tuple(dict.fromkeys(d.id for d in self.documents))


def as_utf8(data: bytes) -> bytes:
    """``data`` re-encoded as UTF-8 when it starts with a UTF-16 or UTF-32 byte-order mark
    (such text is full of NUL bytes and would otherwise be refused as binary)."""
    for bom, codec in _WIDE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).encode("utf-8")
            except UnicodeDecodeError as e:
                raise UnsupportedUploadError("upload", f"starts like {codec.upper()} text but is not valid "
                                                       f"{codec.upper()} ({e.reason}); upload UTF-8 text") from e
    return data


def parse_upload(data: bytes, *, name_hint: str | None = None, max_bytes: int = MAX_UPLOAD_BYTES) -> ParsedUpload:
    """Check and parse the uploaded ``data``. Raises UploadTooLargeError above ``max_bytes``,
    UnsupportedUploadError for content that is not news text, and InputError when any part of
    it cannot be read."""
    if len(data) > max_bytes:
        raise UploadTooLargeError("upload", f"{len(data):,} bytes is over the limit of {max_bytes:,} bytes")
    data = as_utf8(data)
    fmt = sniff_upload(data, name_hint=name_hint)
    with _upload_file(data, fmt) as path:
        problems = []
        docs = list(iter_documents([path], on_problem=problems.append))
    errors = [p for p in problems if p.severity == "error"]
    if errors or not docs:
        found = "; ".join(p.problem for p in errors) or "no documents found"
        raise InputError(f"upload ({fmt})", f"nothing stored: {_relabel(found, path)}")
    return ParsedUpload(data=data, fmt=fmt, documents=tuple(docs))


def store_upload(store, upload: ParsedUpload, *, read: ReadWith = DEFAULT_MODE,
                 near_copies: NearDuplicateIndex | None = None) -> UploadResult:
    """Store a parsed upload in one transaction, reading each new document with ``read`` (see
    ``ingest``, as ``near_copies``). The problems name the input ``upload``, never the server's
    temporary file."""
    with _upload_file(upload.data, upload.fmt) as path:
        report = ingest([path], store=store, read=read, batch_size=len(upload.documents) + 1, near_copies=near_copies)
    problems = tuple(replace(p, source=_relabel(p.source, path), problem=_relabel(p.problem, path))
                     for p in report.problems)
    return UploadResult(report=replace(report, problems=problems),
                        document_ids=upload.document_ids, fmt=upload.fmt)


def ingest_upload(store, data: bytes, *, name_hint: str | None = None, max_bytes: int = MAX_UPLOAD_BYTES,
                  read: ReadWith = DEFAULT_MODE) -> UploadResult:
    """Ingest the uploaded ``data`` into ``store`` (read with ``read``, see ``ingest``): stored
    whole or not at all; the errors of ``parse_upload``."""
    return store_upload(store, parse_upload(data, name_hint=name_hint, max_bytes=max_bytes), read=read)


def json_document_bytes(fields: dict) -> bytes:
    """One document given as JSON fields (``text``, ``title``, ``outlet``, ``url``,
    ``published``, ``author``, ``language``) as the JSON file an upload of it would be."""
    record = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items() if v is not None}
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def ingest_json_document(store, fields: dict, *, read: ReadWith = DEFAULT_MODE) -> UploadResult:
    """Ingest one document given as JSON fields through the same path as an upload."""
    data = json_document_bytes(fields)
    return ingest_upload(store, data, max_bytes=max(MAX_UPLOAD_BYTES, len(data)), read=read)


@contextmanager
def _upload_file(data: bytes, fmt: str) -> Iterator[Path]:
    """``data`` in a file named by the server, in a fresh temporary folder deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="exitwatch-upload-") as folder:
        path = Path(folder) / UPLOAD_NAMES[fmt]
        path.write_bytes(data)
        yield path


def _relabel(text: str, path: Path) -> str:
    return text.replace(str(path), "upload")
