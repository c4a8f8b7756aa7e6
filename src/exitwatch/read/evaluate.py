"""Evaluating the event coder against gold sentences (``exitwatch eval coder``).

Each gold sentence is read as its own document, by the same code as ``exitwatch read`` and
``ingest`` (``read_documents``), and only the single most confident event of the reading is
scored: a sentence where that event is wrong counts as wrong even if another event is right.

Gold formats (chosen by the file name, or by ``gold_format``):

- ``plover``: PLOVER GSR JSON (``.json``; a list of records with ``text``, ``event``,
  ``source``/``target`` lists of ``{"actorText", "code"}``). Older type names are mapped
  (``data/gold_event_types.tsv``). Scores: ``event_accuracy``, ``event_macro_f1``,
  ``source_country_accuracy``, ``target_country_accuracy`` (records whose gold actor has a
  country code; CAMEO codes mapped to ISO3, non-state codes dropped, ``data/gold_country_codes.tsv``).
- ``plv``: CSV with ``text,label`` and optionally ``source,target`` (``.csv``; the PLV format;
  the gold YIELD accepts CONCEDE or RETREAT). Scores: ``event_accuracy``, ``event_macro_f1``,
  ``source_text_accuracy``, ``target_text_accuracy`` (the predicted actor's text covers at least
  half of the gold actor's words).
- ``pentaclass``: ``sentence<TAB>class`` lines (``.tsv``; 0 neutral, 1 verbal cooperation,
  2 material cooperation, 3 verbal conflict, 4 material conflict). The predicted class is the
  reading's five-class label of the sentence (model mode) or the class of its most confident
  event type (``data/pentaclass.tsv``; lexical mode). Scores: ``pentaclass_accuracy``,
  ``pentaclass_macro_f1``.
- ``conll``: ``token label`` lines, a blank line between sentences (``.txt``/``.conll``; BIO tags
  S source, T target, R recipient). The sentence is the tokens joined by spaces; the predicted
  sources and targets are the roles the model's token head tagged in the reading's sentences
  (``sentences[].roles``, whether or not a sentence carries an event), widened to whole tokens;
  read without the model, the most confident event's actor texts found in it. Scores:
  ``source_span_f1``, ``target_span_f1``, ``role_macro_f1`` (their mean), ``exact_span_match``
  (sentences whose source and target spans are both exactly right).
- ``synthetic``: the NGEC synthetic stories, only when asked for explicitly (the held-out fold of
  ``classifier_data.split_synthetic``, first sentences); scored like ``plover``.

Every format also reports ``actor_fallback_rate``: the share of scored events whose source or
target came from the position rules because the model tagged no span (model mode), and
``lexicon_event_rate``: the share of scored events the lexicon coded, not the model (model and
fast mode: a ruler's exit by an untaught trigger, or a sentence too short for the model; None
in lexical mode).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from exitwatch.errors import InputError
from exitwatch.read.classifier_data import (YIELD, YIELD_TYPES, load_conll, load_plv, load_synthetic,
                                            split_synthetic)
from exitwatch.read.classify import FALLBACK_SUFFIX, MODEL_CODER
from exitwatch.read.lexicon import DATA, _read_rows
from exitwatch.read.reader import read_documents, resolve_mode
from exitwatch.read.tagging import RoleSpan, conll_spans, span_scores
from exitwatch.records import Document, Event, Reading, Record

NO_EVENT = "NONE"
FORMATS = ("plover", "plv", "pentaclass", "conll", "synthetic")
_BATCH = 64


@dataclass(frozen=True)
class GoldSentence:
    """One gold record: ``text``, ``event_type`` (coder's PLOVER name, ``NONE`` for no event,
    ``YIELD`` for CONCEDE or RETREAT; None in five-class and CoNLL files), ``pentaclass`` (0-4 or
    None), ``source_countries`` / ``target_countries`` (ISO3 codes of the gold actors),
    ``source_text`` / ``target_text`` (PLV actor text), ``tokens``/``tags``/``spans`` (CoNLL)."""

    text: str
    event_type: str | None = None
    pentaclass: int | None = None
    source_countries: tuple[str, ...] = ()
    target_countries: tuple[str, ...] = ()
    source_text: str = ""
    target_text: str = ""
    tokens: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    spans: tuple[RoleSpan, ...] = ()


@dataclass(frozen=True)
class CoderEvaluation(Record):
    """Scores of the coder on a gold file: ``gold`` (path), ``format`` (one of ``FORMATS``),
    ``mode`` (reading mode used), ``n`` (sentences), ``scores`` (name -> value),
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


