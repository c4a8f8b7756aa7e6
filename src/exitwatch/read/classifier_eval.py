"""Evaluation of the sentence event classifier (``exitwatch eval classifier``).

Quad (five-class) accuracy and macro-F1 on the held-out 20% of the ConfliBERT train file (the same
stratified split, same seed, that the training recipe held out), compared with a TF-IDF + logistic
regression baseline trained on the other 80%; sentences per second of the int8 ONNX model on the
CPU; PLOVER event-type accuracy on the first sentences of held-out-template synthetic stories.

When ``--data`` is some other five-class file (its hash differs from the training file's recorded
in the model metadata), every line of it is a test sentence and the baseline is trained on the
whole shared train file when that is found, else left out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from exitwatch.errors import DataFileError
from exitwatch.read.classifier import SentenceClassifier
from exitwatch.read.classifier_data import (PENTACLASS_FILE, SYNTHETIC_FILE, YIELD, YIELD_TYPES, LabelledSentence,
                                            file_sha256,
                                            load_pentaclass, load_synthetic, split_pentaclass, split_synthetic,
                                            story_sentences)
from exitwatch.read.tagging import RoleSpan, span_scores
from exitwatch.shared_data import default_data_dir


@dataclass(frozen=True)
class ClassifierEvaluation:
    """Scores of one ``exitwatch eval classifier`` run.

    Fields: ``quad_data`` (file), ``quad_split`` ("held-out 20%" or "whole file"), ``n_quad``,
    ``quad_accuracy``, ``quad_macro_f1``, ``baseline_accuracy`` / ``baseline_macro_f1`` (TF-IDF +
    logistic regression, None when no training file), ``sentences_per_second`` (ONNX model, CPU,
    over the quad test sentences), ``event_data``, ``n_event``, ``event_accuracy``,
    ``event_macro_f1`` (None when no synthetic file), ``model_seed``, ``model_epochs``.
    """

    quad_data: str
    quad_split: str
    n_quad: int
    quad_accuracy: float
    quad_macro_f1: float
    baseline_accuracy: float | None
    baseline_macro_f1: float | None
    sentences_per_second: float
    event_data: str | None
    n_event: int
    event_accuracy: float | None
    event_macro_f1: float | None
    model_seed: int
    model_epochs: int


def _scores(truth: list[str], predicted: list[str], prefix: str) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    return {f"n_{prefix}": len(truth), f"{prefix}_accuracy": round(float(accuracy_score(truth, predicted)), 4),
            f"{prefix}_macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4)}


def score_quad(classifier: SentenceClassifier, rows: list[LabelledSentence]) -> dict:
    """``n_quad``, ``quad_accuracy``, ``quad_macro_f1`` of the classifier's quad head on ``rows``."""
    predictions = classifier.predict([r.text for r in rows])
    return _scores([r.label for r in rows], [p.quad_label for p in predictions], "quad")


def score_events(classifier: SentenceClassifier, rows: list[LabelledSentence]) -> dict:
    """``n_event``, ``event_accuracy``, ``event_macro_f1`` of the event head on ``rows``
    ("no event" predictions count as wrong; the head's YIELD is right for a gold CONCEDE or
    RETREAT)."""
    predictions = classifier.predict([r.text for r in rows])
    truth = [YIELD if r.label in YIELD_TYPES else r.label for r in rows]
    return _scores(truth, [p.event_type or "NONE" for p in predictions], "event")


def score_tags(classifier: SentenceClassifier, rows: list[tuple[str, tuple[RoleSpan, ...]]]) -> dict:
    """Span scores (``tagging.span_scores``) of the token head on ``(text, gold spans)`` rows."""
    predictions = classifier.predict([text for text, _ in rows])
    return {"n": len(rows), **span_scores([spans for _, spans in rows], [p.spans for p in predictions])}


def tfidf_baseline(train: list[LabelledSentence], test: list[LabelledSentence]) -> dict:
    """``baseline_accuracy`` and ``baseline_macro_f1`` of TF-IDF (word 1-2 grams) + logistic
    regression trained on ``train``, scored on ``test``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
                          LogisticRegression(max_iter=2000, C=10.0))
    model.fit([r.text for r in train], [r.label for r in train])
    scores = _scores([r.label for r in test], list(model.predict([r.text for r in test])), "baseline")
    return {"baseline_accuracy": scores["baseline_accuracy"], "baseline_macro_f1": scores["baseline_macro_f1"]}


def _quad_sets(data: Path, training_hash: str | None, shared: Path | None, seed: int, trained_on_all: bool
               ) -> tuple[str, list[LabelledSentence] | None, list[LabelledSentence]]:
    """(split description, baseline training rows or None, test rows)."""
    rows = load_pentaclass(data)
    if training_hash and file_sha256(data) == training_hash:
        train, test = split_pentaclass(rows, seed=seed)
        if trained_on_all:
            return ("20% split of the model's own training file (it trained on all of it: not a held-out figure; "
                    "the held-out fold's scores are in the metadata's held_out_scores)"), train, test
        return "held-out 20% (stratified, model seed)", train, test
    train_file = shared / PENTACLASS_FILE if shared else None
    baseline_train = load_pentaclass(train_file) if train_file and train_file.is_file() else None
    return "whole file", baseline_train, rows


def _shared_dir() -> Path | None:
    """The shared data folder, or None when there is none."""
    try:
        return default_data_dir()
    except DataFileError:
        return None


def evaluate_classifier(*, data: str | Path | None = None, synthetic: str | Path | None = None,
                        model_dir: str | Path | None = None) -> ClassifierEvaluation:
    """Score the classifier (see the module docstring). ``data``: a five-class TSV (default: the
    shared ConfliBERT train file, held-out split); ``synthetic``: the NGEC synthetic stories
    (default: the shared file, held-out templates; skipped when there is none); ``model_dir``:
    default the packaged model."""
    classifier = SentenceClassifier.load(model_dir)
    meta = classifier.metadata
    seed = int(meta["seed"])
    shared = _shared_dir()
    if data is None and shared is None:
        raise DataFileError("--data", "no five-class file given and no shared data folder found "
                                      "(../shared/data or $EXITWATCH_DATA)")
    data_path = Path(data) if data is not None else shared / PENTACLASS_FILE
    split, baseline_train, test = _quad_sets(data_path, meta["training_data"].get(PENTACLASS_FILE.name), shared, seed,
                                             str(meta.get("trained_on", "")).startswith("everything"))
    started = time.perf_counter()
    quad = score_quad(classifier, test)
    speed = len(test) / max(time.perf_counter() - started, 1e-9)
    baseline = (tfidf_baseline(baseline_train, test) if baseline_train
                else {"baseline_accuracy": None, "baseline_macro_f1": None})
    synthetic_path = Path(synthetic) if synthetic is not None else (shared / SYNTHETIC_FILE if shared else None)
    events = {"n_event": 0, "event_accuracy": None, "event_macro_f1": None}
    if synthetic_path is not None and (synthetic is not None or synthetic_path.is_file()):
        _, held_out = split_synthetic(load_synthetic(synthetic_path), seed=seed)
        events = score_events(classifier, story_sentences(held_out, headlines=False))
    else:
        synthetic_path = None
    return ClassifierEvaluation(quad_data=str(data_path), quad_split=split, **quad, **baseline,
                                sentences_per_second=round(speed, 1),
                                event_data=str(synthetic_path) if synthetic_path else None, **events,
                                model_seed=seed, model_epochs=int(meta["epochs"]))
