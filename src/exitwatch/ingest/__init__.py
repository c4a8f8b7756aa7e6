"""Ingestion: files, pages, records and feeds become ``Document`` records in the store.

Public API (see docs/ingest.md): ``make_document``, ``iter_documents``, ``IngestProblem``,
``sample_corpus_path``; for reading inputs split between processes (``exitwatch.scale``):
``expand_inputs`` (the inputs with their formats), ``InputSource``, ``STDIN``, ``ReaderOptions``,
``MAX_DOCUMENT_BYTES`` and ``read_range`` (a byte range of a file read as the whole file is); the
near-duplicate MinHash is ``exitwatch.ingest.dedup``. Ingesting into the store (reading and storing) is an application
workflow: ``exitwatch.app.ingest_pipeline.ingest``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from exitwatch.ingest.document import document_id, make_document
from exitwatch.ingest.iterate import iter_documents
from exitwatch.ingest.options import ReaderOptions
from exitwatch.ingest.problems import IngestProblem
from exitwatch.ingest.ranges import read_range
from exitwatch.ingest.sources import STDIN, InputSource, expand_inputs
from exitwatch.ingest.textio import MAX_DOCUMENT_BYTES


def sample_corpus_path() -> Path:
    """The folder of the bundled sample corpus (our own invented news items in mixed formats)."""
    return Path(str(resources.files("exitwatch.ingest").joinpath("samples")))


__all__ = [
    "MAX_DOCUMENT_BYTES",
    "STDIN",
    "IngestProblem",
    "InputSource",
    "ReaderOptions",
    "document_id",
    "expand_inputs",
    "iter_documents",
    "make_document",
    "read_range",
    "sample_corpus_path",
]