def gold_event_type(label: str) -> str:
    """A gold file's event type as the coder names it (older PLOVER names mapped with
    ``data/gold_event_types.tsv``; empty: no event)."""
    label = (label or NO_EVENT).strip().upper()
    return gold_type_map().get(label, label)


def _load_plover(path: Path) -> list[GoldSentence]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(str(path), f"cannot read PLOVER gold JSON: {e}") from e
    if not isinstance(records, list) or not all(isinstance(r, dict) and "text" in r for r in records):
        raise InputError(str(path), "PLOVER gold JSON must be a list of records with 'text' and 'event'")
    return [GoldSentence(text=r["text"], event_type=gold_event_type(str(r.get("event") or "")),
                         source_countries=_countries(r.get("source")), target_countries=_countries(r.get("target")))
            for r in records]


def _load_plv(path: Path) -> list[GoldSentence]:
    return [GoldSentence(text=r.text, event_type=gold_event_type(r.label), source_text=r.source, target_text=r.target)
            for r in load_plv(path)]


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


def _load_conll(path: Path) -> list[GoldSentence]:
    gold = []
    for row in load_conll(path):
        text, spans = conll_spans(row.tokens, row.tags)
        gold.append(GoldSentence(text=text, tokens=row.tokens, tags=row.tags, spans=tuple(spans)))
    return gold


def _load_synthetic(path: Path) -> list[GoldSentence]:
    """The held-out fold of the NGEC synthetic stories, each story as its first sentence."""
    _, test = split_synthetic(load_synthetic(path))
    return [GoldSentence(text=s.first_sentence, event_type=gold_event_type(s.event_type)) for s in test if s.first_sentence]


_LOADERS = {"plover": _load_plover, "plv": _load_plv, "pentaclass": _load_tsv, "conll": _load_conll,
            "synthetic": _load_synthetic}
_SUFFIXES = {".json": "plover", ".csv": "plv", ".tsv": "pentaclass", ".txt": "conll", ".conll": "conll"}


def load_gold(path: str | Path, gold_format: str | None = None) -> tuple[str, list[GoldSentence]]:
    """``(format, records)`` of a gold file; ``gold_format`` (one of ``FORMATS``) or the file
    name's suffix decides the format (see the module docstring)."""
    path = Path(path)
    if gold_format is None:
        if path.name.lower().endswith(".csv.gz"):
            raise InputError(str(path), "a .csv.gz gold file is read only as the NGEC synthetic stories; "
                                        "pass --format synthetic to score them")
        gold_format = _SUFFIXES.get(path.suffix.lower())
        if gold_format is None:
            raise InputError(str(path), "unknown gold format; use .json (PLOVER GSR), .csv (text,label,source,"
                                        "target), .tsv (sentence<TAB>class), .txt/.conll (token label lines) or "
                                        f"--format one of {', '.join(FORMATS)}")
    elif gold_format not in FORMATS:
        raise InputError(str(path), f"unknown gold format {gold_format!r}; choose one of {', '.join(FORMATS)}")
    return gold_format, _LOADERS[gold_format](path)


def top_event(events: Sequence[Event]) -> Event | None:
    """The single most confident event of a reading (the first of equals), or None."""
    return max(events, key=lambda e: e.confidence) if events else None


def _macro_f1(gold: list, predicted: list) -> float:
    from sklearn.metrics import f1_score

    return round(float(f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0)), 4)


def _accuracy(pairs: list[tuple[object, object]]) -> float | None:
    return round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else None


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def text_found(gold: str, predicted: str | None) -> bool:
    """The predicted actor text covers at least half of the gold actor's words."""
    words = _words(gold)
    return bool(words and predicted) and len(words & _words(predicted)) >= len(words) / 2


