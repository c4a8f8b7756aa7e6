"""The dashboard: server-rendered pages over the same store and views as the JSON API.

``/`` ranks countries by risk (the news-updated probability where news is stored, else the
history model's), ``/country/{country}`` shows one assessment, ``/document/{id}``
shows an article with its events, claims and removed boilerplate highlighted, and
``/brief/{country}`` serves the brief (HTML, or Markdown with ``?format=md``), and ``/sources``
lists the watched sources with their freshness.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, PlainTextResponse

from exitwatch.forecast.ranking import HEADLINE_MONTHS, riskiest_first
from exitwatch.kb import resolve_country
from exitwatch.report.access import StoreAccess
from exitwatch.report.api_read import DOC_ID, access
from exitwatch.report.brief import brief_context, render_brief
from exitwatch.report.highlight import segments
from exitwatch.report.render import render
from exitwatch.report.view import country_view, news_forecast, ranked_forecasts

router = APIRouter(include_in_schema=False)
#: Documents listed on a country page.
COUNTRY_DOCUMENTS = 25


class BriefFormat(str, Enum):
    md = "md"
    html = "html"


def _ranking(store, as_of=None) -> dict:
    """The index rows as of ``as_of`` (default today), riskiest first (``riskiest_first``, by the
    news-updated probability where the store holds news for the country)."""
    counts = store.country_document_counts()
    history = ranked_forecasts(as_of=as_of)
    news = {f.country_iso3: news_forecast(store, f).updated["p_exit"][HEADLINE_MONTHS]
            for f in history if counts.get(f.country_iso3, 0)}
    rows = [{"forecast": f, "news": news.get(f.country_iso3), "documents": counts.get(f.country_iso3, 0)}
            for f in riskiest_first(history, updated=news)]
    as_of = rows[0]["forecast"].as_of if rows else None
    return {"rows": rows, "as_of": as_of, "vintage": store.vintage()}


@router.get("/", response_class=HTMLResponse)
def index(store: StoreAccess = Depends(access)):
    return render("index.html", **store.cached(("ranking",), lambda s: _ranking(s, store.as_of)))


@router.get("/country/{country}", response_class=HTMLResponse)
def country_page(country: Annotated[str, Path(max_length=80)], store: StoreAccess = Depends(access)):
    iso3 = resolve_country(country).iso3

    def page(s) -> str:
        view = country_view(s, iso3, as_of=store.as_of)
        documents = s.find_documents(country=iso3, limit=COUNTRY_DOCUMENTS).items
        return render("country.html", **brief_context(view), documents=documents)

    return store.cached(("country-page", iso3), page)


@router.get("/document/{doc_id}", response_class=HTMLResponse)
def document_page(doc_id: Annotated[str, DOC_ID], store: StoreAccess = Depends(access)):
    with store.use() as s:
        reading = s.reading(doc_id)
        countries = s.document_countries(doc_id)
    return render("document.html", doc=reading.document, reading=reading, segments=segments(reading), countries=countries)


@router.get("/brief/{country}")
def brief_page(country: Annotated[str, Path(max_length=80)], format: BriefFormat = BriefFormat.html,
               store: StoreAccess = Depends(access)):
    iso3 = resolve_country(country).iso3
    text = store.cached(("brief", iso3, format.value), lambda s: render_brief(country_view(s, iso3, as_of=store.as_of), fmt=format.value))
    return HTMLResponse(text) if format is BriefFormat.html else PlainTextResponse(text, media_type="text/markdown")


@router.get("/sources", response_class=HTMLResponse)
def sources_page(store: StoreAccess = Depends(access)):
    with store.use() as s:
        return render("sources.html", sources=s.source_statuses())
