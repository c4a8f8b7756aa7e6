"""``ResponseCache``: the server answers a repeated GET from memory until a write changes what it shows.

Most requests to a dashboard repeat: the index, a few country pages, the first page of each API
list. Their results are cached in ``StoreAccess`` already, but rendering them again (routing,
validation, serialising a 450 KB forecast list, the index template) costs 5-40 ms a request,
which 20 concurrent readers on a busy machine turn into queues. This ASGI middleware, outermost
in the app, keeps each successful GET answer (status 200, headers as sent, body) under its path
and query, with what it depends on as its route declared it (``report.access.declare``: an
``AnswerScope`` put in the request's ASGI scope): the whole store (the default: lists, the index),
one country (its page, brief, forecast, indicators: a write that touches only other countries
leaves it) or nothing in the store (the history forecasts: no write ends them). An answer is
tagged with the store's write generation (``StoreAccess.generation``) when its computation began
and is current until a write changes what it depends on (``StoreAccess.changed_since``).

A route may also declare its answer ``stale_ok`` (the dashboard's pages: the index, country pages,
briefs). Once a write has ended such an answer, requests still get it at once, labelled
``X-Exitwatch-Cache: stale`` with its ``Age`` in seconds, while one recomputation runs off the
request path (an asyncio task running the app for a copy of the request); readers never wait for
a recomputation a write caused. ``Age`` counts from when the answer was last known current (its
computation began, or a request found it current), so it bounds how long ago a write ended it. Other answers ended by a write are recomputed by the next request
(concurrent requests for one answer wait for a single computation). Every answer says where it
came from: ``X-Exitwatch-Cache: hit``, ``stale`` or ``miss`` (computed for this request).

Nothing is kept that was begun or finished while ``enabled()`` was false (the server's start-up,
when the index still fills in), nor an answer marked ``Cache-Control: no-store`` (one that changes
without a write, like ``/api/status``), nor any body over ``max_body`` bytes; at most
``max_entries`` answers and ``max_bytes`` bytes are kept, the least recently used dropped first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exitwatch.report.access import ANSWER_SCOPE, AnswerScope, StoreAccess

log = logging.getLogger(__name__)

#: Answers kept (least recently used dropped first).
MAX_ENTRIES = 512
#: Bytes of bodies kept in all (least recently used dropped first).
MAX_BYTES = 64 * 1024 * 1024
#: Largest body kept (the forecast list of every country is about 0.5 MB).
MAX_BODY = 4 * 1024 * 1024
#: The header saying where an answer came from, and its values.
CACHE_HEADER = b"x-exitwatch-cache"
HIT, STALE, MISS = b"hit", b"stale", b"miss"


@dataclass
class _Entry:
    generation: int  # the store's write generation when its computation began
    depends: AnswerScope
    start: Message
    body: bytes
    checked: float  # time.monotonic() when it was last known current (its computation began, or a hit)


def _no_store(start: Message) -> bool:
    """Whether the answer says it must not be kept (``Cache-Control: no-store``)."""
    return any(name.lower() == b"cache-control" and b"no-store" in value.lower() for name, value in start["headers"])


def _labelled(start: Message, label: bytes, age: float | None = None) -> Message:
    headers = [*start["headers"], (CACHE_HEADER, label)]
    if age is not None:
        headers.append((b"age", str(int(age)).encode()))
    return {**start, "headers": headers}


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _discard(message: Message) -> None:
    return None


class Refreshes:
    """The recomputations a ``ResponseCache`` runs off the request path. ``close()`` waits until
    none runs and starts no more (the server awaits it before it closes the store)."""

    def __init__(self):
        self.tasks: dict[tuple, asyncio.Task] = {}
        self.closed = False

    async def close(self) -> None:
        self.closed = True
        while self.tasks:
            await asyncio.gather(*self.tasks.values(), return_exceptions=True)


class ResponseCache:
    """ASGI middleware over ``app`` (see the module docstring); ``refreshes``: where it keeps its
    recomputations (``Refreshes``; the server closes it before it closes the store)."""

    def __init__(self, app: ASGIApp, *, access: StoreAccess, enabled: Callable[[], bool] = lambda: True,
                 refreshes: Refreshes | None = None,
                 max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES, max_body: int = MAX_BODY):
        self.app = app
        self.access = access
        self.enabled = enabled
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_body = max_body
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._bytes = 0
        self._computing: dict[tuple, asyncio.Lock] = {}
        self.refreshes = refreshes or Refreshes()

    def _current(self, entry: _Entry) -> bool:
        return not self.access.changed_since(entry.generation, entry.depends.scope, entry.depends.country)

    def _lookup(self, key: tuple) -> tuple[_Entry, bool] | None:
        """The entry under ``key`` and whether it is current (None: none, or ended and not stale_ok)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        current = self._current(entry)
        if not current and not entry.depends.stale_ok:
            return None
        self._entries.move_to_end(key)
        return entry, current

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        # The date: pages are assessed as of today unless the server was given a date.
        key = (scope.get("root_path", ""), scope["path"], scope.get("query_string", b""), dt.date.today())
        if (found := self._lookup(key)) is None:
            computing = self._computing.setdefault(key, asyncio.Lock())
            async with computing:
                if (found := self._lookup(key)) is None:
                    await self._compute(key, scope, receive, send)
            if not computing.locked():
                self._computing.pop(key, None)
            if found is None:
                return
        entry, current = found
        if current:
            entry.checked = time.monotonic()
            start = _labelled(entry.start, HIT)
        else:
            start = _labelled(entry.start, STALE, time.monotonic() - entry.checked)
            self._refresh(key, scope)
        await send(start)
        await send({"type": "http.response.body", "body": entry.body})

    def _refresh(self, key: tuple, scope: Scope) -> None:
        """Recompute the answer under ``key`` in a task (one at a time per key)."""
        tasks = self.refreshes.tasks
        if key in tasks or self.refreshes.closed:
            return
        copy = {k: v for k, v in scope.items() if k != ANSWER_SCOPE}
        if "state" in copy:
            copy["state"] = dict(copy["state"])
        task = asyncio.get_running_loop().create_task(self._recompute(key, copy))
        tasks[key] = task
        task.add_done_callback(lambda _: tasks.pop(key, None))

    async def _recompute(self, key: tuple, scope: Scope) -> None:
        try:
            await self._compute(key, scope, _no_body, _discard)
        except Exception:  # noqa: BLE001 - nobody awaits it: the next request's recomputation reports it
            log.exception("recomputing %s failed", scope["path"])

    async def _compute(self, key: tuple, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer through the app, keeping the answer when it may be."""
        generation = self.access.generation
        began = time.monotonic()
        enabled = self.enabled()  # before and after: a page begun during start-up shows it
        depends = scope[ANSWER_SCOPE] = AnswerScope()
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0

        async def keep(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message
                message = _labelled(message, MISS)
            elif message["type"] == "http.response.body" and size <= self.max_body:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
            await send(message)

        await self.app(scope, receive, keep)
        if (start is not None and start["status"] == 200 and size <= self.max_body and enabled and self.enabled()
                and not _no_store(start)):
            entry = _Entry(generation, depends, start, b"".join(chunks), began)
            if key in self._entries:
                kept = self._entries[key]
                if kept.generation > generation:
                    return  # a newer answer was kept meanwhile
                self._bytes -= len(self._entries.pop(key).body)
            self._entries[key] = entry
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                self._bytes -= len(self._entries.popitem(last=False)[1].body)