def _country_pairs(gold: list[GoldSentence], chosen: list[Event | None], side: str) -> list[tuple[bool, bool]]:
    pairs = []
    for record, event in zip(gold, chosen):
        codes = getattr(record, f"{side}_countries")
        if codes:
            actor = getattr(event, side) if event else None
            pairs.append((True, bool(actor and actor.country in codes)))
    return pairs


def _text_pairs(gold: list[GoldSentence], chosen: list[Event | None], side: str) -> list[tuple[bool, bool]]:
    pairs = []
    for record, event in zip(gold, chosen):
        wanted = getattr(record, f"{side}_text")
        if wanted:
            actor = getattr(event, side) if event else None
            pairs.append((True, text_found(wanted, actor.text if actor else None)))
    return pairs


def _scored_type(event: Event | None, gold_type: str | None) -> str:
    """The predicted type as the gold names it (CONCEDE and RETREAT are YIELD where the gold says
    YIELD)."""
    if event is None:
        return NO_EVENT
    return YIELD if gold_type == YIELD and event.event_type in YIELD_TYPES else event.event_type


def _pentaclass(reading: Reading, sentence_index: int = 0) -> int:
    sentence = next((s for s in reading.sentences if s.index == sentence_index), None)
    if sentence is not None and sentence.pentaclass is not None:
        return sentence.pentaclass
    event = top_event(reading.events)
    return pentaclass_map().get(event.event_type, 0) if event else 0


def _token_starts(tokens: Sequence[str]) -> list[int]:
    """Character offsets of the tokens in the sentence they make, joined by spaces."""
    starts, offset = [], 0
    for token in tokens:
        starts.append(offset)
        offset += len(token) + 1
    return starts


def _token_span(gold: GoldSentence, start: int, end: int, role: str) -> RoleSpan:
    """The characters [start, end) of the CoNLL sentence widened to whole tokens."""
    starts = _token_starts(gold.tokens)
    first = max(i for i, s in enumerate(starts) if s <= start)
    last = max(i for i, s in enumerate(starts) if s < end)
    return RoleSpan(role, starts[first], starts[last] + len(gold.tokens[last]))


def _actor_span(gold: GoldSentence, actor_text: str | None, role: str) -> RoleSpan | None:
    at = gold.text.find(actor_text) if actor_text else -1
    return _token_span(gold, at, at + len(actor_text), role) if at >= 0 else None


_ROLE_TAGS = {"source": "S", "target": "T"}


def predicted_spans(gold: GoldSentence, reading: Reading) -> list[RoleSpan]:
    """The source and target spans predicted in a CoNLL sentence, widened to whole tokens: the
    roles the model's token head tagged in the reading's sentences; read without the model (no
    tagger), the most confident event's actor texts."""
    if any(s.pentaclass is not None for s in reading.sentences):
        return [_token_span(gold, r.start, r.end, _ROLE_TAGS[r.role])
                for s in reading.sentences for r in s.roles if r.role in _ROLE_TAGS]
    event = top_event(reading.events)
    if event is None:
        return []
    found = [_actor_span(gold, event.source.text if event.source else None, "S"),
             _actor_span(gold, event.target.text if event.target else None, "T")]
    return [s for s in found if s is not None]


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def score(gold_format: str, gold: list[GoldSentence], readings: list[Reading]) -> dict[str, float | None]:
    """The scores of ``readings`` (one per gold sentence) against ``gold``."""
    chosen = [top_event(r.events) for r in readings]
    scored = [e for e in chosen if e is not None]
    learned = any(s.pentaclass is not None for r in readings for s in r.sentences)
    common = {"actor_fallback_rate": _share([e.coder.endswith(FALLBACK_SUFFIX) for e in scored]),
              "lexicon_event_rate": _share([not e.coder.startswith(MODEL_CODER) for e in scored]) if learned else None}
    if gold_format == "pentaclass":
        predicted = [_pentaclass(r) for r in readings]
        truth = [g.pentaclass for g in gold]
        return {"pentaclass_accuracy": _accuracy(list(zip(truth, predicted))),
                "pentaclass_macro_f1": _macro_f1(truth, predicted) if truth else None, **common}
    if gold_format == "conll":
        spans = span_scores([[s for s in g.spans if s.role in "ST"] for g in gold],
                            [predicted_spans(g, r) for g, r in zip(gold, readings)], roles=("S", "T"))
        return {**spans, **common}
    types = [_scored_type(e, g.event_type) for g, e in zip(gold, chosen)]
    truth = [g.event_type for g in gold]
    scores = {"event_accuracy": _accuracy(list(zip(truth, types))),
              "event_macro_f1": _macro_f1(truth, types) if truth else None}
    if gold_format == "plv":
        scores.update(source_text_accuracy=_accuracy(_text_pairs(gold, chosen, "source")),
                      target_text_accuracy=_accuracy(_text_pairs(gold, chosen, "target")))
    else:
        scores.update(source_country_accuracy=_accuracy(_country_pairs(gold, chosen, "source")),
                      target_country_accuracy=_accuracy(_country_pairs(gold, chosen, "target")))
    return {**scores, **common}


