"""Forecasts for today's leaders: the library entry point others build on.

``forecast(country=None, *, as_of=None)`` returns one :class:`LeaderForecast` per country of the
current-leaders table (or for one country): P(any exit) and P(irregular exit) within 1, 3, 6 and
12 months, the exit-mode and fate distributions, the likeliest exile destinations with reasons,
and how old each input is. It needs only the shipped model bundle (``exitwatch train`` rebuilds
it) and the current-leaders table; the country covariates are those stored at training time
(``snapshot``), the leader's tenure and age are computed for ``as_of``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from exitwatch.errors import ConfigError, DataFileError, ModelError
from exitwatch.forecast.assemble import (  # noqa: F401 - Destination, LeaderForecast: this module's API
    Destination,
    LeaderForecast,
    assemble,
    leader_row_warnings,
    shipped_bundle,
)
from exitwatch.forecast.replay import replay_forecast
from exitwatch.forecast.snapshot import leader_features
from exitwatch.forecast.training import ForecastBundle
from exitwatch.kb import current_leader, current_leaders, resolve_country

#: A past month within this many months of the stored country context, in today's leader's
#: tenure, uses today's context (with a warning) instead of a replay, which reloads the history
#: files (about 13 s a country).
REPLAY_AFTER_MONTHS = 12
#: How long after a current-leaders row was checked it may be used for a forecast.
LEADER_ROW_VALID_DAYS = 400


def _bundle() -> ForecastBundle:
    return shipped_bundle()


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
                                         entry=leader.entry, month=pd.Period(as_of, "M"),
                                         military_career=leader.military_career)}


def _context_warnings(bundle: ForecastBundle, leader, as_of: dt.date) -> tuple[str, ...]:
    """The current-leaders row's warnings, and a note when a past month uses today's context."""
    warnings = leader_row_warnings(leader, as_of)
    if pd.Period(as_of, "M") < pd.Period(bundle.context_month, "M"):
        warnings = (*warnings, f"country context of {bundle.context_month} used (a replay runs for dates "
                               f"over {REPLAY_AFTER_MONTHS} months earlier)")
    return tuple(warnings)


def _forecast_leaders(bundle: ForecastBundle, leaders: list, as_of: dt.date) -> list[LeaderForecast]:
    """Forecasts for many current leaders at once (one prediction call per model)."""
    values = [_features(bundle, leader, as_of) for leader in leaders]
    inputs_age = [{"current_leaders": leader.as_of.isoformat(), "country_context": bundle.context_month,
                   "models_trained_through": bundle.trained_through, **bundle.vintage} for leader in leaders]
    return assemble(bundle, leaders, values, as_of, destinations=[_destinations(bundle, r.country_iso3)
                                                                  for r in leaders],
                    inputs_age=inputs_age, warnings=[_context_warnings(bundle, r, as_of) for r in leaders])


def forecast_one(country: str | int, *, as_of: dt.date | None = None) -> LeaderForecast:
    """The forecast for one country (ISO3, name or Gleditsch-Ward number) as of ``as_of``
    (default today). A date before the current leader took office, or more than
    ``REPLAY_AFTER_MONTHS`` months before the month of the stored country context, is a replay
    (``replay.replay_forecast``: the leader then in office, data known then, models trained
    before); without the history files it falls back, for a date in the current leader's
    tenure, to today's context with a warning. UnknownCountryError / NotFoundError for a
    country the table lacks, ConfigError for a date past the table's validity."""
    leader = current_leader(country)
    as_of = as_of or dt.date.today()
    bundle = _bundle()
    month, context = pd.Period(as_of, "M"), pd.Period(bundle.context_month, "M")
    if as_of < leader.in_office_since or month < context - REPLAY_AFTER_MONTHS:
        try:
            return replay_forecast(leader.country_iso3, as_of)
        except DataFileError as error:
            if as_of < leader.in_office_since:
                raise
            result = _forecast_leaders(bundle, [leader], as_of)[0]
            note = f"no replay (history files: {error}); country context of {bundle.context_month} used"
            return dataclasses.replace(result, warnings=(*result.warnings, note))
    return _forecast_leaders(bundle, [leader], as_of)[0]


def forecast(country: str | int | None = None, *, as_of: dt.date | None = None) -> list[LeaderForecast]:
    """Forecasts for every country of the current-leaders table (``country`` None) or for one
    country; see :func:`forecast_one` for the errors. For a past ``as_of``, the list covers the
    leaders of the table already in office then (forecast a country alone for a replay of the
    others)."""
    if country is not None:
        return [forecast_one(country, as_of=as_of)]
    as_of = as_of or dt.date.today()
    return _forecast_leaders(_bundle(), [r for r in current_leaders() if r.in_office_since <= as_of], as_of)
