"""Queries of the indicators stage: the documents about a country in a date window with their
readings, near-duplicate clusters, and the indicator states that ``exitwatch watch`` compares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from exitwatch.records import Reading
from exitwatch.store import rows as R
from exitwatch.store.where import Where


def _mentions_sql(words: list[str], params: list[Any]) -> str:
    """SQL that is true when a document's body mentions one of ``words`` (or has an event about
    the country bound as the first parameter)."""
    likes = " OR ".join("d.body ILIKE ?" for _ in words)
    params += [f"%{w}%" for w in words]
    events = ("EXISTS (SELECT 1 FROM events e WHERE e.doc_id = d.id AND "
              "(e.source_country = ? OR e.target_country = ? OR e.location_country = ?))")
    return f"({events}{' OR ' + likes if likes else ''})"


class IndicatorQueries:
    """Mixin of ``Store`` for the indicators stage (needs ``StoreCore``)."""

    def country_documents(
        self, country: str, words: list[str], *, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[dict[str, Any]]:
        """Documents that mention ``country`` (ISO3; ``words``: its names, demonyms, capital) or
        have an event about it, published in [since, until] or undated, oldest first.

        Each row: ``id``, ``outlet``, ``published`` (None when undated), ``canonical`` (the first
        copy of its near-duplicate cluster), ``copies`` (outlets of the stored near-copies).
        """
        params: list[Any] = [country] * 3
        mentions = _mentions_sql(words, params)
        filt = Where()
        filt.add(mentions, *params)
        filt.dates("d.published", since, until, undated=True)
        return self._dicts(
            "SELECT d.id, d.outlet, d.published, coalesce(dup.duplicate_of, d.id) AS canonical, "
            "coalesce((SELECT list(c.outlet ORDER BY c.outlet) FROM duplicates x JOIN documents c ON c.id = x.doc_id "
            "          WHERE x.duplicate_of = d.id AND c.outlet IS NOT NULL), []) AS copies "
            f"FROM documents d LEFT JOIN duplicates dup ON dup.doc_id = d.id WHERE {filt.sql} "
            "ORDER BY d.published NULLS LAST, d.id",
            filt.params,
        )

    def latest_country_date(self, country: str, words: list[str]) -> dt.date | None:
        """The latest publication date of the documents about ``country`` (see ``country_documents``)."""
        params: list[Any] = [country] * 3
        sql = f"SELECT max(d.published) FROM documents d WHERE {_mentions_sql(words, params)}"
        return self.con.execute(sql, params).fetchone()[0]

    def readings_of(self, doc_ids: list[str]) -> dict[str, Reading]:
        """The stored readings of ``doc_ids`` (documents never read are left out), in four queries."""
        if not doc_ids:
            return {}
        ids = list(doc_ids)
        found = {r["id"]: R.document_from_row(r) for r in self._dicts(
            "SELECT * FROM documents WHERE list_contains(?, id) AND id IN (SELECT doc_id FROM readings)", [ids])}
        parts: dict[str, dict[str, list]] = {i: {"sentences": [], "events": [], "claims": []} for i in found}
        for table, order, convert in (("sentences", "idx", R.sentence_from_row), ("events", "n", R.event_from_row),
                                      ("claims", "n", R.claim_from_row)):
            for row in self._dicts(f"SELECT * FROM {table} WHERE list_contains(?, doc_id) ORDER BY doc_id, {order}", [ids]):
                if row["doc_id"] in parts:
                    parts[row["doc_id"]][table].append(convert(row))
        return {
            i: Reading(document=doc, sentences=tuple(parts[i]["sentences"]), events=tuple(parts[i]["events"]),
                       claims=tuple(parts[i]["claims"]))
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
