"""Ingest bytes and JSON documents that arrive over the API, safely.

The content decides the format (sniffed, never the client's file name or content type; a
``.csv``/``.tsv`` name is only a hint between CSV and plain text). The bytes are written to a file
whose name this module chooses, inside a fresh temporary folder, so nothing from the request
reaches the file system. Every document is parsed and checked before anything is stored, and
all of them are stored in one transaction: an upload is stored whole or not at all.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from exitwatch.app.ingest_pipeline import IngestReport, ReadWith, ingest
from exitwatch.errors import InputError, UnsupportedUploadError, UploadTooLargeError
from exitwatch.ingest import iter_documents
from exitwatch.ingest.sources import sniff_format
from exitwatch.ingest.textio import looks_binary
from exitwatch.read import DEFAULT_MODE

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


def ingest_upload(store, data: bytes, *, name_hint: str | None = None, max_bytes: int = MAX_UPLOAD_BYTES,
                  read: ReadWith = DEFAULT_MODE) -> UploadResult:
    """Ingest the uploaded ``data`` into ``store`` (read with ``read``, see ``ingest``).

    Raises UploadTooLargeError above ``max_bytes``, UnsupportedUploadError for content that is
    not news text, and InputError (nothing stored) when any part of it cannot be read.
    """
    if len(data) > max_bytes:
        raise UploadTooLargeError("upload", f"{len(data):,} bytes is over the limit of {max_bytes:,} bytes")
    fmt = sniff_upload(data, name_hint=name_hint)
    with tempfile.TemporaryDirectory(prefix="exitwatch-upload-") as folder:
        path = Path(folder) / UPLOAD_NAMES[fmt]
        path.write_bytes(data)
        problems = []
        docs = list(iter_documents([path], on_problem=problems.append))
        errors = [p for p in problems if p.severity == "error"]
        if errors or not docs:
            found = "; ".join(p.problem for p in errors) or "no documents found"
            raise InputError(f"upload ({fmt})", f"nothing stored: {found}")
        report = ingest([path], store=store, read=read, batch_size=len(docs) + 1)
    return UploadResult(report=report, document_ids=tuple(dict.fromkeys(d.id for d in docs)), fmt=fmt)


def ingest_json_document(store, fields: dict, *, read: ReadWith = DEFAULT_MODE) -> UploadResult:
    """Ingest one document given as JSON fields (``text``, ``title``, ``outlet``, ``url``,
    ``published``, ``author``, ``language``) through the same path as an upload."""
    record = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items() if v is not None}
    data = json.dumps(record, ensure_ascii=False).encode("utf-8")
    return ingest_upload(store, data, max_bytes=max(MAX_UPLOAD_BYTES, len(data)), read=read)
