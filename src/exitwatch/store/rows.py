"""Records ⇄ flat table rows.

One mapping serves the DuckDB store and the Parquet files that the Dask path writes, so both
hold the same schema. Nested fields (attribution chains, conditions, speakers) are JSON text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from exitwatch.dates import parse_date
from exitwatch.records import (Actor, Claim, CueMatch, Document, Event, Mention, Reading, RemovedSpan, Sentence, Source,
                               TaggedRole)


def _source_from_dict(d: dict | None) -> Source | None:
    if d is None:
        return None
    actor = d.get("actor")
    return Source(
        text=d["text"],
        kind=d.get("kind", "unknown"),
        anonymous=bool(d.get("anonymous", False)),
        description=d.get("description"),
        actor=Actor(**actor) if actor else None,
    )


def _sources_json(sources) -> str:
    return json.dumps([s.to_dict() for s in sources], ensure_ascii=False)


def _sources(text: str | None) -> tuple[Source, ...]:
    return tuple(_source_from_dict(d) for d in json.loads(text or "[]"))


def document_row(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "outlet": doc.outlet,
        "url": doc.url,
        "published": doc.published,
        "language": doc.language,
        "author": doc.author,
        "body": doc.body,
        "source_path": doc.source_path,
    }


def removed_span_rows(doc: Document) -> list[dict[str, Any]]:
    return [
        {"doc_id": doc.id, "n": n, "start_offset": s.start, "end_offset": s.end, "text": s.text, "reason": s.reason}
        for n, s in enumerate(doc.removed)
    ]


def document_from_row(row: dict[str, Any], removed: list[dict[str, Any]] = ()) -> Document:
    return Document(
        id=row["id"],
        body=row["body"],
        title=row.get("title"),
        outlet=row.get("outlet"),
        url=row.get("url"),
        published=parse_date(row.get("published")),
        language=row.get("language"),
        author=row.get("author"),
        source_path=row.get("source_path"),
        removed=tuple(
            RemovedSpan(start=r["start_offset"], end=r["end_offset"], text=r["text"], reason=r["reason"])
            for r in sorted(removed, key=lambda r: r["n"])
        ),
    )


def sentence_row(s: Sentence) -> dict[str, Any]:
    return {"doc_id": s.doc_id, "idx": s.index, "start_offset": s.start, "end_offset": s.end, "text": s.text,
            "pentaclass": s.pentaclass, "roles": json.dumps([r.to_dict() for r in s.roles], ensure_ascii=False)}


def _tagged_role(d: dict[str, Any]) -> TaggedRole:
    return TaggedRole(role=d["role"], start=d["start"], end=d["end"], actor=Actor(**d["actor"]),
                      confidence=d["confidence"])


def sentence_from_row(row: dict[str, Any]) -> Sentence:
    return Sentence(doc_id=row["doc_id"], index=row["idx"], start=row["start_offset"], end=row["end_offset"], text=row["text"],
                    pentaclass=row.get("pentaclass"),
                    roles=tuple(_tagged_role(d) for d in json.loads(row.get("roles") or "[]")))


def _actor_columns(prefix: str, actor: Actor | None) -> dict[str, Any]:
    fields = ("text", "country", "sector", "person", "organisation")
    return {f"{prefix}_{f}": getattr(actor, f) if actor else None for f in fields}


def _actor_from(prefix: str, row: dict[str, Any]) -> Actor | None:
    if row.get(f"{prefix}_text") is None:
        return None
    return Actor(
        text=row[f"{prefix}_text"],
        country=row.get(f"{prefix}_country"),
        sector=row.get(f"{prefix}_sector"),
        person=row.get(f"{prefix}_person"),
        organisation=row.get(f"{prefix}_organisation"),
    )


def _item_columns(item: Event | Claim, n: int) -> dict[str, Any]:
    """The columns events and claims share: the ``n``-th item of a document's reading, its
    sentence, modality, attribution, conditions and span."""
    return {
        "doc_id": item.doc_id,
        "n": n,
        "sentence_index": item.sentence_index,
        "modality": item.modality,
        "attribution": _sources_json(item.attribution),
        "conditions": json.dumps(list(item.conditions), ensure_ascii=False),
        "span_start": item.span[0],
        "span_end": item.span[1],
    }


def _item_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The Event / Claim fields read from the columns of ``_item_columns``."""
    return {
        "doc_id": row["doc_id"],
        "sentence_index": row["sentence_index"],
        "modality": row["modality"],
        "attribution": _sources(row.get("attribution")),
        "conditions": tuple(json.loads(row.get("conditions") or "[]")),
        "span": (row["span_start"], row["span_end"]),
    }


def event_row(e: Event, n: int) -> dict[str, Any]:
    return {
        **_item_columns(e, n),
        "event_type": e.event_type,
        "mode": e.mode,
        **_actor_columns("source", e.source),
        **_actor_columns("target", e.target),
        "date": e.date,
        "date_text": e.date_text,
        "location": e.location,
        "location_country": e.location_country,
        "trigger": e.trigger,
        "confidence": float(e.confidence),
        "coder": e.coder,
    }


