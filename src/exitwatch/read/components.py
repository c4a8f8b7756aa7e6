"""The reader's spaCy components, registered under versioned names and assembled by
``pipeline.cfg``: ``exitwatch_claims_v1`` (attributions and chains), ``exitwatch_events_v1``
(PLOVER events, lexical or from the multi-task model) and ``exitwatch_modality_v1`` (modality,
then the final Event and Claim records).

Components pass their work on in ``doc.user_data`` under ``exitwatch.*`` keys; the document's
metadata (``records.Document``) and the reading mode are put there before the pipeline runs.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from operator import attrgetter

from spacy.language import Language
from spacy.tokens import Doc

from exitwatch.read import classify
from exitwatch.read.actors import Mention, doc_mentions
from exitwatch.read.claims import (
    Attribution,
    ChainBuilder,
    blank_spans,
    find_attribution,
)
from exitwatch.read.dates import find_date
from exitwatch.read.events import EventDraft, code_events
from exitwatch.read.modality import claim_modality, is_author_opinion, modality_at
from exitwatch.read.sentences import doc_sentences
from exitwatch.records import Claim, Document, Event, Source

DOCUMENT, MODE, MODEL_DIR = "exitwatch.document", "exitwatch.mode", "exitwatch.model_dir"
#: The text the doc was made from (``doc.text`` rebuilds it from the tokens on every access).
TEXT = "exitwatch.text"
LEXICAL, PREDICTIONS = "exitwatch.lexical", "exitwatch.predictions"
_MAX_BLOCK_PARAGRAPHS = 5
_START = attrgetter("start")


def _document(doc: Doc) -> Document:
    return doc.user_data.get(DOCUMENT) or Document(id="", body=doc.text)


def _outlet(document: Document) -> Source:
    return Source(text=document.outlet or "this document", kind="outlet")


def _in(mentions: list[Mention], start: int, end: int) -> list[Mention]:
    """The mentions (sorted by start, as ``doc_mentions`` gives them) that start in [start, end)."""
    return mentions[bisect_left(mentions, start, key=_START):bisect_left(mentions, end, key=_START)]


@Language.factory("exitwatch_claims_v1")
def make_claims(nlp: Language, name: str):
    """Sentences, attributions per sentence, block quotes, and the document's ``ChainBuilder``."""

    def component(doc: Doc) -> Doc:
        document = _document(doc)
        text = document.body  # the doc's text (doc.text rebuilds it from the tokens on every access)
        sentences = doc_sentences(doc, document.id, text=text)
        mentions = doc_mentions(doc)
        builder = ChainBuilder(_outlet(document))
        attributions: dict[int, Attribution] = {}
        blocks: dict[int, list[Source]] = {}
        block: list[Source] = []
        block_paragraphs = 0
        previous_paragraph = 0
        for sentence in sentences:
            paragraph = text.count("\n", 0, sentence.start)
            if paragraph != previous_paragraph and block:
                block_paragraphs += 1
                # The first paragraph after "X notes that ...:" is always the quotation; later
                # ones end it when the author's own commentary resumes.
                if block_paragraphs > _MAX_BLOCK_PARAGRAPHS or (block_paragraphs > 1 and is_author_opinion(sentence.text)):
                    block, block_paragraphs = [], 0
            found = find_attribution(sentence.text, sentence.start, _in(mentions, sentence.start, sentence.end))
            previous = attributions.get(sentence.index - 1)
            if found is None and previous and previous.quote and paragraph == previous_paragraph \
                    and sentence.text.startswith(("“", '"')):
                found = Attribution(list(previous.chain), (1, len(sentence.text.rstrip(" .”\"")) ), quote=True)
            found = builder.observe(sentence.text, found)
            if found:
                attributions[sentence.index] = found
            if block:
                blocks[sentence.index] = block
            ends_paragraph = "\n" in text[sentence.end: sentence.end + 2] or sentence.end >= len(text.rstrip())
            if found and ends_paragraph and sentence.text.rstrip().endswith(":"):
                block, block_paragraphs = list(found.chain), 0
            previous_paragraph = paragraph
        doc.user_data.update({"exitwatch.sentences": sentences, "exitwatch.mentions": mentions,
                              "exitwatch.attributions": attributions, "exitwatch.blocks": blocks,
                              "exitwatch.chains": builder})
        return doc

    return component


def lexical_drafts(doc: Doc, lexicon: str | None) -> dict[int, list[EventDraft]]:
    """The lexical coder's event drafts per sentence (computed once per doc, kept in
    ``doc.user_data[LEXICAL]``: batched reading needs them before the events component runs)."""
    if LEXICAL not in doc.user_data:
        mentions: list[Mention] = doc.user_data["exitwatch.mentions"]
        attributions: dict[int, Attribution] = doc.user_data["exitwatch.attributions"]
        drafts = {}
        for sentence in doc.user_data["exitwatch.sentences"]:
            found = attributions.get(sentence.index)
            exclude = found.exclude if found else []
            drafts[sentence.index] = code_events(sentence.text, sentence.start, _in(mentions, sentence.start, sentence.end),
                                                 exclude=exclude, lexicon=lexicon)
            if found:
                _speaker_as_subject(sentence.text, found, drafts[sentence.index])
        doc.user_data[LEXICAL] = drafts
    return doc.user_data[LEXICAL]


