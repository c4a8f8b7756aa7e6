"""The dashboard: server-rendered pages over the same store and views as the JSON API.

``/`` ranks countries by the risk of irregular exit (the news-updated probability where news is
stored, else the history model's), ``/country/{country}`` shows one assessment, ``/document/{id}``
shows an article with its events, claims and removed boilerplate highlighted, and
``/brief/{country}`` serves the brief (HTML, or Markdown with ``?format=md``), and ``/sources``
lists the watched sources with their freshness.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from exitwatch.forecast.ranking import riskiest_first
from exitwatch.kb import resolve_country
from exitwatch.report.access import COUNTRY, STORE, StoreAccess, declare
from exitwatch.report.api_read import DOC_ID, access
from exitwatch.report.brief import brief_context, render_brief
from exitwatch.report.highlight import segments
from exitwatch.report.render import render
from exitwatch.report.served import document_counts, history_ranking, news_headline, view, vintage

router = APIRouter(include_in_schema=False)
#: Documents listed on a country page.
COUNTRY_DOCUMENTS = 25


class BriefFormat(str, Enum):
    md = "md"
    html = "html"


def ranking(store: StoreAccess, *, wait_for_news: bool = True) -> dict:
    """The index rows, riskiest first (``riskiest_first``, by the news-updated probability where
    the store holds news for the country). Assembled per request from cached parts, so a write
    recomputes only the news of the countries it touched. With ``wait_for_news=False`` (while
    the server warms up) countries whose news is not computed yet are ranked by history and
    marked pending."""
    counts = document_counts(store)
    history = history_ranking(store)
    news = {f.country_iso3: news_headline(store, f, wait=wait_for_news)
            for f in history if counts.get(f.country_iso3, 0)}
    pending = {iso3 for iso3, p in news.items() if p is None}
    news = {iso3: p for iso3, p in news.items() if p is not None}
    rows = [{"forecast": f, "news": news.get(f.country_iso3), "pending": f.country_iso3 in pending,
             "documents": counts.get(f.country_iso3, 0)}
            for f in riskiest_first(history, updated=news)]
    as_of = rows[0]["forecast"].as_of if rows else None
    return {"rows": rows, "as_of": as_of, "pending": len(pending),
            "vintage": vintage(store)}


def index_page(store: StoreAccess, *, wait_for_news: bool = True) -> str:
    """The index page (``ranking``'s rows)."""
    return render("index.html", **ranking(store, wait_for_news=wait_for_news))


@router.get("/", response_class=HTMLResponse)
def index(request: Request, store: StoreAccess = Depends(access)):
    declare(request.scope, STORE, stale_ok=True)  # recomputed off the request path after a write
    return index_page(store, wait_for_news=not request.app.state.warming.is_set())


@router.get("/country/{country}", response_class=HTMLResponse)
def country_page(request: Request, country: Annotated[str, Path(max_length=80)], store: StoreAccess = Depends(access)):
    iso3 = resolve_country(country).iso3
    declare(request.scope, COUNTRY, iso3, stale_ok=True)

    def page(s) -> str:
        documents = s.find_documents(country=iso3, limit=COUNTRY_DOCUMENTS).items
        return render("country.html", **brief_context(view(store, iso3)), documents=documents)

    return store.cached(("country-page", iso3), page)


@router.get("/document/{doc_id}", response_class=HTMLResponse)
def document_page(doc_id: Annotated[str, DOC_ID], store: StoreAccess = Depends(access)):
    with store.use() as s:
        reading = s.reading(doc_id)
        countries = s.document_countries(doc_id)
    return render("document.html", doc=reading.document, reading=reading, segments=segments(reading), countries=countries)


@router.get("/brief/{country}")
def brief_page(request: Request, country: Annotated[str, Path(max_length=80)], format: BriefFormat = BriefFormat.html,
               store: StoreAccess = Depends(access)):
    iso3 = resolve_country(country).iso3
    declare(request.scope, COUNTRY, iso3, stale_ok=True)
    text = store.cached(("brief", iso3, format.value), lambda _: render_brief(view(store, iso3), fmt=format.value, base_url=""))
    return HTMLResponse(text) if format is BriefFormat.html else PlainTextResponse(text, media_type="text/markdown")


@router.get("/sources", response_class=HTMLResponse)
def sources_page(store: StoreAccess = Depends(access)):
    with store.use() as s:
        return render("sources.html", sources=s.source_statuses())