def event_from_row(row: dict[str, Any]) -> Event:
    return Event(
        **_item_fields(row),
        event_type=row["event_type"],
        mode=row.get("mode"),
        source=_actor_from("source", row),
        target=_actor_from("target", row),
        date=parse_date(row.get("date")),
        date_text=row.get("date_text"),
        location=row.get("location"),
        location_country=row.get("location_country"),
        trigger=row.get("trigger"),
        confidence=row["confidence"],
        coder=row.get("coder") or "",
    )


def claim_row(c: Claim, n: int) -> dict[str, Any]:
    return {
        **_item_columns(c, n),
        "text": c.text,
        "speaker": json.dumps(c.speaker.to_dict(), ensure_ascii=False) if c.speaker else None,
        "quote": bool(c.quote),
    }


def claim_from_row(row: dict[str, Any]) -> Claim:
    speaker = row.get("speaker")
    return Claim(
        **_item_fields(row),
        text=row["text"],
        speaker=_source_from_dict(json.loads(speaker)) if speaker else None,
        quote=bool(row["quote"]),
    )


def mention_row(m: Mention, n: int) -> dict[str, Any]:
    return {"doc_id": m.doc_id, "n": n, "sentence_index": m.sentence_index, "country": m.country, "text": m.text,
            "kind": m.kind, "sector": m.sector, "span_start": m.span[0], "span_end": m.span[1]}


def mention_from_row(row: dict[str, Any]) -> Mention:
    return Mention(doc_id=row["doc_id"], sentence_index=row["sentence_index"], country=row["country"], text=row["text"],
                   kind=row["kind"], sector=row.get("sector"), span=(row["span_start"], row["span_end"]))


def cue_row(c: CueMatch, n: int) -> dict[str, Any]:
    return {"doc_id": c.doc_id, "n": n, "sentence_index": c.sentence_index, "indicator": c.indicator, "text": c.text,
            "span_start": c.span[0], "span_end": c.span[1], "modality": c.modality,
            "attribution": _sources_json(c.attribution), "object_country": c.object_country}


def cue_from_row(row: dict[str, Any]) -> CueMatch:
    return CueMatch(doc_id=row["doc_id"], sentence_index=row["sentence_index"], indicator=row["indicator"],
                    text=row["text"], span=(row["span_start"], row["span_end"]), modality=row["modality"],
                    attribution=_sources(row.get("attribution")), object_country=row.get("object_country"))


#: The reader tables, in the order ``reading_rows`` fills them.
READING_TABLES = ("readings", "sentences", "events", "claims", "mentions", "cue_matches")


def reading_rows(reading: Reading) -> dict[str, list[dict[str, Any]]]:
    """Rows for every reader table (``READING_TABLES``), keyed by table name."""
    doc_id = reading.document.id
    return {
        "readings": [{"doc_id": doc_id, "pipeline": reading.pipeline}],
        "sentences": [sentence_row(s) for s in reading.sentences],
        "events": [event_row(e, n) for n, e in enumerate(reading.events)],
        "claims": [claim_row(c, n) for n, c in enumerate(reading.claims)],
        "mentions": [mention_row(m, n) for n, m in enumerate(reading.mentions)],
        "cue_matches": [cue_row(c, n) for n, c in enumerate(reading.cues)],
    }


#: The ingest tables a new document writes (the reader tables come from ``reading_rows``).
DOCUMENT_TABLES = ("documents", "removed_spans", "minhashes", "duplicates")


@dataclass(frozen=True)
class NewDocument:
    """A document ready to store: ``document``, its MinHash ``signature`` (bytes or None), its
    near-duplicate link ``duplicate_of`` ((first_id, similarity, method) or None) and its
    ``reading`` (Reading or None)."""

    document: Document
    signature: bytes | None = None
    duplicate_of: tuple[str, float, str] | None = None
    reading: Reading | None = None


def new_document_rows(item: NewDocument, *, with_reading: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Rows for every table ``item`` writes, keyed by table name: the one per-document mapping
    of both sinks (``Store.add_documents`` and the Dask path's Parquet partitions)."""
    doc = item.document
    rows: dict[str, list[dict[str, Any]]] = {
        "documents": [document_row(doc)],
        "removed_spans": removed_span_rows(doc),
        "minhashes": [] if item.signature is None else [{"doc_id": doc.id, "signature": item.signature}],
        "duplicates": [],
    }
    if item.duplicate_of is not None:
        first, similarity, method = item.duplicate_of
        rows["duplicates"].append({"doc_id": doc.id, "duplicate_of": first, "similarity": similarity, "method": method})
    if with_reading and item.reading is not None:
        rows.update(reading_rows(item.reading))
    return rows
