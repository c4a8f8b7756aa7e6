"""The one "riskiest first" order of countries, used by ``exitwatch forecast`` (all countries),
``GET /api/forecasts`` and the dashboard's index."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from exitwatch.forecast.current import LeaderForecast

#: The horizon, in months, of the headline probability (the ranking, the index, the brief).
HEADLINE_MONTHS = 12


def riskiest_first(forecasts: Iterable[LeaderForecast], *, updated: Mapping[str, float] | None = None
                   ) -> list[LeaderForecast]:
    """``forecasts`` riskiest first: by the probability that the leader leaves office within
    ``HEADLINE_MONTHS`` months, highest first; ties by ISO3 code, so the order is stable.

    The probability is the news-updated one, ``updated[iso3]``, where the caller has it (the
    dashboard, for countries with stored news), else the history forecast's ``p_exit``.
    """
    updated = updated or {}
    return sorted(forecasts, key=lambda f: (-updated.get(f.country_iso3, f.p_exit[HEADLINE_MONTHS]), f.country_iso3))
