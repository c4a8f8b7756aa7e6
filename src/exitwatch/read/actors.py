"""Actor mentions for the reader.

The knowledge base (``exitwatch.kb``) recognises actors; this module adapts it to the reader and
falls back to a plain rule when the kb is not installed: capitalised word sequences, with the
country filled in only when the sequence is itself a country name (pycountry). Unknown actors are
kept as text, never dropped or guessed.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from exitwatch.records import Actor

#: Factory names the kb's actor component may be registered under (spaCy forbids "." in names).
KB_FACTORY_NAMES = ("exitwatch_actors_v1", "exitwatch-actors-v1", "exitwatch/actors.v1", "exitwatch.actors.v1")
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


@lru_cache(maxsize=1)
def kb_actor_factory() -> str | None:
    """The name of the kb's registered spaCy actor factory, or None when the kb lacks one."""
    try:
        kb = importlib.import_module("exitwatch.kb")
    except ImportError:
        return None
    for info in pkgutil.iter_modules(getattr(kb, "__path__", [])):
        if any(word in info.name for word in ("spacy", "component", "pipe", "actor")):
            try:
                importlib.import_module(f"exitwatch.kb.{info.name}")
            except ImportError:
                continue
    for name in KB_FACTORY_NAMES:
        if Language.has_factory(name):
            return name
    return None


_CAPITALISED = re.compile(r"\b(?:[A-Z][\w'’.-]*(?:\s+(?:of|al-|bin|de|the)?\s*[A-Z][\w'’.-]*)*)")
_SKIP_FIRST = {"The", "A", "An", "In", "On", "At", "But", "And", "If", "It", "This", "That", "He", "She", "They",
               "We", "I", "According", "After", "Before", "Among", "Days", "First", "Let's", "Those", "Mr.", "Ms."}


@lru_cache(maxsize=4096)
def country_of(text: str) -> str | None:
    """ISO3 of a country name, demonym or capital (the kb's lookup; pycountry without the kb)."""
    try:
        kb = importlib.import_module("exitwatch.kb")
        return kb.country_of_mention(text)
    except (ImportError, AttributeError):
        pass
    import pycountry

    try:
        return pycountry.countries.lookup(text).alpha_3
    except LookupError:
        return None


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
