"""The reader: documents to sentences, actors, PLOVER events and claims with attribution chains
and modality.

Public: ``read_document(doc, *, mode="auto") -> Reading``, ``read_documents(docs, *, mode)``,
``read_file(path, ...)``, ``read_text(text, **fields)``, ``MODES``, ``DEFAULT_MODE``,
``check_mode``. See docs/read.md and docs/schema.md.
"""

from __future__ import annotations

from exitwatch.read.modes import DEFAULT_MODE, MODES, check_mode
from exitwatch.read.reader import read_document, read_documents, read_file, read_text

__all__ = ["DEFAULT_MODE", "MODES", "check_mode", "read_document", "read_documents", "read_file", "read_text"]
