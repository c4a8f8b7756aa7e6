"""The one "riskiest first" order of countries, used by ``exitwatch forecast`` (all countries),
``GET /api/forecasts`` and the dashboard's index.

The order is by *irregular* exit (coup, revolt, rebels, foreign force, assassination), not by
any exit: the project watches for dictatorship collapse, and ordering by any exit put
democracies with an election due at the top of the list (a scheduled, peaceful turnover is the
likeliest exit there is).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from exitwatch.forecast.current import LeaderForecast

#: The horizon, in months, of the headline probability (the ranking, the index, the brief).
HEADLINE_MONTHS = 12
#: The forecast field the ranking orders by (``LeaderForecast.p_irregular``; the news update's
#: ``updated`` dict has the same key).
RANKING_FIELD = "p_irregular"


def ranking_probability(forecast: LeaderForecast) -> float:
    """The history forecast's probability that orders the ranking: irregular exit within
    ``HEADLINE_MONTHS`` months."""
    return getattr(forecast, RANKING_FIELD)[HEADLINE_MONTHS]


def riskiest_first(forecasts: Iterable[LeaderForecast], *, updated: Mapping[str, float] | None = None
                   ) -> list[LeaderForecast]:
    """``forecasts`` riskiest first: by the probability that the leader is removed irregularly
    within ``HEADLINE_MONTHS`` months (``ranking_probability``), highest first; ties by ISO3
    code, so the order is stable.

    The probability is the news-updated one, ``updated[iso3]`` (the news update's
    ``updated[RANKING_FIELD][HEADLINE_MONTHS]``), where the caller has it (the dashboard, for
    countries with stored news), else the history forecast's.
    """
    updated = updated or {}
    return sorted(forecasts, key=lambda f: (-updated.get(f.country_iso3, ranking_probability(f)), f.country_iso3))
