"""``reread``: read stored documents again with this version's reader and replace their readings.

A store keeps what the reader of its day found. Documents read before migration 5 have no
mentions or cue matches (so the indicators find nothing in them), those read before migration 6
no five-class labels and those read before migration 7 no tagged roles; a new cue lexicon or
model needs the same re-read. By default the documents read before the last migration of the
reader tables (``READER_MIGRATION``) are read again; ``everything`` re-reads every read
document. Documents stored unread (near-copies, ``ingest --no-read``) stay unread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from exitwatch.app.ingest_pipeline import BATCH_SIZE, Reader, make_reader, read_or_warn
from exitwatch.ingest.problems import IngestProblem
from exitwatch.read import DEFAULT_MODE
from exitwatch.records import Record

#: The last migration that added to the reader tables (7: ``sentences.roles``).
READER_MIGRATION = 7


@dataclass(frozen=True)
class RereadReport(Record):
    """What a re-read did: ``selected`` (documents chosen), ``read`` (read again and stored),
    ``problems`` (IngestProblem tuple: documents that could not be read; their old reading stays)."""

    selected: int
    read: int
    problems: tuple[IngestProblem, ...] = ()

    def summary(self) -> str:
        return f"{self.read} of {self.selected} documents read again, {len(self.problems)} problems"


def reread(store, *, read: str | Reader = DEFAULT_MODE, everything: bool = False, batch_size: int = BATCH_SIZE,
           progress: Callable[[int, int | None], None] | None = None) -> RereadReport:
    """Read again the documents of ``store`` read before ``READER_MIGRATION`` (every read
    document with ``everything``) with ``read`` (a mode or a Reader, as ``ingest`` takes), and
    replace their stored readings, ``batch_size`` documents per transaction.
    ``progress(done, total)`` is called after each document."""
    reader = make_reader(read)
    doc_ids = sorted(store.read_doc_ids()) if everything else store.read_before_migration(READER_MIGRATION)
    problems: list[IngestProblem] = []
    done = 0
    for start in range(0, len(doc_ids), batch_size):
        readings = []
        for doc_id in doc_ids[start:start + batch_size]:
            reading = read_or_warn(reader, store.document(doc_id), problems)
            if reading is not None:
                readings.append(reading)
            done += 1
            if progress is not None:
                progress(done, len(doc_ids))
        store.add_readings(readings)
    return RereadReport(selected=len(doc_ids), read=done - len(problems), problems=tuple(problems))
