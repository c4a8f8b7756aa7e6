"""Sharing one store between the web server's worker threads.

DuckDB allows one read-write connection to a file per process. The server opens the store once
and writes through that connection, one write at a time; every worker thread reads through its
own cursor on the same database (``Store.reader()``), so a read sees the last committed state and
is never blocked by a write in progress (DuckDB's MVCC). Closing waits for the reads in progress
(DuckDB refuses to close a connection while a cursor of it is running a query).

Derived results (country views, indicators, the index's per-country news) are cached. A write
invalidates only the entries of the countries it touched (those whose stored document count
changed) and the store-wide entries; entries that do not depend on the store are kept. A result
computed from a snapshot older than a write that touched its country is not cached.

A write lends the writer back while it waits for something slow that does not touch the
store (``released``: reading a posted document in the worker process), so other writes can go
on meanwhile.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from exitwatch.errors import StoreError
from exitwatch.indicators.matching import MatchCache
from exitwatch.store import Store

#: Cache scope of a result: of one country (key[1] is its ISO3), of the whole store, or of no
#: store data at all (history forecasts).
COUNTRY, STORE, NO_STORE = "country", "store", "no-store"
#: Key of the ASGI scope under which the server's response cache (``app.response_cache``) puts
#: an ``AnswerScope`` for the route to fill in.
ANSWER_SCOPE = "exitwatch.answer_scope"


class AnswerScope:
    """What a GET answer depends on, as its route declares it (``declare``): ``scope`` (``STORE``,
    the default: any write ends it; ``COUNTRY``: only a write touching ``country``; ``NO_STORE``:
    no write ends it), and ``stale_ok`` (once a write has ended it, it may still answer requests,
    labelled stale, while it is recomputed off the request path)."""

    __slots__ = ("scope", "country", "stale_ok")

    def __init__(self):
        self.scope, self.country, self.stale_ok = STORE, None, False


def declare(request_scope: dict, scope: str, country: str | None = None, *, stale_ok: bool = False) -> None:
    """Say, in the ASGI scope of a request (``request.scope``), what its answer depends on (see
    ``AnswerScope``; nothing happens when no response cache asked)."""
    if (answer := request_scope.get(ANSWER_SCOPE)) is not None:
        answer.scope, answer.country, answer.stale_ok = scope, country, stale_ok


class StoreAccess:
    """The server's store: ``use()`` lends a reader for this thread, ``write()`` the one writer
    (and invalidates the cache of the countries the write touched), ``cached(key, compute, scope=)``
    memoises ``compute(store)`` (at most ``cache_size`` entries); ``matches`` is the indicators'
    ``MatchCache`` of the stored readings. ``close()`` waits for the reads in progress, then
    closes the store (a read asked for after that raises StoreError).
    ``as_of``: the date the pages and forecasts are assessed as of (None: today), the end of the
    news window."""

    def __init__(self, db_path: str, *, cache_size: int = 256, as_of=None):
        self.db_path = str(db_path)
        self.as_of = as_of
        self.store = Store(self.db_path)
        self.cache_size = cache_size
        self._write_lock = threading.Lock()
        self._lock = threading.Lock()  # guards the cache, the generations and the readers list
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        self._computing: dict[tuple, threading.Lock] = {}
        self._generation = 0
        self._touched: dict[str, int] = {}  # ISO3 -> generation of the last write touching it
        self._local = threading.local()
        self._readers: list[Store] = []
        self._reading = 0  # reads in progress (under _lock; _idle is notified when it drops to 0)
        self._idle = threading.Condition(self._lock)
        self._closed = False
        self.matches = MatchCache()  # indicators recomputed after a write match only new readings

    def _reader(self) -> Store:
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._local.reader = self.store.reader()
            with self._lock:
                self._readers.append(reader)
        return reader

    @contextmanager
    def use(self) -> Iterator[Store]:
        with self._read():
            yield self._reader()

    @contextmanager
    def _read(self) -> Iterator[None]:
        """Count a read in progress, so that ``close()`` waits for it."""
        with self._lock:
            if self._closed:
                raise StoreError(f"store {self.db_path} is closed (the server is stopping)")
            self._reading += 1
        try:
            yield
        finally:
            with self._lock:
                self._reading -= 1
                if not self._reading:
                    self._idle.notify_all()

    @contextmanager
    def write(self) -> Iterator[Store]:
        with self._write_lock:
            before = self.store.country_document_counts()
            try:
                yield self.store
            finally:
                after = self.store.country_document_counts()
                touched = {c for c in before.keys() | after.keys() if before.get(c) != after.get(c)}
                self.invalidate(touched)

    @contextmanager
    def released(self) -> Iterator[None]:
        """Inside ``write()``, between two uses of the store (no transaction open): let other
        writes use the store until the block ends, then take it back (reads never wait anyway)."""
        self._write_lock.release()
        try:
            yield
        finally:
            self._write_lock.acquire()

    def invalidate(self, countries: set[str]) -> None:
        """Drop the cached results of ``countries`` and the store-wide ones."""
        with self._lock:
            self._generation += 1
            for country in countries:
                self._touched[country] = self._generation
            for key in [k for k, (scope, _) in self._cache.items()
                        if scope == STORE or (scope == COUNTRY and k[1] in countries)]:
                del self._cache[key]

    @property
    def generation(self) -> int:
        """How many writes (invalidations) there have been: a result computed while it did not
        change reflects the store as it still is."""
        return self._generation

    def changed_since(self, generation: int, scope: str = STORE, country: str | None = None) -> bool:
        """Whether a write since ``generation`` (a value of ``generation``) changed what a result
        of ``scope`` (of ``country`` for ``COUNTRY``) depends on."""
        with self._lock:
            return self._stale((None, country), scope, generation)

    def peek(self, key: tuple, default: Any = None) -> Any:
        """The cached result under ``key``, or ``default`` without computing it."""
        with self._lock:
            return self._cache[key][1] if key in self._cache else default

    def _stale(self, key: tuple, scope: str, generation: int) -> bool:
        if scope == NO_STORE:
            return False
        if scope == COUNTRY:
            return self._touched.get(key[1], 0) > generation
        return self._generation > generation

    def cached(self, key: tuple, compute: Callable[[Store], Any], *, scope: str = COUNTRY) -> Any:
        """``compute(reader)``, remembered under ``key`` until a write touches it; with scope
        ``COUNTRY`` the key's second item is the ISO3 code. Concurrent requests for one key wait
        for a single computation."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key][1]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                if key in self._cache:
                    return self._cache[key][1]
                generation = self._generation
            try:
                with self._read():
                    value = compute(self._reader())
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            with self._lock:
                if not self._stale(key, scope, generation):
                    self._cache[key] = (scope, value)
                    if len(self._cache) > self.cache_size:
                        self._cache.popitem(last=False)
            return value

    def close(self) -> None:
        with self._write_lock, self._lock:
            self._closed = True
            self._idle.wait_for(lambda: not self._reading)
            for reader in self._readers:
                reader.close()
            self.store.close()
