"""``exitwatch serve``: answer ``/`` at once, and load the full application behind it.

Building the full app (``server.create_app``) means importing FastAPI, pandas, scikit-learn and
the reader's libraries and loading the forecast models: 5-20 s on a busy machine. ``Front`` is
the ASGI application uvicorn serves instead. It imports none of that: it binds at once, starts
loading the full app in a thread, and meanwhile answers

* ``GET /`` with the index the last server over this store kept (``index_snapshot``: valid only
  for the store exactly as that server left it, on the same day), or, when there is none, a short
  page saying the server is starting (it refreshes itself);
* every other request once the full app is up (it waits until then).

Once the full app is up, everything goes to it, ``/`` included, except that a kept index stays
in use until the app has computed every country's news and as long as nothing was written. The
full app starts the reader's worker process in the background, so the first write need not wait
for it. If the full app cannot start (a locked store, say), requests are refused with the API's
error shape and ``serve`` stops and raises the error.

The full app is loaded by name (``FULL_APP``): the one in-package import made at run time
(besides the CLI's command table), because it is what this module exists to defer.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib
import json
import logging
import os
import threading
from collections.abc import Callable
from contextlib import AsyncExitStack

from exitwatch.app import arrival, index_snapshot
from exitwatch.app.security_headers import SECURITY_HEADERS

log = logging.getLogger(__name__)

#: The full application's factory, imported when the front starts (module, attribute).
FULL_APP = ("exitwatch.app.server", "create_app")
#: Seconds, from the request's arrival (``arrival``), that ``serve`` lets a write read before
#: answering 202 (accepted, stored once read): a long document is acknowledged as fast as a short
#: one. Issue 11 asks for every write within 2 s as the client sees it; after this deadline the
#: 202 still has to be built and sent by threads competing with 20 readers on two busy cores
#: (up to ~0.3 s measured while the timer started at queueing, 1.83 s worst for 1.5 s), so 1.2 s
#: leaves 0.8 s of margin for that.
ACK_WITHIN_S = 1.2
#: Seconds between reloads of the page shown while the server starts.
STARTING_REFRESH_S = 2
#: The heading of that page.
STARTING = "exitwatch is starting"
STARTING_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{STARTING_REFRESH_S}">
<title>exitwatch: starting</title></head>
<body><h1>{STARTING}</h1>
<p>Loading the forecast models and the store; the ranking appears here in a few seconds (this page
reloads itself).</p></body></html>
"""


def _headers(content_type: str, body: bytes) -> list[tuple[bytes, bytes]]:
    pairs = {"content-type": content_type, "content-length": str(len(body)), **SECURITY_HEADERS}
    return [(name.lower().encode(), value.encode()) for name, value in pairs.items()]


class Front:
    """ASGI application over the store at ``db_path`` (see the module docstring); ``api_key``
    and ``as_of`` as ``create_app``'s. ``on_failure()`` is called when the full app cannot start
    (``error`` then holds why)."""

    def __init__(self, db_path: str | os.PathLike, *, api_key: str | None = None, as_of: dt.date | None = None,
                 on_failure: Callable[[], None] | None = None):
        self.db_path = str(db_path)
        self.api_key = api_key
        self.as_of = as_of
        self.on_failure = on_failure
        self.kept_index = index_snapshot.load(self.db_path, as_of or dt.date.today())
        self.app = None  # the full app, once started
        self.error: Exception | None = None
        self._started: asyncio.Event | None = None
        self._starting: asyncio.Task | None = None
        self._stack = AsyncExitStack()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        arrival.stamp(scope)  # a write waiting here for the full app counts this wait too
        if scope["type"] == "http" and scope["path"] == "/" and scope["method"] in ("GET", "HEAD"):
            if (page := self._early_index()) is not None:
                body = page.encode("utf-8")
                await send({"type": "http.response.start", "status": 200,
                            "headers": _headers("text/html; charset=utf-8", body)})
                await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})
                return
        if self.app is None:
            await self._started.wait()
        if self.app is None:
            await self._unavailable(send)
            return
        await self.app(scope, receive, send)

    def _early_index(self) -> str | None:
        """The index to show instead of the full app's, or None to ask the full app."""
        if self.app is None:
            return self.kept_index or STARTING_PAGE
        if self.kept_index is not None and (not self.app.state.warming.is_set() or self.app.state.access.generation):
            self.kept_index = None  # the live index is complete, or the store changed
        return self.kept_index

    async def _unavailable(self, send) -> None:
        message = f"the server could not start ({type(self.error).__name__}); the server log has details"
        body = json.dumps({"error": {"code": "unavailable", "message": message, "status": 503}}).encode()
        await send({"type": "http.response.start", "status": 503, "headers": _headers("application/json", body)})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._started = asyncio.Event()
                self._starting = asyncio.create_task(self._start())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._starting is not None and not self._starting.done():
                    self._starting.cancel()  # stopped while starting: the loading thread dies with the process
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._starting
                await self._stack.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _start(self) -> None:
        """Import and build the full app in a thread, then run its start-up."""
        try:
            app = await self._in_daemon_thread(self._build)
            await self._stack.enter_async_context(app.router.lifespan_context(app))
            self.app = app
        except Exception as e:  # noqa: BLE001 - serve() re-raises it once uvicorn has stopped
            log.info("the server could not start: %s: %s", type(e).__name__, e)  # serve() raises it
            self.error = e
            if self.on_failure is not None:
                self.on_failure()
        finally:
            self._started.set()

    @staticmethod
    async def _in_daemon_thread(function: Callable[[], object]) -> object:
        """``function()`` in a daemon thread (not the loop's executor, whose threads the
        interpreter waits for at exit: a server stopped while starting exits at once)."""
        loop = asyncio.get_running_loop()
        result = loop.create_future()

        def settle(setter, value) -> None:
            if not result.done():
                setter(value)

        def deliver(setter, value) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the server stopped meanwhile
                loop.call_soon_threadsafe(settle, setter, value)

        def run() -> None:
            try:
                value = function()
            except BaseException as e:  # noqa: BLE001 - handed to the awaiting task
                deliver(result.set_exception, e)
            else:
                deliver(result.set_result, value)

        threading.Thread(target=run, name="exitwatch-load", daemon=True).start()
        return await result

    def _build(self):
        module, name = FULL_APP
        create_app = getattr(importlib.import_module(module), name)
        return create_app(self.db_path, api_key=self.api_key, as_of=self.as_of, keep_index=True,
                          ack_within_s=ACK_WITHIN_S)


def serve(db_path: str | os.PathLike, *, host: str = "127.0.0.1", port: int = 8000, api_key: str | None = None) -> None:
    """Serve the dashboard and the API over the store at ``db_path`` until interrupted; raise
    the error that kept the full app from starting, if any."""
    import uvicorn

    front = Front(db_path, api_key=api_key)
    server = uvicorn.Server(uvicorn.Config(front, host=host, port=port, log_level="warning", lifespan="on"))
    front.on_failure = lambda: setattr(server, "should_exit", True)
    server.run()
    if front.error is not None:
        raise front.error
