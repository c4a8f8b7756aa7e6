"""Pydantic models of the JSON API's requests and responses (the edge; records stay dataclasses).

Response models are built from the records' ``to_dict()`` form, so a field added to a record shows
up here only when it is declared (the OpenAPI document stays the contract).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ErrorBody(BaseModel):
    code: str = Field(description="machine-readable kind, e.g. not_found, invalid_request, unauthorized")
    message: str = Field(description="what failed, why, and the valid choices")
    status: int = Field(description="HTTP status code")


class ErrorResponse(BaseModel):
    """The one error shape of every 4xx and 5xx answer."""

    error: ErrorBody


class ActorOut(BaseModel):
    text: str
    country: str | None = None
    sector: str | None = None
    person: str | None = None
    organisation: str | None = None


class SourceOut(BaseModel):
    text: str
    kind: str
    anonymous: bool
    description: str | None = None
    actor: ActorOut | None = None


class RemovedSpanOut(BaseModel):
    start: int
    end: int
    text: str
    reason: str


class SentenceOut(BaseModel):
    doc_id: str
    index: int
    start: int
    end: int
    text: str


class EventOut(BaseModel):
    doc_id: str
    sentence_index: int
    event_type: str
    mode: str | None = None
    source: ActorOut | None = None
    target: ActorOut | None = None
    modality: str
    attribution: list[SourceOut] = Field(description="innermost source first, the outlet last")
    conditions: list[str]
    date: dt.date | None = None
    date_text: str | None = None
    location: str | None = None
    location_country: str | None = None
    span: tuple[int, int]
    trigger: str | None = None
    confidence: float
    coder: str


class ClaimOut(BaseModel):
    doc_id: str
    sentence_index: int
    text: str
    speaker: SourceOut | None = None
    attribution: list[SourceOut] = Field(description="innermost source first, the outlet last")
    modality: str
    quote: bool
    span: tuple[int, int]
    conditions: list[str]


class DocumentSummary(BaseModel):
    id: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str | None = None
    author: str | None = None
    chars: int = Field(description="length of the clean body")


class DocumentOut(DocumentSummary):
    body: str
    removed: list[RemovedSpanOut] = Field(description="boilerplate removed from the original text")
    countries: list[str] = Field(description="ISO3 codes the document's events name, most mentioned first")
    sentences: list[SentenceOut]
    events: list[EventOut]
    claims: list[ClaimOut]
    pipeline: str


class PageOut(BaseModel, Generic[T]):
    """A page of a listing: ``items`` and where they sit in the whole (``total`` matches)."""

    items: list[T]
    total: int
    limit: int
    offset: int


class DocumentIn(BaseModel):
    """A document to ingest, as JSON."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1_000_000, description="the article text")
    title: str | None = Field(default=None, max_length=1000)
    outlet: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    published: dt.date | None = None
    author: str | None = Field(default=None, max_length=500)
    language: str | None = Field(default=None, max_length=8)


class IngestOut(BaseModel):
    """What an ingest did and the ids of the documents it stored."""

    added: int
    duplicates: int
    near_duplicates: int
    read: int
    document_ids: list[str]
    problems: list[str]


class EvidenceOut(BaseModel):
    doc_id: str
    sentence_index: int
    text: str = Field(description="the sentence")
    outlet: str | None = None
    date: dt.date | None = None
    attribution: list[str] = Field(description="source texts, innermost first, the outlet last")
    modality: str
    weight: float
    matched: str
    copies: list[str]


class IndicatorOut(BaseModel):
    name: str
    title: str
    description: str
    aggregation: str
    series: dict[str, float] = Field(description="period start -> score, oldest first")
    value: float
    score: float
    baseline: float
    threshold: float
    lit: bool
    documents: int
    outlets: int
    evidence: list[EvidenceOut] = Field(description="current period, best first")
    factor: float = Field(description="odds multiplier applied when lit")


class IndicatorReportOut(BaseModel):
    country_iso3: str
    period: str
    end: dt.date | None = None
    period_start: dt.date | None = None
    documents: int
    indicators: list[IndicatorOut]
    definitions: str


class DestinationOut(BaseModel):
    country_iso3: str
    name: str
    score: float
    reasons: list[str]


class ForecastOut(BaseModel):
    """The history-model forecast for one country's current leader (horizons in months)."""

    country_iso3: str
    country_name: str
    gwcode: int | None = None
    leader: str
    in_office_since: dt.date
    as_of: dt.date
    p_exit: dict[int, float]
    p_irregular: dict[int, float]
    exit_modes: dict[str, float]
    fates: dict[str, float]
    destinations: list[DestinationOut]
    inputs_age: dict[str, str]
    imputed: list[str]
    model_version: str


class ContributionOut(BaseModel):
    name: str
    title: str
    lit: bool
    value: float
    threshold: float
    factor: float
    applied: float
    factor_source: str


class NewsForecastOut(BaseModel):
    """The forecast updated with the lit indicators (``base`` and ``updated``: ``p_exit`` and
    ``p_irregular``, horizon in months -> probability)."""

    country_iso3: str
    as_of: dt.date
    base: dict[str, dict[int, float]]
    updated: dict[str, dict[int, float]]
    contributions: list[ContributionOut]
    combined_factor: float
    multiplier: float
    cap: float
    news_end: dt.date | None = None
    news_period: str
    news_documents: int
    stale: bool


class TrendPointOut(BaseModel):
    as_of: dt.date
    base: float
    news: float


class VintageOut(BaseModel):
    documents: int
    newest_published: dt.date | None = None
    oldest_published: dt.date | None = None
    last_ingested: dt.datetime | None = None


class CountryForecastOut(BaseModel):
    """One country's assessment: the history forecast, the news-updated one, the trend of the
    12-month probability, what would change it, and how fresh the stored news is."""

    forecast: ForecastOut
    news: NewsForecastOut
    trend: list[TrendPointOut]
    changes: list[str]
    vintage: VintageOut


def summary(doc) -> dict[str, Any]:
    """DocumentSummary fields of a Document record."""
    data = doc.to_dict()
    data["chars"] = len(doc.body)
    return data
