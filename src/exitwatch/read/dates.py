"""Date expressions in a sentence, resolved against the publication date.

Absolute dates ("3 January 2026", "January 3", "2019") go through dateutil; relative ones ("in
June", "last week", "on Tuesday", "yesterday", "days after") are resolved against ``published``
when there is one — "in June" is the latest June not after publication; "days after" / "weeks later"
is the publication date (the news of the day) and "days ago" / "weeks earlier" a few days / two
weeks / three months before it (approximations). The expression itself is always kept
(``date_text``), also when it cannot be resolved.
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"

_PATTERNS = [
    ("absolute", re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+\d{{4}}\b")),
    ("absolute", re.compile(rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b")),
    ("absolute", re.compile(r"\b\d{4}-\d{2}-\d{2}\b")),
    ("month_day", re.compile(rf"\b(?:on\s+)?{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b")),
    ("day_month", re.compile(rf"\b(?:on\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\b")),
    ("month_year", re.compile(rf"\b(?:in\s+)?{_MONTH}\s+\d{{4}}\b")),
    ("month", re.compile(rf"\b(?:in|since|until|by|last|this|early|late|mid-)\s*{_MONTH}\b")),
    ("weekday", re.compile(r"\b(?:on|last|this|since|by)\s+(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("relative", re.compile(r"\b(?:yesterday|today|tonight|last night|this morning|last week|last month|last year|this week|this year|next week|next month|next year)\b", re.IGNORECASE)),
    ("vague", re.compile(r"\b(?:days|weeks|months|hours) (?:after|before|earlier|later|ago)\b", re.IGNORECASE)),
    ("year", re.compile(r"\b(?:in|since|by|until)\s+((?:19|20)\d{2})\b")),
]

_RELATIVE = {
    "yesterday": relativedelta(days=-1), "today": relativedelta(), "tonight": relativedelta(),
    "last night": relativedelta(days=-1), "this morning": relativedelta(), "last week": relativedelta(weeks=-1),
    "last month": relativedelta(months=-1), "last year": relativedelta(years=-1), "this week": relativedelta(),
    "this year": relativedelta(), "next week": relativedelta(weeks=1), "next month": relativedelta(months=1),
    "next year": relativedelta(years=1),
}


#: How far back "days ago", "weeks earlier", ... put an event (an approximation: the expression is kept).
_VAGUE_BACK = {"hours": relativedelta(), "days": relativedelta(days=3), "weeks": relativedelta(weeks=2),
               "months": relativedelta(months=3)}


def _month_number(text: str) -> int:
    word = re.search(_MONTH, text).group().lower()[:3]
    return [m[:3] for m in MONTHS].index(word) + 1


def _resolve(kind: str, text: str, match: re.Match[str], published: dt.date | None) -> dt.date | None:
    if kind == "absolute":
        return date_parser.parse(text, fuzzy=True).date()
    if kind == "year":
        return dt.date(int(match.group(1)), 1, 1)
    if published is None:
        return None
    if kind in ("month_day", "day_month"):
        day = int(re.search(r"\d{1,2}", text).group())
        month = _month_number(text)
        candidate = dt.date(published.year, month, min(day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31))
        return candidate if candidate <= published else candidate - relativedelta(years=1)
    if kind == "month_year":
        return dt.date(int(re.search(r"\d{4}", text).group()), _month_number(text), 1)
    if kind == "month":
        candidate = dt.date(published.year, _month_number(text), 1)
        return candidate if candidate <= published else candidate - relativedelta(years=1)
    if kind == "weekday":
        target = WEEKDAYS.index(match.group(1).lower())
        back = (published.weekday() - target) % 7 or 7
        return published - dt.timedelta(days=back)
    if kind == "relative":
        return published + _RELATIVE[text.lower()]
    unit, direction = text.lower().split()
    if direction in ("after", "later"):
        return published  # "days after X, Y happened": Y is the news of the day
    return published - _VAGUE_BACK[unit]


def find_date(sentence: str, published: dt.date | None) -> tuple[dt.date | None, str | None]:
    """The first date expression in ``sentence``: (resolved date or None, expression or None)."""
    found = [(m, kind) for kind, pattern in _PATTERNS if (m := pattern.search(sentence))]
    if not found:
        return None, None
    first = min(found, key=lambda f: f[0].start())[0]
    # Among matches overlapping the first, the longest ("on 3 March 2024", not "on 3 March").
    match, kind = max((f for f in found if f[0].start() < first.end()), key=lambda f: f[0].end() - f[0].start())
    text = match.group()
    try:
        return _resolve(kind, text, match, published), text
    except (ValueError, OverflowError):
        return None, text
