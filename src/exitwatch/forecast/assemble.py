"""One LeaderForecast from a leader's covariates: hazard probabilities with their cross-fitted
intervals, exit modes and fates, and the flags every output carries (unverified or old
current-leaders rows, annual sources carried past their last year). Shared by today's forecasts
(``current``) and replays (``replay``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from exitwatch.forecast.panel import FEATURES, HORIZONS
from exitwatch.forecast.training import EXIT_MODES, ForecastBundle, fate_design, load_bundle
from exitwatch.kb import resolve_country
from exitwatch.records import Record

#: A current-leaders row checked longer ago than this before the forecast date is flagged.
LEADER_ROW_FRESH_DAYS = 183
#: Annual sources whose last year is more than this many years before the forecast year are
#: flagged as carried forward (annual covariates are lagged a year, so one year is normal).
ANNUAL_SOURCES_LAG = 1
ANNUAL_VINTAGES = ("ucdp_acd", "cow_nmc", "creg", "hief", "coups", "ewp")


@dataclass(frozen=True)
class Destination(Record):
    """A candidate exile host: ``country_iso3``, ``name``, ``score`` (share of the ranker's
    probability over all candidate hosts), ``reasons`` (plain-language, strongest first)."""

    country_iso3: str
    name: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LeaderForecast(Record):
    """The forecast for one country's current leader.

    Fields: ``country_iso3``, ``country_name``, ``gwcode``, ``leader``, ``in_office_since``
    (date), ``as_of`` (date the forecast is made for), ``p_exit`` and ``p_irregular`` (horizon in
    months 1, 3, 6, 12 -> probability that the leader leaves / leaves irregularly within it),
    ``exit_modes`` (mode -> probability, given that he leaves; ``natural_death`` covers death
    or ill health in office), ``fates`` (ok / exile / imprisonment / death -> probability, given
    that he leaves office alive), ``destinations`` (best first),
    ``inputs_age`` (input -> as-of date or vintage), ``imputed`` (covariates the history had no
    value for, replaced by the training mean), ``model_version``;
    ``p_exit_interval`` and ``p_irregular_interval`` (horizon -> (low, high): the range of the
    cross-fitted calibrated models, see ``models.HazardModel.predict_interval``),
    ``stale_inputs`` (annual sources carried forward past their last year: source -> last year),
    ``warnings`` (plain-language flags: the current-leaders row is unverified, or was checked
    more than six months before the forecast date).
    """

    country_iso3: str
    country_name: str
    gwcode: int | None
    leader: str
    in_office_since: dt.date
    as_of: dt.date
    p_exit: dict[int, float]
    p_irregular: dict[int, float]
    exit_modes: dict[str, float]
    fates: dict[str, float]
    destinations: tuple[Destination, ...]
    inputs_age: dict[str, str]
    imputed: tuple[str, ...]
    model_version: str
    p_exit_interval: dict[int, tuple[float, float]] = field(default_factory=dict)
    p_irregular_interval: dict[int, tuple[float, float]] = field(default_factory=dict)
    stale_inputs: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def shipped_bundle() -> ForecastBundle:
    """The shipped model bundle, loaded once."""
    return load_bundle()


def _probabilities(bundle: ForecastBundle, X: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows x horizons: probability, interval low and high, each made non-decreasing in the
    horizon (the per-horizon models are fitted separately and can cross by a little)."""
    models = [bundle.hazard[(kind, h)] for h in HORIZONS]
    p = np.stack([m.predict_proba(X)[:, 1] for m in models], axis=1)
    bounds = [m.predict_interval(X) for m in models]
    low, high = (np.stack([b[i] for b in bounds], axis=1) for i in (0, 1))
    return tuple(np.maximum.accumulate(a, axis=1) for a in (p, low, high))


def leader_row_warnings(leader, as_of: dt.date) -> tuple[str, ...]:
    """Flags for a current-leaders row: unverified (its note says so), or checked more than
    six months before ``as_of``."""
    flags = []
    if "UNVERIFIED" in leader.source_note.upper():
        flags.append(f"current-leaders row for {leader.country_iso3} is unverified: {leader.source_note}")
    if (as_of - leader.as_of).days > LEADER_ROW_FRESH_DAYS:
        flags.append(f"current-leaders row for {leader.country_iso3} was checked on {leader.as_of}, "
                     f"more than six months before {as_of}")
    return tuple(flags)


