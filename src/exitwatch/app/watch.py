"""``watch``: poll the configured sources that are due (feeds, sitemaps, pages over HTTP; local
folders), store their new items, recompute the watched countries' indicators, and report the
indicators whose lit state changed and the sources that went silent (stale) or came back.

``watch`` is one cycle (cron); ``run_watch`` repeats it every so often until stopped, writing and
POSTing a JSON report whenever something changed. Each source's items are stored (in batches,
one transaction each) before its poll is recorded, so a crash loses nothing acknowledged and the
next run polls again whatever was not recorded.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exitwatch.app.ingest_pipeline import ReadWith, ingest_documents
from exitwatch.app.notify import Notifier
from exitwatch.errors import ConfigError, ExitwatchError
from exitwatch.indicators.compute import compute_indicators
from exitwatch.indicators.definitions import PERIODS
from exitwatch.ingest.fetch import Fetcher, FetchPolicy
from exitwatch.ingest.poll import PollResult, poll_source
from exitwatch.ingest.source_config import (
    SourceSpec,
    check_unique,
    line_containing,
    load_sources,
    parse_source_tables,
    read_toml,
    source_from_string,
    where,
)
from exitwatch.kb import resolve_country
from exitwatch.read import DEFAULT_MODE
from exitwatch.records import Record, replace
from exitwatch.store.sources import UTC, SourcePoll, SourceStatus

#: Config file used when none is given.
DEFAULT_CONFIG = "exitwatch-watch.toml"


class WatchTable(BaseModel):
    """The ``[watch]`` table: ``sources`` (short form: URLs and paths), ``sources_file`` (a
    sources.toml of ``[[source]]`` tables), ``countries``, ``period``, ``definitions``, and the
    HTTP politeness settings ``host_delay`` (seconds between requests to one host), ``timeout``,
    ``retries``, ``user_agent``."""

    model_config = ConfigDict(extra="forbid")

    sources: list[str] = []
    sources_file: str | None = None
    countries: list[str] = Field(min_length=1, description="Countries to watch (ISO3 or names).")
    period: str = "week"
    definitions: str | None = None
    host_delay: float = Field(default=2.0, ge=0)
    timeout: float = Field(default=20.0, gt=0)
    retries: int = Field(default=2, ge=0, le=10)
    user_agent: str | None = None


class WatchConfig(BaseModel):
    """A loaded watch config: ``sources`` (SourceSpec list: the short form, ``[[source]]``
    tables and the sources file together), ``countries``, ``period``, ``definitions`` (path or
    None) and ``fetch`` (the FetchPolicy)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    sources: list[SourceSpec]
    countries: list[str]
    period: str = "week"
    definitions: str | None = None
    fetch: FetchPolicy = FetchPolicy()


