"""The news update of a forecast: the history-based forecast moved by the lit indicators.

Transparent Bayesian updating: every lit indicator multiplies the odds of exit (and of irregular
exit) within each horizon by its likelihood-ratio factor; the product is capped at ``cap`` (and
at 1 / ``cap`` below); p' = p * m / (1 - p + p * m). Factors and cap come from the definitions
file and can be overridden by a small TOML config (``[factors]`` name = factor, ``[update]`` cap).
The workflow that fetches the forecast and the indicators is ``exitwatch.app.news``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from exitwatch.errors import ConfigError
from exitwatch.indicators.compute import compute_indicators
from exitwatch.indicators.definitions import Definitions
from exitwatch.indicators.records import IndicatorReport
from exitwatch.records import Record


@dataclass(frozen=True)
class Contribution(Record):
    """One indicator's part in the update: ``name``, ``title``, ``lit``, ``value``, ``threshold``,
    ``score`` and ``baseline`` (as in IndicatorResult),
    ``factor`` (likelihood ratio when lit), ``applied`` (the factor used: ``factor`` when lit, else 1),
    ``factor_source`` (where the factor comes from)."""

    name: str
    title: str
    lit: bool
    value: float
    threshold: float
    factor: float
    applied: float
    factor_source: str
    score: float = 0.0
    baseline: float = 0.0


@dataclass(frozen=True)
class NewsForecast(Record):
    """The forecast updated with the news.

    Fields: ``country_iso3``, ``country_name``, ``leader``, ``as_of``; ``base`` and ``updated``
    (each ``{"p_exit": {months: p}, "p_irregular": {months: p}}``); ``contributions``
    (Contribution tuple, every indicator); ``combined_factor`` (product of the applied factors),
    ``multiplier`` (the same after the cap), ``cap``; ``news_end`` (last day of news used),
    ``news_period`` and ``news_period_start`` (the current window, which ends on ``news_end``),
    ``news_documents`` (documents about the country in the current window), ``recent_news``
    (False when that window holds none: then nothing is lit and ``updated`` equals ``base``);
    ``model_version``, ``factors_source``.
    """

    country_iso3: str
    country_name: str
    leader: str
    as_of: dt.date
    base: dict
    updated: dict
    contributions: tuple[Contribution, ...]
    combined_factor: float
    multiplier: float
    cap: float
    news_end: dt.date | None
    news_period: str
    news_period_start: dt.date | None
    news_documents: int
    recent_news: bool
    model_version: str
    factors_source: str


def update_probability(p: float, multiplier: float) -> float:
    """``p`` after multiplying its odds by ``multiplier``."""
    if not 0.0 <= p <= 1.0 or math.isnan(p):
        raise ConfigError(f"probability {p!r} is outside [0, 1]")
    if p in (0.0, 1.0):
        return p
    return p * multiplier / (1.0 - p + p * multiplier)


def load_factor_config(path: str | os.PathLike | None, definitions: Definitions) -> tuple[dict[str, float], float, str]:
    """Factors (name -> likelihood ratio) and cap from ``definitions``, overridden by the TOML file
    at ``path`` (``[factors]`` indicator = factor, ``[update]`` cap = number). Returns them with
    the name of the source."""
    factors = {d.name: d.factor for d in definitions.indicators}
    if path is None:
        return factors, definitions.cap, definitions.source
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read factor config {path}: {e}") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"factor config {path} is not valid TOML (UTF-8 text): {e}") from e
    unknown = set(raw) - {"factors", "update"}
    if unknown:
        raise ConfigError(f"factor config {path}: unknown tables {', '.join(sorted(unknown))}; use [factors] and [update]")
    for name, value in raw.get("factors", {}).items():
        if name not in factors:
            raise ConfigError(f"factor config {path}: unknown indicator {name!r}; choose one of {', '.join(factors)}")
        if not isinstance(value, (int, float)) or value <= 0:
            raise ConfigError(f"factor config {path}: factor of {name} must be a positive number, got {value!r}")
        factors[name] = float(value)
    cap = raw.get("update", {}).get("cap", definitions.cap)
    if not isinstance(cap, (int, float)) or cap < 1:
        raise ConfigError(f"factor config {path}: cap must be a number >= 1, got {cap!r}")
    return factors, float(cap), f"{definitions.source} + {path}"


def apply_news(base, report: IndicatorReport, definitions: Definitions, factors: dict[str, float] | None = None,
               cap: float | None = None, *, factors_source: str = "") -> NewsForecast:
    """Combine a LeaderForecast ``base`` with an IndicatorReport computed with ``definitions``
    (the pure part of ``exitwatch.app.news.news_updated_forecast``); ``factors`` and ``cap``
    default to the definitions' own. With no recent news (no document in the report's current
    window) the forecast is left as it is."""
    notes = {d.name: d.factor_source for d in definitions.indicators}
    factors = factors if factors is not None else {d.name: d.factor for d in definitions.indicators}
    cap = cap if cap is not None else definitions.cap
    contributions = tuple(
        Contribution(name=i.name, title=i.title, lit=i.lit, value=i.value, threshold=i.threshold,
                     factor=factors.get(i.name, 1.0), applied=factors.get(i.name, 1.0) if i.lit else 1.0,
                     factor_source=notes.get(i.name, ""), score=i.score, baseline=i.baseline)
        for i in report.indicators
    )
    recent = report.recent_documents > 0
    combined = math.prod(c.applied for c in contributions) if recent else 1.0
    multiplier = min(max(combined, 1.0 / cap), cap)
    probabilities = {"p_exit": dict(base.p_exit), "p_irregular": dict(base.p_irregular)}
    updated = {k: {h: round(update_probability(p, multiplier), 6) for h, p in v.items()} for k, v in probabilities.items()}
    return NewsForecast(
        country_iso3=base.country_iso3, country_name=base.country_name, leader=base.leader, as_of=base.as_of,
        base=probabilities, updated=updated, contributions=contributions, combined_factor=round(combined, 6),
        multiplier=round(multiplier, 6), cap=cap, news_end=report.end, news_period=report.period,
        news_period_start=report.period_start, news_documents=report.recent_documents, recent_news=recent,
        model_version=base.model_version, factors_source=factors_source,
    )


def update_with_news(store, base, definitions: Definitions, factors: dict[str, float] | None = None,
                     cap: float | None = None, *, period: str = "week",
                     factors_source: str = "", matches=None) -> tuple[IndicatorReport, NewsForecast]:
    """The indicators of ``base``'s country lit by the news in ``store`` in the window that ends on
    the forecast date ``base.as_of`` (never at the newest stored story), and ``base`` updated by
    them (``apply_news`` with ``factors`` and ``cap``, default the definitions' own). The one
    path of the country view, the index's news figure and the news-updated forecast. ``matches``:
    a ``MatchCache``, as ``compute_indicators`` takes."""
    report = compute_indicators(store, base.country_iso3, period=period, end=base.as_of, definitions=definitions,
                                matches=matches)
    return report, apply_news(base, report, definitions, factors, cap, factors_source=factors_source or definitions.source)
