"""Typed records passed between stages.

Every stage is a function from records to records, so the same code runs in one process, in the
CLI, in the server and on Dask. Records are frozen dataclasses (hashable, picklable, cheap); their
JSON form is ``to_dict()`` and the store keeps one table per record kind (see docs/schema.md).

Modality values (``MODALITIES``) and the attribution chain are shared by events and claims.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

#: Modality of an event or claim, from firmest to weakest.
MODALITIES = (
    "asserted",  # stated as fact by the author, no attribution
    "reported",  # attributed to a source ("X said", "according to Y")
    "planned",  # intended or prepared ("plans to leave", "is preparing")
    "conditional",  # depends on a condition ("if security forces defect")
    "hypothetical",  # prediction, possibility, speculation ("could", "may", "likely")
    "denied",  # negated or denied ("did not", "denied that")
    "opinion",  # the author's own opinion or a rhetorical question
)

#: Kinds of source in an attribution chain.
SOURCE_KINDS = ("person", "official", "organisation", "outlet", "document", "anonymous", "unknown")


def _plain(value: Any) -> Any:
    """JSON-friendly form of a record field (dates as ISO strings, tuples as lists)."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class Record:
    """Mixin: ``to_dict()`` gives the JSON form."""

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True)
class RemovedSpan(Record):
    """A span of the original text removed as boilerplate.

    Fields: ``start``/``end`` character offsets in the extracted text before removal, ``text``
    the removed text, ``reason`` a short code (``editors_note``, ``promo``, ``newsletter``,
    ``share_prompt``, ``join_conversation``, ``subscription``, ``html_chrome``, ...).
    """

    start: int
    end: int
    text: str
    reason: str


@dataclass(frozen=True)
class Document(Record):
    """One news item after ingestion.

    Fields: ``id`` (stable: hash of the normalised body), ``title``, ``outlet``, ``url``
    (canonical when known), ``published`` (date or None), ``language`` (ISO 639-1 or None),
    ``body`` (clean text, boilerplate removed), ``removed`` (RemovedSpan tuple), ``author``,
    ``source_path`` (file or feed it came from, with ``#n`` for the n-th record of a multi-record
    file).
    """

    id: str
    body: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str | None = None
    author: str | None = None
    removed: tuple[RemovedSpan, ...] = ()
    source_path: str | None = None


