"""Evaluating the event coder against gold sentences (``exitwatch eval coder``).

Two gold formats:

- PLOVER GSR JSON (a list of records with ``text``, ``event``, ``source``/``target`` lists of
  ``{"actorText", "code"}``; as in the PLOVER gold-standard records). Older PLOVER type names
  are mapped onto the coder's (``data/gold_event_types.tsv``). Scores: ``event_accuracy``,
  ``event_macro_f1`` (over the gold types), ``source_country_accuracy`` and
  ``target_country_accuracy`` (over records whose gold actor has a country code; CAMEO codes are
  mapped to ISO3 and non-state codes such as IGO/IMG dropped with ``data/gold_country_codes.tsv``).
- NGEC synthetic stories (CSV, optionally gzipped): the held-out fold of
  ``classifier_data.split_synthetic``, each story's first sentence with its PLOVER label; scored
  like PLOVER JSON (no actor codes, so the country scores are null).
- TSV lines ``sentence<TAB>class`` in the five-class scheme (0 neutral, 1 verbal cooperation,
  2 material cooperation, 3 verbal conflict, 4 material conflict); PLOVER types are mapped with
  ``data/pentaclass.tsv``, no event being 0. Scores: ``pentaclass_accuracy``,
  ``pentaclass_macro_f1``.

Each gold sentence is read as its own document; the predicted event of a sentence is the coded
event of the gold type when there is one (its actors are scored), else the most confident event.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from exitwatch.errors import InputError
from exitwatch.read.classifier_data import load_synthetic, split_synthetic
from exitwatch.read.lexicon import DATA, _read_rows
from exitwatch.read.reader import read_document, resolve_mode
from exitwatch.records import Document, Event, Record

NO_EVENT = "NONE"


@dataclass(frozen=True)
class GoldSentence:
    """One gold record: ``text``, ``event_type`` (coder's PLOVER name, ``NONE`` for no event; None
    in five-class files), ``pentaclass`` (0-4 or None), ``source_countries`` / ``target_countries``
    (ISO3 codes of the gold actors; empty when the gold has none)."""

    text: str
    event_type: str | None = None
    pentaclass: int | None = None
    source_countries: tuple[str, ...] = ()
    target_countries: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoderEvaluation(Record):
    """Scores of the coder on a gold file: ``gold`` (path), ``format`` (``plover`` or
    ``pentaclass``), ``mode`` (reading mode used), ``n`` (sentences), ``scores`` (name -> value),
    ``docs_per_second`` (sentences read per second, one process)."""

    gold: str
    format: str
    mode: str
    n: int
    scores: dict[str, float | None]
    docs_per_second: float

    def summary(self) -> dict:
        """The flat JSON object printed by ``exitwatch eval coder``."""
        return {"gold": self.gold, "format": self.format, "mode": self.mode, "n": self.n, **self.scores,
                "docs_per_second": self.docs_per_second}


@lru_cache(maxsize=1)
def gold_type_map() -> dict[str, str]:
    """Older gold PLOVER type names -> the coder's type names."""
    return {row["gold_type"]: row["event_type"] for row in _read_rows(DATA / "gold_event_types.tsv")}


@lru_cache(maxsize=1)
def pentaclass_map() -> dict[str, int]:
    """PLOVER event type -> five-class label."""
    return {row["event_type"]: int(row["pentaclass"]) for row in _read_rows(DATA / "pentaclass.tsv")}


@lru_cache(maxsize=1)
def gold_country_codes() -> dict[str, str]:
    """CAMEO actor codes of gold files -> ISO3 ("" for codes that name no country, such as IGO)."""
    return {row["gold_code"]: row["iso3"] for row in _read_rows(DATA / "gold_country_codes.tsv")}


def _countries(actors) -> tuple[str, ...]:
    if not isinstance(actors, list):
        return ()
    codes = (str(a.get("code") or "").upper() for a in actors if isinstance(a, dict))
    iso3 = (gold_country_codes().get(c, c) for c in codes)
    return tuple(c for c in iso3 if len(c) == 3)


def _load_plover(path: Path) -> list[GoldSentence]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(str(path), f"cannot read PLOVER gold JSON: {e}") from e
    if not isinstance(records, list) or not all(isinstance(r, dict) and "text" in r for r in records):
        raise InputError(str(path), "PLOVER gold JSON must be a list of records with 'text' and 'event'")
    types = gold_type_map()
    return [GoldSentence(text=r["text"], event_type=types.get(str(r.get("event") or NO_EVENT).upper(),
                                                                str(r.get("event") or NO_EVENT).upper()),
                         source_countries=_countries(r.get("source")), target_countries=_countries(r.get("target")))
            for r in records]