def load_watch_config(path: str | os.PathLike | None = None) -> WatchConfig:
    """The watch config in ``path`` (default ``exitwatch-watch.toml``): a ``[watch]`` table and
    any ``[[source]]`` tables, paths relative to the file's folder. One-line ConfigError naming
    the file and line on any mistake."""
    file = Path(path or DEFAULT_CONFIG)
    raw, text = read_toml(file, "watch config")
    unknown = sorted(set(raw) - {"watch", "source"})
    if unknown:
        raise ConfigError(f"{where(file, line_containing(text, unknown[0]))}: unknown table or key {unknown[0]!r}; "
                          "a watch config holds a [watch] table and [[source]] tables (see docs/watch.md)")
    try:
        table = WatchTable(**raw.get("watch", {}))
    except ValidationError as e:
        err = e.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else "watch"
        message = (f"unknown key; valid keys: {', '.join(WatchTable.model_fields)}"
                   if err["type"] == "extra_forbidden" else err["msg"])
        raise ConfigError(f"{where(file, line_containing(text, key) or line_containing(text, '[watch]'))}: "
                          f"[watch] {key}: {message}") from e
    if table.period not in PERIODS:
        raise ConfigError(f"{where(file, line_containing(text, 'period'))}: period {table.period!r} is not valid; "
                          f"choose one of {', '.join(PERIODS)}")
    base = file.resolve().parent
    sources = []
    for value in table.sources:
        try:
            sources.append(source_from_string(value, base))
        except (ConfigError, ValidationError) as e:
            message = str(e) if isinstance(e, ConfigError) else e.errors()[0]["msg"].removeprefix("Value error, ")
            raise ConfigError(f"{where(file, line_containing(text, value))}: source {value!r}: {message}") from e
    sources += parse_source_tables(raw.get("source", []), file=file, text=text, base=base)
    if table.sources_file:
        sources += load_sources(base / table.sources_file)
    if not sources:
        raise ConfigError(f"{file}: no sources; list some in [watch] sources = [...] or as [[source]] tables")
    check_unique(sources, file)
    policy = FetchPolicy(host_delay=table.host_delay, timeout=table.timeout, retries=table.retries,
                         **({"user_agent": table.user_agent} if table.user_agent else {}))
    return WatchConfig(sources=sources, countries=table.countries, period=table.period,
                       definitions=str(base / table.definitions) if table.definitions else None, fetch=policy)


@dataclass(frozen=True)
class StateChange(Record):
    """An indicator whose lit state changed: ``country_iso3``, ``indicator``, ``title``,
    ``was_lit`` (None on the first run), ``lit``, ``value``, ``threshold``, ``top_evidence``
    (text of the best evidence sentence, or None)."""

    country_iso3: str
    indicator: str
    title: str
    was_lit: bool | None
    lit: bool
    value: float
    threshold: float
    top_evidence: str | None


@dataclass(frozen=True)
class PolledSource(Record):
    """One source polled in a cycle: ``name``, ``status`` (HTTP status, None for folders or no
    answer), ``new_items`` (documents stored), ``error`` (why the poll failed, or None)."""

    name: str
    status: int | None
    new_items: int
    error: str | None


@dataclass(frozen=True)
class WatchReport(Record):
    """One watch cycle: ``added``/``near_duplicates``/``duplicates`` (documents ingested),
    ``problems`` (ingest and poll problems as text), ``changes`` (StateChange tuple), ``lit``
    (country -> names of its lit indicators), ``first_run`` (no state had been recorded before),
    ``polled`` (PolledSource tuple: the sources that were due), ``went_stale`` and
    ``fresh_again`` (names of sources whose stale state changed), ``stale`` (every stale
    source), ``at`` (UTC time of the cycle)."""

    added: int
    near_duplicates: int
    duplicates: int
    problems: tuple[str, ...]
    changes: tuple[StateChange, ...]
    lit: dict[str, list[str]]
    first_run: bool
    polled: tuple[PolledSource, ...] = ()
    went_stale: tuple[str, ...] = ()
    fresh_again: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    at: dt.datetime | None = None

    @property
    def alert(self) -> bool:
        """Something changed state: an indicator, or a source going stale or coming back."""
        return bool(self.changes or self.went_stale or self.fresh_again)


def _poll_and_store(store, spec: SourceSpec, state: SourceStatus | None, fetcher: Fetcher, read: ReadWith,
                    now: dt.datetime):
    """Poll one source, store its new documents, then record the poll (the acknowledgement)."""
    result: PollResult = poll_source(spec, fetcher, etag=state.etag if state else None,
                                     last_modified=state.last_modified if state else None,
                                     seen=lambda keys: store.seen_item_keys(spec.name, keys))
    ingested = ingest_documents([item.document for item in result.items], store=store, read=read)
    new_items = ingested.added + ingested.near_duplicates
    store.record_source_poll(SourcePoll(
        name=spec.name, kind=spec.kind, location=spec.location, cadence=spec.cadence, interval=spec.interval,
        at=now, status=result.status, error=result.error, new_items=new_items,
        etag=result.etag, last_modified=result.last_modified,
        items=tuple((item.key or item.document.id, item.document.id) for item in result.items),
    ))
    problems = [f"{p.severity}: {p}" for p in (*result.problems, *ingested.problems)]
    if result.error:
        problems.append(f"error: {spec.name}: {result.error}")
    return PolledSource(spec.name, result.status, new_items, result.error), ingested, problems


