"""``read_document`` / ``read_text``: a Document in, a Reading (sentences, events, claims) out."""

from __future__ import annotations

import datetime as dt

from exitwatch.dates import parse_user_date
from exitwatch.errors import InputError
from exitwatch.ingest.document import make_document
from exitwatch.ingest.iterate import iter_documents
from exitwatch.read.classify import classifier_available
from exitwatch.read.components import DOCUMENT, MODE
from exitwatch.read.modes import DEFAULT_MODE, check_mode
from exitwatch.read.pipeline import build_pipeline, pipeline_name
from exitwatch.records import Document, Reading, replace


def resolve_mode(mode: str) -> str:
    """The mode actually used: "auto" is "model" when the classifier loads, else "lexical"."""
    if check_mode(mode) == "auto":
        return "model" if classifier_available() else "lexical"
    return mode


def read_document(doc: Document, *, mode: str = DEFAULT_MODE) -> Reading:
    """Read one document: sentences, PLOVER events and claims, each with modality and attribution.

    ``mode``: "lexical" (trigger lexicon only, fastest), "model" (the sentence classifier decides
    the event type where it is confident), "auto" (model when available).
    """
    used = resolve_mode(mode)
    nlp = build_pipeline()
    spacy_doc = nlp.make_doc(doc.body)
    spacy_doc.user_data[DOCUMENT] = doc
    spacy_doc.user_data[MODE] = used
    for _, component in nlp.pipeline:
        spacy_doc = component(spacy_doc)
    data = spacy_doc.user_data
    return Reading(document=doc, sentences=tuple(data["exitwatch.sentences"]), events=tuple(data["exitwatch.events"]),
                   claims=tuple(data["exitwatch.claims"]), pipeline=pipeline_name(nlp, used))


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
