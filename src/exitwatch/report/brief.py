"""``build_brief(store, country, *, fmt="md"|"html")``: the one-page brief an analyst reads in two
minutes: headline probability and timing, trend, lit indicators with their best evidence and
attribution chains, likely exit and fate, destinations with reasons, what would change the
assessment, and the data vintage.

The Markdown brief draws text sparklines; the HTML brief is one standalone page with inline SVG
charts and the dashboard's stylesheet inlined.
"""

from __future__ import annotations

import datetime as dt

from exitwatch.errors import ConfigError
from exitwatch.forecast.ranking import HEADLINE_MONTHS
from exitwatch.report.charts import Series, line_chart, sparkline
from exitwatch.report.render import render, stylesheet
from exitwatch.report.view import CountryView, country_view

FORMATS = ("md", "html")
#: Evidence items shown per lit indicator, destinations and changes listed.
EVIDENCE_PER_INDICATOR = 2
TOP_DESTINATIONS = 3
TOP_CHANGES = 4


def _timing(p_exit: dict[int, float]) -> str:
    """Where in the year the risk sits: the shortest horizon holding half the 12-month risk."""
    total = p_exit[HEADLINE_MONTHS]
    if total <= 0:
        return "no measurable risk within the year"
    half = min(h for h, p in sorted(p_exit.items()) if p >= total / 2)
    return f"half of the {HEADLINE_MONTHS}-month risk falls within the first {half} month{'s' if half > 1 else ''}"


def _trend_words(view: CountryView) -> str:
    first, last = view.trend[0].news, view.trend[-1].news
    if abs(last - first) < 0.005:
        return f"flat over the last {len(view.trend)} {view.period}s"
    direction = "up" if last > first else "down"
    return f"{direction} from {first:.0%} to {last:.0%} over the last {len(view.trend)} {view.period}s"


def _indicator_series(view: CountryView) -> list[Series]:
    shown = view.indicators.lit or [i for i in view.indicators.indicators if any(i.series.values())]
    return [Series(i.title, tuple((start, float(v)) for start, v in i.series.items())) for i in shown[:6]]


def brief_context(view: CountryView) -> dict:
    """Template context of the brief and the country page."""
    f = view.forecast
    trend = [Series("news-updated", tuple((p.as_of.isoformat(), p.news) for p in view.trend)),
             Series("history model", tuple((p.as_of.isoformat(), p.base) for p in view.trend))]
    timeline = _indicator_series(view)
    return {
        "view": view,
        "f": f,
        "news": view.news,
        "headline": view.headline,
        "updated": view.news.updated["p_exit"],
        "months": HEADLINE_MONTHS,
        "horizons": sorted(f.p_exit),
        "timing": _timing(view.news.updated["p_exit"]),
        "trend_words": _trend_words(view),
        "trend_spark": sparkline([p.news for p in view.trend], top=max(p.news for p in view.trend) or None),
        "trend_svg": line_chart(trend, title=f"P(exit within {HEADLINE_MONTHS} months) by {view.period}"),
        "timeline": timeline,
        "timeline_svg": line_chart(timeline, title=f"Indicator scores by {view.period}", percent=False) if timeline else "",
        "evidence_n": EVIDENCE_PER_INDICATOR,
        "destinations": f.destinations[:TOP_DESTINATIONS],
        "changes": view.changes[:TOP_CHANGES],
        "modes": list(f.exit_modes.items())[:3],
        "fates": list(f.fates.items()),
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def render_brief(view: CountryView, *, fmt: str = "md") -> str:
    """The brief of ``view`` as Markdown (``md``) or a standalone HTML page (``html``)."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown brief format {fmt!r}; choose one of {', '.join(FORMATS)}")
    context = brief_context(view)
    if fmt == "md":
        return render("brief.md", **context)
    return render("brief.html", **context, css=stylesheet())


def build_brief(store, country: str, *, fmt: str = "md", as_of: dt.date | None = None) -> str:
    """The brief on ``country`` (ISO3, name or GW number) from ``store``, as of ``as_of`` (default
    today), in ``fmt`` ``md`` or ``html``. UnknownCountryError for an unknown country,
    ConfigError for an unknown format."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown brief format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return render_brief(country_view(store, country, as_of=as_of), fmt=fmt)
