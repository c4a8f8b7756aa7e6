"""Watched sources: each source's freshness (last poll, success, new item, errors, HTTP status
and validators) and the items it delivered, so that ``exitwatch watch`` polls conditionally,
skips items it has taken, and says when a source has gone silent (stale)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from exitwatch.records import Record

UTC = dt.timezone.utc


@dataclass(frozen=True)
class SourceStatus(Record):
    """One source's state.

    Fields: ``name``, ``kind``, ``url`` (URL or path), ``cadence`` and ``interval`` (seconds or
    None), ``first_poll``, ``last_poll``, ``last_success``, ``last_new_item`` (UTC datetimes or
    None), ``last_status`` (HTTP status), ``last_error``, ``consecutive_errors``,
    ``total_errors``, ``polls``, ``new_items``, ``etag``, ``last_modified``, ``stale`` (silent
    for longer than its cadence: no new item since ``last_new_item``, or since ``first_poll``
    when it never delivered one), ``stale_notified`` (the stale state was announced).
    """

    name: str
    kind: str
    url: str
    cadence: float | None
    interval: float | None
    first_poll: dt.datetime | None
    last_poll: dt.datetime | None
    last_success: dt.datetime | None
    last_new_item: dt.datetime | None
    last_status: int | None
    last_error: str | None
    consecutive_errors: int
    total_errors: int
    polls: int
    new_items: int
    etag: str | None
    last_modified: str | None
    stale: bool
    stale_notified: bool

    def due(self, now: dt.datetime) -> bool:
        """Whether the polling interval has passed since the last poll."""
        return self.last_poll is None or (now - self.last_poll).total_seconds() >= (self.interval or 0)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def _status(row: dict[str, Any], now: dt.datetime) -> SourceStatus:
    times = {k: _utc(row[k]) for k in ("first_poll", "last_poll", "last_success", "last_new_item")}
    silent_since = times["last_new_item"] or times["first_poll"]
    cadence = row["cadence_seconds"]
    stale = cadence is not None and silent_since is not None and (now - silent_since).total_seconds() > cadence
    return SourceStatus(
        name=row["name"], kind=row["kind"], url=row["location"], cadence=cadence, interval=row["interval_seconds"],
        **times, last_status=row["last_status"], last_error=row["last_error"],
        consecutive_errors=row["consecutive_errors"], total_errors=row["total_errors"], polls=row["polls"],
        new_items=row["new_items"], etag=row["etag"], last_modified=row["last_modified"], stale=stale,
        stale_notified=row["stale_notified"],
    )


@dataclass(frozen=True)
class SourcePoll:
    """What to record of one poll: the source (``name``, ``kind``, ``location``, ``cadence``,
    ``interval`` in seconds), when (``at``, UTC), the HTTP ``status``, the ``error`` (None on
    success), ``new_items`` stored, the validators ``etag``/``last_modified`` to send next time,
    and ``items``: (item key, document id) pairs taken."""

    name: str
    kind: str
    location: str
    cadence: float | None
    interval: float | None
    at: dt.datetime
    status: int | None
    error: str | None
    new_items: int
    etag: str | None
    last_modified: str | None
    items: tuple[tuple[str, str], ...] = ()


class SourceTables:
    """Mixin of ``Store`` for watched sources (needs ``StoreCore``)."""

    def source_statuses(self, now: dt.datetime | None = None) -> list[SourceStatus]:
        """Every source polled so far, by name, with ``stale`` judged at ``now`` (default: now)."""
        now = now or dt.datetime.now(UTC)
        return [_status(r, now) for r in self._dicts("SELECT * FROM source_states ORDER BY name")]

    def seen_item_keys(self, source: str, keys: list[str]) -> set[str]:
        """Which of ``keys`` the source has delivered before (one query)."""
        rows = self.con.execute("SELECT item_key FROM source_items WHERE source = ? AND list_contains(?, item_key)",
                                [source, list(keys)]).fetchall()
        return {r[0] for r in rows}

    def record_source_poll(self, poll: SourcePoll) -> None:
        """Record one poll and the items it took, in one transaction: the acknowledgement that
        the items' documents are stored (store them first)."""
        at = _naive(poll.at)
        ok = poll.error is None
        with self.transaction():
            self.con.execute(
                "INSERT INTO source_states (name, kind, location, first_poll) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO NOTHING", [poll.name, poll.kind, poll.location, at])
            self.con.execute(
                "UPDATE source_states SET kind = ?, location = ?, cadence_seconds = ?, interval_seconds = ?, "
                "last_poll = ?, last_status = ?, last_error = ?, polls = polls + 1, "
                "last_success = CASE WHEN ? THEN ? ELSE last_success END, "
                "last_new_item = CASE WHEN ? > 0 THEN ? ELSE last_new_item END, "
                "new_items = new_items + ?, "
                "consecutive_errors = CASE WHEN ? THEN 0 ELSE consecutive_errors + 1 END, "
                "total_errors = total_errors + CASE WHEN ? THEN 0 ELSE 1 END, "
                "etag = CASE WHEN ? THEN ? ELSE etag END, "
                "last_modified = CASE WHEN ? THEN ? ELSE last_modified END "
                "WHERE name = ?",
                [poll.kind, poll.location, poll.cadence, poll.interval, at, poll.status, poll.error,
                 ok, at, poll.new_items, at, poll.new_items, ok, ok, ok, poll.etag, ok, poll.last_modified, poll.name])
            self._insert("source_items", [{"source": poll.name, "item_key": key, "doc_id": doc_id, "seen_at": at}
                                          for key, doc_id in poll.items], ignore_existing=True)

    def set_stale_notified(self, names: list[str], notified: bool) -> None:
        """Mark the stale state of ``names`` as announced (or, with False, as cleared)."""
        if names:
            self.con.execute("UPDATE source_states SET stale_notified = ? WHERE list_contains(?, name)",
                             [notified, list(names)])

    def sources_of_documents(self, doc_ids: list[str]) -> dict[str, int]:
        """Source name -> how many of ``doc_ids`` it delivered (for "which sources fed this")."""
        if not doc_ids:
            return {}
        rows = self.con.execute(
            "SELECT source, count(DISTINCT doc_id) FROM source_items WHERE list_contains(?, doc_id) "
            "GROUP BY source ORDER BY source", [list(doc_ids)]).fetchall()
        return dict(rows)
