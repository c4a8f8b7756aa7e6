"""Combining the statistical sentence classifier (``exitwatch.read.classifier``) with the lexical
coder: where the classifier is confident, its event type is the sentence's event type.

The classifier is optional: ``mode="auto"`` uses it when it loads and falls back to the lexicon;
``mode="model"`` requires it.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from exitwatch.errors import ModelError
from exitwatch.read.actors import Mention
from exitwatch.read.classifier import SentenceClassifier
from exitwatch.read.events import EventDraft
from exitwatch.records import Sentence

MODEL_CODER = "exitwatch.events.v1/model"


@lru_cache(maxsize=1)
def load_classifier():
    """The packaged ``SentenceClassifier`` or None when it (or its model) is not available."""
    try:
        return SentenceClassifier.load()
    except Exception:  # noqa: BLE001 - any failure to load means "no classifier"; "model" mode reports it
        return None


def classifier_available() -> bool:
    return load_classifier() is not None


def apply_classifier(sentences: list[Sentence], drafts: dict[int, list[EventDraft]], mentions: list[Mention], *,
                     mode: str, min_proba: float) -> None:
    """Update ``drafts`` in place with the classifier's confident sentence-level event types.
    Only sentences that mention an actor are classified (speed)."""
    classifier = load_classifier()
    if classifier is None:
        if mode == "model":
            raise ModelError("read mode 'model' needs the event classifier (exitwatch.read.classifier and its model "
                             "in src/exitwatch/read/models/event_classifier/); use --mode lexical or auto")
        return
    chosen = [(s, [m for m in mentions if s.start <= m.start < s.end]) for s in sentences]
    chosen = [(s, ms) for s, ms in chosen if ms]
    if not chosen:
        return
    predictions = classifier.predict([s.text for s, _ in chosen])
    for (sentence, sentence_mentions), prediction in zip(chosen, predictions):
        if prediction.event_type is None or prediction.event_proba < min_proba:
            continue
        found = drafts.get(sentence.index, [])
        if found:
            top = max(found, key=lambda d: d.confidence)
            if top.event_type != prediction.event_type:
                found[found.index(top)] = replace(top, event_type=prediction.event_type, mode=None,
                                                  confidence=round(prediction.event_proba, 3), coder=MODEL_CODER)
            continue
        source = sentence_mentions[0].actor
        target = next((m.actor for m in sentence_mentions[1:] if m.actor != source), None)
        drafts[sentence.index] = [EventDraft(
            event_type=prediction.event_type, mode=None, source=source, target=target, trigger=None,
            span=(sentence.start, sentence.end), position=0, confidence=round(prediction.event_proba * 0.8, 3),
            coder=MODEL_CODER,
        )]
