"""Reader output: sentences, events and claims."""

from __future__ import annotations

import datetime as dt

from exitwatch.records import Claim, Event, Reading, Sentence
from exitwatch.store import rows as R
from exitwatch.store.where import Where


def _paged(sql: str, params: list, limit: int | None, offset: int) -> tuple[str, list]:
    """``sql`` and ``params`` with LIMIT/OFFSET added (unchanged when ``limit`` is None)."""
    if limit is None:
        return sql, params
    return f"{sql} LIMIT ? OFFSET ?", [*params, limit, offset]


class ReadingTables:
    """Mixin of ``Store`` for the reader tables (needs ``StoreCore``)."""

    def _write_readings(self, readings: list[Reading]) -> None:
        if not readings:
            return
        doc_ids = [r.document.id for r in readings]
        for table in R.READING_TABLES:
            self.con.execute(f"DELETE FROM {table} WHERE list_contains(?, doc_id)", [doc_ids])
        rows: dict[str, list] = {}
        for reading in readings:
            for table, table_rows in R.reading_rows(reading).items():
                rows.setdefault(table, []).extend(table_rows)
        for table, table_rows in rows.items():
            self._insert(table, table_rows)

    def add_reading(self, reading: Reading) -> None:
        """Replace whatever was stored for ``reading.document`` by ``reading`` (one transaction)."""
        self.add_readings([reading])

    def add_readings(self, readings: list[Reading]) -> None:
        """Replace the stored readings of their documents by ``readings`` (one transaction)."""
        with self.transaction():
            self._write_readings(readings)

    def read_before_migration(self, version: int) -> list[str]:
        """Ids of the documents whose stored reading is older than migration ``version`` (they
        lack what it added), in id order; none when that migration is not applied."""
        sql = ("SELECT doc_id FROM readings WHERE read_at < "
               "(SELECT applied_at FROM schema_version WHERE version = ?) ORDER BY doc_id")
        return [r[0] for r in self.con.execute(sql, [version]).fetchall()]

    def read_doc_ids(self, pipeline: str | None = None) -> set[str]:
        """Ids of documents already read (by ``pipeline`` when given)."""
        if pipeline is None:
            return {r[0] for r in self.con.execute("SELECT doc_id FROM readings").fetchall()}
        return {r[0] for r in self.con.execute("SELECT doc_id FROM readings WHERE pipeline = ?", [pipeline]).fetchall()}

    def sentences(self, doc_id: str) -> list[Sentence]:
        return [R.sentence_from_row(r) for r in self._dicts("SELECT * FROM sentences WHERE doc_id = ? ORDER BY idx", [doc_id])]

    def events(
        self,
        *,
        doc_id: str | None = None,
        country: str | None = None,
        event_types: list[str] | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Event]:
        """Events filtered by document, country (source, target or location ISO3), PLOVER types
        and the publication date of their document."""
        filt = Where()
        if doc_id:
            filt.add("e.doc_id = ?", doc_id)
        if country:
            filt.add("(e.source_country = ? OR e.target_country = ? OR e.location_country = ?)", *[country] * 3)
        if event_types:
            filt.add("list_contains(?, e.event_type)", list(event_types))
        filt.dates("d.published", since, until)
        sql = (
            "SELECT e.* FROM events e JOIN documents d ON d.id = e.doc_id "
            f"WHERE {filt.sql} ORDER BY d.published DESC NULLS LAST, e.doc_id, e.n"
        )
        return [R.event_from_row(r) for r in self._dicts(*_paged(sql, filt.params, limit, offset))]

    def claims(self, *, doc_id: str | None = None, limit: int | None = None, offset: int = 0) -> list[Claim]:
        filt = Where()
        if doc_id:
            filt.add("doc_id = ?", doc_id)
        sql = f"SELECT * FROM claims WHERE {filt.sql} ORDER BY doc_id, n"
        return [R.claim_from_row(r) for r in self._dicts(*_paged(sql, filt.params, limit, offset))]

    def reading(self, doc_id: str) -> Reading:
        """The stored Reading of one document (raises NotFoundError for an unknown id)."""
        return Reading(
            document=self.document(doc_id),
            sentences=tuple(self.sentences(doc_id)),
            events=tuple(self.events(doc_id=doc_id)),
            claims=tuple(self.claims(doc_id=doc_id)),
            pipeline=(self.con.execute("SELECT pipeline FROM readings WHERE doc_id = ?", [doc_id]).fetchone() or [""])[0],
            mentions=tuple(R.mention_from_row(r) for r in self._dicts(
                "SELECT * FROM mentions WHERE doc_id = ? ORDER BY n", [doc_id])),
            cues=tuple(R.cue_from_row(r) for r in self._dicts("SELECT * FROM cue_matches WHERE doc_id = ? ORDER BY n", [doc_id])),
        )
