"""Attribution of evidence to countries, scored on a labelled set: for each short sentence, the
countries whose indicator it should feed and those it should not (destinations, hosts, foreign
actors, the fallen ruler's own country, places named in passing). ``samples/attribution.toml``
holds the set; ``benchmarks/attribution.py`` prints the table.

A sentence feeds a country's indicator when the matcher finds evidence of positive weight for it
in the sentence's reading (the same rules ``compute_indicators`` applies to stored rows).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass

from exitwatch.indicators.definitions import Definitions, load_definitions
from exitwatch.indicators.matching import Matcher
from exitwatch.indicators.samples import samples_path
from exitwatch.records import Reading, Record


@dataclass(frozen=True)
class AttributionCase(Record):
    """One labelled sentence: ``text``, ``indicator``, ``feeds`` and ``not_feeds`` (ISO3 tuples)."""

    text: str
    indicator: str
    feeds: tuple[str, ...]
    not_feeds: tuple[str, ...]


@dataclass(frozen=True)
class AttributionScore(Record):
    """Country attribution of one indicator (or ``all``): true and false positives, false
    negatives and true negatives over the labelled countries, ``precision``, ``recall``, and
    ``errors`` (sentence, country, "missed" or "wrongly fed")."""

    indicator: str
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float | None
    recall: float | None
    errors: tuple[tuple[str, str, str], ...] = ()


def attribution_cases() -> list[AttributionCase]:
    """The labelled set in ``samples/attribution.toml``."""
    raw = tomllib.loads((samples_path().parent / "attribution.toml").read_text(encoding="utf-8"))
    return [AttributionCase(c["text"], c["indicator"], tuple(c["feeds"]), tuple(c["not"])) for c in raw["case"]]


def _fed(reading: Reading, indicator: str, country: str, definitions: Definitions) -> bool:
    return any(m.indicator == indicator and m.weight > 0 for m in Matcher(definitions, country).matches(reading))


def _score(indicator: str, outcomes: list[tuple[AttributionCase, str, bool, bool]]) -> AttributionScore:
    tp = sum(1 for _, _, want, got in outcomes if want and got)
    fp = sum(1 for _, _, want, got in outcomes if not want and got)
    fn = sum(1 for _, _, want, got in outcomes if want and not got)
    tn = sum(1 for _, _, want, got in outcomes if not want and not got)
    errors = tuple((case.text, country, "missed" if want else "wrongly fed")
                   for case, country, want, got in outcomes if want != got)
    return AttributionScore(indicator, tp, fp, fn, tn, round(tp / (tp + fp), 3) if tp + fp else None,
                            round(tp / (tp + fn), 3) if tp + fn else None, errors)


def score_attribution(read: Callable[[str], Reading], definitions: Definitions | None = None) -> list[AttributionScore]:
    """Precision and recall of country attribution per indicator (and ``all``) on the labelled
    set, each sentence read by ``read`` (text -> Reading: the reader users get, e.g.
    ``lambda t: read_text(t, outlet="Test", published="2026-01-20")``)."""
    definitions = definitions or load_definitions()
    outcomes: dict[str, list] = {}
    for case in attribution_cases():
        reading = read(case.text)
        for country, want in [(c, True) for c in case.feeds] + [(c, False) for c in case.not_feeds]:
            outcomes.setdefault(case.indicator, []).append(
                (case, country, want, _fed(reading, case.indicator, country, definitions)))
    scores = [_score(name, outcomes[name]) for name in definitions.names() if name in outcomes]
    return scores + [_score("all", [o for name in outcomes for o in outcomes[name]])]
