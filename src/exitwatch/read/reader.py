"""``read_document`` / ``read_text``: a Document in, a Reading (sentences, events, claims) out."""

from __future__ import annotations

from exitwatch.errors import ConfigError, InputError
from exitwatch.read import MODES
from exitwatch.read.classify import classifier_available
from exitwatch.read.components import DOCUMENT, MODE
from exitwatch.read.pipeline import build_pipeline, pipeline_name
from exitwatch.read.sanitize import tokenizable
from exitwatch.records import Document, Reading, replace


def resolve_mode(mode: str) -> str:
    """The mode actually used: "auto" is "model" when the classifier loads, else "lexical"."""
    if mode not in MODES:
        raise ConfigError(f"unknown read mode {mode!r}; choose one of {', '.join(MODES)}")
    if mode == "auto":
        return "model" if classifier_available() else "lexical"
    return mode


def read_document(doc: Document, *, mode: str = "auto") -> Reading:
    """Read one document: sentences, PLOVER events and claims, each with modality and attribution.

    ``mode``: "lexical" (trigger lexicon only, fastest), "model" (the sentence classifier decides
    the event type where it is confident), "auto" (model when available).
    """
    used = resolve_mode(mode)
    nlp = build_pipeline()
    spacy_doc = nlp.make_doc(tokenizable(doc.body))  # same length: offsets stay the body's
    spacy_doc.user_data[DOCUMENT] = doc
    spacy_doc.user_data[MODE] = used
    for _, component in nlp.pipeline:
        spacy_doc = component(spacy_doc)
    data = spacy_doc.user_data
    return Reading(document=doc, sentences=tuple(data["exitwatch.sentences"]), events=tuple(data["exitwatch.events"]),
                   claims=tuple(data["exitwatch.claims"]), pipeline=pipeline_name(nlp, used))


def read_file(path: str, *, mode: str = "auto", outlet: str | None = None, published: str | None = None,
              title: str | None = None) -> Reading:
    """Read the first document of a file (text, HTML, JSON, CSV, feed: as ``exitwatch ingest``
    reads it, boilerplate removed). ``outlet``, ``published`` (ISO date) and ``title`` override
    what the file says."""
    from exitwatch.ingest import iter_documents
    from exitwatch.ingest.document import parse_date

    problems = []
    doc = next(iter(iter_documents([path], outlet=outlet, on_problem=problems.append)), None)
    if doc is None:
        why = "; ".join(p.problem for p in problems) or "no document found"
        raise InputError(str(path), f"cannot read a document: {why}")
    if published is not None:
        date = parse_date(published)
        if date is None:
            raise InputError(str(published), "not a date; give the publication date as YYYY-MM-DD")
        doc = replace(doc, published=date)
    if title is not None:
        doc = replace(doc, title=title)
    return read_document(doc, mode=mode)


def read_text(text: str, *, mode: str = "auto", **document_fields) -> Reading:
    """Read a text (made into a Document with ``document_fields``: title, outlet, published, ...)."""
    from exitwatch.ingest import make_document

    return read_document(make_document(text, **document_fields), mode=mode)
