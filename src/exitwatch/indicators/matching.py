"""Which sentences of a stored reading feed which indicator of one country, and how much each weighs.

Roles, not mentions: a sentence feeds an indicator of a country only through an actor in the
indicator's role (``IndicatorDef.role``):

- a coded PLOVER event of a listed type whose source (``own``), target (``against``) or fallen
  ruler (``foreign_ruler``) resolves to the right country and sector; or
- a stored cue match whose actor is in the role: for ``own``, the subject of the cue phrase (the
  nearest person or agent before it, else the first after it unless the cue is a verb of
  leaving); for ``against``, the sentence's
  subject (its first mention before the cue) is another country's, or there is none and the
  indicator is ``agentless``, and the country is the cue's object (``strikes on Iran``) or is
  named elsewhere in the sentence;
  for ``foreign_ruler``, the ruler nearest the cue is another country's and the sentence also
  names this country, not as the one who acted.

A place named in passing (a destination, a host, a capital) is never an actor in the role, and a
cue word alone never counts. Everything here reads stored rows: no actor recognition and no
modality rules run at query time.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from exitwatch.indicators.definitions import Definitions, EventSpec, IndicatorDef
from exitwatch.records import Actor, CueMatch, Event, Mention, Reading, Sentence

#: Mention kinds that can be the subject of a cue phrase (places and bare demonyms cannot).
ACTOR_KINDS = ("person", "agent")
#: Words just before a mention that make it a destination ("fled to Moscow") or the other side
#: ("retaliation against the US", "captured by US forces"): never what connects a story to a country.
#: ("in" is left out: "changing the calculus in Tehran" is the connection.)
_NOT_A_LINK = re.compile(r"\b(?:to|into|towards?|against|by)(?:\s+(?:a|an|the))?\s*$", re.IGNORECASE)


#: Words just before a country that make it the place left ("withdrawal from Syria", "out of Iraq").
_PLACE_LEFT = re.compile(r"\b(?:from|out\s+of)(?:\s+(?:a|an|the))?\s*$", re.IGNORECASE)
#: Cue words that are verbs of leaving: whoever leaves is named before the verb, and an actor after
#: it is what is fled or left ("tens of thousands continued to flee a government assault"), so it
#: is never the cue's subject.
_VERB_OF_LEAVING = re.compile(r"(?:flee|flees|fleeing|fled|leave|leaves|leaving)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    """A sentence's match to one indicator: ``indicator`` (name), ``sentence``, ``modality``,
    ``weight``, ``attribution`` (source texts, innermost first), ``matched`` (what matched)."""

    indicator: str
    sentence: Sentence
    modality: str
    weight: float
    attribution: tuple[str, ...]
    matched: str


def _country(actor: Actor | None) -> str | None:
    return actor.country if actor is not None else None


def _sector_ok(sector: str | None, definition: IndicatorDef) -> bool:
    return not definition.sectors or sector in definition.sectors


def _links(mentions: list[Mention], iso3: str, sentence: Sentence) -> list[Mention]:
    """The mentions of ``iso3`` that connect the sentence to it: not a destination, host or
    opponent ("to Moscow", "in Venezuela", "against the US") and not an outlet or other media."""
    return [m for m in mentions if m.country == iso3 and m.sector != "MED"
            and not _NOT_A_LINK.search(sentence.text[:m.span[0] - sentence.start])]


def _left_abroad(target: Actor | None, home: str, sentence: Sentence) -> bool:
    """Whether the event's target is a country other than ``home`` (the country of whoever
    leaves), named as the place left ("withdrawal from Syria")."""
    if target is None or _country(target) in (None, home):
        return False
    at = sentence.text.find(target.text)
    return at >= 0 and bool(_PLACE_LEFT.search(sentence.text[:at]))


def event_fits(event: Event, spec: EventSpec, definition: IndicatorDef, iso3: str, mentions: list[Mention],
               sentence: Sentence) -> bool:
    """Whether ``event`` is, for ``iso3``, an act of the kind and in the role ``definition`` asks."""
    if event.event_type != spec.event_type or (spec.modes and event.mode not in spec.modes):
        return False
    source, target = event.source, event.target
    if definition.role == "own":
        if source is None or source.country is None:
            return definition.agentless and event.location_country == iso3
        if source.country != iso3 or not _sector_ok(source.sector, definition):
            return False
        if spec.at_home and _left_abroad(target, iso3, sentence):
            return False
        return not spec.own_target or _country(target) == iso3
    if definition.role == "against":
        return _country(target) == iso3 and _country(source) not in (None, iso3)
    fallen, actor = (target, source) if spec.fallen == "target" else (source, target)
    if fallen is None or fallen.country in (None, iso3) or not _sector_ok(fallen.sector, definition):
        return False
    if spec.at_home and spec.fallen == "source" and _left_abroad(target, fallen.country, sentence):
        return False  # a ruler who pulls out of another country has not fallen
    return _country(actor) != iso3 and bool(_links(mentions, iso3, sentence))


def _subject(cue: CueMatch, mentions: list[Mention]) -> Mention | None:
    """The actor who does what the cue says: the nearest person or agent before it, else the
    first one after it (never for a verb of leaving)."""
    actors = [m for m in mentions if m.kind in ACTOR_KINDS]
    before = [m for m in actors if m.span[0] < cue.span[0]]
    if before:
        return before[-1]
    if _VERB_OF_LEAVING.match(cue.text):
        return None
    return next(iter(actors), None)


def _possessive(mention: Mention, cue: CueMatch, sentence: Sentence) -> bool:
    """The mention is the one who acted, just before the cue: "Trump's seizure of ..."."""
    between = sentence.text[mention.span[1] - sentence.start:cue.span[0] - sentence.start].strip()
    possessive = mention.text.endswith(("'s", "’s")) or between in ("'s", "’s")
    return mention.span[1] <= cue.span[0] and possessive and between in ("", "'s", "’s")


def cue_fits(cue: CueMatch, definition: IndicatorDef, iso3: str, mentions: list[Mention], sentence: Sentence) -> bool:
    """Whether the cue's sentence has an actor in ``definition``'s role for ``iso3``."""
    if definition.role == "own":
        subject = _subject(cue, mentions)
        if subject is None:
            return definition.agentless and any(m.country == iso3 for m in mentions)
        return subject.country == iso3 and _sector_ok(subject.sector, definition)
    if definition.role == "against":
        subject = next((m for m in mentions if m.span[0] < cue.span[0]), None)
        if subject is None and not definition.agentless:
            return False
        if subject is not None and subject.country == iso3:
            return False
        if cue.object_country is not None:
            return cue.object_country == iso3
        return any(m.country == iso3 for m in mentions if m is not subject)
    rulers = [m for m in mentions if m.kind in ACTOR_KINDS and _sector_ok(m.sector, definition)]
    people = [m for m in rulers if m.kind == "person"] or rulers
    if not people:
        return False
    fallen = min(people, key=lambda m: min(abs(m.span[0] - cue.span[1]), abs(cue.span[0] - m.span[1])))
    links = [m for m in _links(mentions, iso3, sentence) if not _possessive(m, cue, sentence)]
    return fallen.country != iso3 and bool(links)


def _by_sentence(items) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for item in items:
        grouped.setdefault(item.sentence_index, []).append(item)
    return grouped


class Matcher:
    """Matches the sentences of stored readings to the indicators of one country. ``key``: what
    its matches depend on besides the reading (the country and every matching field of the
    definitions; not the windows, baselines, thresholds or factors)."""

    def __init__(self, definitions: Definitions, iso3: str):
        self.definitions = definitions
        self.iso3 = iso3
        fields = repr((sorted(definitions.match_weights.items()),
                       [(d.name, d.role, d.sectors, d.agentless, d.events, sorted(d.modality_weights.items()))
                        for d in definitions.indicators]))
        self.key = (iso3, hashlib.blake2b(fields.encode(), digest_size=12).hexdigest())

    def matches(self, reading: Reading) -> list[Match]:
        """Every (sentence, indicator) match of ``reading``, at most one per pair and origin of
        the attribution chain (the heaviest)."""
        events, cues, mentions = (_by_sentence(items) for items in (reading.events, reading.cues, reading.mentions))
        found = []
        for sentence in reading.sentences:
            if sentence.index not in events and sentence.index not in cues:
                continue
            for definition in self.definitions.indicators:
                found += self._best(definition, sentence, events.get(sentence.index, []), cues.get(sentence.index, []),
                                    mentions.get(sentence.index, []))
        return found

    def _best(self, definition: IndicatorDef, sentence: Sentence, events: list[Event], cues: list[CueMatch],
              mentions: list[Mention]) -> list[Match]:
        weights, match_weights = definition.modality_weights, self.definitions.match_weights
        candidates = []
        for event in events:
            spec = next((s for s in definition.events
                         if event_fits(event, s, definition, self.iso3, mentions, sentence)), None)
            if spec is not None:
                label = f"event:{event.event_type}" + (f"/{event.mode}" if event.mode else "")
                candidates.append(Match(definition.name, sentence, event.modality,
                                        weights.get(event.modality, 0.0) * match_weights["event"],
                                        tuple(s.text for s in event.attribution), label))
        for cue in cues:
            if cue.indicator == definition.name and cue_fits(cue, definition, self.iso3, mentions, sentence):
                candidates.append(Match(definition.name, sentence, cue.modality,
                                        weights.get(cue.modality, 0.0) * match_weights["cue"],
                                        tuple(s.text for s in cue.attribution), f"cue:{cue.text}"))
        best: dict[str, Match] = {}
        for match in candidates:  # one per origin: the same sentence may carry two sources' words
            origin = match.attribution[0] if match.attribution else ""
            if origin not in best or match.weight > best[origin].weight:
                best[origin] = match
        return list(best.values())


class MatchCache:
    """The matches of stored readings, kept per document, reading (its ``read_at``: a re-read is
    another reading) and ``Matcher.key``, so that indicators recomputed after a write match only
    the documents they have not seen (a long-running server keeps one: ``report.access``). At
    most ``max_entries`` documents' matches are kept, the least recently used dropped first.
    Thread-safe."""

    def __init__(self, max_entries: int = 50_000):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, tuple[Match, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[Match, ...] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple, matches: list[Match]) -> None:
        with self._lock:
            self._entries[key] = tuple(matches)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
