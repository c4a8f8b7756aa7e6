"""``ReadWorker``: the server reads documents in a child process, each within a time budget.

Reading is CPU-bound and spaCy's tokenizer holds the GIL, so reading in the server's own process
stalls every other request; and a thread cannot be stopped when a document takes too long. The
worker is one spawned process that builds the reader pipeline once and then reads one document
at a time: a document that takes longer than ``budget_s`` raises ``ReadTimeoutError`` (the
caller stores it unread with that problem), the process is killed and a fresh one started for
the next document. ``shared_worker(mode, budget_s)`` is the one worker of this process for those
settings (the app starts it when it starts, so the pipeline is built before the first upload).
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from functools import lru_cache

from exitwatch.errors import ReadTimeoutError
from exitwatch.ingest import make_document
from exitwatch.read import DEFAULT_MODE, read_document
from exitwatch.records import Document, Reading

#: Seconds one document may take to read (a 1 MB article of ordinary prose takes a few).
READ_BUDGET_S = 30.0
#: Seconds a new worker may take to import the reader and build its pipeline.
START_TIMEOUT_S = 300.0
_WARM_UP = "Protesters marched in Tehran on Monday, the union said."


def _serve(conn, mode: str) -> None:
    """The child: build the pipeline, say so, then read documents until the pipe closes."""
    read_document(make_document(_WARM_UP), mode=mode)
    try:
        conn.send(("ready", None))
        while True:
            doc = conn.recv()
            try:
                answer = ("ok", read_document(doc, mode=mode))
            except Exception as e:  # noqa: BLE001 - the parent re-raises it for this one document
                answer = ("error", f"{type(e).__name__}: {e}")
            conn.send(answer)
    except (EOFError, OSError):  # the server closed the pipe or ended
        return


class ReadWorker:
    """Reads documents (``worker(doc) -> Reading``) in a child process, one at a time, each in
    at most ``budget_s`` seconds; ``mode`` as ``read_document``'s. Thread-safe."""

    def __init__(self, mode: str = DEFAULT_MODE, *, budget_s: float = READ_BUDGET_S):
        self.mode = mode
        self.budget_s = budget_s
        self._lock = threading.Lock()
        self._process = None
        self._conn = None
        self._ready = False

    def start(self) -> None:
        """Start the child process (returns at once; it builds its pipeline in the background)."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, self.mode), daemon=True, name="exitwatch-reader")
        self._process.start()
        child.close()
        self._ready = False

    def ready(self) -> bool:
        """Whether the child has built its pipeline and can read at once (never waits)."""
        if not self._lock.acquire(blocking=False):
            return self._ready  # busy: reading (ready) or waiting for the start (not yet)
        try:
            if not self._ready and self._conn is not None and self._conn.poll(0):
                self._wait_ready()
            return self._ready
        finally:
            self._lock.release()

    def _wait_ready(self) -> None:
        if self._ready:
            return
        if not self._conn.poll(START_TIMEOUT_S):
            self._stop()
            raise ReadTimeoutError(f"the reader process did not start within {START_TIMEOUT_S:.0f} s")
        status, _ = self._receive()
        self._ready = status == "ready"

    def _receive(self) -> tuple[str, object]:
        try:
            return self._conn.recv()
        except EOFError as e:
            self._stop()
            raise RuntimeError("the reader process ended unexpectedly (out of memory?); a new one reads the "
                               "next document") from e

    def __call__(self, doc: Document) -> Reading:
        with self._lock:
            self._start()
            self._wait_ready()
            self._conn.send(doc)
            if not self._conn.poll(self.budget_s):
                self._stop()
                raise ReadTimeoutError(f"reading took longer than the budget of {self.budget_s:g} s per document")
            status, payload = self._receive()
        if status != "ok":
            raise RuntimeError(payload)
        return payload

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._conn.close()
        self._process = self._conn = None
        self._ready = False

    def close(self) -> None:
        """Stop the child process."""
        with self._lock:
            self._stop()


@lru_cache(maxsize=None)
def shared_worker(mode: str = DEFAULT_MODE, budget_s: float = READ_BUDGET_S) -> ReadWorker:
    """This process's worker for ``mode`` and ``budget_s`` (stopped when the process exits)."""
    worker = ReadWorker(mode, budget_s=budget_s)
    atexit.register(worker.close)
    return worker
