"""Actor mentions for the reader.

The knowledge base recognises actors: its spaCy component (``exitwatch.kb.spacy_component``,
imported here so the factory is registered) is the reader's actors component. This module reads
the mentions it leaves on a doc, and keeps a plain rule (capitalised word sequences, with the
country filled in only when the sequence is itself a country name) for pipelines configured
with ``exitwatch_actors_fallback_v1``. Unknown actors are kept as text, never dropped or guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from exitwatch.kb import country_of_mention
from exitwatch.kb import spacy_component  # noqa: F401 - registers the kb's actors factory, the reader's actors component
from exitwatch.records import Actor

FALLBACK_FACTORY = "exitwatch_actors_fallback_v1"

if not Span.has_extension("actor"):
    Span.set_extension("actor", default=None)


@dataclass(frozen=True)
class Mention:
    """An actor mention: ``start``/``end`` offsets in the document text, ``text``, ``actor``."""

    start: int
    end: int
    text: str
    actor: Actor


_CAPITALISED = re.compile(r"\b(?:[A-Z][\w'’.-]*(?:\s+(?:of|al-|bin|de|the)?\s*[A-Z][\w'’.-]*)*)")
_SKIP_FIRST = {"The", "A", "An", "In", "On", "At", "But", "And", "If", "It", "This", "That", "He", "She", "They",
               "We", "I", "According", "After", "Before", "Among", "Days", "First", "Let's", "Those", "Mr.", "Ms."}


@lru_cache(maxsize=4096)
def country_of(text: str) -> str | None:
    """ISO3 of a country name, demonym or capital (the kb's lookup)."""
    return country_of_mention(text)


def fallback_mentions(text: str) -> list[Mention]:
    """Capitalised sequences as actors (country only when the sequence names a country)."""
    mentions = []
    for match in _CAPITALISED.finditer(text):
        words = match.group().split()
        while words and words[0] in _SKIP_FIRST:
            words = words[1:]
        if not words:
            continue
        phrase = " ".join(words)
        start = match.end() - len(match.group()) + match.group().index(words[0])
        bare = re.sub(r"['’]s$", "", phrase)
        country = country_of(bare)
        mentions.append(Mention(start, start + len(bare), bare, Actor(text=bare, country=country)))
    return mentions


@Language.factory(FALLBACK_FACTORY)
def make_fallback_actors(nlp: Language, name: str):
    """spaCy component: ``doc.spans["actors"]`` from ``fallback_mentions``."""

    def component(doc: Doc) -> Doc:
        spans = []
        for mention in fallback_mentions(doc.text):
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None:
                span._.actor = mention.actor
                spans.append(span)
        doc.spans["actors"] = spans
        return doc

    return component


def doc_mentions(doc: Doc) -> list[Mention]:
    """The actor mentions a pipeline's actor component left in ``doc.spans["actors"]``."""
    mentions = []
    for span in doc.spans.get("actors", []):
        actor = span._.actor or Actor(text=span.text)
        mentions.append(Mention(span.start_char, span.end_char, span.text, actor))
    return sorted(mentions, key=lambda m: (m.start, -m.end))
