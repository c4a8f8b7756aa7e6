"""The reader: documents to sentences, actors, PLOVER events and claims with attribution chains
and modality.

Public: ``read_document(doc, *, mode="auto") -> Reading``, ``read_documents(docs, *, mode)``, ``read_file(path, ...)``, ``read_text(text, **fields)``,
``build_pipeline()``. See docs/read.md and docs/schema.md.
"""

from __future__ import annotations

#: Reading modes: trigger lexicon only, the multi-task model, or the model when available.
MODES = ("lexical", "model", "auto")


def read_document(doc, *, mode: str = "auto", model_dir: str | None = None):
    """See ``exitwatch.read.reader.read_document`` (imported lazily: spaCy is heavy)."""
    from exitwatch.read.reader import read_document as _read_document

    return _read_document(doc, mode=mode, model_dir=model_dir)


def read_documents(docs, *, mode: str = "auto", model_dir: str | None = None):
    """See ``exitwatch.read.reader.read_documents``."""
    from exitwatch.read.reader import read_documents as _read_documents

    return _read_documents(docs, mode=mode, model_dir=model_dir)


def read_file(path, **options):
    """See ``exitwatch.read.reader.read_file``."""
    from exitwatch.read.reader import read_file as _read_file

    return _read_file(path, **options)


def read_text(text: str, **fields):
    """See ``exitwatch.read.reader.read_text``."""
    from exitwatch.read.reader import read_text as _read_text

    return _read_text(text, **fields)


__all__ = ["MODES", "read_document", "read_documents", "read_file", "read_text"]
