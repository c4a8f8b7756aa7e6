"""Sentence splitting with character offsets: spaCy's blank English tokenizer and rule-based
sentencizer (``exitwatch_sentencizer_v1``: spaCy's rule, read off token attribute arrays), plus a
hard break at every line break (paragraphs never share a sentence)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from exitwatch.records import Sentence

#: Words that start a sentence after a single-letter abbreviation ("his Plan B. The Journal ...").
_STARTERS = {"The", "A", "An", "He", "She", "It", "They", "We", "But", "And", "In", "This", "That", "His", "Her"}


class ArraySentencizer(Sentencizer):
    """spaCy's rule-based sentencizer with its boundaries (a sentence starts at the first token
    after a sentence-final punctuation mark that is neither punctuation nor such a mark), found
    on token attribute arrays: spaCy's own loop makes a Python Token of every token, the slowest
    part of splitting."""

    def predict(self, docs) -> list[list[bool]]:
        return [self._starts(doc) for doc in docs]

    def _starts(self, doc: Doc) -> list[bool]:
        if len(doc) == 0:
            return []
        orths = doc.to_array("ORTH")
        marks = np.isin(orths, np.array([orth for orth in np.unique(orths).tolist()
                                         if doc.vocab.strings[orth] in self.punct_chars], dtype=np.uint64))
        words = np.flatnonzero(~marks & (doc.to_array("IS_PUNCT") == 0))
        marks_before = np.cumsum(marks) - marks  # sentence-final marks before each token
        # a word starts a sentence when a mark stands between it and the word before it
        since_previous_word = marks_before[words] - np.concatenate(([0], marks_before[words[:-1]]))
        starts = np.zeros(len(doc), dtype=bool)
        starts[0] = True
        starts[words[since_previous_word > 0]] = True
        return starts.tolist()


@Language.factory("exitwatch_sentencizer_v1", default_config={"punct_chars": None, "overwrite": False})
def make_sentencizer(nlp: Language, name: str, punct_chars: list[str] | None, overwrite: bool) -> ArraySentencizer:
    """Factory registered as ``exitwatch_sentencizer_v1`` (the options of spaCy's ``sentencizer``)."""
    return ArraySentencizer(name, punct_chars=punct_chars, overwrite=overwrite)


@Language.component("exitwatch_paragraphs_v1")
def paragraph_breaks(doc: Doc) -> Doc:
    """Fix the rule-based sentencizer's boundaries: a new sentence after every line break, after a
    capital-letter abbreviation followed by a sentence starter ("Plan B. The ..."), and an opening
    quotation mark left at the end of a sentence goes to the next one."""
    for token in _may_break(doc):
        after = doc[token.i + 1]
        line_break = "\n" in token.text
        initial = _is_initial(token.text)
        if line_break or (initial and after.text in _STARTERS):
            after.is_sent_start = True
        elif token.text in ("“", '"') and after.is_sent_start and token.i > 0 and not token.is_sent_start \
                and not token.whitespace_ and token.nbor(-1).whitespace_:
            token.is_sent_start, after.is_sent_start = True, False
    return doc


def _is_initial(text: str) -> bool:
    return len(text) == 2 and text[0].isupper() and text[1] == "."


def _may_break(doc: Doc) -> list:
    """The tokens but the last that ``paragraph_breaks`` may act on: a line break (a token's
    whitespace is one space at most, so a line break is a token's text), an initial or an opening
    quotation mark. Found on the distinct token texts: a Python Token for every token cost more
    than the rest of the component."""
    orths = doc.to_array("ORTH")[:-1]
    strings = doc.vocab.strings
    chosen = [orth for orth in np.unique(orths).tolist()
              if "\n" in strings[orth] or _is_initial(strings[orth]) or strings[orth] in ("“", '"')]
    return [doc[i] for i in np.flatnonzero(np.isin(orths, np.array(chosen, dtype=np.uint64))).tolist()]


def doc_sentences(doc: Doc, doc_id: str, *, text: str | None = None) -> list[Sentence]:
    """The sentences of a processed spaCy ``doc`` (whitespace trimmed, empty ones dropped);
    ``text``: the doc's text when the caller has it (saves rebuilding it from the tokens)."""
    sentences: list[Sentence] = []
    text = doc.text if text is None else text
    for span in doc.sents:
        start, end = span.start_char, span.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            sentences.append(Sentence(doc_id=doc_id, index=len(sentences), start=start, end=end, text=text[start:end]))
    return sentences


@lru_cache(maxsize=1)
def _splitter() -> Language:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("exitwatch_sentencizer_v1")
    nlp.add_pipe("exitwatch_paragraphs_v1")
    return nlp


def split_sentences(text: str, doc_id: str = "") -> list[Sentence]:
    """Sentences of ``text`` with offsets into ``text``."""
    return doc_sentences(_splitter()(text), doc_id)
