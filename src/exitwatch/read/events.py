"""Lexical PLOVER event coder: triggers from ``data/plover_triggers.tsv``, actors from the actor
component.

Source = the actor just before the trigger (a possessor "Trump's strikes", or the nearest subject
that was not the previous event's target); target = the first actor after it ("strikes on Iran",
"seizure of Maduro"); a protest without one is addressed to the first state actor after it.
Passives ("was captured by X") swap the two; a possessor before a patient
noun without "of" ("Maduro's capture") is the target. Actors inside attribution phrases (speakers,
outlets) are never event actors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from exitwatch.read.actors import Mention, country_of
from exitwatch.read.lexicon import Trigger, trigger_index
from exitwatch.records import Actor

CODER = "exitwatch.events.v1/lexical"
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are|be|get|got)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_BY_AFTER = re.compile(r"^\s+(?:\w+\s+){0,3}?by\s+", re.IGNORECASE)
_OF_AFTER = re.compile(r"^\s*(?:of|on|against|upon)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s\s+(?:\w+\s+)?$")
_NOUN_ENDINGS = ("ure", "tion", "al", "ment", "ing", "ion")
# A target never lies beyond these (the recipient is in the trigger's own clause); a source never
# lies before a conditional or causal conjunction that precedes the trigger.
_CLAUSE_STOP = re.compile(r"[;:,]|\b(?:which|who|if|unless|because|while|when)\b", re.IGNORECASE)
_SUBORDINATE = re.compile(r"[;:]|\b(?:if|unless|because|although|though)\b", re.IGNORECASE)
# Verbs of commitment, refusal and demand govern the action they introduce ("agreed to resign").
_GOVERNING = {"AGREE", "REJECT", "THREATEN", "REQUEST"}
_GOVERNED_CHARS = 40
_IRREGULAR_PARTICIPLES = {"shot", "struck", "hit", "held", "fought", "caught", "hung", "seized", "beat", "burnt"}
# A protest without an explicit target is addressed to the state named after it.
_STATE_SECTORS = {"GOV", "MIL", "POL", "JUD", "LEG"}
_LOCATION = re.compile(r"\b(?:in|at|near|inside|across|outside)\s+$", re.IGNORECASE)


@dataclass
class EventDraft:
    """An event before modality and attribution: ``event_type``, ``mode``, ``source``/``target``
    (Actor or None), ``trigger`` text, ``span`` (document offsets of the trigger), ``position``
    (trigger start within the sentence), ``confidence``, ``location``/``location_country``, ``coder``,
    ``pattern`` (the lexicon row's, for a lexical event)."""

    event_type: str
    mode: str | None
    source: Actor | None
    target: Actor | None
    trigger: str | None
    span: tuple[int, int]
    position: int
    confidence: float
    location: str | None = None
    location_country: str | None = None
    coder: str = CODER
    pattern: str | None = None


def _inside(mention: Mention, spans: list[tuple[int, int]]) -> bool:
    return any(start <= mention.start < end for start, end in spans)


def _pick_actors(sentence: str, offset: int, trigger: Trigger, start: int, end: int,
                 mentions: list[Mention], taken: set[int]) -> tuple[Mention | None, Mention | None]:
    before = [m for m in mentions if m.end - offset <= start
              and not _SUBORDINATE.search(sentence, m.end - offset, start)]
    after = [m for m in mentions if m.start - offset >= end]
    clause_stop = _CLAUSE_STOP.search(sentence, end)
    if clause_stop:
        after = [m for m in after if m.start - offset < clause_stop.start()]
    head = sentence[:start]
    tail = sentence[end:]
    possessor = before[-1] if before and _POSSESSIVE.search(head) and (start - (before[-1].end - offset)) < 12 else None
    if trigger.voice == "self":
        target = after[0] if after and re.match(r"^\s*(?:against|outside)\b", tail) else None
        return (before[-1] if before else None), target
    if _PASSIVE_BEFORE.search(head) and _participle(sentence[start:end]):
        # "was captured by X": X did it; "were killed in Tehran": no agent named.
        return (after[0] if after and _BY_AFTER.match(tail) else None), (before[-1] if before else None)
    if possessor and sentence[start:end].lower().endswith(_NOUN_ENDINGS) and not _OF_AFTER.match(tail):
        return None, possessor  # "Maduro's capture": the possessor underwent it
    subject = possessor
    if subject is None:
        candidates = [m for m in reversed(before) if id(m) not in taken]
        subject = candidates[0] if candidates else (before[-1] if before else None)
    return subject, _recipient(sentence, offset, after)


_HEAD_FOLLOWERS = {"in", "of", "from", "at", "on", "and", "or", "who", "which", "that", "to", "with", "for", "by",
                   "as", "near", "after", "before", "into", "across", "inside", "over"}


def _recipient(sentence: str, offset: int, after: list[Mention]) -> Mention | None:
    """The first actor after the trigger, skipping a countryless agent word used as a modifier
    ("military aid to Mozambique": Mozambique) when an actor with a country follows."""
    if not after:
        return None
    first = after[0]
    following = re.match(r"\s+([a-z]+)", sentence[first.end - offset:])
    modifier = following is not None and following.group(1) not in _HEAD_FOLLOWERS and first.text.islower()
    if modifier and first.actor.person is None:
        return next((m for m in after[1:] if m.actor.country), first)
    return first


def _addressee(sentence: str, offset: int, end: int, mentions: list[Mention]) -> Mention | None:
    """The first state actor after a protest ("rioted at a jail in northern Israel", "a strike to
    demand the resignation of the Algerian president"): whom a protest without a target addresses;
    a place ("marched in Hong Kong") is where it happened, not whom it addressed."""
    return next((m for m in mentions if m.start - offset >= end and m.actor.sector in _STATE_SECTORS
                 and m.actor.country and not _LOCATION.search(sentence[: m.start - offset])), None)


def _participle(trigger_text: str) -> bool:
    first = trigger_text.split()[0].lower()
    return first.endswith(("ed", "en")) or first in _IRREGULAR_PARTICIPLES


def _demonym_before(sentence: str, start: int) -> Actor | None:
    """"Palestinian riots", "Iranian missiles": a demonym right before the trigger is its source."""
    word = re.search(r"([A-Z][\w-]+)\s+$", sentence[:start])
    country = country_of(word.group(1)) if word else None
    return Actor(text=word.group(1), country=country) if country else None


def _location(sentence: str, offset: int, mentions: list[Mention]) -> tuple[str | None, str | None]:
    for mention in mentions:
        if mention.actor.country and _LOCATION.search(sentence[: mention.start - offset]):
            return mention.text, mention.actor.country
    return None, None


def code_events(sentence: str, offset: int, mentions: list[Mention], *,
                exclude: list[tuple[int, int]] = (), lexicon: str | None = None) -> list[EventDraft]:
    """Events in one sentence (``offset``: its position in the document; ``mentions``: actor
    mentions of the sentence, document offsets; ``exclude``: sentence spans that name sources)."""
    usable = [m for m in mentions if not _inside(_shift(m, offset), list(exclude))]
    drafts: list[EventDraft] = []
    taken: set[int] = set()
    location = _location(sentence, offset, usable)
    governed_until = -1
    for match in trigger_index(lexicon).find(sentence):
        if any(s <= match.start < e for s, e in exclude):
            continue
        if match.start <= governed_until and match.trigger.event_type not in _GOVERNING:
            continue  # "agreed to resign", "refused to commit troops": the commitment is the event
        if match.trigger.event_type in _GOVERNING and re.match(r"\s*to\b", sentence[match.end:]) \
                or match.trigger.pattern.endswith(" to"):
            governed_until = match.end + _GOVERNED_CHARS
        trigger = match.trigger
        source, target = _pick_actors(sentence, offset, trigger, match.start, match.end, usable, taken)
        if source is target:
            target = None
        if target is not None:
            taken.add(id(target))
        source_actor = source.actor if source else _demonym_before(sentence, match.start)
        found = (source_actor is not None) + (target is not None)
        if target is None and trigger.event_type == "PROTEST":  # implied, so no gain in confidence
            target = _addressee(sentence, offset, match.end, usable)
        drafts.append(EventDraft(
            event_type=trigger.event_type, mode=trigger.mode,
            source=source_actor, target=target.actor if target else None,
            trigger=sentence[match.start:match.end], span=(offset + match.start, offset + match.end),
            position=match.start, confidence=round(trigger.confidence * (0.6 + 0.2 * found), 3),
            location=location[0], location_country=location[1], pattern=trigger.pattern,
        ))
    return _dedupe(drafts)


def _shift(mention: Mention, offset: int) -> Mention:
    return Mention(mention.start - offset, mention.end - offset, mention.text, mention.actor)


def _dedupe(drafts: list[EventDraft]) -> list[EventDraft]:
    """One event per (type, source, target): the most confident."""
    best: dict[tuple, EventDraft] = {}
    for draft in drafts:
        key = (draft.event_type, draft.source, draft.target)
        if key not in best or draft.confidence > best[key].confidence:
            best[key] = draft
    return sorted(best.values(), key=lambda d: d.position)
