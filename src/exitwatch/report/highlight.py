"""The document page's article view: the original text rebuilt from the clean body and the removed
boilerplate, cut into segments that say which events and claims cover each piece.

Removed spans carry offsets in the text before removal; events and claims carry offsets in the
clean body. ``segments`` walks both at once, so a template only loops and colours.
"""

from __future__ import annotations

from dataclasses import dataclass

from exitwatch.records import Reading


@dataclass(frozen=True)
class Segment:
    """A piece of the article: ``text``; ``removed`` (the boilerplate reason, or None for body
    text); ``events`` and ``claims`` (indexes into the reading's events and claims covering it)."""

    text: str
    removed: str | None = None
    events: tuple[int, ...] = ()
    claims: tuple[int, ...] = ()


def _body_segments(reading: Reading, start: int, end: int) -> list[Segment]:
    """Body text from ``start`` to ``end`` cut at every event and claim boundary."""
    spans = [("e", n, e.span) for n, e in enumerate(reading.events)] + [
        ("c", n, c.span) for n, c in enumerate(reading.claims)
    ]
    cuts = {start, end} | {p for _, _, span in spans for p in span if start < p < end}
    ordered = sorted(cuts)
    out = []
    for a, b in zip(ordered, ordered[1:]):
        covering = [(kind, n) for kind, n, (s, e) in spans if s <= a and b <= e and s < e]
        out.append(Segment(
            text=reading.document.body[a:b],
            events=tuple(n for kind, n in covering if kind == "e"),
            claims=tuple(n for kind, n in covering if kind == "c"),
        ))
    return out


def segments(reading: Reading) -> list[Segment]:
    """The article as segments in reading order: body pieces (with the events and claims that
    cover them) and the removed boilerplate spans where they stood."""
    body = reading.document.body
    out: list[Segment] = []
    cursor = 0  # position in the clean body
    removed_before = 0  # characters of boilerplate before the cursor
    for span in sorted(reading.document.removed, key=lambda s: s.start):
        at = max(cursor, min(len(body), span.start - removed_before))
        out.extend(_body_segments(reading, cursor, at))
        out.append(Segment(text=span.text, removed=span.reason))
        cursor = at
        removed_before += span.end - span.start
    out.extend(_body_segments(reading, cursor, len(body)))
    return [s for s in out if s.text]
