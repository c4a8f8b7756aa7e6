"""Dates given to exitwatch: the one parser for dates found in data, and the one for dates a
user gives as an option (CLI ``--published``/``--as-of``/``--end``, API queries, library
arguments). Dates written inside a text ("in June") are the reader's (``read/dates.py``)."""

from __future__ import annotations

import datetime as dt

from dateutil import parser as date_parser

from exitwatch.errors import InputError

#: How a user writes a date.
DATE_FORMAT = "YYYY-MM-DD"


def parse_date(value: dt.date | str | None) -> dt.date | None:
    """A date from data: a date, datetime (pandas Timestamp included), ISO string or free-form
    date text ("Tue, 06 Jan 2026 10:00:00 GMT"); None when missing or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return date_parser.parse(text).date()
    except (ValueError, OverflowError, TypeError):
        return None


def parse_user_date(value: dt.date | str | None, *, what: str = "date") -> dt.date | None:
    """A date a user gave: a date, or text in ``DATE_FORMAT``; None stays None. Raises InputError
    naming ``what`` (e.g. "--published") for anything else, "2026/01/06" included."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = str(value).strip()
    try:
        if len(text) != len(DATE_FORMAT):  # fromisoformat also takes "20260106" and times
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise InputError(what, f"{value!r} is not a date; give it as {DATE_FORMAT}") from e
