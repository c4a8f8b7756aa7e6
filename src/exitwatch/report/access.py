"""Sharing one store between the web server's worker threads.

DuckDB allows one read-write connection to a file per process, so the server opens the store
once and serialises its use with a lock. Derived results (country views, forecasts) are cached
until the next write, so a read never sees a stale one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from exitwatch.store import Store


class StoreAccess:
    """The server's store: ``use()`` lends it under a lock, ``write()`` also invalidates the
    cache, ``cached(key, compute)`` memoises ``compute(store)`` until the next write (at most
    ``cache_size`` entries). ``close()`` closes the store. ``as_of``: the date the pages and
    forecasts are assessed as of (None: today), the end of the news window."""

    def __init__(self, db_path: str, *, cache_size: int = 256, as_of=None):
        self.db_path = str(db_path)
        self.as_of = as_of
        self.store = Store(self.db_path)
        self.cache_size = cache_size
        self._lock = threading.RLock()
        self._cache: OrderedDict[tuple, Any] = OrderedDict()

    @contextmanager
    def use(self) -> Iterator[Store]:
        with self._lock:
            yield self.store

    @contextmanager
    def write(self) -> Iterator[Store]:
        with self._lock:
            try:
                yield self.store
            finally:
                self._cache.clear()

    def cached(self, key: tuple, compute: Callable[[Store], Any]) -> Any:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            value = compute(self.store)
            self._cache[key] = value
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            return value

    def close(self) -> None:
        with self._lock:
            self.store.close()
