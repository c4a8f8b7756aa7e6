"""Models of the JSON API's requests and responses (the edge; records stay dataclasses).

Where an answer is a record as it is, the record's frozen dataclass is the response model
(pydantic validates and documents standard dataclasses, docstring included), so a field added to
the record shows up in the answer and in the OpenAPI document. Pydantic models are declared here
only for shapes that differ from a record: the document summary (no body, its length instead), the
news forecast (a documented subset) and the requests, pages and errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, fields
from typing import Any, Generic, TypeVar, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from exitwatch.forecast import LeaderForecast
from exitwatch.indicators import Contribution
from exitwatch.records import Claim, Document, Event, RemovedSpan, Sentence
from exitwatch.report.view import SourceUse, TrendPoint
from exitwatch.store.report import StoreVintage

T = TypeVar("T")


class ErrorBody(BaseModel):
    code: str = Field(description="machine-readable kind, e.g. not_found, invalid_request, unauthorized")
    message: str = Field(description="what failed, why, and the valid choices")
    status: int = Field(description="HTTP status code")


class ErrorResponse(BaseModel):
    """The one error shape of every 4xx and 5xx answer."""

    error: ErrorBody


def _record_fields(record: type, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """``create_model`` field definitions (type, default) of a record dataclass, less ``exclude``."""
    hints = get_type_hints(record)
    return {f.name: (hints[f.name], ... if f.default is MISSING else f.default)
            for f in fields(record) if f.name not in exclude}


DocumentSummary = create_model(
    "DocumentSummary",
    __doc__="A document's metadata (the Document record without its body) and the body's length.",
    **_record_fields(Document, exclude=("body", "removed", "source_path")),
    chars=(int, Field(description="length of the clean body")),
)


class DocumentOut(DocumentSummary):
    body: str
    removed: list[RemovedSpan] = Field(description="boilerplate removed from the original text")
    countries: list[str] = Field(description="ISO3 codes the document's events name, most mentioned first")
    sentences: list[Sentence]
    events: list[Event]
    claims: list[Claim]
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


class AcceptedOut(BaseModel):
    """A write still being read when it was answered (202): its documents are stored, whole,
    once read; ``GET /api/documents/{id}`` answers 404 until then."""

    status: str = "accepted"
    document_ids: list[str]


class StatusOut(BaseModel):
    """Whether the server is ready for each kind of request."""

    version: str = Field(description="exitwatch version")
    index: str = Field(description="complete, or warming (the index's news still being computed at startup)")
    reader: str = Field(description="ready, starting (a write now waits for the reader process), or off (no API key)")
    documents: int = Field(description="documents stored")


class NewsForecastOut(BaseModel):
    """The forecast updated with the lit indicators (``base`` and ``updated``: ``p_exit`` and
    ``p_irregular``, horizon in months -> probability)."""

    country_iso3: str
    as_of: dt.date
    base: dict[str, dict[int, float]]
    updated: dict[str, dict[int, float]]
    contributions: list[Contribution]
    combined_factor: float
    multiplier: float
    cap: float
    news_end: dt.date | None = None
    news_period: str
    news_documents: int
    recent_news: bool


class CountryForecastOut(BaseModel):
    """One country's assessment: the history forecast, the news-updated one, the trend of the
    12-month probability, what would change it, how fresh the stored news is, and which watched
    sources fed it (``stale`` when one has gone silent)."""

    forecast: LeaderForecast
    news: NewsForecastOut
    trend: list[TrendPoint]
    changes: list[str]
    vintage: StoreVintage
    sources: list[SourceUse] = []


def summary(doc) -> dict[str, Any]:
    """DocumentSummary fields of a Document record."""
    data = doc.to_dict()
    data["chars"] = len(doc.body)
    return data
