"""Read endpoints of the JSON API: documents, events, claims, indicators, forecasts (all open)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from exitwatch.errors import ConfigError
from exitwatch.forecast import LeaderForecast
from exitwatch.indicators import IndicatorReport, compute_indicators
from exitwatch.kb import resolve_country
from exitwatch.records import MODALITIES, Claim, Event
from exitwatch.report import api_models as M
from exitwatch.report.access import COUNTRY, NO_STORE, StoreAccess, declare
from exitwatch.report.served import history_ranking, view

ERRORS = {status: {"model": M.ErrorResponse} for status in (400, 404, 422, 500)}
router = APIRouter(prefix="/api", responses=ERRORS)

Modality = Enum("Modality", {m: m for m in MODALITIES}, type=str)
DOC_ID = Path(pattern=r"^[0-9a-f]{8,64}$", description="document id (hex digits)")


class Period(str, Enum):
    week = "week"
    month = "month"


def access(request: Request) -> StoreAccess:
    return request.app.state.access


class Paging:
    """``limit`` (1..500) and ``offset`` (0..1,000,000) query parameters."""

    def __init__(self, limit: Annotated[int, Query(ge=1, le=500)] = 50,
                 offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0):
        self.limit, self.offset = limit, offset


class Filters:
    """Shared filters: ``country`` (ISO3, name or GW number), ``since``/``until`` dates."""

    def __init__(self, country: Annotated[str | None, Query(max_length=80, description="ISO3, name or GW number")] = None,
                 since: Annotated[dt.date | None, Query(description="first date, YYYY-MM-DD")] = None,
                 until: Annotated[dt.date | None, Query(description="last date, YYYY-MM-DD")] = None):
        if since and until and since > until:
            raise ConfigError(f"since ({since}) is after until ({until}); give since <= until")
        self.country = resolve_country(country).iso3 if country else None
        self.since, self.until = since, until

    def kwargs(self) -> dict:
        return {"country": self.country, "since": self.since, "until": self.until}


def _page(page, convert=lambda r: r.to_dict()) -> dict:
    return {"items": [convert(r) for r in page.items], "total": page.total, "limit": page.limit, "offset": page.offset}


@router.get("/documents", response_model=M.PageOut[M.DocumentSummary], summary="List documents")
def list_documents(paging: Annotated[Paging, Depends()], filters: Annotated[Filters, Depends()],
                   outlet: Annotated[str | None, Query(max_length=200)] = None,
                   store: StoreAccess = Depends(access)):
    """Documents newest first; ``country`` keeps those whose events name the country."""
    with store.use() as s:
        page = s.find_documents(**filters.kwargs(), outlet=outlet, limit=paging.limit, offset=paging.offset)
    return _page(page, M.summary)


@router.get("/documents/{doc_id}", response_model=M.DocumentOut, summary="One document with its reading")
def get_document(doc_id: Annotated[str, DOC_ID], store: StoreAccess = Depends(access)):
    """The document, the boilerplate removed from it, its sentences, events and claims."""
    with store.use() as s:
        reading = s.reading(doc_id)
        countries = s.document_countries(doc_id)
    data = reading.to_json()
    return {**M.summary(reading.document), "body": data["body"], "removed": data["removed"], "countries": countries,
            "sentences": data["sentences"], "events": data["events"], "claims": data["claims"],
            "pipeline": reading.pipeline}


@router.get("/events", response_model=M.PageOut[Event], summary="List events")
def list_events(paging: Annotated[Paging, Depends()], filters: Annotated[Filters, Depends()],
                event_type: Annotated[str | None, Query(pattern=r"^[A-Z_]{2,40}$", description="PLOVER type")] = None,
                modality: Modality | None = None,
                doc: Annotated[str | None, Query(pattern=r"^[0-9a-f]{8,64}$", description="document id")] = None,
                store: StoreAccess = Depends(access)):
    """Events filtered by country (source, target or place), PLOVER type, modality, document and
    date (the event's date, else its document's)."""
    with store.use() as s:
        page = s.find_events(**filters.kwargs(), event_type=event_type, modality=modality and modality.value,
                             doc_id=doc, limit=paging.limit, offset=paging.offset)
    return _page(page)


@router.get("/claims", response_model=M.PageOut[Claim], summary="List claims")
def list_claims(paging: Annotated[Paging, Depends()], filters: Annotated[Filters, Depends()],
                modality: Modality | None = None,
                doc: Annotated[str | None, Query(pattern=r"^[0-9a-f]{8,64}$", description="document id")] = None,
                store: StoreAccess = Depends(access)):
    """Claims filtered by country (of their document), modality, document and date."""
    with store.use() as s:
        page = s.find_claims(**filters.kwargs(), modality=modality and modality.value, doc_id=doc,
                             limit=paging.limit, offset=paging.offset)
    return _page(page)


@router.get("/countries/{country}/indicators", response_model=IndicatorReport, summary="Warning indicators")
def get_indicators(request: Request, country: Annotated[str, Path(max_length=80)], period: Period = Period.week,
                   store: StoreAccess = Depends(access)):
    """The warning indicators of one country as of the server's assessment date (default today):
    series, value, baseline, threshold, lit, evidence."""
    iso3 = resolve_country(country).iso3
    declare(request.scope, COUNTRY, iso3)
    return store.cached(("indicators", iso3, period.value),
                        lambda s: compute_indicators(s, iso3, period=period.value, end=store.as_of or dt.date.today(),
                                                     matches=store.matches).to_dict())


@router.get("/forecasts", response_model=list[LeaderForecast], summary="Forecasts, all countries ranked")
def list_forecasts(request: Request, store: StoreAccess = Depends(access)):
    """Every country of the current-leaders table, riskiest first (``riskiest_first``: by the
    12-month irregular-exit probability)."""
    declare(request.scope, NO_STORE)  # the history models' forecasts: no write changes them
    return store.cached(("forecasts", store.as_of or dt.date.today()),
                        lambda _: [f.to_dict() for f in history_ranking(store)], scope=NO_STORE)


@router.get("/forecasts/{country}", response_model=M.CountryForecastOut, summary="Forecast for one country")
def get_forecast(request: Request, country: Annotated[str, Path(max_length=80)], store: StoreAccess = Depends(access)):
    """The base forecast, the news-updated forecast and the trend of the 12-month probability."""
    iso3 = resolve_country(country).iso3
    declare(request.scope, COUNTRY, iso3)
    return store.cached(("forecast", iso3), lambda _: view(store, iso3).forecast_dict())
