"""Turning a source phrase ("an intelligence assessment cited by The Times", "Beni Sabti, a former
Israeli intelligence official who fled Iran") into attribution-chain links (``records.Source``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from exitwatch.read.actors import Mention
from exitwatch.read.lexicon import load_outlets, load_toml, outlet_regex, phrases_regex
from exitwatch.records import Actor, Source

#: Words that link a source to the one that relayed it ("X cited by Y", "X quoted in Y").
_RELAY_SPLIT = re.compile(r"\s+(?:as\s+)?(?:cited|quoted|reported|published|seen|obtained)\s+(?:by|in)\s+|\s*,?\s+per\s+(?:the\s+report\s+(?:by|in)\s+)?|\s+(?:in|by)\s+(?=(?:the\s+)?[A-Z])")
_DESCRIPTION_CUT = re.compile(r"\s+(?:who|which|that|whose|where)\s+.*$")
_OFFICIAL = re.compile(r"\b(?:official|minister|spokes\w*|ambassador|diplomat|president|general|commander|envoy|secretary|adviser|advisor)\b", re.IGNORECASE)
_PRONOUNS = {"he", "she", "they", "it"}
_MAX_SOURCE_WORDS = 8


@lru_cache(maxsize=1)
def _nouns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    cues = load_toml("attribution_cues.toml")
    return phrases_regex(cues["document_nouns"]), phrases_regex(cues["anonymous_nouns"])


def outlet_name(text: str) -> str | None:
    """Canonical outlet name when ``text`` is (only) an outlet alias."""
    stripped = text.strip(" ,.:;")
    outlets = load_outlets()
    if stripped in outlets:
        return outlets[stripped]
    match = outlet_regex().fullmatch(stripped)
    return outlets[match.group()] if match else None


def _country_in(start: int, end: int, mentions: list[Mention]) -> Actor | None:
    """The first actor mention inside [start, end) that has a country or a person."""
    for mention in mentions:
        if start <= mention.start and mention.end <= end and (mention.actor.country or mention.actor.person):
            return mention.actor
    return None


def parse_source(text: str, *, offset: int = 0, mentions: list[Mention] = ()) -> Source | None:
    """One source link from a phrase; ``offset`` is the phrase's position in the document (used to
    pick up actor mentions inside it). None when the phrase names nobody."""
    phrase = text.strip(" ,.:;“”\"")
    if not phrase:
        return None
    outlet = outlet_name(phrase)
    if outlet:
        return Source(text=outlet, kind="outlet")
    if phrase.lower() in _PRONOUNS:
        return Source(text=phrase, kind="unknown")
    documents, anonymous = _nouns()
    name, _, description = phrase.partition(",")
    name = name.strip()
    description = _DESCRIPTION_CUT.sub("", description.strip()) or None
    actor_found = _country_in(offset, offset + len(text), list(mentions))
    words = name.split()
    named = bool(words) and all(w[:1].isupper() for w in words) and words[0].lower() not in ("a", "an", "the")
    if not named and len(words) > _MAX_SOURCE_WORDS:
        return None  # a clause ("Rebels killed ten soldiers, sources"), not a source phrase
    if documents.search(name) and not named:
        return Source(text=name, kind="document", anonymous=False, description=description)
    body = _body_in(offset, offset + len(text), list(mentions))
    if named:
        if body is not None:  # "Tehran said", "the Kremlin said": a government or organisation
            return Source(text=name, kind="organisation", description=description, actor=body)
        kind = "official" if description and _OFFICIAL.search(description) else "person"
        actor = Actor(text=name, country=actor_found.country if actor_found else None,
                      sector=actor_found.sector if actor_found else None,
                      person=actor_found.person if actor_found else None)
        return Source(text=name, kind=kind, description=description, actor=actor)
    if anonymous.search(name):
        actor = Actor(text=name, country=actor_found.country) if actor_found else None
        return Source(text=name, kind="anonymous", anonymous=True, description=description or name, actor=actor)
    if body is not None:  # "The government denied ...", "the army said"
        return Source(text=name, kind="organisation", description=description, actor=body)
    return None


def _body_in(start: int, end: int, mentions: list[Mention]) -> Actor | None:
    """The actor when the phrase's head is a collective actor (government, army, a country or
    capital, an organisation) rather than a person."""
    for mention in mentions:
        if start <= mention.start and mention.end <= end and mention.actor.sector and not mention.actor.person:
            return mention.actor if mention.start - start <= 4 else None
    return None


def parse_chain(text: str, *, offset: int = 0, mentions: list[Mention] = ()) -> list[Source]:
    """Links of a relayed source phrase, innermost first: "an assessment cited by The Times" gives
    [assessment, The Times]."""
    chain: list[Source] = []
    position = 0
    for part in _RELAY_SPLIT.split(text):
        at = text.find(part, position)
        position = max(position, at + len(part))
        source = parse_source(part, offset=offset + max(at, 0), mentions=mentions)
        if source:
            chain.append(source)
    return chain


def head_noun(source: Source) -> str:
    """Last word of a source's text, lower case ("an intelligence assessment" → "assessment")."""
    words = re.findall(r"[\w'-]+", source.text.lower())
    return words[-1] if words else ""


def modifiers(source: Source) -> set[str]:
    """Content words before the head noun ("an intelligence assessment" → {"intelligence"})."""
    words = re.findall(r"[\w'-]+", source.text.lower())[:-1]
    return {w for w in words if w not in ("a", "an", "the", "one", "some", "two", "several", "his", "her", "their")}