def _indicator_changes(store, config: WatchConfig):
    changes: list[StateChange] = []
    lit: dict[str, list[str]] = {}
    first_run = True
    for country in config.countries:
        iso3 = resolve_country(country).iso3
        report = compute_indicators(store, iso3, period=config.period, definitions=config.definitions)
        before = store.indicator_states(iso3, config.period)
        first_run = first_run and not before
        for result in report.indicators:
            was = before[result.name]["lit"] if result.name in before else None
            if (was is None and result.lit) or (was is not None and was != result.lit):
                changes.append(StateChange(
                    country_iso3=iso3, indicator=result.name, title=result.title, was_lit=was, lit=result.lit,
                    value=result.value, threshold=result.threshold,
                    top_evidence=result.evidence[0].text if result.evidence else None,
                ))
        store.save_indicator_states(iso3, config.period, [
            {"indicator": r.name, "lit": r.lit, "value": r.value, "threshold": r.threshold,
             "period_start": report.period_start}
            for r in report.indicators
        ])
        lit[iso3] = [r.name for r in report.lit]
    return tuple(changes), lit, first_run


def watch(store, config: WatchConfig, *, read: ReadWith = DEFAULT_MODE, fetcher: Fetcher | None = None,
          now: dt.datetime | None = None, stop: threading.Event | None = None) -> WatchReport:
    """One cycle: poll the sources of ``config`` that are due at ``now`` (default: now, UTC),
    store their new items, recompute the indicators of ``config.countries``, and return what
    changed since the last cycle (recording the new states). ``read``: the reader for new
    documents, as for ``exitwatch.app.ingest_pipeline.ingest`` (a read mode, a Reader, or None: unread). ``fetcher``:
    the HTTP client (default: one under ``config.fetch``). ``stop``: when set, the sources not
    yet polled are left for the next run."""
    now = now or dt.datetime.now(UTC)
    states = {s.name: s for s in store.source_statuses(now)}
    due = [spec for spec in config.sources if spec.name not in states or states[spec.name].due(now)]
    polled, reports, problems = [], [], []
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(config.fetch)
    try:
        for spec in due:
            if stop is not None and stop.is_set():
                break
            outcome, ingested, found = _poll_and_store(store, spec, states.get(spec.name), fetcher, read, now)
            polled.append(outcome)
            reports.append(ingested)
            problems += found
    finally:
        if own_fetcher:
            fetcher.close()
    changes, lit, first_run = _indicator_changes(store, config)
    configured = {spec.name for spec in config.sources}
    statuses = [s for s in store.source_statuses(now) if s.name in configured]
    went_stale = [s.name for s in statuses if s.stale and not s.stale_notified]
    fresh_again = [s.name for s in statuses if s.stale_notified and not s.stale]
    store.set_stale_notified(went_stale, True)
    store.set_stale_notified(fresh_again, False)
    return WatchReport(
        added=sum(r.added for r in reports), near_duplicates=sum(r.near_duplicates for r in reports),
        duplicates=sum(r.duplicates for r in reports), problems=tuple(problems), changes=changes, lit=lit,
        first_run=first_run, polled=tuple(polled), went_stale=tuple(went_stale), fresh_again=tuple(fresh_again),
        stale=tuple(s.name for s in statuses if s.stale), at=now,
    )


def write_report(report: WatchReport, path: str | os.PathLike) -> None:
    """Write ``report`` as JSON to ``path`` atomically (a reader never sees half a file)."""
    target = Path(path)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    temporary.replace(target)


