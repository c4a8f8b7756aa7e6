"""Forecasts for today's leaders: the library entry point others build on.

``forecast(country=None, *, as_of=None)`` returns one :class:`LeaderForecast` per country of the
current-leaders table (or for one country): P(any exit) and P(irregular exit) within 1, 3, 6 and
12 months, the exit-mode and fate distributions, the likeliest exile destinations with reasons,
and how old each input is. It needs only the shipped model bundle (``exitwatch train`` rebuilds
it) and the current-leaders table; the country covariates are those stored at training time
(``snapshot``), the leader's tenure and age are computed for ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from exitwatch.errors import ConfigError, ModelError
from exitwatch.forecast.panel import FEATURES, HORIZONS
from exitwatch.forecast.snapshot import leader_features
from exitwatch.forecast.training import (
    EXIT_MODES,
    ForecastBundle,
    fate_design,
    load_bundle,
)
from exitwatch.kb import resolve_country
from exitwatch.kb import current_leader
from exitwatch.kb import current_leaders
from exitwatch.records import Record

#: How long after a current-leaders row was checked it may be used for a forecast.
LEADER_ROW_VALID_DAYS = 400


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
    value for, replaced by the training mean), ``model_version``.
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


@lru_cache(maxsize=1)
def _bundle() -> ForecastBundle:
    return load_bundle()


def _check_date(leader, as_of: dt.date) -> None:
    if as_of < leader.in_office_since:
        raise ConfigError(
            f"as-of date {as_of} is before {leader.leader} took office in {leader.country_iso3} "
            f"({leader.in_office_since}); the current-leaders table only answers for dates from then on")
    limit = leader.as_of + dt.timedelta(days=LEADER_ROW_VALID_DAYS)
    if as_of > limit:
        raise ConfigError(
            f"as-of date {as_of} is too far past the current-leaders row for {leader.country_iso3} "
            f"(checked {leader.as_of}); choose a date up to {limit} or update the table")


def _probabilities(bundle: ForecastBundle, X: np.ndarray, kind: str) -> np.ndarray:
    """Rows x horizons, made non-decreasing in the horizon (the per-horizon models are fitted
    separately and can cross by a little)."""
    p = np.stack([bundle.hazard[(kind, h)].predict_proba(X)[:, 1] for h in HORIZONS], axis=1)
    return np.maximum.accumulate(p, axis=1)


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


def _destinations(bundle: ForecastBundle, iso3: str) -> tuple[Destination, ...]:
    return tuple(Destination(country_iso3=host, name=resolve_country(host).name, score=round(score, 4),
                             reasons=tuple(reasons))
                 for host, score, reasons in bundle.destinations.get(iso3, ()))


def _features(bundle: ForecastBundle, leader, as_of: dt.date) -> dict[str, float]:
    """The model inputs for one leader: stored country context plus his own covariates."""
    _check_date(leader, as_of)
    context = bundle.context.get(leader.country_iso3)
    if context is None:
        raise ModelError(f"the model bundle has no country context for {leader.country_iso3}: "
                         "run `exitwatch train` after adding the country to the current-leaders table")
    return {**context, **leader_features(in_office_since=leader.in_office_since, birth_year=leader.birth_year,
                                         entry=leader.entry, month=pd.Period(as_of, "M"))}


def _forecast_leaders(bundle: ForecastBundle, leaders: list, as_of: dt.date) -> list[LeaderForecast]:
    """Forecasts for many leaders at once (one prediction call per model)."""
    values = [_features(bundle, leader, as_of) for leader in leaders]
    X = np.array([[v[f] for f in FEATURES] for v in values], dtype=float)
    p_exit, p_irregular = _probabilities(bundle, X, "exit"), _probabilities(bundle, X, "irregular")
    modes, fates = _outcomes(bundle, X)
    # An irregular exit is an exit: cap P(irregular) at P(exit) horizon by horizon.
    p_irregular = np.minimum(p_irregular, p_exit)
    out = []
    for i, leader in enumerate(leaders):
        out.append(LeaderForecast(
            country_iso3=leader.country_iso3, country_name=resolve_country(leader.country_iso3).name,
            gwcode=leader.gwcode, leader=leader.leader, in_office_since=leader.in_office_since, as_of=as_of,
            p_exit=dict(zip(HORIZONS, p_exit[i].round(4).tolist(), strict=True)),
            p_irregular=dict(zip(HORIZONS, p_irregular[i].round(4).tolist(), strict=True)),
            exit_modes=_ranked(bundle.exit_mode.classes_, modes[i]),
            fates=_ranked(bundle.fate.classes_, fates[i]),
            destinations=_destinations(bundle, leader.country_iso3),
            inputs_age={"current_leaders": leader.as_of.isoformat(), "country_context": bundle.context_month,
                        "models_trained_through": bundle.trained_through, **bundle.vintage},
            imputed=tuple(f for f in FEATURES if np.isnan(values[i][f])),
            model_version=bundle.version,
        ))
    return out


def forecast_one(country: str | int, *, as_of: dt.date | None = None) -> LeaderForecast:
    """The forecast for one country (ISO3, name or Gleditsch-Ward number) as of ``as_of``
    (default today). UnknownCountryError / NotFoundError for a country the table lacks,
    ConfigError for an as-of date before the leader took office or past the table's validity."""
    return _forecast_leaders(_bundle(), [current_leader(country)], as_of or dt.date.today())[0]


def forecast(country: str | int | None = None, *, as_of: dt.date | None = None) -> list[LeaderForecast]:
    """Forecasts for every country of the current-leaders table (``country`` None) or for one
    country; see :func:`forecast_one` for the errors."""
    if country is not None:
        return [forecast_one(country, as_of=as_of)]
    return _forecast_leaders(_bundle(), current_leaders(), as_of or dt.date.today())
