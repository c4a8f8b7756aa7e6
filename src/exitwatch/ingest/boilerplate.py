"""Boilerplate removal on extracted text: pitches, footers, prompts (patterns in data/boilerplate.toml).

Works paragraph by paragraph (a paragraph is a non-empty line). Three rules, in order:

1. Any run of matching paragraphs at the very end is one trailing block.
2. A ``tail`` pattern (an editor's note, "originally published") starts a trailing block that
   runs to the end when it is at most ``tail_chars`` long, even if its later lines match nothing:
   a pitch after an editor's note is still a pitch.
3. Other matching ``paragraph`` patterns are removed where they stand.

Each removal is a ``RemovedSpan`` with offsets into the text given (before removal).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from exitwatch.records import RemovedSpan

_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class BoilerplatePattern:
    """One rule from the data file: ``reason``, compiled ``regex``, ``max_words``, ``scope``."""

    reason: str
    regex: re.Pattern
    max_words: int
    scope: str


@dataclass(frozen=True)
class BoilerplateRules:
    """All rules: ``patterns`` and ``tail_chars`` (longest trailing block a tail pattern may cut)."""

    patterns: tuple[BoilerplatePattern, ...]
    tail_chars: int

    def match(self, paragraph: str) -> BoilerplatePattern | None:
        words = len(paragraph.split())
        for pattern in self.patterns:
            if words <= pattern.max_words and pattern.regex.search(paragraph.strip()):
                return pattern
        return None


@lru_cache(maxsize=1)
def load_rules() -> BoilerplateRules:
    """The rules in ``exitwatch/ingest/data/boilerplate.toml``."""
    data = tomllib.loads(resources.files("exitwatch.ingest").joinpath("data/boilerplate.toml").read_text("utf-8"))
    patterns = tuple(
        BoilerplatePattern(p["reason"], re.compile(p["regex"], re.IGNORECASE), int(p["max_words"]), p["scope"])
        for p in data["pattern"]
    )
    return BoilerplateRules(patterns=patterns, tail_chars=int(data["tail_chars"]))


def find_boilerplate(text: str, rules: BoilerplateRules | None = None) -> tuple[RemovedSpan, ...]:
    """The boilerplate spans of ``text``, in order, without overlaps."""
    rules = rules or load_rules()
    paragraphs = [(m.start(), m.end(), m.group()) for m in _PARAGRAPH.finditer(text) if m.group().strip()]
    matches = [rules.match(p[2]) for p in paragraphs]

    block = len(paragraphs)
    while block > 0 and matches[block - 1] is not None:
        block -= 1
    for i, pattern in enumerate(matches[:block]):
        if pattern is not None and pattern.scope == "tail" and len(text) - paragraphs[i][0] <= rules.tail_chars:
            block = i
            break
    if block == 0:
        block = len(paragraphs)  # never remove the whole text: it is all "boilerplate" only by accident

    spans = [
        RemovedSpan(start, end, piece, pattern.reason)
        for (start, end, piece), pattern in zip(paragraphs[:block], matches[:block])
        if pattern is not None and pattern.scope == "paragraph"
    ]
    if block < len(paragraphs):
        start = paragraphs[block][0]
        end = len(text.rstrip())
        spans.append(RemovedSpan(start, end, text[start:end], matches[block].reason))
    return tuple(spans)


def remove_spans(text: str, spans: tuple[RemovedSpan, ...]) -> str:
    """``text`` without ``spans``, blank-line runs collapsed, stripped."""
    pieces, position = [], 0
    for span in spans:
        pieces.append(text[position : span.start])
        position = span.end
    pieces.append(text[position:])
    return re.sub(r"\n{3,}", "\n\n", "".join(pieces)).strip()
