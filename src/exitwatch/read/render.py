"""Plain-text rendering of a Reading (``exitwatch read --format text``): one block per sentence
that has events or claims, with actors as ``text [country/sector/person]`` and chains as
``inner <- ... <- outlet``."""

from __future__ import annotations

from exitwatch.records import Actor, Event, Reading, Source


def _actor(actor: Actor | None) -> str:
    if actor is None:
        return "-"
    known = "/".join(v for v in (actor.country, actor.sector, actor.person) if v)
    return f"{actor.text} [{known}]" if known else actor.text


def _chain(chain: tuple[Source, ...]) -> str:
    return " <- ".join(s.text + (" (anonymous)" if s.anonymous else "") for s in chain)


def _event_line(event: Event) -> str:
    parts = [f"  EVENT {event.event_type}" + (f"/{event.mode}" if event.mode else ""),
             f"{_actor(event.source)} -> {_actor(event.target)}", event.modality]
    if event.conditions:
        parts.append("if " + "; ".join(event.conditions))
    if event.date or event.date_text:
        parts.append(f"date {event.date or '?'} ({event.date_text})")
    if event.location:
        parts.append(f"in {event.location}")
    parts.append(f"conf {event.confidence:.2f}")
    return " | ".join(parts)


def render_text(reading: Reading) -> str:
    """A human-readable summary of ``reading``."""
    doc = reading.document
    counts = (f"{len(reading.sentences)} sentences, {len(reading.events)} events, {len(reading.claims)} claims, "
              f"{len(doc.removed)} removed spans")
    head = [f"document {doc.id}" + (f": {doc.title}" if doc.title else ""),
            f"outlet {doc.outlet or '-'} | published {doc.published or '-'} | {counts}",
            f"pipeline {reading.pipeline}"]
    lines = ["\n".join(head)]
    for sentence in reading.sentences:
        events = [e for e in reading.events if e.sentence_index == sentence.index]
        claims = [c for c in reading.claims if c.sentence_index == sentence.index]
        if not events and not claims:
            continue
        block = [f"[{sentence.index}] {sentence.text}"]
        block += [_event_line(e) for e in events]
        for claim in claims:
            speaker = claim.speaker.text if claim.speaker else "(author)"
            block.append(f"  CLAIM {claim.modality} by {speaker}: {claim.text}")
            block.append(f"    chain: {_chain(claim.attribution)}")
        lines.append("\n".join(block))
    return "\n\n".join(lines)
