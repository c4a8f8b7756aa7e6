"""``tokenizable(text)``: the text the reader's tokenizer sees, the same length as the text.

spaCy's tokenizer strips prefixes and suffixes from each whitespace-free chunk one at a time,
and every suffix search scans the whole remaining chunk, so a chunk made of many affixes (10,000
``%``, emoji, ``)``, ``'s's's``...) costs time quadratic in its length: 10,000 ``%`` took 35 s;
one long run of whitespace is slow too (4 s for a million spaces). Two rules make the cost
linear. They replace characters and never insert or delete one, so every offset into the
tokenizer's text is an offset into the document body (the components read ``Document.body``;
only the token boundaries change):

* a run of more than ``MAX_SYMBOL_RUN`` characters that are not letters or digits (whitespace
  included: ``% % % %`` is one run) keeps its first ``MAX_SYMBOL_RUN`` characters; the rest
  becomes ``FILLER`` (spaces with an ``_`` every 64th character: one short token each, no
  sentence end, no line break). Prose has no such runs (``."\n\n`` is four characters); rules,
  emoji walls, Zalgo text and padding do, and nothing is read from them.
* a whitespace-free chunk longer than ``MAX_CHUNK`` characters (a URL, a CJK paragraph, a word
  glued to thousands of affixes) gets a space after every ``MAX_CHUNK`` characters.
"""

from __future__ import annotations

import re

#: Longest run of non-word characters (whitespace included) passed on whole.
MAX_SYMBOL_RUN = 12
#: Longest whitespace-free chunk passed on whole.
MAX_CHUNK = 200
FILLER = " " * 63 + "_"

_SYMBOL_RUN = re.compile(r"[\W_]{%d,}" % (MAX_SYMBOL_RUN + 1))
_LONG_CHUNK = re.compile(r"(\S{%d})\S" % MAX_CHUNK)


def _blank_symbols(match: re.Match) -> str:
    run = match.group()
    tail = len(run) - MAX_SYMBOL_RUN
    return run[:MAX_SYMBOL_RUN] + (FILLER * (tail // len(FILLER) + 1))[:tail]


def tokenizable(text: str) -> str:
    """``text`` with long symbol runs blanked and long chunks split (same length)."""
    return _LONG_CHUNK.sub(r"\1 ", _SYMBOL_RUN.sub(_blank_symbols, text))