def stale_inputs(vintage: dict[str, str], as_of: dt.date) -> dict[str, str]:
    """Annual sources whose last year is more than a year before ``as_of``'s year (their last
    values are carried forward): source -> last year."""
    return {name: vintage[name] for name in ANNUAL_VINTAGES
            if name in vintage and int(str(vintage[name])[:4]) < as_of.year - ANNUAL_SOURCES_LAG}


def _intervals(p: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict[int, tuple[float, float]]:
    """Horizon -> (low, high), widened where needed to contain the point forecast."""
    return {h: (round(float(min(lo, pi)), 4), round(float(max(hi, pi)), 4))
            for h, pi, lo, hi in zip(HORIZONS, p, low, high, strict=True)}


def _outcomes(bundle: ForecastBundle, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exit-mode distribution (rows x ``exit_mode.classes_``) and the fate distribution (rows x
    ``fate.classes_``) for a leader who leaves office alive, mixed over the other exit modes."""
    modes = bundle.exit_mode.predict_proba(X)
    rows = pd.DataFrame(X, columns=list(FEATURES))
    fates = np.zeros((len(X), len(bundle.fate.classes_)))
    alive = [(i, m) for i, m in enumerate(bundle.exit_mode.classes_) if m in EXIT_MODES and m != "natural_death"]
    for i, mode in alive:
        fates += modes[:, [i]] * bundle.fate.predict_proba(fate_design(rows, np.full(len(X), mode)))
    return modes, fates / fates.sum(axis=1, keepdims=True)


def _ranked(names, values) -> dict[str, float]:
    return {str(n): round(float(v), 4) for n, v in sorted(zip(names, values, strict=True), key=lambda kv: -kv[1])}


def assemble(bundle: ForecastBundle, leaders: list, values: list[dict[str, float]], as_of: dt.date, *,
             destinations: list, inputs_age: list[dict], warnings: list[tuple[str, ...]]) -> list[LeaderForecast]:
    """LeaderForecasts from each leader's covariates ``values`` (FEATURES -> value, NaN when
    unknown): the hazard models with their intervals, exit modes and fates."""
    X = np.array([[v[f] for f in FEATURES] for v in values], dtype=float)
    (p_exit, exit_low, exit_high), (p_irregular, irr_low, irr_high) = (_probabilities(bundle, X, k)
                                                                       for k in ("exit", "irregular"))
    modes, fates = _outcomes(bundle, X)
    # An irregular exit is an exit: cap P(irregular) (and its interval) at P(exit) horizon by horizon.
    p_irregular, irr_low, irr_high = (np.minimum(a, b) for a, b in ((p_irregular, p_exit), (irr_low, exit_high),
                                                                    (irr_high, exit_high)))
    stale = stale_inputs(bundle.vintage, as_of)
    out = []
    for i, leader in enumerate(leaders):
        out.append(LeaderForecast(
            country_iso3=leader.country_iso3, country_name=resolve_country(leader.country_iso3).name,
            gwcode=leader.gwcode, leader=leader.leader, in_office_since=leader.in_office_since, as_of=as_of,
            p_exit=dict(zip(HORIZONS, p_exit[i].round(4).tolist(), strict=True)),
            p_irregular=dict(zip(HORIZONS, p_irregular[i].round(4).tolist(), strict=True)),
            exit_modes=_ranked(bundle.exit_mode.classes_, modes[i]),
            fates=_ranked(bundle.fate.classes_, fates[i]),
            destinations=destinations[i], inputs_age=inputs_age[i],
            imputed=tuple(f for f in FEATURES if np.isnan(values[i][f])),
            model_version=bundle.version,
            p_exit_interval=_intervals(p_exit[i].round(4), exit_low[i], exit_high[i]),
            p_irregular_interval=_intervals(p_irregular[i].round(4), irr_low[i], irr_high[i]),
            stale_inputs=stale, warnings=warnings[i],
        ))
    return out