def _load_tsv(path: Path) -> list[GoldSentence]:
    gold = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(str(path), f"cannot read gold TSV: {e}") from e
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        text, _, label = line.rpartition("\t")
        if not text or label.strip() not in {"0", "1", "2", "3", "4"}:
            raise InputError(f"{path}:{number}", "expected 'sentence<TAB>class' with class 0-4")
        gold.append(GoldSentence(text=text, pentaclass=int(label)))
    return gold


def _load_synthetic(path: Path) -> list[GoldSentence]:
    """The held-out fold of the NGEC synthetic stories (the fold the event classifier's recipe
    never trains on), each story as its first sentence, as the classifier sees it."""
    _, test = split_synthetic(load_synthetic(path))
    types = gold_type_map()
    return [GoldSentence(text=s.first_sentence, event_type=types.get(s.event_type, s.event_type))
            for s in test if s.first_sentence]


def load_gold(path: str | Path) -> tuple[str, list[GoldSentence]]:
    """``(format, records)`` from a gold file: ``.json`` = PLOVER GSR, ``.tsv``/``.txt`` =
    five-class, ``.csv``/``.csv.gz`` = NGEC synthetic stories (held-out fold only)."""
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".json"):
        return "plover", _load_plover(path)
    if name.endswith((".tsv", ".txt")):
        return "pentaclass", _load_tsv(path)
    if name.endswith((".csv", ".csv.gz")):
        return "synthetic", _load_synthetic(path)
    raise InputError(str(path), "unknown gold format; use a PLOVER GSR .json file, a sentence<TAB>class .tsv "
                                "file or the NGEC synthetic stories .csv(.gz)")


def _predicted(events: Sequence[Event], wanted: str | None) -> Event | None:
    match = [e for e in events if e.event_type == wanted]
    pool = match or list(events)
    return max(pool, key=lambda e: e.confidence) if pool else None


def _macro_f1(gold: list, predicted: list) -> float:
    from sklearn.metrics import f1_score

    return round(float(f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0)), 4)


def _accuracy(pairs: list[tuple[object, object]]) -> float | None:
    return round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else None


def _country_pairs(gold: list[GoldSentence], predicted: list[Event | None], side: str) -> list[tuple[bool, bool]]:
    pairs = []
    for record, event in zip(gold, predicted):
        codes = getattr(record, f"{side}_countries")
        if codes:
            actor = getattr(event, side) if event else None
            pairs.append((True, bool(actor and actor.country in codes)))
    return pairs


def score(gold_format: str, gold: list[GoldSentence], readings: list[Sequence[Event]]) -> dict[str, float | None]:
    """The scores of predicted events (one sequence per gold sentence) against ``gold``."""
    if gold_format == "pentaclass":
        classes = pentaclass_map()
        predicted = [classes.get(e.event_type, 0) if (e := _predicted(events, None)) else 0 for events in readings]
        truth = [g.pentaclass for g in gold]
        return {"pentaclass_accuracy": _accuracy(list(zip(truth, predicted))),
                "pentaclass_macro_f1": _macro_f1(truth, predicted) if truth else None}
    chosen = [_predicted(events, g.event_type) for g, events in zip(gold, readings)]
    types = [e.event_type if e else NO_EVENT for e in chosen]
    truth = [g.event_type for g in gold]
    return {"event_accuracy": _accuracy(list(zip(truth, types))),
            "event_macro_f1": _macro_f1(truth, types) if truth else None,
            "source_country_accuracy": _accuracy(_country_pairs(gold, chosen, "source")),
            "target_country_accuracy": _accuracy(_country_pairs(gold, chosen, "target"))}


def evaluate_coder(gold_path: str | Path, *, mode: str = "auto", limit: int | None = None) -> CoderEvaluation:
    """Read every gold sentence (as its own document) with ``mode`` and score the events coded.
    ``limit``: only the first ``limit`` records."""
    gold_format, gold = load_gold(gold_path)
    gold = gold[:limit] if limit else gold
    used = resolve_mode(mode)
    documents = [Document(id=f"gold-{i}", body=g.text) for i, g in enumerate(gold)]
    read_document(Document(id="warm-up", body="Warm-up."), mode=used)
    started = time.perf_counter()
    readings = [read_document(doc, mode=used).events for doc in documents]
    elapsed = time.perf_counter() - started
    return CoderEvaluation(gold=str(gold_path), format=gold_format, mode=used, n=len(gold),
                           scores=score(gold_format, gold, readings),
                           docs_per_second=round(len(gold) / elapsed, 1) if elapsed > 0 else 0.0)
