"""One date parser for dates users give (``exitwatch.dates.parse_user_date``): the CLI's
``--published``, ``--as-of`` and ``--end`` accept and refuse the same things."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.dates import parse_date, parse_user_date
from exitwatch.errors import InputError


def test_user_dates_are_yyyy_mm_dd():
    assert parse_user_date("2026-01-06") == dt.date(2026, 1, 6)
    assert parse_user_date(dt.datetime(2026, 1, 6, 10, 30)) == dt.date(2026, 1, 6)
    assert parse_user_date(None) is None
    for text in ("2026/01/06", "20260106", "6 January 2026", "2026-01-06T10:00", "2026-02-30"):
        with pytest.raises(InputError, match="YYYY-MM-DD"):
            parse_user_date(text, what="--published")


def test_dates_in_data_are_read_leniently():
    assert parse_date("Tue, 06 Jan 2026 10:00:00 GMT") == dt.date(2026, 1, 6)
    assert parse_date("2026-01-06T10:00:00Z") == dt.date(2026, 1, 6)
    assert parse_date("not a date") is None and parse_date("") is None


@pytest.mark.parametrize("args", [
    ["read", "{article}", "--published", "2026/01/06"],
    ["forecast", "IRN", "--as-of", "2026/01/06"],
    ["indicators", "IRN", "--end", "2026/01/06"],
])
def test_every_date_option_refuses_the_same_way(args, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Protesters marched in Tehran on Monday.", encoding="utf-8")
    result = CliRunner().invoke(main, [a.format(article=article) for a in args])
    assert result.exit_code == 2
    assert "'2026/01/06' is not a date; give it as YYYY-MM-DD" in result.output
