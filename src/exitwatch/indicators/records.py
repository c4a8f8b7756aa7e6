"""Records of the indicators stage (frozen dataclasses; ``to_dict()`` gives their JSON form)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exitwatch.records import Record


@dataclass(frozen=True)
class Evidence(Record):
    """One sentence that feeds an indicator.

    Fields: ``doc_id``, ``sentence_index``, ``text`` (the sentence), ``outlet``, ``date`` (the
    document's publication date, or the report's end date for undated documents), ``attribution``
    (source texts, innermost first, the outlet last), ``modality``, ``weight`` (modality weight x
    match weight), ``matched`` (``event:TYPE/mode`` or ``cue:words``), ``copies`` (outlets of
    near-copies of the document, counted once with it), ``faded`` (the weight after fading with
    its age, as scored).
    """

    doc_id: str
    sentence_index: int
    text: str
    outlet: str | None
    date: dt.date | None
    attribution: tuple[str, ...]
    modality: str
    weight: float
    matched: str
    copies: tuple[str, ...] = ()
    faded: float = 0.0


@dataclass(frozen=True)
class IndicatorResult(Record):
    """The state of one indicator for one country.

    Fields: ``name``, ``title``, ``description``, ``aggregation``, ``series`` (ISO period start ->
    score, oldest first, the current period last), ``value`` (the current score for ``count``
    indicators, the score minus the baseline for ``growth`` ones), ``score`` (current period),
    ``baseline`` (mean score of the earlier periods of the window), ``threshold``, ``lit``
    (score - baseline >= threshold), ``documents`` (independent documents feeding the current
    period), ``outlets`` (distinct outlets among them), ``evidence`` (current period, best first),
    ``factor`` (likelihood ratio applied by the news-updated forecast when lit),
    ``half_life_days`` (evidence weight halves every so many days).
    """

    name: str
    title: str
    description: str
    aggregation: str
    series: dict[str, float]
    value: float
    score: float
    baseline: float
    threshold: float
    lit: bool
    documents: int
    outlets: int
    evidence: tuple[Evidence, ...]
    factor: float
    half_life_days: float = 0.0


@dataclass(frozen=True)
class IndicatorReport(Record):
    """Every indicator of one country.

    Fields: ``country_iso3``, ``period`` (day / week / month), ``end`` (last day covered),
    ``period_start`` (first day of the current period), ``documents`` (documents about the
    country in the window, baseline included), ``recent_documents`` (those in the current
    period: none means "no recent news"), ``indicators`` (IndicatorResult tuple, definition
    order), ``definitions`` (the file the definitions came from).
    """

    country_iso3: str
    period: str
    end: dt.date | None
    period_start: dt.date | None
    documents: int
    indicators: tuple[IndicatorResult, ...]
    definitions: str = ""
    recent_documents: int = 0

    @property
    def lit(self) -> tuple[IndicatorResult, ...]:
        """The lit indicators."""
        return tuple(i for i in self.indicators if i.lit)

    def get(self, name: str) -> IndicatorResult:
        """The result of indicator ``name`` (KeyError when there is none)."""
        for result in self.indicators:
            if result.name == name:
                return result
        raise KeyError(name)
