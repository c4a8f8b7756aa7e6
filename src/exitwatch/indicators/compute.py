"""``compute_indicators``: stored readings about a country -> weighted series, baseline, lit state
and evidence of every indicator.

Score of a period = sum over independent documents (near-copies merged into their first copy) of
the heaviest matching sentence of that document, further documents of an outlet that already
counted in the period weighing ``same_outlet`` (0.5) as much. Baseline = mean score of the ``baseline_periods``
periods before the current one. Lit when score - baseline >= threshold.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict

from exitwatch.dates import parse_user_date
from exitwatch.errors import ConfigError
from exitwatch.indicators.definitions import PERIODS, Definitions, IndicatorDef, load_definitions
from exitwatch.indicators.matching import Match, Matcher, country_words
from exitwatch.indicators.records import Evidence, IndicatorReport, IndicatorResult
from exitwatch.kb import resolve_country
from exitwatch.store import Store

#: Evidence items kept per indicator.
MAX_EVIDENCE = 5


def period_start(day: dt.date, period: str) -> dt.date:
    """First day of the ``period`` (day / week from Monday / month) that contains ``day``."""
    if period == "day":
        return day
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ConfigError(f"unknown period {period!r}; choose one of {', '.join(PERIODS)}")


def shift_period(start: dt.date, period: str, n: int) -> dt.date:
    """The start of the period ``n`` periods after (negative: before) the one starting at ``start``."""
    if period == "day":
        return start + dt.timedelta(days=n)
    if period == "week":
        return start + dt.timedelta(weeks=n)
    months = start.year * 12 + start.month - 1 + n
    return dt.date(months // 12, months % 12 + 1, 1)


def _definitions(definitions: Definitions | str | os.PathLike | None) -> Definitions:
    if isinstance(definitions, Definitions):
        return definitions
    return load_definitions(str(definitions) if definitions else None)


def compute_indicators(
    store,
    country: str,
    *,
    period: str = "week",
    end: dt.date | str | None = None,
    definitions: Definitions | str | os.PathLike | None = None,
) -> IndicatorReport:
    """Every indicator of ``country`` (ISO3, name or GW number) over the documents in ``store``.

    ``period``: day, week or month. ``end``: the last day covered (default: the latest
    publication date among the country's documents; undated documents count as of ``end``).
    ``definitions``: a Definitions record or a TOML file in the format of
    ``indicators/data/indicators.toml`` (default: the packaged one).
    """
    iso3 = resolve_country(country).iso3
    defs = _definitions(definitions)
    if period not in PERIODS:
        raise ConfigError(f"unknown period {period!r}; choose one of {', '.join(PERIODS)}")
    words = list(country_words(iso3))
    end = parse_user_date(end, what="end") or store.latest_country_date(iso3, words) or dt.date.today()
    current = period_start(end, period)
    longest = max(d.baseline_periods for d in defs.indicators)
    first = shift_period(current, period, -longest)
    docs = store.country_documents(iso3, words, since=first, until=end)
    readings = store.readings_of([d["id"] for d in docs])
    matcher = Matcher(defs, iso3)
    by_indicator: dict[str, list[Evidence]] = defaultdict(list)
    cluster_of: dict[str, str] = {}
    for doc in docs:
        reading = readings.get(doc["id"])
        if reading is None:
            continue
        cluster_of[doc["id"]] = doc["canonical"]
        for match in matcher.matches(reading):
            by_indicator[match.indicator].append(_evidence(match, doc, end))
    results = tuple(
        _result(d, by_indicator[d.name], cluster_of, period, current, defs.same_outlet) for d in defs.indicators
    )
    return IndicatorReport(country_iso3=iso3, period=period, end=end, period_start=current,
                           documents=len(readings), indicators=results, definitions=defs.source)


def _evidence(match: Match, doc: dict, end: dt.date) -> Evidence:
    return Evidence(
        doc_id=match.sentence.doc_id,
        sentence_index=match.sentence.index,
        text=match.sentence.text,
        outlet=doc["outlet"],
        date=doc["published"] or end,
        attribution=match.attribution,
        modality=match.modality,
        weight=round(match.weight, 4),
        matched=match.matched,
        copies=tuple(doc["copies"] or ()),
    )


def _scores(evidence: list[Evidence], cluster_of: dict[str, str], period: str, same_outlet: float) -> dict[dt.date, float]:
    """Score per period start: each document cluster counts with its heaviest sentence; within an
    outlet, documents after the heaviest count ``same_outlet`` times their weight."""
    best: dict[tuple[dt.date, str], tuple[float, str]] = {}
    for item in evidence:
        cluster = cluster_of.get(item.doc_id, item.doc_id)
        key = (period_start(item.date, period), cluster)
        if key not in best or item.weight > best[key][0]:
            best[key] = (item.weight, item.outlet or cluster)  # unknown outlet: the document stands alone
    by_outlet: dict[tuple[dt.date, str], list[float]] = defaultdict(list)
    for (start, _), (weight, outlet) in best.items():
        by_outlet[(start, outlet)].append(weight)
    scores: dict[dt.date, float] = defaultdict(float)
    for (start, _), weights in by_outlet.items():
        weights.sort(reverse=True)
        scores[start] += weights[0] + same_outlet * sum(weights[1:])
    return scores


def baseline_and_lit(values: list[float], position: int, definition: IndicatorDef) -> tuple[float, bool]:
    """The lit rule for the period at ``position`` of a score series: the baseline is the mean
    score of the ``baseline_periods`` periods before it, and the period is lit when its score
    minus the baseline reaches the threshold."""
    earlier = values[max(0, position - definition.baseline_periods):position]
    baseline = round(sum(earlier) / len(earlier), 4) if earlier else 0.0
    return baseline, values[position] - baseline >= definition.threshold - 1e-9


def _result(definition: IndicatorDef, evidence: list[Evidence], cluster_of: dict[str, str],
            period: str, current: dt.date, same_outlet: float) -> IndicatorResult:
    starts = [shift_period(current, period, -n) for n in range(definition.baseline_periods, -1, -1)]
    scores = _scores(evidence, cluster_of, period, same_outlet)
    series = {s.isoformat(): round(scores.get(s, 0.0), 4) for s in starts}
    values = list(series.values())
    score = values[-1]
    baseline, lit = baseline_and_lit(values, len(values) - 1, definition)
    now = sorted((e for e in evidence if period_start(e.date, period) == current),
                 key=lambda e: (-e.weight, e.doc_id, e.sentence_index))
    feeding = [e for e in now if e.weight > 0]
    return IndicatorResult(
        name=definition.name,
        title=definition.title,
        description=definition.description,
        aggregation=definition.aggregation,
        series=series,
        value=round(score - baseline if definition.aggregation == "growth" else score, 4),
        score=score,
        baseline=baseline,
        threshold=definition.threshold,
        lit=lit,
        documents=len({cluster_of.get(e.doc_id, e.doc_id) for e in feeding}),
        outlets=len({e.outlet for e in feeding if e.outlet}),
        evidence=tuple(now[:MAX_EVIDENCE]),
        factor=definition.factor,
    )


def compute_indicators_parquet(parquet_dir: str | os.PathLike, country: str, **options) -> IndicatorReport:
    """``compute_indicators`` over Parquet files with the store's schema (``<table>.parquet`` or
    ``<table>/*.parquet``, as written by ``exitwatch export-parquet`` and the Dask path), loaded
    into a throw-away in-memory store. ``options`` as for ``compute_indicators``."""
    with Store(":memory:") as store:
        store.import_parquet(parquet_dir)
        return compute_indicators(store, country, **options)
