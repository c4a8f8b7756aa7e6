"""Options shared by the readers (column names, outlet override, size cap)."""

from __future__ import annotations

from dataclasses import dataclass

from exitwatch.ingest.textio import MAX_DOCUMENT_BYTES

#: Field names tried, in order, when a record's column for a field is not given explicitly.
AUTO_FIELDS = {
    "published": ("date", "published", "published_at", "pubdate", "publication_date", "datetime", "timestamp"),
    "url": ("url", "link", "canonical_url", "href"),
    "outlet": ("outlet", "source", "sitename", "publisher", "site", "newspaper"),
    "author": ("author", "byline", "authors"),
    "language": ("language", "lang"),
}


@dataclass(frozen=True)
class ReaderOptions:
    """How records (JSON, JSONL, CSV) map to documents and how big a document may be.

    Fields: ``text_column`` (required in records), ``title_column``, ``date_column``,
    ``url_column``, ``outlet_column`` (None: try the names in ``AUTO_FIELDS``), ``outlet``
    (overrides every document's outlet), ``max_document_bytes`` (cap on one document).
    """

    text_column: str = "text"
    title_column: str = "title"
    date_column: str | None = None
    url_column: str | None = None
    outlet_column: str | None = None
    outlet: str | None = None
    max_document_bytes: int = MAX_DOCUMENT_BYTES

    def column(self, field: str) -> str | None:
        return {"published": self.date_column, "url": self.url_column, "outlet": self.outlet_column}.get(field)
