"""``read_document`` / ``read_documents`` / ``read_text``: Documents in, Readings (sentences,
events, claims) out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from exitwatch.dates import parse_user_date
from exitwatch.errors import InputError
from exitwatch.ingest.document import make_document
from exitwatch.ingest.iterate import iter_documents
from exitwatch.read import classify
from exitwatch.read.components import DOCUMENT, MODE, MODEL_DIR, PREDICTIONS, TEXT, model_candidates
from exitwatch.read.facts import with_sentence_facts
from exitwatch.read.modes import DEFAULT_MODE, MODEL_MODES, check_mode
from exitwatch.read.pipeline import build_pipeline, pipeline_name
from exitwatch.read.sanitize import tokenizable
from exitwatch.records import Document, Reading, Sentence, replace


def resolve_mode(mode: str, model_dir: str | None = None) -> str:
    """The mode actually used: "auto" is "model" when the model loads, else "lexical"; "model"
    and "fast" fail with ModelError when their model does not."""
    if check_mode(mode) == "auto":
        return "model" if classify.load_classifier(model_dir) is not None else "lexical"
    if mode in MODEL_MODES:
        classify.require_classifier(classify.model_folder(mode, model_dir), mode)
    return mode


def read_document(doc: Document, *, mode: str = DEFAULT_MODE, model_dir: str | None = None) -> Reading:
    """Read one document: sentences, PLOVER events and claims, each with modality and attribution.

    ``mode``: "lexical" (trigger lexicon only, fastest), "model" (the multi-task model decides
    event types, five-class labels and actors), "fast" (the same with the model's three-layer
    student: twice the speed, a few points of target accuracy), "auto" (model when available).
    ``model_dir``: a model folder other than the packaged one.
    """
    return read_documents([doc], mode=mode, model_dir=model_dir)[0]


def read_documents(docs: Sequence[Document], *, mode: str = DEFAULT_MODE, model_dir: str | None = None) -> list[Reading]:
    """Read several documents; each gets what ``read_document`` gives it alone (the model reads
    each candidate sentence in its own encoder pass, ``classifier.SENTENCES_PER_RUN``, and a
    sentence repeated across the documents once)."""
    used = resolve_mode(mode, model_dir)
    model_dir = classify.model_folder(used, model_dir)
    nlp = build_pipeline()
    split = _events_index(nlp)
    started = [_start(nlp, doc, used, model_dir) for doc in docs]
    if used in MODEL_MODES and split < len(nlp.pipeline):
        lexicon = nlp.get_pipe_config("events").get("lexicon")
        predictions = classify.predict([model_candidates(d, lexicon) for d in started], model_dir)
        for spacy_doc, found in zip(started, predictions):
            spacy_doc.user_data[PREDICTIONS] = found
    readings = []
    for doc, spacy_doc in zip(docs, started):
        for _, component in nlp.pipeline[split:]:
            spacy_doc = component(spacy_doc)
        data = spacy_doc.user_data
        readings.append(with_sentence_facts(Reading(
            document=doc, sentences=tuple(data["exitwatch.sentences"]), events=tuple(data["exitwatch.events"]),
            claims=tuple(data["exitwatch.claims"]), pipeline=pipeline_name(nlp, used)), data["exitwatch.mentions"]))
    return readings


def model_sentences(doc: Document) -> list[Sentence]:
    """The sentences of ``doc`` that model mode gives the encoder (``classify.candidates``: at
    least four words and an actor mention or a lexical trigger); the others keep the lexical
    reading and the neutral five-class label."""
    nlp = build_pipeline()
    return model_candidates(_start(nlp, doc, "model", None), nlp.get_pipe_config("events").get("lexicon"))


def _events_index(nlp) -> int:
    names = [name for name, _ in nlp.pipeline]
    return names.index("events") if "events" in names else len(names)


def _start(nlp, doc: Document, mode: str, model_dir: str | None):
    """``doc`` through the components before the events component (sentences, actors, claims)."""
    text = tokenizable(doc.body)  # same length: offsets stay the body's
    spacy_doc = nlp.make_doc(text)
    spacy_doc.user_data.update({DOCUMENT: doc, TEXT: text, MODE: mode, MODEL_DIR: model_dir})
    for _, component in nlp.pipeline[:_events_index(nlp)]:
        spacy_doc = component(spacy_doc)
    return spacy_doc


def read_file(path: str, *, mode: str = DEFAULT_MODE, outlet: str | None = None, published: dt.date | str | None = None,
              title: str | None = None) -> Reading:
    """Read the first document of a file (text, HTML, JSON, CSV, feed: as ``exitwatch ingest``
    reads it, boilerplate removed). ``outlet``, ``published`` (a date or YYYY-MM-DD) and ``title`` override
    what the file says."""
    problems = []
    doc = next(iter(iter_documents([path], outlet=outlet, on_problem=problems.append)), None)
    if doc is None:
        why = "; ".join(p.problem for p in problems) or "no document found"
        raise InputError(str(path), f"cannot read a document: {why}")
    if published is not None:
        doc = replace(doc, published=parse_user_date(published, what="published"))
    if title is not None:
        doc = replace(doc, title=title)
    return read_document(doc, mode=mode)


def read_text(text: str, *, mode: str = DEFAULT_MODE, **document_fields) -> Reading:
    """Read a text (made into a Document with ``document_fields``: title, outlet, published, ...)."""
    return read_document(make_document(text, **document_fields), mode=mode)
