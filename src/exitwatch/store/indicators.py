"""Queries of the indicators stage: the documents about a country in a date window with their
stored readings (mentions and cue matches included), near-duplicate clusters, the months the news
covers, and the indicator states that ``exitwatch watch`` compares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from exitwatch.records import Reading
from exitwatch.store import rows as R
from exitwatch.store.where import Where


#: A document's news date: its publication date, else the day it was ingested (an undated story
#: is as fresh as its arrival, never "always current").
NEWS_DATE = "coalesce(d.published, CAST(d.ingested_at AS DATE))"

#: True when a stored reading names the country bound as the first two parameters (a mention in a
#: sentence, or an event's source, target or location).
_CONCERNS = (
    "(EXISTS (SELECT 1 FROM mentions m WHERE m.doc_id = d.id AND m.country = ?) OR "
    "EXISTS (SELECT 1 FROM events e WHERE e.doc_id = d.id AND ? IN (e.source_country, e.target_country, e.location_country)))"
)


class IndicatorQueries:
    """Mixin of ``Store`` for the indicators stage (needs ``StoreCore``)."""

    def country_documents(
        self, country: str, *, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[dict[str, Any]]:
        """Read documents whose stored reading names ``country`` (ISO3), with a news date in
        [since, until], oldest first.

        Each row: ``id``, ``outlet``, ``date`` (publication date, else ingest date),
        ``canonical`` (the first copy of its near-duplicate cluster), ``copies`` (outlets of the
        stored near-copies), ``read_at`` (when its stored reading was made: a re-read changes it).
        """
        filt = Where()
        filt.add(_CONCERNS, country, country)
        filt.dates(NEWS_DATE, since, until)
        return self._dicts(
            f"SELECT d.id, d.outlet, {NEWS_DATE} AS date, coalesce(dup.duplicate_of, d.id) AS canonical, r.read_at, "
            "coalesce((SELECT list(c.outlet ORDER BY c.outlet) FROM duplicates x JOIN documents c ON c.id = x.doc_id "
            "          WHERE x.duplicate_of = d.id AND c.outlet IS NOT NULL), []) AS copies "
            "FROM documents d JOIN readings r ON r.doc_id = d.id LEFT JOIN duplicates dup ON dup.doc_id = d.id "
            f"WHERE {filt.sql} ORDER BY date, d.id",
            filt.params,
        )

    def latest_country_date(self, country: str) -> dt.date | None:
        """The latest news date of the documents about ``country`` (see ``country_documents``)."""
        sql = f"SELECT max({NEWS_DATE}) FROM documents d WHERE {_CONCERNS}"
        return self.con.execute(sql, [country, country]).fetchone()[0]

    def news_months(self) -> list[tuple[str, dt.date, int]]:
        """(country ISO3, first day of month, documents) for every month in which read documents
        name the country: the months the store's news covers, per country."""
        return self.con.execute(
            f"SELECT c, CAST(date_trunc('month', {NEWS_DATE}) AS DATE) AS month, count(DISTINCT d.id) "
            "FROM documents d JOIN (SELECT doc_id, country AS c FROM mentions UNION "
            "SELECT doc_id, unnest([source_country, target_country, location_country]) FROM events) k ON k.doc_id = d.id "
            "WHERE c IS NOT NULL GROUP BY c, month ORDER BY c, month"
        ).fetchall()

    def readings_of(self, doc_ids: list[str]) -> dict[str, Reading]:
        """The stored readings of ``doc_ids`` (documents never read are left out) with their
        sentences, events, claims, mentions and cue matches: one query per table."""
        if not doc_ids:
            return {}
        ids = list(doc_ids)
        found = {r["id"]: R.document_from_row(r) for r in self._dicts(
            "SELECT * FROM documents WHERE list_contains(?, id) AND id IN (SELECT doc_id FROM readings)", [ids])}
        tables = (("sentences", "idx", R.sentence_from_row), ("events", "n", R.event_from_row),
                  ("claims", "n", R.claim_from_row), ("mentions", "n", R.mention_from_row),
                  ("cue_matches", "n", R.cue_from_row))
        parts: dict[str, dict[str, list]] = {i: {t: [] for t, _, _ in tables} for i in found}
        for table, order, convert in tables:
            for row in self._dicts(f"SELECT * FROM {table} WHERE list_contains(?, doc_id) ORDER BY doc_id, {order}", [ids]):
                if row["doc_id"] in parts:
                    parts[row["doc_id"]][table].append(convert(row))
        return {
            i: Reading(document=doc, sentences=tuple(parts[i]["sentences"]), events=tuple(parts[i]["events"]),
                       claims=tuple(parts[i]["claims"]), mentions=tuple(parts[i]["mentions"]),
                       cues=tuple(parts[i]["cue_matches"]))
            for i, doc in found.items()
        }

    def indicator_states(self, country: str, period: str) -> dict[str, dict[str, Any]]:
        """The last recorded state of each indicator of ``country`` for ``period``: name -> row
        (``lit``, ``value``, ``threshold``, ``period_start``, ``checked_at``)."""
        rows = self._dicts("SELECT * FROM indicator_states WHERE country = ? AND period = ?", [country, period])
        return {r["indicator"]: r for r in rows}

    def save_indicator_states(self, country: str, period: str, states: list[dict[str, Any]]) -> None:
        """Replace the recorded states of ``country``/``period`` by ``states`` (dicts with
        ``indicator``, ``lit``, ``value``, ``threshold``, ``period_start``), in one transaction."""
        with self.transaction():
            self.con.execute("DELETE FROM indicator_states WHERE country = ? AND period = ?", [country, period])
            self._insert("indicator_states", [{"country": country, "period": period, **s} for s in states])
