"""The server's response cache: a repeated GET is answered from memory until a write changes what
it depends on (the store, one country, nothing); an answer that may be stale is answered at once
after a write while it is recomputed off the request path; a failed answer, one begun during
start-up and anything but GET are never kept."""

from __future__ import annotations

import asyncio
import inspect

from exitwatch.app.response_cache import ResponseCache
from exitwatch.report.access import COUNTRY, NO_STORE, STORE, StoreAccess, declare


class CountingApp:
    """An ASGI app answering every request with how many requests it has answered, or with
    ``status``; ``during`` runs inside each request (a write landing meanwhile)."""

    def __init__(self, status: int = 200, during=None, headers=(), depends=None):
        self.calls = 0
        self.status = status
        self.during = during
        self.headers = list(headers)
        self.depends = depends  # path -> declare()'s arguments

    async def __call__(self, scope, receive, send):
        self.calls += 1
        if self.depends and scope["path"] in self.depends:
            scope_, *country, stale_ok = self.depends[scope["path"]]
            declare(scope, scope_, *country, stale_ok=stale_ok)
        if self.during:
            result = self.during()
            if inspect.isawaitable(result):
                await result
        body = f"answer {self.calls}".encode()
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-length", str(len(body)).encode()), *self.headers]})
        await send({"type": "http.response.body", "body": body})


def _request(app, method: str = "GET", path: str = "/", query: bytes = b"") -> bytes:
    return asyncio.run(_answer(app, method, path, query))[0]


async def _answer(app, method: str = "GET", path: str = "/", query: bytes = b"") -> tuple[bytes, dict]:
    """The body and the headers of ``app``'s answer."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app({"type": "http", "method": method, "path": path, "query_string": query, "root_path": ""}, receive, send)
    headers = {k.decode(): v.decode() for m in sent if m["type"] == "http.response.start" for k, v in m["headers"]}
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"), headers


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


def test_a_write_ends_only_the_answers_that_depend_on_what_it_touched(tmp_path):
    access = StoreAccess(str(tmp_path / "s.duckdb"))
    inner = CountingApp(depends={"/iran": (COUNTRY, "IRN", False), "/syria": (COUNTRY, "SYR", False),
                                 "/forecasts": (NO_STORE, False), "/list": (STORE, False)})
    app = ResponseCache(inner, access=access)
    try:
        paths = ("/iran", "/syria", "/forecasts", "/list")
        first = {path: _request(app, path=path) for path in paths}
        assert {path: _request(app, path=path) for path in paths} == first and inner.calls == 4
        access.invalidate({"IRN"})  # what a write storing a document about Iran does
        assert _request(app, path="/syria") == first["/syria"] and _request(app, path="/forecasts") == first["/forecasts"]
        assert _request(app, path="/iran") == b"answer 5" and _request(app, path="/list") == b"answer 6"
        assert _request(app, path="/iran") == b"answer 5", "kept again"
        access.invalidate({"SYR", "IRQ"})
        assert _request(app, path="/iran") == b"answer 5" and _request(app, path="/syria") == b"answer 7"
        assert _request(app, path="/forecasts") == first["/forecasts"] and inner.calls == 7
        late = CountingApp(depends={"/iran": (COUNTRY, "IRN", False)}, during=lambda: access.invalidate({"SYR"}))
        other_write = ResponseCache(late, access=access)
        assert _request(other_write, path="/iran") == _request(other_write, path="/iran") == b"answer 1", \
            "a write to another country while it was computed does not end it"
    finally:
        access.close()


def test_a_stale_answer_is_given_at_once_while_it_is_recomputed(tmp_path):
    """After a write, a request for a page that may be stale gets the kept page at once, labelled,
    even while its recomputation is stuck; one recomputation runs however many ask; its answer is
    kept, and a recomputation that fails leaves the stale page in use."""
    access = StoreAccess(str(tmp_path / "s.duckdb"))

    async def scenario():
        release = asyncio.Event()

        async def stuck():
            if inner.calls > 1:
                await release.wait()

        inner = CountingApp(depends={"/": (STORE, True)}, during=stuck)
        app = ResponseCache(inner, access=access)
        body, headers = await _answer(app)
        assert body == b"answer 1" and headers["x-exitwatch-cache"] == "miss"
        assert (await _answer(app))[1]["x-exitwatch-cache"] == "hit"
        access.invalidate({"IRN"})
        for _ in range(3):
            body, headers = await asyncio.wait_for(_answer(app), timeout=5)
            assert body == b"answer 1" and headers["x-exitwatch-cache"] == "stale" and headers["age"] == "0"
        await asyncio.sleep(0.01)
        assert inner.calls == 2, "one recomputation, stuck, for three requests"
        release.set()
        await asyncio.wait_for(app.refreshes.close(), timeout=5)
        body, headers = await _answer(app)
        assert body == b"answer 2" and headers["x-exitwatch-cache"] == "hit"

        failing = ResponseCache(CountingApp(depends={"/": (STORE, True)}, during=lambda: failures.pop(0)()), access=access)
        failures = [lambda: None, lambda: 1 / 0]
        assert (await _answer(failing))[0] == b"answer 1"
        access.invalidate(set())
        assert (await _answer(failing))[1]["x-exitwatch-cache"] == "stale"
        await failing.refreshes.close()
        assert (await _answer(failing))[0] == b"answer 1", "the failed recomputation kept nothing"

    try:
        asyncio.run(scenario())
    finally:
        access.close()
