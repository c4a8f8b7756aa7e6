"""``ingest``: read inputs, drop exact duplicates, link near-copies, (optionally) read, store.

The per-document step (``document_step``: link or read, into a ``NewDocument``) is shared with
uploads (which go through ``ingest``) and the Dask path (``scale/partition.py``); both sinks turn
a NewDocument into rows with ``store.rows.new_document_rows``.

Every document is stored in its own transaction (document, removed spans, signature, duplicate
link and reading together), and the near-duplicate index is rebuilt from the store at the start,
so an ingest that is interrupted and run again ends with the same store as one clean run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from exitwatch.ingest.dedup import METHOD, NEAR_DUPLICATE_THRESHOLD, NearDuplicateIndex, minhash, signature_bytes
from exitwatch.ingest.iterate import iter_documents
from exitwatch.ingest.problems import IngestProblem
from exitwatch.read import DEFAULT_MODE, check_mode, read_document
from exitwatch.records import Document, Reading, Record, replace
from exitwatch.store.rows import NewDocument

Reader = Callable[[Document], Reading]
#: What to read with: a mode of ``exitwatch.read.MODES``, a Reader, or None to store unread.
ReadWith = str | Reader | None


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

    @classmethod
    def merge(cls, reports: Iterable[IngestReport]) -> IngestReport:
        """One report for several ingests (counts added up, problems in order)."""
        reports = list(reports)
        return cls(
            added=sum(r.added for r in reports),
            duplicates=sum(r.duplicates for r in reports),
            near_duplicates=sum(r.near_duplicates for r in reports),
            problems=tuple(p for r in reports for p in r.problems),
            read=sum(r.read for r in reports),
        )

    @property
    def errors(self) -> tuple[IngestProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.duplicates} duplicates, {self.near_duplicates} near-duplicates, "
            f"{len(self.problems)} problems"
        )


def make_reader(read: ReadWith = DEFAULT_MODE) -> Reader | None:
    """The Reader for ``read``: ``read_document`` in that mode (checked here, the one place),
    the Reader itself, or None (store unread)."""
    if read is None or callable(read):
        return read
    return partial(read_document, mode=check_mode(read))


def document_step(doc: Document, signature: bytes, link: tuple[str, float, str] | None, reader: Reader | None,
                  problems: list[IngestProblem]) -> NewDocument:
    """The one per-document step of every ingest path: a near-copy (``link`` to its first copy)
    is stored unread; any other document is read with ``reader`` (None: stored unread)."""
    reading = read_or_warn(reader, doc, problems) if reader is not None and link is None else None
    return NewDocument(doc, signature, link, reading)


#: Documents stored per transaction: large enough that bulk ingest is not dominated by
#: per-transaction overhead, small enough that an interrupted run loses little work.
BATCH_SIZE = 64


def ingest(
    paths: Iterable[str | Path] | str | Path,
    *,
    store,
    read: ReadWith = DEFAULT_MODE,
    progress: Callable[[int, int | None], None] | None = None,
    near_duplicate_threshold: float = NEAR_DUPLICATE_THRESHOLD,
    batch_size: int = BATCH_SIZE,
    near_copies: NearDuplicateIndex | None = None,
    **reader_opts,
) -> IngestReport:
    """Ingest ``paths`` into ``store`` and say what happened.

    ``read`` (a read mode, a Reader, or None to store documents unread; see ``make_reader``) turns
    each new (not near-duplicate) document into a Reading stored with it. ``reader_opts`` go
    to ``iter_documents`` (``text_column``, ``title_column``, ``date_column``, ``outlet``, ...).
    Documents are stored ``batch_size`` at a time, each batch in one transaction.
    ``progress(done, None)`` is called after each document. ``near_copies``: the near-duplicate
    index of the store's documents when the caller keeps one (the server does; it is updated
    here), else it is built from the store.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    problems: list[IngestProblem] = []
    report = ingest_documents(iter_documents(paths, on_problem=problems.append, **reader_opts), store=store,
                              read=read, progress=progress, near_duplicate_threshold=near_duplicate_threshold,
                              batch_size=batch_size, near_copies=near_copies)
    return replace(report, problems=tuple(problems) + report.problems)


def ingest_documents(
    documents: Iterable[Document],
    *,
    store,
    read: ReadWith = DEFAULT_MODE,
    progress: Callable[[int, int | None], None] | None = None,
    near_duplicate_threshold: float = NEAR_DUPLICATE_THRESHOLD,
    batch_size: int = BATCH_SIZE,
    near_copies: NearDuplicateIndex | None = None,
) -> IngestReport:
    """Store ``documents`` as ``ingest`` does (exact duplicates dropped, near-copies linked, new
    documents read), ``batch_size`` at a time, each batch in one transaction."""
    reader = make_reader(read)
    problems: list[IngestProblem] = []
    index = near_copies or near_copy_index(store, near_duplicate_threshold)
    counts = {"added": 0, "duplicates": 0, "near": 0, "read": 0}
    done = 0
    for chunk in _chunks(documents, batch_size):
        stored = store.stored_ids([doc.id for doc in chunk])
        batch: list[NewDocument] = []
        canonical: dict[str, str] = {}  # new documents of this chunk -> their first copy
        for doc in chunk:
            done += 1
            if doc.id in stored or doc.id in canonical:
                counts["duplicates"] += 1
            else:
                signature = minhash(doc.body)
                match = index.find(signature)
                link = None
                if match:
                    first = canonical.get(match[0]) or store.canonical_id(match[0])
                    link = (first, match[1], METHOD)
                batch.append(document_step(doc, signature_bytes(signature), link, reader, problems))
                index.add(doc.id, signature)
                canonical[doc.id] = link[0] if link else doc.id
            if progress is not None:
                progress(done, None)
        _flush(store, batch, counts)
    return IngestReport(added=counts["added"], duplicates=counts["duplicates"], near_duplicates=counts["near"],
                        problems=tuple(problems), read=counts["read"])


def near_copy_index(store, threshold: float = NEAR_DUPLICATE_THRESHOLD) -> NearDuplicateIndex:
    """The near-duplicate index of every document in ``store``."""
    return NearDuplicateIndex.from_signatures(store.signatures(), threshold=threshold)


def _chunks(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _flush(store, batch: list[NewDocument], counts: dict[str, int]) -> None:
    """Store ``batch`` in one transaction and count what it added."""
    for item, added in zip(batch, store.add_documents(batch)):
        if not added:
            counts["duplicates"] += 1
        elif item.duplicate_of is not None:
            counts["near"] += 1
        else:
            counts["added"] += 1
            counts["read"] += item.reading is not None


def read_or_warn(reader: Reader, doc: Document, problems: list[IngestProblem]) -> Reading | None:
    """``reader(doc)``, or None with a warning in ``problems`` when reading fails (the document
    is then stored unread)."""
    try:
        return reader(doc)
    except Exception as e:  # one unreadable document must not stop the batch; it is stored unread
        problems.append(IngestProblem(doc.source_path or doc.id, f"stored but not read: {type(e).__name__}: {e}", "warning"))
        return None