@dataclass(frozen=True)
class WatchRun(Record):
    """A run of ``run_watch``: ``cycles`` done, ``alerts`` (cycles where something changed),
    ``notified`` (notifications delivered), ``last`` (the last cycle's WatchReport)."""

    cycles: int
    alerts: int
    notified: int
    last: WatchReport | None


def run_watch(store, config: WatchConfig, *, every: float | None = None, cycles: int | None = None,
              read: ReadWith = DEFAULT_MODE,
              notifier: Notifier | None = None, report_path: str | os.PathLike | None = None,
              stop: threading.Event | None = None, on_cycle: Callable[[int, WatchReport], None] | None = None,
              fetcher: Fetcher | None = None, clock: Callable[[], float] = time.monotonic) -> WatchRun:
    """Run ``watch`` cycles: one when ``every`` is None, else one every ``every`` seconds until
    ``cycles`` are done (None: until ``stop`` is set). After a cycle where something changed,
    its report is written to ``report_path`` and POSTed through ``notifier`` (a failed delivery
    becomes a problem of the report, the run goes on). ``on_cycle(n, report)`` after each."""
    if every is not None and every <= 0:
        raise ConfigError(f"--every must be a positive duration, got {every:g} s")
    if cycles is not None and every is None:
        raise ConfigError("--cycles needs --every (without it watch runs one cycle)")
    stop = stop or threading.Event()
    limit = 1 if every is None else cycles
    done = alerts = notified = 0
    last = None
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(config.fetch)
    try:
        while not stop.is_set() and (limit is None or done < limit):
            started = clock()
            last = watch(store, config, read=read, fetcher=fetcher, stop=stop)
            done += 1
            if last.alert:
                alerts += 1
                if report_path is not None:
                    write_report(last, report_path)
                if notifier is not None:
                    try:
                        notifier.send(last.to_dict())
                        notified += 1
                    except ExitwatchError as e:
                        last = replace(last, problems=(*last.problems, f"error: notify: {e}"))
            if on_cycle is not None:
                on_cycle(done, last)
            if every is not None and (limit is None or done < limit):
                stop.wait(max(0.0, every - (clock() - started)))
    finally:
        if own_fetcher:
            fetcher.close()
    return WatchRun(cycles=done, alerts=alerts, notified=notified, last=last)


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[threading.Event]:
    """Set ``stop`` on SIGINT (Ctrl-C) and SIGTERM instead of raising, so the cycle in progress
    finishes its current source and no batch is half-written; a second signal interrupts at once
    (KeyboardInterrupt: the open transaction rolls back). Handlers restored on exit. Outside the
    main thread (where handlers cannot be installed) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handle(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def source_statuses(store, specs: list[SourceSpec] | None = None, *, now: dt.datetime | None = None) -> list[SourceStatus]:
    """The state of every source polled so far plus, for ``specs`` never polled, a blank state
    (``polls`` 0, not stale)."""
    now = now or dt.datetime.now(UTC)
    known = store.source_statuses(now)
    names = {s.name for s in known}
    blank = [SourceStatus(name=s.name, kind=s.kind, url=s.location, cadence=s.cadence, interval=s.interval,
                          first_poll=None, last_poll=None, last_success=None, last_new_item=None, last_status=None,
                          last_error=None, consecutive_errors=0, total_errors=0, polls=0, new_items=0, etag=None,
                          last_modified=None, stale=False, stale_notified=False)
             for s in specs or [] if s.name not in names]
    return sorted(known + blank, key=lambda s: s.name)


__all__ = ["DEFAULT_CONFIG", "PolledSource", "StateChange", "WatchConfig", "WatchReport", "WatchRun", "WatchTable",
           "load_watch_config", "run_watch", "source_statuses", "stop_on_signals", "watch", "write_report"]
