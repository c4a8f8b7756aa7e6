"""Everything the brief, the country page and the forecast endpoint show about one country,
gathered once: the history forecast, the news-updated forecast, the indicators, the trend of the
12-month probability, what would change the assessment, and how fresh the data are.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from exitwatch.forecast import LeaderForecast, forecast, forecast_one
from exitwatch.indicators import compute_indicators, news_updated_forecast
from exitwatch.store.report import StoreVintage

#: The horizon (months) of the headline probability.
HEADLINE_MONTHS = 12
#: Points of the trend chart (one per period, oldest first).
TREND_POINTS = 8
_PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}


@dataclass(frozen=True)
class TrendPoint:
    """The 12-month exit probability ``as_of`` a date: ``base`` (history model) and ``news``
    (updated by the indicators lit as of that date)."""

    as_of: dt.date
    base: float
    news: float


@dataclass(frozen=True)
class CountryView:
    """One country's assessment.

    Fields: ``forecast`` (LeaderForecast), ``news`` (NewsForecast), ``indicators``
    (IndicatorReport), ``trend`` (TrendPoint tuple, oldest first), ``changes`` (plain-language
    lines: what would move the assessment, biggest first), ``vintage`` (StoreVintage),
    ``period`` (the indicators' period), ``as_of`` (date of the assessment).
    """

    forecast: LeaderForecast
    news: Any
    indicators: Any
    trend: tuple[TrendPoint, ...]
    changes: tuple[str, ...]
    vintage: StoreVintage
    period: str
    as_of: dt.date

    @property
    def lit(self) -> list:
        """The lit indicators."""
        return [i for i in self.indicators.indicators if i.lit]

    def forecast_dict(self) -> dict:
        """JSON form for the API: base and news-updated forecasts, trend, changes, vintage."""
        return {
            "forecast": self.forecast.to_dict(),
            "news": self.news.to_dict(),
            "trend": [{"as_of": p.as_of.isoformat(), "base": p.base, "news": p.news} for p in self.trend],
            "changes": list(self.changes),
            "vintage": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in vars(self.vintage).items()},
        }


def _odds(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return p / (1 - p)


def _prob(odds: float) -> float:
    return odds / (1 + odds)


def what_would_change(news, indicators, base_p: float) -> tuple[str, ...]:
    """Lines saying how the headline probability would move if each unlit indicator lit up or
    each lit one faded (odds times or divided by the indicator's factor, within the update's
    cap), biggest move first."""
    current = news.updated[HEADLINE_MONTHS]
    cap = getattr(news, "cap", None) or math.inf
    lines = []
    for ind in indicators.indicators:
        factor = ind.factor
        if not factor or factor == 1:
            continue
        multiplier = _odds(current) / _odds(base_p)
        moved = multiplier / factor if ind.lit else multiplier * factor
        moved = min(max(moved, 1 / cap), cap)
        p = _prob(_odds(base_p) * moved)
        verb = "faded" if ind.lit else "lit up"
        lines.append((abs(p - current), f"If {ind.title.lower()} {verb}, the {HEADLINE_MONTHS}-month probability "
                      f"would go from {current:.0%} to {p:.0%}."))
    return tuple(line for _, line in sorted(lines, key=lambda t: -t[0]))


def _trend(store, iso3: str, end: dt.date, period: str) -> tuple[TrendPoint, ...]:
    points = []
    for k in range(TREND_POINTS - 1, -1, -1):
        when = end - dt.timedelta(days=_PERIOD_DAYS[period] * k)
        news = news_updated_forecast(store, iso3, as_of=when)
        points.append(TrendPoint(as_of=when, base=news.base[HEADLINE_MONTHS], news=news.updated[HEADLINE_MONTHS]))
    return tuple(points)


def country_view(store, country: str, *, as_of: dt.date | None = None, period: str = "week") -> CountryView:
    """Gather the assessment of ``country`` (ISO3, name or GW number) from ``store`` as of
    ``as_of`` (default: today)."""
    when = as_of or dt.date.today()
    base = forecast_one(country, as_of=when)
    iso3 = base.country_iso3
    indicators = compute_indicators(store, iso3, period=period, end=when)
    news = news_updated_forecast(store, iso3, as_of=when)
    return CountryView(
        forecast=base,
        news=news,
        indicators=indicators,
        trend=_trend(store, iso3, when, period),
        changes=what_would_change(news, indicators, base.p_exit[HEADLINE_MONTHS]),
        vintage=store.vintage(),
        period=period,
        as_of=when,
    )


def ranked_forecasts(*, as_of: dt.date | None = None) -> list[LeaderForecast]:
    """History forecasts for every country, highest headline probability first."""
    return sorted(forecast(as_of=as_of), key=lambda f: (-f.p_exit[HEADLINE_MONTHS], f.country_iso3))
