"""``ResponseCache``: the server answers a repeated GET from memory until the next write.

Most requests to a dashboard repeat: the index, a few country pages, the first page of each API
list. Their results are cached in ``StoreAccess`` already, but rendering them again (routing,
validation, serialising a 450 KB forecast list, the index template) costs 5-40 ms a request,
which 20 concurrent readers on a busy machine turn into queues. This ASGI middleware, outermost
in the app, keeps each successful GET answer (status 200, headers as sent, body) under its path
and query, valid while the store's write generation (``StoreAccess.generation``) is unchanged: any
write ends every entry, and an answer computed while a write finished is not kept (it may show
the store before the write); nor is an answer marked ``Cache-Control: no-store`` (one that
changes without a write, like ``/api/status``). Concurrent requests for one missing answer wait for a single
computation. Nothing is kept that was begun or finished while ``enabled()`` was false (the
server's start-up, when the index still fills in), nor any body over ``max_body`` bytes; at most
``max_entries`` answers and ``max_bytes`` bytes are kept, the least recently used dropped first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exitwatch.report.access import StoreAccess

#: Answers kept (least recently used dropped first).
MAX_ENTRIES = 512
#: Bytes of bodies kept in all (least recently used dropped first).
MAX_BYTES = 64 * 1024 * 1024
#: Largest body kept (the forecast list of every country is about 0.5 MB).
MAX_BODY = 4 * 1024 * 1024


def _no_store(start: Message) -> bool:
    """Whether the answer says it must not be kept (``Cache-Control: no-store``)."""
    return any(name.lower() == b"cache-control" and b"no-store" in value.lower() for name, value in start["headers"])


class ResponseCache:
    """ASGI middleware over ``app`` (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, access: StoreAccess, enabled: Callable[[], bool] = lambda: True,
                 max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES, max_body: int = MAX_BODY):
        self.app = app
        self.access = access
        self.enabled = enabled
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_body = max_body
        self._entries: OrderedDict[tuple, tuple[int, Message, bytes]] = OrderedDict()
        self._bytes = 0
        self._computing: dict[tuple, asyncio.Lock] = {}

    def _hit(self, key: tuple) -> tuple[Message, bytes] | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != self.access.generation:
            return None
        self._entries.move_to_end(key)
        return entry[1], entry[2]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        # The date: pages are assessed as of today unless the server was given a date.
        key = (scope.get("root_path", ""), scope["path"], scope.get("query_string", b""), dt.date.today())
        if (hit := self._hit(key)) is None:
            computing = self._computing.setdefault(key, asyncio.Lock())
            async with computing:
                if (hit := self._hit(key)) is None:
                    await self._compute(key, scope, receive, send)
            if not computing.locked():
                self._computing.pop(key, None)
            if hit is None:
                return
        start, body = hit
        await send(start)
        await send({"type": "http.response.body", "body": body})

    async def _compute(self, key: tuple, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer through the app, keeping the answer when it may be."""
        generation = self.access.generation
        enabled = self.enabled()  # before and after: a page begun during start-up shows it
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0

        async def keep(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and size <= self.max_body:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
            await send(message)

        await self.app(scope, receive, keep)
        if (start is not None and start["status"] == 200 and size <= self.max_body and enabled and self.enabled()
                and self.access.generation == generation and not _no_store(start)):
            if key in self._entries:
                self._bytes -= len(self._entries.pop(key)[2])
            self._entries[key] = (generation, start, b"".join(chunks))
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                self._bytes -= len(self._entries.popitem(last=False)[1][2])
