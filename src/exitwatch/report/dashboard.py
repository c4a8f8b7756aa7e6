"""The dashboard: server-rendered pages over the same store and views as the JSON API.

``/`` ranks countries by risk (the news-updated probability where news is stored, else the
history model's), ``/country/{country}`` shows one assessment, ``/document/{id}``
shows an article with its events, claims and removed boilerplate highlighted, and
``/brief/{country}`` serves the brief (HTML, or Markdown with ``?format=md``).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, PlainTextResponse

from exitwatch.forecast.ranking import HEADLINE_MONTHS, riskiest_first
from exitwatch.indicators import news_updated_forecast
from exitwatch.kb import resolve_country
from exitwatch.report.access import StoreAccess
from exitwatch.report.api_read import DOC_ID, access
from exitwatch.report.brief import brief_context, render_brief
from exitwatch.report.highlight import segments
from exitwatch.report.render import render
from exitwatch.report.view import country_view, ranked_forecasts

router = APIRouter(include_in_schema=False)
#: Documents listed on a country page.
COUNTRY_DOCUMENTS = 25


class BriefFormat(str, Enum):
    md = "md"
    html = "html"


def _ranking(store) -> dict:
    """The index rows, riskiest first (``riskiest_first``, by the news-updated probability where
    the store holds news for the country)."""
    counts = store.country_document_counts()
    history = ranked_forecasts()
    news = {f.country_iso3: news_updated_forecast(store, f.country_iso3).updated["p_exit"][HEADLINE_MONTHS]
            for f in history if counts.get(f.country_iso3, 0)}
    rows = [{"forecast": f, "news": news.get(f.country_iso3), "documents": counts.get(f.country_iso3, 0)}
            for f in riskiest_first(history, updated=news)]
    as_of = rows[0]["forecast"].as_of if rows else None
    return {"rows": rows, "as_of": as_of, "vintage": store.vintage()}


@router.get("/", response_class=HTMLResponse)
def index(store: StoreAccess = Depends(access)):
    return render("index.html", **store.cached(("ranking",), _ranking))


@router.get("/country/{country}", response_class=HTMLResponse)
def country_page(country: Annotated[str, Path(max_length=80)], store: StoreAccess = Depends(access)):
    iso3 = resolve_country(country).iso3

    def page(s) -> str:
        view = country_view(s, iso3)
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
    text = store.cached(("brief", iso3, format.value), lambda s: render_brief(country_view(s, iso3), fmt=format.value))
    return HTMLResponse(text) if format is BriefFormat.html else PlainTextResponse(text, media_type="text/markdown")
