"""Sentence splitting: the reader's sentencizer (spaCy's rule on attribute arrays) and the
paragraph rules. Our own sentences."""

from __future__ import annotations

import pytest
import spacy

from exitwatch.read.sentences import ArraySentencizer, split_sentences

TEXTS = [
    "",
    "No full stop",
    "...",
    "Troops left. Talks resumed!",
    "Did they agree?! Nobody knows... (Not yet.) Talks go on.",
    "The minister said: “We leave.” Then silence.",
    ". . . word",
    "First line\n\nSecond line. Third one 。 Fourth",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_reader_sentencizer_finds_spacy_s_boundaries(text):
    nlp = spacy.blank("en")
    spacy_rule = nlp.add_pipe("sentencizer")
    doc = nlp.make_doc(text)
    assert ArraySentencizer().predict([doc]) == spacy_rule.predict([doc])


def test_line_breaks_initials_and_opening_quotes_start_sentences():
    text = "He kept his Plan B. The army waited\nfor orders. Officials said. “We leave,” he said."
    assert [s.text for s in split_sentences(text)] == [
        "He kept his Plan B.", "The army waited", "for orders.", "Officials said.", "“We leave,” he said."]
