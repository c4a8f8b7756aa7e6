"""Factors from data where data exists: how often each indicator was lit in the months before the
irregular exits that the store's news covers, against the other months the news covers.

For every (country, month) in which stored news names the country, the indicators are computed
as of the country's last news day in that month, with monthly windows; the month counts as "before an exit" when the
country had an irregular exit (``exitwatch.forecast.history.recent_irregular_exits``: the table of
exits after Archigos) in the ``months_before`` months that follow. A workflow over the store,
the indicators and the forecast stage's exit table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exitwatch.errors import UnknownCountryError
from exitwatch.forecast.history import recent_irregular_exits
from exitwatch.indicators import compute_indicators, load_definitions
from exitwatch.records import Record


@dataclass(frozen=True)
class FactorEvidence(Record):
    """One indicator's record in the stored news: ``lit_before_exit`` of ``months_before_exit``
    country-months that preceded an irregular exit, ``lit_other`` of ``months_other`` other
    country-months, and ``ratio`` (the lit rate before exits over the rate in other months; None
    when either side has no lit month or no month at all: then the factor stays judgement)."""

    indicator: str
    lit_before_exit: int
    months_before_exit: int
    lit_other: int
    months_other: int
    ratio: float | None


def _month_end(first: dt.date) -> dt.date:
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _months_apart(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def factor_evidence(store, *, months_before: int = 6, definitions=None) -> list[FactorEvidence]:
    """Per indicator: how often it was lit before the irregular exits the store's news covers,
    and in the other months (with the sample sizes)."""
    defs = definitions or load_definitions()
    exits: dict[str, list[dt.date]] = {}
    for row in recent_irregular_exits().itertuples():
        exits.setdefault(row.country_iso3, []).append(row.month.to_timestamp().date())
    counts = {name: [0, 0, 0, 0] for name in defs.names()}  # lit before, months before, lit other, months other
    for iso3, month, _ in store.news_months():
        last = max(d["date"] for d in store.country_documents(iso3, since=month, until=_month_end(month)))
        try:
            report = compute_indicators(store, iso3, period="month", end=last, definitions=defs)
        except UnknownCountryError:
            continue
        before = any(0 < _months_apart(month, e) <= months_before for e in exits.get(iso3, ()))
        for result in report.indicators:
            c = counts[result.name]
            c[0 if before else 2] += result.lit
            c[1 if before else 3] += 1
    out = []
    for name, (lit_b, n_b, lit_o, n_o) in counts.items():
        ratio = (lit_b / n_b) / (lit_o / n_o) if n_b and n_o and lit_b and lit_o else None
        out.append(FactorEvidence(name, lit_b, n_b, lit_o, n_o, round(ratio, 3) if ratio is not None else None))
    return out
