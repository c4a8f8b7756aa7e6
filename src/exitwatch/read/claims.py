"""Claims: direct and indirect quotes and reported statements, with attribution chains.

Per sentence, ``find_attribution`` recognises "according to X", "per X", "Y quoted X as saying",
"X said/told/wrote/notes/denied (that) ...", the inverted "..., said X, a description", "...,
analysts said" and quotes with "he said". ``ChainBuilder`` then works over the whole document: pronouns resolve to the last named
speaker; "the assessment" to the earlier "an intelligence assessment"; an anonymous source quoted
by the same outlet and sharing a modifier ("an intelligence source") becomes the assessment's
innermost link; "picked up by other outlets" follows an outlet that the text says was relayed; a
paragraph ending in a colon after a source ("The Wall Street Journal notes that ...:") makes that
source the outer link of the block quote that follows; the document's own outlet closes every chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from exitwatch.read.actors import Mention
from exitwatch.read.lexicon import load_toml, phrases_regex
from exitwatch.read.sources import (
    head_noun,
    modifiers,
    outlet_name,
    parse_chain,
    parse_source,
)
from exitwatch.records import Source

_ACCORDING = re.compile(r"\b(?:according to|per)\s+([^,;:.]+(?:,\s*(?:per|cited by)[^,;:.]+)?)", re.IGNORECASE)
# Case-sensitive and without nested free repetition (a case-insensitive "(?:[A-Z]\w*\s*)+" backtracks
# exponentially on long sentences); only tried on sentences containing "quoted".
_QUOTED_AS = re.compile(r"(?P<outer>(?:[Tt]he\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*"
                        r"|\b(?:[Tt]he|[Aa]n?)\s+(?:[\w-]+\s+){0,5}?[\w-]+)\s+quoted\s+(?P<inner>.+?)\s+as\s+saying")
_QUOTE = re.compile(r"[“\"]([^”\"]{12,})[”\"]")
_MAX_SUBJECT_WORDS = 30
_MAX_TAIL_WORDS = 8
_THAT = re.compile(r"\s*that\b")
_LEADING_TIME = re.compile(r"(?:on|last|this|earlier|late)\s+(?:\w+day|week|month|year|night)\s+", re.IGNORECASE)


@lru_cache(maxsize=1)
def _speech_verbs() -> re.Pattern[str]:
    verbs = load_toml("attribution_cues.toml")["speech_verbs"]
    return re.compile(r"\b(?:" + "|".join(verbs) + r")\b")


@lru_cache(maxsize=1)
def _relay_phrases() -> tuple[re.Pattern[str], str]:
    cues = load_toml("attribution_cues.toml")
    return phrases_regex(cues["relay_phrases"]), cues["relay_text"]


@dataclass
class Attribution:
    """What one sentence says about who says what: ``chain`` (innermost first, before the
    document-level links are added), ``content`` ((start, end) of what is claimed, sentence
    offsets), ``quote`` (direct quotation), ``exclude`` (spans naming sources, not actors), ``verb``
    (the verb of saying, lower case, when there is one)."""

    chain: list[Source]
    content: tuple[int, int]
    quote: bool = False
    exclude: list[tuple[int, int]] = field(default_factory=list)
    verb: str | None = None

    @property
    def speaker(self) -> Source | None:
        return self.chain[0] if self.chain else None


def _content(sentence: str, start: int, end: int) -> tuple[int, int]:
    text = sentence[start:end]
    lead = len(text) - len(text.lstrip(" ,:“\""))
    when = _LEADING_TIME.match(text, lead)
    if when and text[when.end():].lower().startswith("that "):
        lead = when.end()
    if text[lead:].lower().startswith("that "):
        lead += 5
    trail = len(text.rstrip(" ,.:”\""))
    return start + lead, start + max(trail, lead)


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with ``spans`` replaced by spaces (offsets kept): a source phrase left out of a
    subject, or speaker descriptions ("who left in 2019") left out of date finding."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def find_attribution(sentence: str, offset: int, mentions: list[Mention]) -> Attribution | None:
    """The attribution in one sentence (``offset``: its position in the document), or None."""
    quoted_as = _QUOTED_AS.search(sentence) if "quoted" in sentence else None
    if quoted_as:
        inner = parse_source(quoted_as.group("inner"), offset=offset + quoted_as.start("inner"), mentions=mentions)
        outer = parse_source(quoted_as.group("outer"), offset=offset + quoted_as.start("outer"), mentions=mentions)
        chain = [s for s in (inner, outer) if s]
        if chain:
            quote = _QUOTE.search(sentence)
            content = (quote.start(1), quote.end(1)) if quote else _content(sentence, quoted_as.end(), len(sentence))
            return Attribution(chain, content, quote=bool(quote), exclude=[quoted_as.span()])
    according = _ACCORDING.search(sentence)
    chain: list[Source] = []
    if according:
        relay, _ = _relay_phrases()
        phrase = re.sub(r"\s+and\s*$", "", relay.sub("", according.group(1)).strip())
        chain = parse_chain(phrase, offset=offset + according.start(1), mentions=mentions)
    blank = according.span() if chain else (0, 0)
    speech = _speech_attribution(sentence, offset, mentions, blank=blank)
    if speech and chain:
        # "The memo, per the account by The Post, said that ...": the subject is innermost.
        speech.chain += [s for s in chain if s not in speech.chain]
        speech.exclude.append(blank)
        return speech
    if chain:
        before, after = sentence[: according.start()], sentence[according.end():]
        content = _content(sentence, 0, according.start()) if len(before.strip()) > len(after.strip()) \
            else _content(sentence, according.end(), len(sentence))
        return Attribution(chain, content, exclude=[according.span()])
    return speech


def _speech_attribution(sentence: str, offset: int, mentions: list[Mention], *,
                        blank: tuple[int, int] = (0, 0)) -> Attribution | None:
    """"X said ...", "..., said X", "X told Reuters"; ``blank`` is a span left out of the subject."""
    sentence = blank_spans(sentence, [blank])
    for verb in _speech_verbs().finditer(sentence):
        before = sentence[: verb.start()].rstrip()
        after = sentence[verb.end():]
        if (before.endswith((",", "”", "\"")) or not before) and not _THAT.match(after):
            # Inverted: "..., said Roozbeh Aliabadi, an Iranian consultant." / "“...,” he said."
            source = parse_source(after.strip(" ."), offset=offset + verb.end(), mentions=mentions)
            if source is not None:
                quote = _QUOTE.search(before)
                content = (quote.start(1), quote.end(1)) if quote else _content(sentence, 0, len(before))
                return Attribution([source], content, quote=bool(quote), exclude=[(verb.start(), len(sentence))],
                                   verb=verb.group())
            if not before:
                continue
            # Not inverted after all: "Beni Sabti, a former official who ..., said X would ..."
        subject_start = max(before.rfind("”") + 1, before.rfind(";") + 1, 0)
        subject = re.sub(r",\s+(?=,)|\s{2,}", " ", before[subject_start:]).strip(" ,")
        if len(subject.split()) > _MAX_SUBJECT_WORDS:
            continue
        tail = before.rfind(",") + 1
        if tail > subject_start and 0 < len(before[tail:].split()) <= _MAX_TAIL_WORDS:
            # "Police fired on crowds, the opposition said.": the speaker is the last comma-separated part.
            speaker = parse_source(before[tail:], offset=offset + tail, mentions=mentions)
            if speaker is not None:
                return Attribution([speaker], _content(sentence, 0, tail), exclude=[(tail, verb.end())], verb=verb.group())
        source = parse_source(subject, offset=offset + subject_start, mentions=mentions)
        if source is None:
            continue
        chain = [source]
        listener_end = verb.end()
        if verb.group() in ("told", "tells"):
            listener = re.match(r"\s+((?:the\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)", after)
            if listener and outlet_name(listener.group(1)):
                chain.append(parse_source(listener.group(1)))
                listener_end += listener.end()
        quote = _QUOTE.search(after)
        rest = sentence[listener_end:]
        quoted_before = _QUOTE.search(before[:subject_start]) if not rest.strip(" .") else None
        if quoted_before:  # "“...,” he said."
            content, is_quote = (quoted_before.start(1), quoted_before.end(1)), True
        elif quote and quote.start() < 3:
            content, is_quote = (verb.end() + quote.start(1), verb.end() + quote.end(1)), True
        else:
            content, is_quote = _content(sentence, listener_end, len(sentence)), False
        return Attribution(chain, content, quote=is_quote, exclude=[(subject_start, listener_end)], verb=verb.group())
    return None


class ChainBuilder:
    """Document-level completion of attribution chains (see the module docstring)."""

    def __init__(self, outlet: Source):
        self.outlet = outlet
        self.last_speaker: Source | None = None
        self.documents: dict[str, Source] = {}
        self.anonymous_by_outlet: list[tuple[Source, str]] = []
        self.relayed: set[str] = set()

    def observe(self, sentence: str, attribution: Attribution | None) -> Attribution | None:
        """Resolve pronouns and definite references in ``attribution`` and remember what the
        sentence tells about sources (relays, anonymous sources quoted by an outlet)."""
        relay, _ = _relay_phrases()
        if relay.search(sentence) and attribution:
            self.relayed.update(s.text for s in attribution.chain if s.kind == "outlet")
        if attribution is None:
            return None
        chain = []
        for source in attribution.chain:
            if source.kind == "unknown" and source.text.lower() in ("he", "she", "they") and self.last_speaker:
                source = self.last_speaker
            if source.kind == "document":
                noun = head_noun(source)
                if source.text.lower().startswith("the ") and noun in self.documents:
                    source = self.documents[noun]
                self.documents.setdefault(noun, source)
            chain.append(source)
        if chain and chain[0].kind in ("person", "official"):
            self.last_speaker = chain[0]
        outlets = [s.text for s in chain if s.kind == "outlet"]
        if chain and chain[0].anonymous and outlets:
            self.anonymous_by_outlet.append((chain[0], outlets[0]))
        attribution.chain = chain
        return attribution

    def complete(self, chain: list[Source], *, block: list[Source] = ()) -> tuple[Source, ...]:
        """The full chain: innermost sources found elsewhere, relays, block source, this outlet."""
        full: list[Source] = []
        outlets_in_chain = {s.text for s in chain if s.kind == "outlet"}
        for source in chain:
            if source.kind == "document":
                for anonymous, outlet in self.anonymous_by_outlet:
                    if outlet in outlets_in_chain and modifiers(anonymous) & modifiers(source) and anonymous not in full:
                        full.append(anonymous)
            if source not in full:
                full.append(source)
            if source.kind == "outlet" and source.text in self.relayed:
                full.append(Source(text=_relay_phrases()[1], kind="outlet"))
        full.extend(s for s in block if s not in full)
        if self.outlet not in full:
            full.append(self.outlet)
        return tuple(full)