@dataclass(frozen=True)
class Sentence(Record):
    """A sentence of a document body: ``doc_id``, ``index`` (0-based), ``start``/``end`` offsets
    in the body, ``text``, ``pentaclass`` (five-class label from the reader's model: 0 neutral,
    1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict; None when
    read without the model), ``roles`` (TaggedRole tuple: who acts and who is acted on, as the
    model's token head tagged them, whether or not the sentence carries an event; empty when read
    without the model)."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    pentaclass: int | None = None
    roles: tuple[TaggedRole, ...] = ()


@dataclass(frozen=True)
class Actor(Record):
    """Who did something or was done to.

    Fields: ``text`` (as written; unknown actors are kept as text), ``country`` (ISO3 or None),
    ``sector`` (agent code such as ``GOV``, ``MIL``, ``PRO``, ``REB``, ``OPP``, ``CVL``, ``MED``,
    ``BUS``, ``IGO``; None when unknown), ``person`` (canonical name of a resolved person, or None),
    ``organisation`` (canonical name of a named organisation such as ``IRGC``, or None).
    """

    text: str
    country: str | None = None
    sector: str | None = None
    person: str | None = None
    organisation: str | None = None


#: The roles the reader's token head tags (ConfliBERT's S, T and R).
TAGGED_ROLES = ("source", "target", "recipient")


@dataclass(frozen=True)
class TaggedRole(Record):
    """An actor role tagged in a sentence: ``role`` (one of ``TAGGED_ROLES``), ``start``/``end``
    offsets in the document body, ``actor`` (the span's text as written, with the kb's codes),
    ``confidence`` (the tagger's mean probability of the span's tags)."""

    role: str
    start: int
    end: int
    actor: Actor
    confidence: float


@dataclass(frozen=True)
class Source(Record):
    """One link of an attribution chain.

    Fields: ``text`` (as written: "an intelligence source", "The Times"), ``kind`` (one of
    ``SOURCE_KINDS``), ``anonymous`` (True for unnamed sources), ``description`` (the speaker's
    description, e.g. "a former Israeli intelligence official"), ``actor`` (resolved Actor or None).
    """

    text: str
    kind: str = "unknown"
    anonymous: bool = False
    description: str | None = None
    actor: Actor | None = None


@dataclass(frozen=True)
class Event(Record):
    """A PLOVER event coded from one sentence.

    Fields: ``doc_id``, ``sentence_index``, ``event_type`` (PLOVER type, e.g. ``ASSAULT``),
    ``mode`` (PLOVER mode or None), ``source``/``target`` (Actor or None), ``modality`` (one of
    ``MODALITIES``), ``attribution`` (Source tuple, innermost first, outermost — the outlet you
    read — last), ``conditions`` (texts of conditions for conditional events), ``date`` (resolved
    date or None), ``date_text`` (the expression it came from), ``location`` (place text or None),
    ``location_country`` (ISO3 or None), ``span`` ((start, end) in the body), ``trigger`` (the
    words that triggered the event), ``confidence`` (0..1), ``coder`` (name and version of the
    component that coded it).
    """

    doc_id: str
    sentence_index: int
    event_type: str
    source: Actor | None = None
    target: Actor | None = None
    mode: str | None = None
    modality: str = "asserted"
    attribution: tuple[Source, ...] = ()
    conditions: tuple[str, ...] = ()
    date: dt.date | None = None
    date_text: str | None = None
    location: str | None = None
    location_country: str | None = None
    span: tuple[int, int] = (0, 0)
    trigger: str | None = None
    confidence: float = 0.5
    coder: str = ""


@dataclass(frozen=True)
class Claim(Record):
    """A quote or reported statement.

    Fields: ``doc_id``, ``sentence_index``, ``text`` (what was claimed), ``speaker`` (Source or
    None for the author), ``attribution`` (Source tuple, innermost first, outlet last), ``modality``
    (one of ``MODALITIES``), ``quote`` (True for a direct quotation), ``span`` ((start, end) in the
    body), ``conditions`` (condition texts).
    """

    doc_id: str
    sentence_index: int
    text: str
    speaker: Source | None = None
    attribution: tuple[Source, ...] = ()
    modality: str = "reported"
    quote: bool = False
    span: tuple[int, int] = (0, 0)
    conditions: tuple[str, ...] = ()


#: Kinds of country mention: a resolved ``person``, an ``agent`` ("Iranian border guards",
#: "Iran's leadership"), a bare ``place`` (country name, alias or capital: "Moscow", "Iran") or
#: a ``demonym`` alone ("Iranian").
MENTION_KINDS = ("person", "agent", "place", "demonym")


@dataclass(frozen=True)
class Mention(Record):
    """A country's actor or name in a sentence, found once at read time so that the indicators
    never run the actor recogniser again.

    Fields: ``doc_id``, ``sentence_index``, ``country`` (ISO3), ``text`` (as written), ``kind``
    (one of ``MENTION_KINDS``), ``sector`` (agent code or None), ``span`` ((start, end) in the body).
    """

    doc_id: str
    sentence_index: int
    country: str
    text: str
    kind: str = "agent"
    sector: str | None = None
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class CueMatch(Record):
    """Words of a sentence that match an indicator's cue list (``read/data/indicator_cues.toml``),
    with the modality the reader's rules give them there.

    Fields: ``doc_id``, ``sentence_index``, ``indicator`` (name of the cue list), ``text`` (the
    words), ``span`` ((start, end) in the body), ``modality`` (one of ``MODALITIES``: the most
    cautious of the covering claim's and the rules' at the cue), ``attribution`` (Source tuple of
    the covering claim or event, innermost first), ``object_country`` (ISO3 named in the cue's
    ``{country}`` slot, as in "strikes on Iran", else None).
    """

    doc_id: str
    sentence_index: int
    indicator: str
    text: str
    span: tuple[int, int] = (0, 0)
    modality: str = "asserted"
    attribution: tuple[Source, ...] = ()
    object_country: str | None = None


@dataclass(frozen=True)
class Reading(Record):
    """Everything the reader found in one document: the ``document``, its ``sentences``,
    ``events`` and ``claims``, the ``pipeline`` name/version string that produced them, and what
    the indicators need per sentence: ``mentions`` (Mention tuple) and ``cues`` (CueMatch tuple)."""

    document: Document
    sentences: tuple[Sentence, ...] = ()
    events: tuple[Event, ...] = ()
    claims: tuple[Claim, ...] = ()
    pipeline: str = ""
    mentions: tuple[Mention, ...] = ()
    cues: tuple[CueMatch, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The documented read output (docs/schema.md, ``read.schema.json``)."""
        doc = self.document.to_dict()
        return {
            "document": {k: v for k, v in doc.items() if k not in ("body", "removed")},
            "body": self.document.body,
            "removed": doc["removed"],
            "sentences": [s.to_dict() for s in self.sentences],
            "events": [e.to_dict() for e in self.events],
            "claims": [c.to_dict() for c in self.claims],
            "pipeline": self.pipeline,
        }


def replace(record, **changes):
    """A copy of ``record`` with ``changes`` (dataclasses.replace, re-exported for stages)."""
    return dataclasses.replace(record, **changes)


__all__ = [
    "MENTION_KINDS",
    "MODALITIES",
    "SOURCE_KINDS",
    "Actor",
    "Claim",
    "CueMatch",
    "Document",
    "Event",
    "Mention",
    "Reading",
    "RemovedSpan",
    "TAGGED_ROLES",
    "Sentence",
    "TaggedRole",
    "Source",
    "replace",
]
