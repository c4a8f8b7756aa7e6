"""Indicator definitions: ``data/indicators.toml`` (or a user file in the same format) loaded into
frozen, checked records. The cue words themselves are reader data (``read/data/indicator_cues.toml``),
matched once at read time."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from exitwatch.errors import ConfigError
from exitwatch.records import MODALITIES, Record

DEFINITIONS_FILE = resources.files("exitwatch.indicators") / "data" / "indicators.toml"
AGGREGATIONS = ("count", "growth")
#: Whose action an indicator is about: ``own`` (the country's own actors, of ``sectors``, do it),
#: ``against`` (another state or foreign actor does it to the country), ``foreign_ruler`` (another
#: country's ruler falls, in a sentence that connects the fall to the country).
ROLES = ("own", "against", "foreign_ruler")
#: Which side of an event fell, for ``foreign_ruler`` events.
FALLEN = ("target", "source")
PERIODS = ("day", "week", "month")
#: Days of each period: the periods are trailing windows that end at the forecast date.
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}


@dataclass(frozen=True)
class EventSpec(Record):
    """PLOVER events that feed an indicator: ``event_type``, ``modes`` (empty = any mode),
    ``own_target`` (the target must be the country's own: "a minister accused the government"),
    ``fallen`` (for ``foreign_ruler`` indicators: which side fell, ``target`` or ``source``),
    ``at_home`` (for ``own`` and a fallen ``source``: leaving another country than one's own,
    "withdrawal from Syria", does not count)."""

    event_type: str
    modes: tuple[str, ...] = ()
    own_target: bool = False
    fallen: str = "target"
    at_home: bool = False


@dataclass(frozen=True)
class IndicatorDef(Record):
    """One indicator definition (see the header of ``data/indicators.toml``).

    Fields: ``name``, ``title``, ``description``, ``role`` (one of ``ROLES``), ``sectors`` (agent
    codes of the actor in the role; empty = any), ``agentless`` (an event or cue without an actor
    counts where it happens), ``events`` (EventSpec tuple), ``modality_weights`` (modality ->
    weight, defaults merged in), ``aggregation``, ``baseline_periods``, ``threshold``,
    ``half_life_days`` (evidence weight halves every so many days of age), ``factor``,
    ``factor_source``.
    """

    name: str
    title: str
    description: str
    role: str
    sectors: tuple[str, ...]
    agentless: bool
    events: tuple[EventSpec, ...]
    modality_weights: dict[str, float]
    aggregation: str
    baseline_periods: int
    threshold: float
    half_life_days: float
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
    unknown = set(raw) - {"type", "modes", "own_target", "fallen", "at_home"}
    if unknown:
        raise ConfigError(f"{where}: unknown events keys {', '.join(sorted(unknown))}; "
                          "use type, modes, own_target, fallen, at_home")
    return EventSpec(
        event_type=str(raw["type"]).upper(),
        modes=tuple(raw.get("modes", ())),
        own_target=bool(raw.get("own_target", False)),
        fallen=_choice(raw.get("fallen", "target"), FALLEN, "fallen", where),
        at_home=bool(raw.get("at_home", False)),
    )


def _indicator(raw: dict, modality: dict[str, float], source: str) -> IndicatorDef:
    where = f"{source}: indicator {raw.get('name', '?')!r}"
    required = ("name", "title", "description", "role", "threshold", "half_life_days", "factor", "factor_source")
    missing = [k for k in required if k not in raw]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}")
    if "cues" in raw:
        raise ConfigError(f"{where}: cue words are matched at read time; edit exitwatch/read/data/indicator_cues.toml "
                          "and re-read the documents (exitwatch reread --all) instead of giving 'cues' here")
    try:
        half_life = float(raw["half_life_days"])
        if half_life <= 0:
            raise ValueError(f"half_life_days must be positive, got {half_life}")
        return IndicatorDef(
            name=raw["name"],
            title=raw["title"],
            description=raw["description"],
            role=_choice(raw["role"], ROLES, "role", where),
            sectors=tuple(raw.get("sectors", ())),
            agentless=bool(raw.get("agentless", False)),
            events=tuple(_event_spec(e, where) for e in raw.get("events", ())),
            modality_weights={**modality, **_weights(raw.get("modality_weights", {}), where)},
            aggregation=_choice(raw.get("aggregation", "count"), AGGREGATIONS, "aggregation", where),
            baseline_periods=int(raw.get("baseline_periods", 8)),
            threshold=float(raw["threshold"]),
            half_life_days=half_life,
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
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"indicator definitions {path} are not valid TOML (UTF-8 text): {e}") from e


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
        same_outlet=float(weights.get("source", {}).get("same_outlet", 0.5)),
    )
