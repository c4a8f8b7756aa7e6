"""``read_document`` / ``read_text``: a Document in, a Reading (sentences, events, claims) out."""

from __future__ import annotations

from exitwatch.errors import ConfigError
from exitwatch.read import MODES
from exitwatch.read.classify import classifier_available
from exitwatch.read.components import DOCUMENT, MODE
from exitwatch.read.pipeline import build_pipeline, pipeline_name
from exitwatch.records import Document, Reading


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
    spacy_doc = nlp.make_doc(doc.body)
    spacy_doc.user_data[DOCUMENT] = doc
    spacy_doc.user_data[MODE] = used
    for _, component in nlp.pipeline:
        spacy_doc = component(spacy_doc)
    data = spacy_doc.user_data
    return Reading(document=doc, sentences=tuple(data["exitwatch.sentences"]), events=tuple(data["exitwatch.events"]),
                   claims=tuple(data["exitwatch.claims"]), pipeline=pipeline_name(nlp, used))


def make_document(text: str, **fields) -> Document:
    """A Document via the ingest stage (boilerplate removal) when available, else a plain one."""
    try:
        from exitwatch.ingest import make_document as ingest_make_document
    except ImportError:
        ingest_make_document = None
    if ingest_make_document is not None:
        return ingest_make_document(text, **fields)
    import datetime as dt
    import hashlib

    published = fields.pop("published", None)
    if isinstance(published, str):
        published = dt.date.fromisoformat(published[:10])
    allowed = {"title", "outlet", "url", "language", "author", "source_path"}
    body = text.strip()
    doc_id = hashlib.sha256(" ".join(body.split()).encode()).hexdigest()[:16]
    return Document(id=doc_id, body=body, published=published, **{k: v for k, v in fields.items() if k in allowed})


def read_text(text: str, *, mode: str = "auto", **document_fields) -> Reading:
    """Read a text (made into a Document with ``document_fields``: title, outlet, published, ...)."""
    return read_document(make_document(text, **document_fields), mode=mode)
