"""The web server's derived results, each cached in ``StoreAccess`` with its scope: the history
ranking and each country's history forecast (no store data: kept for the assessment date), each
country's view and news-updated headline (until a write touches the country), and the document
counts and vintage (until any write). The dashboard pages and the API's read endpoints share them.
"""

from __future__ import annotations

import datetime as dt

from exitwatch.forecast import LeaderForecast, forecast_one
from exitwatch.forecast.ranking import HEADLINE_MONTHS, RANKING_FIELD
from exitwatch.indicators import load_definitions, update_with_news
from exitwatch.report.access import NO_STORE, STORE, StoreAccess
from exitwatch.report.view import CountryView, country_view, ranked_forecasts
from exitwatch.store.report import StoreVintage


def assessment_date(store: StoreAccess) -> dt.date:
    """The date the server assesses as of (its ``as_of``, else today)."""
    return store.as_of or dt.date.today()


def history_ranking(store: StoreAccess) -> list[LeaderForecast]:
    """History forecasts of every country, riskiest first."""
    return store.cached(("history-ranking", assessment_date(store)), lambda _: ranked_forecasts(as_of=store.as_of),
                        scope=NO_STORE)


def base_forecast(store: StoreAccess, iso3: str) -> LeaderForecast:
    """The history forecast of ``iso3``'s leader (``forecast_one``: most of a country page's cost,
    and independent of the store)."""
    return store.cached(("base-forecast", assessment_date(store), iso3),
                        lambda _: forecast_one(iso3, as_of=store.as_of), scope=NO_STORE)


def view(store: StoreAccess, iso3: str) -> CountryView:
    """The country view of ``iso3`` (page, brief and forecast endpoint share it)."""
    base = base_forecast(store, iso3)
    return store.cached(("view", iso3), lambda s: country_view(s, iso3, as_of=store.as_of, base=base,
                                                                 matches=store.matches))


def news_headline(store: StoreAccess, base: LeaderForecast, *, wait: bool = True) -> float | None:
    """The news-updated ranking probability (irregular exit within ``HEADLINE_MONTHS`` months,
    ``ranking.RANKING_FIELD``) of the country of ``base`` (its history forecast); with
    ``wait=False`` only what is cached (None when it is still being computed)."""
    key = ("news-headline", base.country_iso3)
    if not wait:
        return store.peek(key)
    return store.cached(key, lambda s: update_with_news(s, base, load_definitions(), matches=store.matches)[1]
                        .updated[RANKING_FIELD][HEADLINE_MONTHS])


def document_counts(store: StoreAccess) -> dict[str, int]:
    """ISO3 -> stored documents naming the country."""
    return store.cached(("document-counts",), lambda s: s.country_document_counts(), scope=STORE)


def vintage(store: StoreAccess) -> StoreVintage:
    """What the store holds and how fresh it is."""
    return store.cached(("vintage",), lambda s: s.vintage(), scope=STORE)
