"""The model-mode gate: which sentences the encoder reads (``reader.model_sentences``), and a
sentence given twice to the classifier is read once with the same answer. Our own sentences."""

from __future__ import annotations

import pytest

from exitwatch.ingest.document import make_document
from exitwatch.read import read_document
from exitwatch.read.classify import classifier_available, load_classifier
from exitwatch.read.reader import model_sentences

ARREST = "Security forces in Harare arrested the opposition leader after the rally on Saturday."
TALKS = "The foreign ministers of Kenya and Ethiopia met in Nairobi to discuss the border dispute."
SHORT = "Nobody moved."
SCENERY = "The valley was quiet and green, with mist over the river most mornings."


def _read_by_model(text: str) -> list[str]:
    return [s.text for s in model_sentences(make_document(text))]


def test_sentences_with_an_actor_or_a_trigger_reach_the_encoder():
    assert _read_by_model(f"{ARREST} {TALKS}") == [ARREST, TALKS]


def test_short_sentences_and_sentences_without_actor_or_trigger_are_skipped():
    assert _read_by_model(f"{SHORT} {ARREST} {SCENERY}") == [ARREST]
    assert _read_by_model(SCENERY) == []


@pytest.mark.skipif(not classifier_available(), reason="the event model is not installed")
def test_skipped_sentences_keep_no_model_event_and_a_neutral_label():
    reading = read_document(make_document(f"{SCENERY} {ARREST}"), mode="model")
    scenery, arrest = reading.sentences
    assert scenery.pentaclass == 0
    assert all(e.sentence_index == arrest.index for e in reading.events)
    assert any(e.coder.startswith("exitwatch.events.v2/model") for e in reading.events)


@pytest.mark.skipif(not classifier_available(), reason="the event model is not installed")
def test_a_sentence_given_twice_gets_one_answer_the_same_as_alone():
    classifier = load_classifier()
    twice = classifier.predict([ARREST, TALKS, ARREST])
    assert twice[0] == twice[2] == classifier.predict([ARREST])[0]
    assert twice[1] == classifier.predict([TALKS])[0]
