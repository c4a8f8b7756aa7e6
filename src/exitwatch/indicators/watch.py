"""``watch``: re-ingest the configured feeds and folders, recompute the watched countries'
indicators and report those whose lit state changed since the previous run (states are kept in
the store table ``indicator_states``). Meant for cron: see ``exitwatch watch --help``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exitwatch.app.ingest_pipeline import ReadWith, ingest
from exitwatch.errors import ConfigError
from exitwatch.indicators.compute import compute_indicators
from exitwatch.indicators.definitions import PERIODS
from exitwatch.kb import resolve_country
from exitwatch.read import DEFAULT_MODE
from exitwatch.records import Record

#: Config file used when none is given.
DEFAULT_CONFIG = "exitwatch-watch.toml"


class WatchConfig(BaseModel):
    """The ``[watch]`` table of a watch config file (paths relative to the file's folder)."""

    model_config = ConfigDict(extra="forbid")

    sources: list[str] = Field(min_length=1, description="Files, folders and feed files to (re-)ingest.")
    countries: list[str] = Field(min_length=1, description="Countries to watch (ISO3 or names).")
    period: str = "week"
    definitions: str | None = None


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
class WatchReport(Record):
    """One watch run: ``added``/``near_duplicates``/``duplicates`` (documents ingested),
    ``problems`` (ingest problems as text), ``changes`` (StateChange tuple), ``lit`` (country ->
    names of its lit indicators), ``first_run`` (no state had been recorded before)."""

    added: int
    near_duplicates: int
    duplicates: int
    problems: tuple[str, ...]
    changes: tuple[StateChange, ...]
    lit: dict[str, list[str]]
    first_run: bool


def load_watch_config(path: str | os.PathLike | None = None) -> WatchConfig:
    """The ``[watch]`` table of ``path`` (default ``exitwatch-watch.toml``), with source and
    definitions paths made relative to the file's folder."""
    file = Path(path or DEFAULT_CONFIG)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read watch config {file}: {e}; write one with a [watch] table "
                          "(sources = [...], countries = [...]), see docs/indicators.md") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"watch config {file} is not valid TOML: {e}") from e
    try:
        config = WatchConfig(**raw.get("watch", {}))
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors())
        raise ConfigError(f"watch config {file}: {problems} (expected [watch] sources, countries, period, definitions)") from e
    if config.period not in PERIODS:
        raise ConfigError(f"watch config {file}: period {config.period!r} is not valid; choose one of {', '.join(PERIODS)}")
    base = file.resolve().parent
    return config.model_copy(update={
        "sources": [str(base / s) for s in config.sources],
        "definitions": str(base / config.definitions) if config.definitions else None,
    })


def watch(store, config: WatchConfig, *, read: ReadWith = DEFAULT_MODE) -> WatchReport:
    """Ingest ``config.sources`` into ``store``, recompute the indicators of ``config.countries``
    and return the state changes since the last run (and record the new states). ``read``: the
    reader for new documents, as for ``exitwatch.app.ingest_pipeline.ingest``."""
    ingested = ingest(config.sources, store=store, read=read)
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
    return WatchReport(
        added=ingested.added, near_duplicates=ingested.near_duplicates, duplicates=ingested.duplicates,
        problems=tuple(f"{p.severity}: {p}" for p in ingested.problems), changes=tuple(changes), lit=lit,
        first_run=first_run,
    )
