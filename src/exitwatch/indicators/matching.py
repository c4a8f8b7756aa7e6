"""Which sentences of a reading feed which indicator, and how much each one weighs.

A sentence feeds an indicator through a coded PLOVER event that fits one of its ``events``
entries (type, mode, source sector, direction relative to the country), or through its cue words
when the sentence concerns the country. The modality is the event's; for a cue-only match it is
the modality of the claim in that sentence, else the reader's own modality rules applied at the cue.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from exitwatch.indicators.definitions import Definitions, EventSpec, IndicatorDef, cue_regex
from exitwatch.kb import ActorContext, find_actors
from exitwatch.kb.countries import country_tables
from exitwatch.read.modality import is_author_opinion, modality_at
from exitwatch.records import Claim, Event, Reading, Sentence, Source


@lru_cache(maxsize=64)
def country_words(iso3: str) -> tuple[str, ...]:
    """The names, alternates, demonyms and capitals of ``iso3`` known to the kb (lower case)."""
    return tuple(sorted(k for k, (code, _) in country_tables().mentions.items() if code == iso3 and len(k) > 2))


@dataclass(frozen=True)
class Match:
    """A sentence's match to one indicator: ``indicator`` (name), ``sentence``, ``modality``,
    ``weight``, ``attribution`` (source texts), ``matched`` (what matched)."""

    indicator: str
    sentence: Sentence
    modality: str
    weight: float
    attribution: tuple[str, ...]
    matched: str


@dataclass
class _SentenceView:
    sentence: Sentence
    events: list[Event]
    claims: list[Claim]
    countries: set[str]


def _chain(sources: tuple[Source, ...]) -> tuple[str, ...]:
    return tuple(s.text for s in sources)


def _direction_ok(event: Event, spec: EventSpec, iso3: str) -> bool:
    src = event.source.country if event.source else None
    tgt = event.target.country if event.target else None
    if spec.direction == "source":  # agentless events count where they happen; cue words cover the rest
        return src == iso3 or (src is None and event.location_country == iso3)
    if spec.direction == "target":  # a foreign state acts; agentless strikes are left to the cue words
        return tgt == iso3 and src is not None and src != iso3
    if spec.direction == "other":
        return iso3 not in (src, tgt) and (src or tgt) is not None
    return iso3 in (src, tgt, event.location_country)


def _spec_fits(event: Event, spec: EventSpec) -> bool:
    if event.event_type != spec.event_type or (spec.modes and event.mode not in spec.modes):
        return False
    sector = event.source.sector if event.source else None
    return not spec.source_sectors or sector in spec.source_sectors


class Matcher:
    """Matches the sentences of readings to indicators for one country (build once per report)."""

    def __init__(self, definitions: Definitions, iso3: str):
        self.definitions = definitions
        self.iso3 = iso3
        words = country_words(iso3)
        self.cues = {d.name: cue_regex(d.cues, words) for d in definitions.indicators}
        self.names = cue_regex(("{country}",), words)
        rules = definitions.cue_modality
        negations = "|".join(re.escape(w) for w in rules["negations"]) or r"(?!x)x"
        self.cue_rules = {
            "after_words": int(rules["after_words"]),
            "denial": cue_regex(tuple(rules["denial_verbs"]), ()) or re.compile(r"(?!x)x"),
            "negation": re.compile(rf"\b(?:{negations})\b(?:\W+\w+){{0,{int(rules['negation_window'])}}}\W*$",
                                   re.IGNORECASE),
        }

    def matches(self, reading: Reading) -> list[Match]:
        """Every (sentence, indicator) match of ``reading``, at most one per pair (the heaviest)."""
        views = self._views(reading)
        doc_countries = Counter(c for v in views for c in v.countries)
        focus = doc_countries.most_common(1)[0][0] if doc_countries else None
        found = []
        for view in views:
            if not view.countries and focus:
                view.countries = {focus}
            for definition in self.definitions.indicators:
                if definition.relevance == "elsewhere" and self.iso3 not in doc_countries:
                    continue
                match = self._best(definition, view)
                if match is not None:
                    found.append(match)
        return found

    def _views(self, reading: Reading) -> list[_SentenceView]:
        context = ActorContext(published=reading.document.published)
        views = []
        for sentence in reading.sentences:
            events = [e for e in reading.events if e.sentence_index == sentence.index]
            claims = [c for c in reading.claims if c.sentence_index == sentence.index]
            countries = {m.actor.country for m in find_actors(sentence.text, context=context) if m.actor.country}
            if self.names.search(sentence.text):  # the kb may miss "Iranian border guards"
                countries.add(self.iso3)
            for e in events:
                countries |= {a.country for a in (e.source, e.target) if a is not None and a.country}
            views.append(_SentenceView(sentence, events, claims, countries))
        return views

    def _concerns(self, definition: IndicatorDef, view: _SentenceView) -> bool:
        if definition.relevance == "elsewhere":
            return bool(view.countries - {self.iso3})
        return self.iso3 in view.countries

    def _best(self, definition: IndicatorDef, view: _SentenceView) -> Match | None:
        weights, match_weights = definition.modality_weights, self.definitions.match_weights
        candidates = []
        for event in view.events:
            for spec in definition.events:
                if _spec_fits(event, spec) and _direction_ok(event, spec, self.iso3):
                    if spec.direction == "other" and not self._concerns(definition, view):
                        continue
                    weight = weights.get(event.modality, 0.0) * match_weights["event"]
                    label = f"event:{event.event_type}" + (f"/{event.mode}" if event.mode else "")
                    candidates.append(Match(definition.name, view.sentence, event.modality, weight,
                                            _chain(event.attribution), label))
        pattern = self.cues[definition.name]
        cue = pattern.search(view.sentence.text) if pattern is not None else None
        if cue and self._concerns(definition, view):
            modality, chain = self._cue_modality(view, cue, weights)
            weight = weights.get(modality, 0.0) * match_weights["cue"]
            candidates.append(Match(definition.name, view.sentence, modality, weight, chain,
                                    "cue:" + re.sub(r"\s+", " ", cue.group(0).lower()).strip()))
        return max(candidates, key=lambda m: m.weight) if candidates else None

    def _cue_modality(self, view: _SentenceView, cue: re.Match, weights: dict[str, float]) -> tuple[str, tuple[str, ...]]:
        text, offset = view.sentence.text, view.sentence.start
        covering = [c for c in view.claims if c.span[0] - offset <= cue.start() < c.span[1] - offset]
        source = covering[0] if covering else (view.events[0] if view.events else None) or (view.claims[0] if view.claims else None)
        chain = _chain(source.attribution) if source is not None else ()
        attributed = len(chain) > 1
        opinion = not attributed and is_author_opinion(text)
        after = re.match(r"(?:\W*\w+){0,%d}" % self.cue_rules["after_words"], text[cue.end():])
        positions = (cue.start(), cue.end() + (after.end() if after else 0))
        found = [modality_at(text, p, attributed=attributed, opinion=opinion)[0] for p in positions]
        if covering:
            found.append(covering[0].modality)
        if self.cue_rules["denial"].search(text[: cue.start()]) or self.cue_rules["negation"].search(text[: cue.start()]):
            found.append("denied")
        return min(found, key=lambda m: weights.get(m, 0.0)), chain
