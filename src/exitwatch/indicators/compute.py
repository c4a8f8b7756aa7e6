"""``compute_indicators``: stored readings about a country -> weighted, fading series, baseline,
lit state and evidence of every indicator, as of a forecast date.

Periods are trailing windows that end at the forecast date (``end``): the current one is the
last ``PERIOD_DAYS[period]`` days, the baseline the ``baseline_periods`` windows before it.
Evidence weight = modality weight x match weight x 0.5 ** (age / half-life), its age counted in
days before the end of its window. Score of a window = over the independent sources (a document
cluster, near-copies merged, and within it each origin of the attribution chains), the heaviest
matching sentence of each; within an outlet, sources after the heaviest count ``same_outlet`` as
much. Lit when score - baseline >= threshold. Everything is read from stored rows.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict

from exitwatch.dates import parse_user_date
from exitwatch.errors import ConfigError
from exitwatch.indicators.definitions import PERIOD_DAYS, PERIODS, Definitions, IndicatorDef, load_definitions
from exitwatch.indicators.matching import Match, MatchCache, Matcher
from exitwatch.indicators.records import Evidence, IndicatorReport, IndicatorResult
from exitwatch.kb import resolve_country
from exitwatch.records import replace
from exitwatch.store import Store

#: Evidence items kept per indicator.
MAX_EVIDENCE = 5


def period_start(end: dt.date, period: str) -> dt.date:
    """First day of the ``period`` (day / week = 7 days / month = 30 days) window that ends on ``end``."""
    if period not in PERIODS:
        raise ConfigError(f"unknown period {period!r}; choose one of {', '.join(PERIODS)}")
    return end - dt.timedelta(days=PERIOD_DAYS[period] - 1)


def window_starts(end: dt.date, period: str, earlier: int) -> list[dt.date]:
    """First days of the ``earlier`` windows before the one ending on ``end``, then of that one
    (oldest first)."""
    current = period_start(end, period)
    return [current - dt.timedelta(days=PERIOD_DAYS[period] * n) for n in range(earlier, -1, -1)]


def fade(weight: float, age_days: int, half_life_days: float) -> float:
    """``weight`` after ``age_days`` days with the given half-life (no fading for future dates)."""
    return weight * 0.5 ** (max(age_days, 0) / half_life_days)


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
    matches: MatchCache | None = None,
) -> IndicatorReport:
    """Every indicator of ``country`` (ISO3, name or GW number) from the stored readings in
    ``store``, as of ``end``.

    ``period``: day, week (7 days) or month (30 days), windows ending on ``end``. ``end``: the
    forecast date, the last day of news used (default: the latest news date about the country;
    undated documents are dated by their ingest day). ``definitions``: a Definitions record or a
    TOML file in the format of ``indicators/data/indicators.toml`` (default: the packaged one).
    ``matches``: a MatchCache of earlier calls (only readings not in it are loaded and matched).
    """
    iso3 = resolve_country(country).iso3
    defs = _definitions(definitions)
    if period not in PERIODS:
        raise ConfigError(f"unknown period {period!r}; choose one of {', '.join(PERIODS)}")
    end = parse_user_date(end, what="end") or store.latest_country_date(iso3) or dt.date.today()
    current = period_start(end, period)
    longest = max(d.baseline_periods for d in defs.indicators)
    docs = store.country_documents(iso3, since=window_starts(end, period, longest)[0], until=end)
    matcher = Matcher(defs, iso3)
    found = _matches(store, docs, matcher, matches)
    by_indicator: dict[str, list[Evidence]] = defaultdict(list)
    cluster_of: dict[str, str] = {}
    recent = 0
    for doc in docs:
        if doc["id"] not in found:
            continue
        cluster_of[doc["id"]] = doc["canonical"]
        recent += doc["date"] >= current
        for match in found[doc["id"]]:
            by_indicator[match.indicator].append(_evidence(match, doc))
    results = tuple(
        _result(d, by_indicator[d.name], cluster_of, period, end, defs.same_outlet) for d in defs.indicators
    )
    return IndicatorReport(country_iso3=iso3, period=period, end=end, period_start=current,
                           documents=len(found), recent_documents=recent, indicators=results,
                           definitions=defs.source)


def _matches(store, docs: list[dict], matcher: Matcher, cache: MatchCache | None) -> dict[str, tuple[Match, ...]]:
    """doc id -> the matches of its stored reading (documents without one left out): from
    ``cache`` where it has them, else loaded, matched and kept there."""
    found: dict[str, tuple[Match, ...]] = {}
    missing = []
    for doc in docs:
        kept = cache.get((doc["id"], doc["read_at"], matcher.key)) if cache is not None else None
        if kept is None:
            missing.append(doc)
        else:
            found[doc["id"]] = kept
    readings = store.readings_of([d["id"] for d in missing])
    for doc in missing:
        if (reading := readings.get(doc["id"])) is not None:
            found[doc["id"]] = tuple(matcher.matches(reading))
            if cache is not None:
                cache.put((doc["id"], doc["read_at"], matcher.key), found[doc["id"]])
    return found


def _evidence(match: Match, doc: dict) -> Evidence:
    return Evidence(
        doc_id=match.sentence.doc_id,
        sentence_index=match.sentence.index,
        text=match.sentence.text,
        outlet=doc["outlet"],
        date=doc["date"],
        attribution=match.attribution,
        modality=match.modality,
        weight=round(match.weight, 4),
        matched=match.matched,
        copies=tuple(doc["copies"] or ()),
    )


def _window_of(day: dt.date, starts: list[dt.date], end: dt.date) -> tuple[dt.date, dt.date] | None:
    """(start, last day) of the window of ``starts`` (the last one ends on ``end``) holding ``day``."""
    for n, start in enumerate(starts):
        last = starts[n + 1] - dt.timedelta(days=1) if n + 1 < len(starts) else end
        if start <= day <= last:
            return start, last
    return None


def _scores(evidence: list[Evidence], cluster_of: dict[str, str], starts: list[dt.date], end: dt.date,
            definition: IndicatorDef, same_outlet: float) -> tuple[dict[dt.date, float], dict[tuple, float]]:
    """Score per window start, and each evidence item's faded weight (keyed by doc, sentence,
    origin): each independent source (document cluster, origin of the chain) counts with its
    heaviest sentence; within an outlet, sources after the heaviest count ``same_outlet`` times."""
    best: dict[tuple[dt.date, str, str], tuple[float, str]] = {}
    faded: dict[tuple, float] = {}
    for item in evidence:
        window = _window_of(item.date, starts, end)
        if window is None:
            continue
        weight = fade(item.weight, (window[1] - item.date).days, definition.half_life_days)
        origin = item.attribution[0] if item.attribution else ""
        faded[(item.doc_id, item.sentence_index, origin)] = round(weight, 4)
        key = (window[0], cluster_of.get(item.doc_id, item.doc_id), origin)
        if key not in best or weight > best[key][0]:
            best[key] = (weight, item.outlet or key[1])  # unknown outlet: the document stands alone
    by_outlet: dict[tuple[dt.date, str], list[float]] = defaultdict(list)
    for (start, _, _), (weight, outlet) in best.items():
        by_outlet[(start, outlet)].append(weight)
    scores: dict[dt.date, float] = defaultdict(float)
    for (start, _), weights in by_outlet.items():
        weights.sort(reverse=True)
        scores[start] += weights[0] + same_outlet * sum(weights[1:])
    return scores, faded


def baseline_and_lit(values: list[float], position: int, definition: IndicatorDef) -> tuple[float, bool]:
    """The lit rule for the period at ``position`` of a score series: the baseline is the mean
    score of the ``baseline_periods`` periods before it, and the period is lit when its score
    minus the baseline reaches the threshold."""
    earlier = values[max(0, position - definition.baseline_periods):position]
    baseline = round(sum(earlier) / len(earlier), 4) if earlier else 0.0
    return baseline, values[position] - baseline >= definition.threshold - 1e-9


def _result(definition: IndicatorDef, evidence: list[Evidence], cluster_of: dict[str, str],
            period: str, end: dt.date, same_outlet: float) -> IndicatorResult:
    starts = window_starts(end, period, definition.baseline_periods)
    scores, faded = _scores(evidence, cluster_of, starts, end, definition, same_outlet)
    series = {s.isoformat(): round(scores.get(s, 0.0), 4) for s in starts}
    values = list(series.values())
    score = values[-1]
    baseline, lit = baseline_and_lit(values, len(values) - 1, definition)
    now = sorted((_with_faded(e, faded) for e in evidence if e.date >= starts[-1]),
                 key=lambda e: (-e.faded, e.doc_id, e.sentence_index))
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
        half_life_days=definition.half_life_days,
    )


def _with_faded(item: Evidence, faded: dict[tuple, float]) -> Evidence:
    """``item`` with ``faded`` set to its weight after fading (unchanged when it was not scored)."""
    origin = item.attribution[0] if item.attribution else ""
    return replace(item, faded=faded.get((item.doc_id, item.sentence_index, origin), item.weight))


def compute_indicators_parquet(parquet_dir: str | os.PathLike, country: str, **options) -> IndicatorReport:
    """``compute_indicators`` over Parquet files with the store's schema (``<table>.parquet`` or
    ``<table>/*.parquet``, as written by ``exitwatch export-parquet`` and the Dask path), loaded
    into a throw-away in-memory store. ``options`` as for ``compute_indicators``."""
    with Store(":memory:") as store:
        store.import_parquet(parquet_dir)
        return compute_indicators(store, country, **options)
