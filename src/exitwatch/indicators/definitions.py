"""Indicator definitions: ``data/indicators.toml`` (or a user file in the same format) loaded into
frozen records, checked, with cue patterns compiled per country."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from exitwatch.errors import ConfigError
from exitwatch.read.lexicon import phrase_regex
from exitwatch.records import MODALITIES, Record

DEFINITIONS_FILE = resources.files("exitwatch.indicators") / "data" / "indicators.toml"
AGGREGATIONS = ("count", "growth")
RELEVANCE = ("country", "elsewhere")
DIRECTIONS = ("source", "target", "any", "other")
PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class EventSpec(Record):
    """PLOVER events that feed an indicator: ``event_type``, ``modes`` (empty = any mode),
    ``source_sectors`` (empty = any), ``direction`` (one of ``DIRECTIONS``)."""

    event_type: str
    modes: tuple[str, ...] = ()
    source_sectors: tuple[str, ...] = ()
    direction: str = "any"


@dataclass(frozen=True)
class IndicatorDef(Record):
    """One indicator definition (see the header of ``data/indicators.toml``).

    Fields: ``name``, ``title``, ``description``, ``relevance``, ``events`` (EventSpec tuple),
    ``cues`` (cue phrases), ``modality_weights`` (modality -> weight, defaults merged in),
    ``aggregation``, ``baseline_periods``, ``threshold``, ``factor``, ``factor_source``.
    """

    name: str
    title: str
    description: str
    relevance: str
    events: tuple[EventSpec, ...]
    cues: tuple[str, ...]
    modality_weights: dict[str, float]
    aggregation: str
    baseline_periods: int
    threshold: float
    factor: float
    factor_source: str


@dataclass(frozen=True)
class Definitions(Record):
    """All definitions of one file: ``indicators`` (IndicatorDef tuple, file order), ``match_weights``
    (``event``/``cue`` -> weight), ``cap`` (largest odds multiplier of the news update), ``source``
    (the file they came from), ``cue_modality`` (the ``[cue_modality]`` table: ``denial_verbs``,
    ``negations``, ``negation_window``, ``after_words``), ``same_outlet`` (share counted for each
    further document of an outlet in the same period)."""

    indicators: tuple[IndicatorDef, ...]
    match_weights: dict[str, float] = field(default_factory=dict)
    cap: float = 4.0
    source: str = ""
    cue_modality: dict = field(default_factory=dict)
    same_outlet: float = 0.5

    def get(self, name: str) -> IndicatorDef:
        for indicator in self.indicators:
            if indicator.name == name:
                return indicator
        raise ConfigError(f"unknown indicator {name!r}; choose one of {', '.join(self.names())}")

    def names(self) -> list[str]:
        return [i.name for i in self.indicators]


def _choice(value, choices: tuple[str, ...], what: str, where: str) -> str:
    if value not in choices:
        raise ConfigError(f"{where}: {what} {value!r} is not valid; choose one of {', '.join(choices)}")
    return value


def _weights(raw: dict, where: str) -> dict[str, float]:
    for key in raw:
        _choice(key, MODALITIES, "modality", where)
    return {k: float(v) for k, v in raw.items()}


def _event_spec(raw: dict, where: str) -> EventSpec:
    if "type" not in raw:
        raise ConfigError(f"{where}: an events entry lacks 'type' (a PLOVER event type such as ASSAULT)")
    return EventSpec(
        event_type=str(raw["type"]).upper(),
        modes=tuple(raw.get("modes", ())),
        source_sectors=tuple(raw.get("source_sectors", ())),
        direction=_choice(raw.get("direction", "any"), DIRECTIONS, "direction", where),
    )


def _indicator(raw: dict, modality: dict[str, float], source: str) -> IndicatorDef:
    where = f"{source}: indicator {raw.get('name', '?')!r}"
    required = ("name", "title", "description", "threshold", "factor", "factor_source")
    missing = [k for k in required if k not in raw]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}")
    try:
        return IndicatorDef(
            name=raw["name"],
            title=raw["title"],
            description=raw["description"],
            relevance=_choice(raw.get("relevance", "country"), RELEVANCE, "relevance", where),
            events=tuple(_event_spec(e, where) for e in raw.get("events", ())),
            cues=tuple(raw.get("cues", ())),
            modality_weights={**modality, **_weights(raw.get("modality_weights", {}), where)},
            aggregation=_choice(raw.get("aggregation", "count"), AGGREGATIONS, "aggregation", where),
            baseline_periods=int(raw.get("baseline_periods", 8)),
            threshold=float(raw["threshold"]),
            factor=float(raw["factor"]),
            factor_source=raw["factor_source"],
        )
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{where}: {e}") from e


def _read_toml(path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as e:
        raise ConfigError(f"cannot read indicator definitions {path}: {e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"indicator definitions {path} are not valid TOML: {e}") from e


@lru_cache(maxsize=8)
def load_definitions(path: str | None = None) -> Definitions:
    """The indicator definitions: the packaged ``data/indicators.toml``, or ``path`` (same format)."""
    source = Path(path) if path else DEFINITIONS_FILE
    raw = _read_toml(source)
    weights = raw.get("weights", {})
    modality = {m: 0.0 for m in MODALITIES} | _weights(weights.get("modality", {}), str(source))
    indicators = tuple(_indicator(i, modality, str(source)) for i in raw.get("indicator", ()))
    if not indicators:
        raise ConfigError(f"{source}: no [[indicator]] tables found")
    names = [i.name for i in indicators]
    if len(set(names)) != len(names):
        raise ConfigError(f"{source}: indicator names must be unique, got {', '.join(names)}")
    return Definitions(
        indicators=indicators,
        match_weights={"event": 1.0, "cue": 0.8} | {k: float(v) for k, v in weights.get("match", {}).items()},
        cap=float(raw.get("update", {}).get("cap", 4.0)),
        source=str(source),
        cue_modality={"denial_verbs": [], "negations": [], "negation_window": 3, "after_words": 3}
        | raw.get("cue_modality", {}),
        same_outlet=float(weights.get("source", {}).get("same_outlet", 0.5)),
    )


def cue_regex(cues: tuple[str, ...], country_words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for ``cues``; ``{country}`` stands for any of ``country_words``."""
    if not cues:
        return None
    names = "|".join(re.escape(w) for w in sorted(country_words, key=len, reverse=True)) or r"(?!x)x"
    parts = []
    for cue in sorted(cues, key=len, reverse=True):
        pieces = [phrase_regex(p.strip()) if p.strip() else "" for p in cue.split("{country}")]
        glue = rf"\s*\b(?:the\s+)?(?:{names})(?:['’]s)?(?![\w-])\s*"
        parts.append(glue.join(pieces) if len(pieces) > 1 else pieces[0])
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)
