"""Read mode "fast": the packaged three-layer student of the default model (distilled by the
recipe), read through the same path as "model". Our own sentences."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.errors import ModelError
from exitwatch.ingest.document import make_document
from exitwatch.read import read_document
from exitwatch.read.classifier import DEFAULT_MODEL_DIR, FAST_MODEL_DIR, METADATA_FILE, MODEL_FILE, SentenceClassifier
from exitwatch.read.classifier_data import file_sha256
from exitwatch.read.classify import model_folder
from exitwatch.read.reader import resolve_mode

ARREST = "Security forces in Harare arrested the opposition leader after the rally on Saturday."
STRIKE = "Israeli jets struck a weapons depot near Damascus overnight, the Syrian army said."


def test_fast_mode_reads_with_the_student_and_says_so():
    fast = read_document(make_document(f"{ARREST} {STRIKE}"), mode="fast")
    model = read_document(make_document(f"{ARREST} {STRIKE}"), mode="model")
    assert " fast " in fast.pipeline and " model " in model.pipeline  # stored with every reading
    assert [s.pentaclass for s in fast.sentences] == [4, 4]  # both are material conflict
    coded = [(e.sentence_index, e.event_type, e.source.country, e.target.country) for e in fast.events]
    assert coded == [(0, "COERCE", "ZWE", "ZWE"), (1, "ASSAULT", "ISR", "SYR")]
    assert all(e.coder.startswith("exitwatch.events.v2/model") for e in fast.events)
    # the same decisions as its teacher here, from another model (other confidences)
    assert coded == [(e.sentence_index, e.event_type, e.source.country, e.target.country) for e in model.events]
    assert [e.confidence for e in fast.events] != [e.confidence for e in model.events]


def test_the_fast_model_is_a_three_layer_student_of_the_packaged_model():
    meta = json.loads((FAST_MODEL_DIR / METADATA_FILE).read_text(encoding="utf-8"))
    assert meta["options"]["encoder_layers"] == 3 and meta["options"]["transfer"] > 0
    assert meta["training_data"]["teacher model.onnx"] == file_sha256(DEFAULT_MODEL_DIR / MODEL_FILE)
    assert meta["trained_on"].startswith("everything")
    held = meta["held_out_scores"]  # the student of the held-out teacher, on the same held-out folds
    assert held["event_accuracy"] > 0.75 and held["quad_accuracy"] > 0.85
    assert held["conll_tags"]["source_span_f1"] > 0.7
    assert (FAST_MODEL_DIR / MODEL_FILE).stat().st_size < (DEFAULT_MODEL_DIR / MODEL_FILE).stat().st_size
    assert SentenceClassifier.load(FAST_MODEL_DIR).event_labels == SentenceClassifier.load().event_labels


def test_fast_mode_without_its_model_names_the_mode_and_the_folder(tmp_path):
    assert model_folder("fast") == str(FAST_MODEL_DIR) and model_folder("model") is None
    assert model_folder("fast", str(tmp_path)) == str(tmp_path)
    with pytest.raises(ModelError, match=f"read mode 'fast' needs the event model in {tmp_path}"):
        resolve_mode("fast", str(tmp_path))


def test_cli_reads_in_fast_mode(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STRIKE, encoding="utf-8")
    result = CliRunner().invoke(main, ["read", str(story), "--mode", "fast"])
    assert result.exit_code == 0, result.output
    assert " fast " in json.loads(result.output)["pipeline"]
