"""Post-processing of actor mentions: names that start with a demonym, titles before names, agent
words inside names, and the document's country for agents named without one.

Kept apart from ``actors`` (the recogniser) so that both stay small; records only, no spaCy.
"""

from __future__ import annotations

from dataclasses import replace

from exitwatch.kb.countries import mention_kind
from exitwatch.kb.lexicons import foreign_qualifiers
from exitwatch.records import Actor


def leading_country(run) -> str | None:
    """ISO3 of a country named by the first word or two of a run of capitalised tokens."""
    for size in (2, 1):
        found = mention_kind(" ".join(t.text for t in run[:size])) if len(run) > size else None
        if found:
            return found[0]
    return None


def merge_titled_names(text: str, mentions: list) -> list:
    """"Israeli Prime Minister Ehud Barak", "Iran's religious leader Ayatollah Ruhollah Khomeini": a
    singular title directly followed by an unknown name is that named person, not today's office holder; the
    merged mention keeps the title's country and sector and the name as text (person unresolved)."""
    merged: list = []
    for mention in mentions:
        previous = merged[-1] if merged else None
        if previous and previous.actor.sector and mention.actor.country is None and mention.actor.sector is None \
                and mention.actor.person is None and text[previous.end : mention.start] == " " \
                and mention.text[:1].isupper() and not previous.text.endswith("s"):
            span_text = text[previous.start : mention.end]
            merged[-1] = type(mention)(previous.start, mention.end, span_text,
                                      Actor(span_text, previous.actor.country, previous.actor.sector, None,
                                            previous.actor.organisation))
            continue
        merged.append(mention)
    return merged



#: Sectors of agents that belong to a state or society ("police", "rebels"); international and
#: non-governmental bodies have no country of their own.
_NATIONAL_SECTORS = {"GOV", "MIL", "POL", "SPY", "REB", "OPP", "PRO", "CVL", "MED", "BUS", "JUD", "LEG", "REL",
                     "PTY", "LAB", "EDU", "REF", "CRM"}


def part_of_name(doc, start: int, taken: set[int]) -> bool:
    """True when a capitalised agent word at token ``start`` continues an unrecognised name
    ("Defence Secretary Tom King": "King" is a surname, not a monarch)."""
    if start < 2 or not doc[start].is_title:  # the text's first word is capitalised anyway
        return False
    previous = doc[start - 1]
    return previous.i not in taken and previous.is_title and previous.is_alpha


def with_focus_country(mentions: list, focus: str | None) -> list:
    """Agents named without a country ("police", "the army", "President X") are coded with the
    document's focus country, as PLOVER coders do; persons, organisations, bare names and agents
    marked foreign ("Western diplomats", ``data/foreign_qualifiers.txt``) keep None."""
    if focus is None:
        return mentions
    foreign = foreign_qualifiers()
    return [replace(m, actor=replace(m.actor, country=focus))
            if m.actor.country is None and m.actor.sector in _NATIONAL_SECTORS and m.actor.person is None
            and m.actor.organisation is None and not foreign.intersection(m.text.lower().split()) else m
            for m in mentions]
