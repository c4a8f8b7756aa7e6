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


class AnyRecord(BaseModel):
    """A record whose fields are documented by its producing stage (indicators, forecasts)."""

    model_config = ConfigDict(extra="allow")


def summary(doc) -> dict[str, Any]:
    """DocumentSummary fields of a Document record."""
    data = doc.to_dict()
    data["chars"] = len(doc.body)
    return data
