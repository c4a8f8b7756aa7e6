"""The reader: documents to sentences, actors, PLOVER events and claims with attribution chains
and modality.

Public: ``read_document(doc, *, mode="auto") -> Reading``, ``read_file(path, ...)``, ``read_text(text, **fields)``,
``build_pipeline()``. See docs/read.md and docs/schema.md.
"""

from __future__ import annotations

#: Reading modes: trigger lexicon only, the sentence classifier, or the classifier when available.
MODES = ("lexical", "model", "auto")


def read_document(doc, *, mode: str = "auto"):
    """See ``exitwatch.read.reader.read_document`` (imported lazily: spaCy is heavy)."""
    from exitwatch.read.reader import read_document as _read_document

    return _read_document(doc, mode=mode)


def read_file(path, **options):
    """See ``exitwatch.read.reader.read_file``."""
    from exitwatch.read.reader import read_file as _read_file

    return _read_file(path, **options)


def read_text(text: str, **fields):
    """See ``exitwatch.read.reader.read_text``."""
    from exitwatch.read.reader import read_text as _read_text

    return _read_text(text, **fields)


__all__ = ["MODES", "read_document", "read_file", "read_text"]