def _actor_json(actor) -> dict | None:
    return {"text": actor.text, "country": actor.country} if actor else None


def write_predictions(path: str | Path, gold_format: str, gold: list[GoldSentence], readings: list[Reading]) -> None:
    """What the coder predicted for each gold record, in order: CoNLL ``token<TAB>gold<TAB>
    predicted`` lines (a blank line between sentences); other formats one JSON line per record
    with its ``events`` (most confident first) and ``pentaclass``."""
    lines = []
    for record, reading in zip(gold, readings):
        if gold_format == "conll":
            spans = predicted_spans(record, reading)
            for token, tag, start in zip(record.tokens, record.tags, _token_starts(record.tokens)):
                inside = next((s for s in spans if s.start <= start < s.end), None)
                predicted = "O" if inside is None else ("B-" if start == inside.start else "I-") + inside.role
                lines.append(f"{token}\t{tag}\t{predicted}")
            lines.append("")
            continue
        events = sorted(reading.events, key=lambda e: -e.confidence)
        lines.append(json.dumps({
            "text": record.text, "pentaclass": _pentaclass(reading),
            "events": [{"event_type": e.event_type, "confidence": e.confidence, "source": _actor_json(e.source),
                        "target": _actor_json(e.target), "coder": e.coder} for e in events],
        }, ensure_ascii=False))
    try:
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as e:
        raise InputError(str(path), f"cannot write the predictions: {e}") from e


def evaluate_coder(gold_path: str | Path, *, mode: str = "auto", limit: int | None = None,
                   gold_format: str | None = None, model_dir: str | None = None,
                   predictions: str | Path | None = None) -> CoderEvaluation:
    """Read every gold sentence (as its own document) with ``mode`` and score the most confident
    event of each. ``limit``: only the first ``limit`` records; ``gold_format``: see ``FORMATS``
    (default: by file name); ``model_dir``: a model other than the packaged one;
    ``predictions``: also write what was predicted there (``write_predictions``)."""
    gold_format, gold = load_gold(gold_path, gold_format)
    gold = gold[:limit] if limit else gold
    used = resolve_mode(mode, model_dir)
    documents = [Document(id=f"gold-{i}", body=g.text) for i, g in enumerate(gold)]
    read_documents([Document(id="warm-up", body="Warm-up.")], mode=used, model_dir=model_dir)
    started = time.perf_counter()
    readings = []
    for start in range(0, len(documents), _BATCH):
        readings += read_documents(documents[start:start + _BATCH], mode=used, model_dir=model_dir)
    elapsed = time.perf_counter() - started
    if predictions is not None:
        write_predictions(predictions, gold_format, gold, readings)
    return CoderEvaluation(gold=str(gold_path), format=gold_format, mode=used, n=len(gold),
                           scores=score(gold_format, gold, readings),
                           docs_per_second=round(len(gold) / elapsed, 1) if elapsed > 0 else 0.0)