def model_candidates(doc: Doc, lexicon: str | None) -> list:
    """The sentences of ``doc`` the model reads (``classify.candidates``)."""
    return classify.candidates(doc.user_data["exitwatch.sentences"], doc.user_data["exitwatch.mentions"],
                               lexical_drafts(doc, lexicon))


@Language.factory("exitwatch_events_v1", default_config={"lexicon": None})
def make_events(nlp: Language, name: str, lexicon: str | None):
    """Event drafts per sentence: the lexical coder's, or in "model" mode the model's (from
    ``doc.user_data[PREDICTIONS]`` when a batched reading put them there, else predicted here)."""

    def component(doc: Doc) -> Doc:
        drafts = lexical_drafts(doc, lexicon)
        if doc.user_data.get(MODE, "lexical") != "lexical":
            predictions = doc.user_data.get(PREDICTIONS)
            if predictions is None:
                predictions = classify.predict([model_candidates(doc, lexicon)], doc.user_data.get(MODEL_DIR))[0]
            support = classify.require_classifier(doc.user_data.get(MODEL_DIR)).trigger_support
            drafts, sentences = classify.apply_predictions(doc.user_data["exitwatch.sentences"], drafts,
                                                           doc.user_data["exitwatch.mentions"], predictions, support)
            attributions: dict[int, Attribution] = doc.user_data["exitwatch.attributions"]
            for sentence in sentences:
                if sentence.index in attributions:
                    _speaker_as_subject(sentence.text, attributions[sentence.index], drafts[sentence.index])
            doc.user_data["exitwatch.sentences"] = sentences
        doc.user_data["exitwatch.drafts"] = drafts
        return doc

    return component


_PRONOUN_SUBJECT = re.compile(r"(?:(?:today|yesterday|on \w+day)\s+)?(?:that\s+)?(?:it|they|he|she|we)\b", re.IGNORECASE)


_ANNOUNCING = {"announced", "declared", "confirmed"}


def _speaker_as_subject(sentence: str, found: Attribution, drafts: list) -> None:
    """"Switzerland said it had expelled two diplomats": a pronoun opening what the speaker said
    is the speaker, and what a speaker announces it does ("Italy announced a suspension"), so
    events there without a source get the speaker's actor."""
    speaker = found.speaker
    start, end = found.content
    announced = found.verb in _ANNOUNCING  # "Italy announced a suspension of air links": Italy suspends
    if speaker is None or speaker.actor is None or speaker.kind not in ("organisation", "person", "official") \
            or not (announced or _PRONOUN_SUBJECT.match(sentence, start)):
        return
    for index, draft in enumerate(drafts):
        if draft.source is None and start <= draft.position < end:
            drafts[index] = replace(draft, source=speaker.actor)


@Language.factory("exitwatch_modality_v1")
def make_modality(nlp: Language, name: str):
    """Modality, attribution chains and dates: the final ``Event`` and ``Claim`` records."""

    def component(doc: Doc) -> Doc:
        document = _document(doc)
        builder: ChainBuilder = doc.user_data["exitwatch.chains"]
        attributions = doc.user_data["exitwatch.attributions"]
        blocks = doc.user_data["exitwatch.blocks"]
        events, claims = [], []
        for sentence in doc.user_data["exitwatch.sentences"]:
            found, block = attributions.get(sentence.index), blocks.get(sentence.index, [])
            chain = builder.complete(found.chain if found else [], block=block)
            attributed = bool(found or block)
            opinion = not attributed and is_author_opinion(sentence.text)
            date, date_text = find_date(blank_spans(sentence.text, found.exclude if found else []), document.published)
            for draft in doc.user_data["exitwatch.drafts"][sentence.index]:
                modality, conditions = modality_at(sentence.text, draft.position, attributed=attributed, opinion=opinion)
                events.append(Event(
                    doc_id=document.id, sentence_index=sentence.index, event_type=draft.event_type,
                    source=draft.source, target=draft.target, mode=draft.mode, modality=modality,
                    attribution=chain, conditions=conditions, date=date, date_text=date_text,
                    location=draft.location, location_country=draft.location_country, span=draft.span,
                    trigger=draft.trigger, confidence=draft.confidence, coder=draft.coder,
                ))
            claim = _claim(document, sentence, found, block, chain, opinion)
            if claim:
                claims.append(claim)
        doc.user_data["exitwatch.events"], doc.user_data["exitwatch.claims"] = events, claims
        return doc

    return component


def _claim(document: Document, sentence, found: Attribution | None, block: list[Source],
           chain: tuple[Source, ...], opinion: bool) -> Claim | None:
    """The sentence's claim: attributed statement, block-quoted statement, or author opinion."""
    if found:
        start, end = found.content
        text = sentence.text[start:end].strip(" ,") or sentence.text
        modality, conditions = claim_modality(text, verb=found.verb)
        return Claim(doc_id=document.id, sentence_index=sentence.index, text=text, speaker=chain[0],
                     attribution=chain, modality=modality, quote=found.quote,
                     span=(sentence.start + start, sentence.start + end), conditions=conditions)
    if block:
        modality, conditions = claim_modality(sentence.text)
        return Claim(doc_id=document.id, sentence_index=sentence.index, text=sentence.text, speaker=chain[0],
                     attribution=chain, modality=modality, span=(sentence.start, sentence.end), conditions=conditions)
    if opinion:
        return Claim(doc_id=document.id, sentence_index=sentence.index, text=sentence.text, speaker=None,
                     attribution=chain, modality="opinion", span=(sentence.start, sentence.end))
    return None
