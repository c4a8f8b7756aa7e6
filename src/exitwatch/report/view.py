"""Everything the brief, the country page and the forecast endpoint show about one country,
gathered once: the history forecast, the news-updated forecast, the indicators, the trend of the
12-month probability, what would change the assessment, and how fresh the data are.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from exitwatch.forecast import LeaderForecast, forecast, forecast_one
from exitwatch.forecast.ranking import HEADLINE_MONTHS, riskiest_first
from exitwatch.indicators import (IndicatorReport, NewsForecast, apply_news, compute_indicators, load_definitions,
                                  update_with_news)
from exitwatch.indicators.compute import baseline_and_lit
from exitwatch.indicators.matching import MatchCache
from exitwatch.records import replace
from exitwatch.store.report import StoreVintage

#: Points of the trend chart (one per period, oldest first).
TREND_POINTS = 8
#: Smallest move of the headline probability worth a "what would change" line.
MIN_CHANGE = 0.005


@dataclass(frozen=True)
class TrendPoint:
    """The 12-month exit probability in the period starting ``as_of``: ``base`` (history model)
    and ``news`` (updated by the indicators lit in that period)."""

    as_of: dt.date
    base: float
    news: float


@dataclass(frozen=True)
class SourceUse:
    """A watched source that fed an assessment: ``name``, ``url``, ``documents`` (of the
    assessment's window it delivered), ``stale`` (silent beyond its expected cadence),
    ``last_new_item`` (UTC datetime or None)."""

    name: str
    url: str
    documents: int
    stale: bool
    last_new_item: dt.datetime | None


@dataclass(frozen=True)
class CountryView:
    """One country's assessment.

    Fields: ``forecast`` (LeaderForecast), ``news`` (NewsForecast), ``indicators``
    (IndicatorReport), ``trend`` (TrendPoint tuple, oldest first), ``changes`` (plain-language
    lines: what would move the assessment, biggest first), ``vintage`` (StoreVintage),
    ``period`` (the indicators' period), ``as_of`` (date of the assessment), ``sources``
    (SourceUse tuple: the watched sources whose items are in the indicators' window).
    """

    forecast: LeaderForecast
    news: NewsForecast
    indicators: IndicatorReport
    trend: tuple[TrendPoint, ...]
    changes: tuple[str, ...]
    vintage: StoreVintage
    period: str
    as_of: dt.date
    sources: tuple[SourceUse, ...] = ()

    @property
    def stale_sources(self) -> tuple[SourceUse, ...]:
        return tuple(s for s in self.sources if s.stale)

    @property
    def headline(self) -> float:
        """The news-updated probability of exit within ``HEADLINE_MONTHS`` months."""
        return _headline(self.news)

    def forecast_dict(self) -> dict:
        """JSON form for the API: base and news-updated forecasts, trend, changes, vintage."""
        return {
            "forecast": self.forecast.to_dict(),
            "news": self.news.to_dict(),
            "trend": [{"as_of": p.as_of.isoformat(), "base": p.base, "news": p.news} for p in self.trend],
            "changes": list(self.changes),
            "vintage": vars(self.vintage),
            "sources": [vars(s) for s in self.sources],
        }


def _headline(news: NewsForecast) -> float:
    return news.updated["p_exit"][HEADLINE_MONTHS]


def what_would_change(base: LeaderForecast, indicators: IndicatorReport, definitions) -> tuple[str, ...]:
    """Lines saying how the headline probability would move if each unlit indicator lit up or
    each lit one faded (the same update as the news-updated forecast, on a report with that one
    indicator switched), biggest move first; moves under ``MIN_CHANGE`` are left out."""
    current = _headline(apply_news(base, indicators, definitions))
    lines = []
    for ind in indicators.indicators:
        if ind.factor == 1:
            continue
        switched = replace(indicators, recent_documents=max(indicators.recent_documents, 1),  # "if news lit it up"
                           indicators=tuple(replace(i, lit=not i.lit) if i is ind else i for i in indicators.indicators))
        p = _headline(apply_news(base, switched, definitions))
        if abs(p - current) < MIN_CHANGE:
            continue  # e.g. the update is already at its cap
        verb = "faded" if ind.lit else "lit up"
        lines.append((abs(p - current), f"If {ind.title[0].lower() + ind.title[1:]} {verb}, the {HEADLINE_MONTHS}-month "
                      f"probability would go from {current:.0%} to {p:.0%}."))
    if not lines and indicators.lit:
        lines.append((0.0, _at_cap(indicators, definitions.cap)))
    return tuple(line for _, line in sorted(lines, key=lambda t: -t[0]))


def _at_cap(indicators: IndicatorReport, cap: float) -> str:
    """Why no single change moves the forecast: the update is capped; how many lit indicators,
    strongest first, would have to fade before it moves."""
    factors = sorted((i.factor for i in indicators.lit), reverse=True)
    product, faded = math.prod(factors), 0
    while faded < len(factors) and product >= cap:
        product /= factors[faded]
        faded += 1
    return (f"The news update is at its cap (odds x {cap:g}): no single indicator lighting up or fading moves "
            f"the {HEADLINE_MONTHS}-month probability; it falls only if {faded} of the {len(factors)} lit "
            "indicators fade.")


def _trend(store, base: LeaderForecast, indicators: IndicatorReport, definitions,
           matches: MatchCache | None = None) -> tuple[TrendPoint, ...]:
    """The headline probability in each of the last ``TREND_POINTS`` periods: the history
    forecast updated with the indicators lit in that period. One extra indicator run with
    windows ``TREND_POINTS`` periods longer gives every period's score and baseline."""
    longer = replace(definitions, indicators=tuple(replace(d, baseline_periods=d.baseline_periods + TREND_POINTS - 1)
                                                   for d in definitions.indicators))
    history = compute_indicators(store, indicators.country_iso3, period=indicators.period, end=indicators.end,
                                 definitions=longer, matches=matches)
    series = {i.name: list(i.series.values()) for i in history.indicators}
    starts = list(history.indicators[0].series)
    points = []
    for k in range(TREND_POINTS - 1, -1, -1):
        position = len(starts) - 1 - k
        past = replace(indicators, indicators=tuple(
            replace(i, lit=baseline_and_lit(series[i.name], position, definitions.get(i.name))[1]) for i in indicators.indicators))
        news = apply_news(base, past, definitions)
        points.append(TrendPoint(as_of=dt.date.fromisoformat(starts[position]), base=base.p_exit[HEADLINE_MONTHS],
                                 news=_headline(news)))
    return tuple(points)


def fed_by(store, indicators: IndicatorReport) -> tuple[SourceUse, ...]:
    """The watched sources that delivered documents of the indicators' window, with their
    freshness, so that a quiet period is not mistaken for a calm one."""
    series = indicators.indicators[0].series if indicators.indicators else {}
    since = dt.date.fromisoformat(min(series)) if series else indicators.period_start
    docs = store.country_documents(indicators.country_iso3, since=since, until=indicators.end)
    counts = store.sources_of_documents([d["id"] for d in docs])
    statuses = {s.name: s for s in store.source_statuses()}
    uses = []
    for name, n in counts.items():
        status = statuses.get(name)
        uses.append(SourceUse(name=name, url=status.url if status else name, documents=n,
                              stale=bool(status and status.stale), last_new_item=status.last_new_item if status else None))
    return tuple(uses)


def country_view(store, country: str, *, as_of: dt.date | None = None, period: str = "week",
                 base: LeaderForecast | None = None, matches: MatchCache | None = None) -> CountryView:
    """Gather the assessment of ``country`` (ISO3, name or GW number) from ``store``: the forecast
    as of ``as_of`` (default today) updated with the news in the window that ends on that date
    (evidence fades with its age; the trend ends there too), as ``news_updated_forecast`` does.
    ``base``: that forecast when the caller has it already (the server keeps it for the day);
    ``matches``: a ``MatchCache`` (the server keeps one), as ``compute_indicators`` takes."""
    definitions = load_definitions()
    base = base or forecast_one(country, as_of=as_of)
    indicators, news = update_with_news(store, base, definitions, period=period, matches=matches)
    return CountryView(
        forecast=base,
        news=news,
        indicators=indicators,
        trend=_trend(store, base, indicators, definitions, matches),
        changes=what_would_change(base, indicators, definitions),
        vintage=store.vintage(),
        period=period,
        as_of=base.as_of,
        sources=fed_by(store, indicators),
    )


def ranked_forecasts(*, as_of: dt.date | None = None) -> list[LeaderForecast]:
    """History forecasts for every country, riskiest first (``forecast.ranking.riskiest_first``)."""
    return riskiest_first(forecast(as_of=as_of))
