"""Queries for the brief, the JSON API and the dashboard: filtered, paginated listings with totals.

A document is "about" a country when one of its events has the country as source, target or
location; claims and documents are filtered by country that way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exitwatch.store import rows as R
from exitwatch.store.where import Where

_ABOUT_COUNTRY = (
    "EXISTS (SELECT 1 FROM events c WHERE c.doc_id = {doc} "
    "AND ? IN (c.source_country, c.target_country, c.location_country))"
)


@dataclass(frozen=True)
class Page:
    """One page of a listing: ``items`` (records), ``total`` (matches over all pages), ``limit``,
    ``offset``."""

    items: tuple
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class StoreVintage:
    """How fresh the store is: ``documents`` (count), ``newest_published`` and
    ``oldest_published`` (dates or None), ``last_ingested`` (timestamp or None)."""

    documents: int
    newest_published: dt.date | None
    oldest_published: dt.date | None
    last_ingested: dt.datetime | None


class ReportQueries:
    """Mixin of ``Store`` for the report stage (needs ``StoreCore``)."""

    def _page(self, select: str, filt: Where, order: str, limit: int, offset: int) -> tuple[list[dict], int]:
        total = self.con.execute(f"SELECT count(*) FROM ({select} WHERE {filt.sql})", filt.params).fetchone()[0]
        rows = self._dicts(f"{select} WHERE {filt.sql} ORDER BY {order} LIMIT ? OFFSET ?", [*filt.params, limit, offset])
        return rows, total

    def _find_read(self, table: str, alias: str, from_row, filt: Where, modality: str | None,
                   doc_id: str | None, limit: int, offset: int) -> Page:
        """A page of ``table`` rows (events or claims) as records, after ``filt`` and the shared
        modality and document filters, in document order (newest document first)."""
        if modality:
            filt.add(f"{alias}.modality = ?", modality)
        if doc_id:
            filt.add(f"{alias}.doc_id = ?", doc_id)
        select = f"SELECT {alias}.* FROM {table} {alias} JOIN documents d ON d.id = {alias}.doc_id"
        rows, total = self._page(select, filt, f"d.published DESC NULLS LAST, {alias}.doc_id, {alias}.n", limit, offset)
        return Page(tuple(from_row(r) for r in rows), total, limit, offset)

    def find_documents(
        self,
        *,
        country: str | None = None,
        outlet: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page:
        """Documents newest first (Document records, removed spans not loaded), filtered by
        country (ISO3), outlet and published date range."""
        filt = Where()
        if country:
            filt.add(_ABOUT_COUNTRY.format(doc="d.id"), country)
        if outlet:
            filt.add("d.outlet = ?", outlet)
        filt.dates("d.published", since, until)
        rows, total = self._page("SELECT d.* FROM documents d", filt, "d.published DESC NULLS LAST, d.id", limit, offset)
        return Page(tuple(R.document_from_row(r) for r in rows), total, limit, offset)

    def find_events(
        self,
        *,
        country: str | None = None,
        event_type: str | None = None,
        modality: str | None = None,
        doc_id: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page:
        """Events filtered by country (source, target or location ISO3), PLOVER type, modality,
        document and the event's date (its document's date when the event has none)."""
        filt = Where()
        if country:
            filt.add("? IN (e.source_country, e.target_country, e.location_country)", country)
        if event_type:
            filt.add("e.event_type = ?", event_type)
        filt.dates("coalesce(e.date, d.published)", since, until)
        return self._find_read("events", "e", R.event_from_row, filt, modality, doc_id, limit, offset)

    def find_claims(
        self,
        *,
        country: str | None = None,
        modality: str | None = None,
        doc_id: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page:
        """Claims filtered by country (of their document), modality, document and the date of
        their document."""
        filt = Where()
        if country:
            filt.add(_ABOUT_COUNTRY.format(doc="k.doc_id"), country)
        filt.dates("d.published", since, until)
        return self._find_read("claims", "k", R.claim_from_row, filt, modality, doc_id, limit, offset)

    def document_countries(self, doc_id: str) -> list[str]:
        """ISO3 codes of the countries a document's events name, most mentioned first."""
        rows = self.con.execute(
            "SELECT c, count(*) n FROM (SELECT unnest([source_country, target_country, location_country]) c "
            "FROM events WHERE doc_id = ?) WHERE c IS NOT NULL GROUP BY c ORDER BY n DESC, c",
            [doc_id],
        ).fetchall()
        return [r[0] for r in rows]

    def country_document_counts(self) -> dict[str, int]:
        """ISO3 code -> number of documents whose events name the country."""
        rows = self.con.execute(
            "SELECT c, count(DISTINCT doc_id) FROM (SELECT doc_id, unnest([source_country, target_country, "
            "location_country]) c FROM events) WHERE c IS NOT NULL GROUP BY c"
        ).fetchall()
        return dict(rows)

    def vintage(self) -> StoreVintage:
        """Counts and dates that say how fresh the store is."""
        n, newest, oldest, ingested = self.con.execute(
            "SELECT count(*), max(published), min(published), max(ingested_at) FROM documents"
        ).fetchone()
        return StoreVintage(documents=n, newest_published=newest, oldest_published=oldest, last_ingested=ingested)


__all__ = ["Page", "ReportQueries", "StoreVintage"]
