"""Post-processing of actor mentions: names that start with a demonym, titles before names.

Kept apart from ``actors`` (the recogniser) so that both stay small; records only, no spaCy.
"""

from __future__ import annotations

from exitwatch.kb.countries import mention_kind
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

