"""Ingestion: files, pages, records and feeds become ``Document`` records in the store.

Public API (see docs/ingest.md): ``make_document``, ``iter_documents``, ``IngestProblem``,
``sample_corpus_path``. Ingesting into the store (reading and storing) is an application
workflow: ``exitwatch.app.ingest_pipeline.ingest``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from exitwatch.ingest.document import document_id, make_document
from exitwatch.ingest.iterate import iter_documents
from exitwatch.ingest.problems import IngestProblem


def sample_corpus_path() -> Path:
    """The folder of the bundled sample corpus (our own invented news items in mixed formats)."""
    return Path(str(resources.files("exitwatch.ingest").joinpath("samples")))


__all__ = [
    "IngestProblem",
    "document_id",
    "iter_documents",
    "make_document",
    "sample_corpus_path",
]
