"""``ingest``: read inputs, drop exact duplicates, link near-copies, (optionally) read, store.

Every document is stored in its own transaction (document, removed spans, signature, duplicate
link and reading together), and the near-duplicate index is rebuilt from the store at the start,
so an ingest that is interrupted and run again ends with the same store as one clean run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from exitwatch.ingest.dedup import METHOD, NEAR_DUPLICATE_THRESHOLD, NearDuplicateIndex, minhash, signature_bytes
from exitwatch.ingest.iterate import iter_documents
from exitwatch.ingest.problems import IngestProblem
from exitwatch.records import Document, Reading, Record

Reader = Callable[[Document], Reading]


@dataclass(frozen=True)
class IngestReport(Record):
    """What an ingest did.

    Fields: ``added`` (new documents stored), ``duplicates`` (exact repeats of stored documents,
    not stored again), ``near_duplicates`` (stored, linked to the earlier copy and not read),
    ``problems`` (IngestProblem tuple: skipped inputs and warnings), ``read`` (documents read).
    """

    added: int
    duplicates: int
    near_duplicates: int
    problems: tuple[IngestProblem, ...] = ()
    read: int = 0

    @property
    def errors(self) -> tuple[IngestProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.duplicates} duplicates, {self.near_duplicates} near-duplicates, "
            f"{len(self.problems)} problems"
        )


def default_reader() -> Reader | None:
    """``exitwatch.read.read_document`` when the read stage is installed, else None."""
    try:
        from exitwatch.read import read_document
    except ImportError:
        return None
    return read_document


def ingest(
    paths: Iterable[str | Path] | str | Path,
    *,
    store,
    read: Reader | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    near_duplicate_threshold: float = NEAR_DUPLICATE_THRESHOLD,
    **reader_opts,
) -> IngestReport:
    """Ingest ``paths`` into ``store`` and say what happened.

    ``read`` turns each new (not near-duplicate) document into a Reading stored with it; None
    means ``default_reader()``; pass ``read=False`` to store documents unread. ``reader_opts`` go
    to ``iter_documents`` (``text_column``, ``title_column``, ``date_column``, ``outlet``, ...).
    ``progress(done, None)`` is called after each document.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    reader = default_reader() if read is None else (read or None)
    problems: list[IngestProblem] = []
    index = NearDuplicateIndex.from_signatures(store.signatures(), threshold=near_duplicate_threshold)
    added = duplicates = near = n_read = done = 0
    for doc in iter_documents(paths, on_problem=problems.append, **reader_opts):
        done += 1
        if store.has_document(doc.id):
            duplicates += 1
        else:
            signature = minhash(doc.body)
            match = index.find(signature)
            link = (store.canonical_id(match[0]), match[1], METHOD) if match else None
            reading = None
            if reader is not None and link is None:
                reading = _read(reader, doc, problems)
            if store.add_document(doc, signature=signature_bytes(signature), duplicate_of=link, reading=reading):
                index.add(doc.id, signature)
                near += link is not None
                added += link is None
                n_read += reading is not None
            else:
                duplicates += 1
        if progress is not None:
            progress(done, None)
    return IngestReport(added=added, duplicates=duplicates, near_duplicates=near, problems=tuple(problems), read=n_read)


def _read(reader: Reader, doc: Document, problems: list[IngestProblem]) -> Reading | None:
    try:
        return reader(doc)
    except Exception as e:  # one unreadable document must not stop the batch; it is stored unread
        problems.append(IngestProblem(doc.source_path or doc.id, f"stored but not read: {type(e).__name__}: {e}", "warning"))
        return None
