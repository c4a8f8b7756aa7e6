"""The server's response cache: a repeated GET is answered from memory until the next write; an
answer computed while a write finished, a failed answer and anything but GET are never kept."""

from __future__ import annotations

import asyncio

from exitwatch.app.response_cache import ResponseCache
from exitwatch.report.access import StoreAccess


class CountingApp:
    """An ASGI app answering every request with how many requests it has answered, or with
    ``status``; ``during`` runs inside each request (a write landing meanwhile)."""

    def __init__(self, status: int = 200, during=None, headers=()):
        self.calls = 0
        self.status = status
        self.during = during
        self.headers = list(headers)

    async def __call__(self, scope, receive, send):
        self.calls += 1
        if self.during:
            self.during()
        body = f"answer {self.calls}".encode()
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-length", str(len(body)).encode()), *self.headers]})
        await send({"type": "http.response.body", "body": body})


def _request(app, method: str = "GET", path: str = "/", query: bytes = b"") -> bytes:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app({"type": "http", "method": method, "path": path, "query_string": query, "root_path": ""},
                    receive, send))
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_a_repeated_get_is_answered_from_memory_until_a_write(tmp_path):
    access = StoreAccess(str(tmp_path / "s.duckdb"))
    inner = CountingApp()
    app = ResponseCache(inner, access=access)
    try:
        assert _request(app) == b"answer 1"
        assert _request(app) == b"answer 1" and inner.calls == 1
        assert _request(app, query=b"limit=1") == b"answer 2", "another query is another answer"
        with access.write():
            pass  # any write ends every kept answer (the store-wide generation moves)
        assert _request(app) == b"answer 3"
        assert _request(app, method="POST") == b"answer 4" and _request(app, method="POST") == b"answer 5"
    finally:
        access.close()


def test_what_is_never_kept(tmp_path):
    access = StoreAccess(str(tmp_path / "s.duckdb"))
    try:
        racing = CountingApp(during=lambda: access.invalidate({"IRN"}))
        app = ResponseCache(racing, access=access)
        assert _request(app) == b"answer 1" and _request(app) == b"answer 2", "computed while a write finished"
        failing = ResponseCache(CountingApp(status=500), access=access)
        assert _request(failing) == b"answer 1" and _request(failing) == b"answer 2"
        starting = ResponseCache(CountingApp(), access=access, enabled=lambda: False)
        assert _request(starting) == b"answer 1" and _request(starting) == b"answer 2"
        started = iter([False, True])  # start-up ends while the first answer is computed
        ending = ResponseCache(CountingApp(), access=access, enabled=lambda: next(started, True))
        assert _request(ending) == b"answer 1" and _request(ending) == b"answer 2"
        assert _request(ending) == b"answer 2"
        live = ResponseCache(CountingApp(headers=[(b"cache-control", b"no-store")]), access=access)
        assert _request(live) == b"answer 1" and _request(live) == b"answer 2"
        small = ResponseCache(CountingApp(), access=access, max_body=3)
        assert _request(small) == b"answer 1" and _request(small) == b"answer 2"
        two = ResponseCache(CountingApp(), access=access, max_bytes=2 * len(b"answer 1"))
        for path in ("/a", "/b", "/c"):
            _request(two, path=path)
        assert _request(two, path="/c") == b"answer 3" and _request(two, path="/a") == b"answer 4", "over the byte budget"
    finally:
        access.close()
