"""``create_app(db_path, *, api_key=None)``: the JSON API and the dashboard in one FastAPI app.

Read endpoints (``/api/...`` GET, the dashboard pages) are open; every request with another
method than GET, HEAD or OPTIONS needs the API key in the ``X-API-Key`` header (an app-wide
dependency, so it holds under any prefix or mount point), and is refused when the server was
started without a key. Request bodies are counted as they arrive (chunked ones included) and
refused past the limit. Every 4xx and 5xx answer, validation errors and unknown routes included,
has the one shape ``{"error": {"code", "message", "status"}}``, never a stack trace and never a
server path.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from exitwatch import __version__
from exitwatch.app import api_write, index_snapshot
from exitwatch.app.http_guard import HttpGuard
from exitwatch.app.read_worker import READ_BUDGET_S, shared_worker
from exitwatch.app.response_cache import Refreshes, ResponseCache
from exitwatch.app.uploads import MAX_UPLOAD_BYTES
from exitwatch.errors import ExitwatchError
from exitwatch.read import DEFAULT_MODE
from exitwatch.report import api_models as M
from exitwatch.report import api_read, api_sources, dashboard, served
from exitwatch.report.access import StoreAccess
from exitwatch.report.render import render

log = logging.getLogger(__name__)

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 415: "unsupported_media", 422: "invalid_request"}


#: An absolute file path of two or more parts: error messages show only its last part.
_SERVER_PATH = re.compile(r"(?<![\w.:/])(?:/[^\s/'\"]+)+/(?=[^\s/'\"])")
#: What FastAPI says when a JSON body cannot be decoded (not UTF-8, nested too deeply, ...).
_BODY_PARSE_FAILED = "There was an error parsing the body"


def without_paths(message: str) -> str:
    """``message`` with every absolute file path cut to its last part (the store's folder, the
    upload's temporary folder and the package's location are nobody's business)."""
    return _SERVER_PATH.sub("", message)


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """The API's one error shape."""
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message, "status": status}})


def _validation_message(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "malformed_json", "the request body is not valid JSON"
    parts = []
    for e in errors[:5]:
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return 422, "invalid_request", "; ".join(parts)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ExitwatchError)
    async def _exitwatch_error(request: Request, exc: ExitwatchError):
        if exc.http_status >= 500:
            log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
            return error_response(exc.http_status, exc.code,
                                  f"server error ({type(exc).__name__}); the server log has details")
        return error_response(exc.http_status, exc.code, without_paths(str(exc)))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        return error_response(*_validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        code = _HTTP_CODES.get(exc.status_code, "error")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such route: {request.method} {request.url.path}; see /docs for the API"
        elif exc.status_code == 400 and message == _BODY_PARSE_FAILED and "json" in request.headers.get("content-type", ""):
            code, message = "malformed_json", "the request body is not valid JSON (not UTF-8, or nested too deeply)"
        return error_response(exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", f"internal error ({type(exc).__name__}); the server log has details")


def _api_docs(app: FastAPI) -> None:
    """``/docs``: the API reference rendered here from the OpenAPI document, with no script and
    nothing loaded from elsewhere (the stock Swagger page loads scripts and fonts from public CDNs,
    on the page where users type the key)."""

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs():
        return render("api_docs.html", spec=app.openapi())


def _status(app: FastAPI) -> None:
    """``/api/status``: what the server is ready for (a load balancer's or a benchmark's check)."""

    @app.get("/api/status", response_model=M.StatusOut, summary="Server status", tags=["status"])
    def status(response: Response):
        """Whether the index is complete and the reader process is ready for writes."""
        response.headers["Cache-Control"] = "no-store"  # changes without a write
        access: StoreAccess = app.state.access
        return {"version": __version__, "index": "warming" if app.state.warming.is_set() else "complete",
                "reader": "off" if not app.state.api_key else "ready" if app.state.reader.ready() else "starting",
                "documents": served.vintage(access).documents}


def _warm(access: StoreAccess, stop: threading.Event, warming: threading.Event) -> None:
    """Compute each stored country's news for the index, country by country until done or
    ``stop`` is set; clear ``warming`` when done (not when stopped: the index is incomplete)."""
    try:
        counts = served.document_counts(access)
        for f in served.history_ranking(access):
            if stop.is_set():
                return
            if counts.get(f.country_iso3):
                served.news_headline(access, f)
    except Exception:  # the request that needs it will report the error
        log.exception("warming the index failed")
    warming.clear()


def create_app(db_path: str, *, api_key: str | None = None, max_upload_bytes: int = MAX_UPLOAD_BYTES,
               read_mode: str = DEFAULT_MODE, read_budget_s: float = READ_BUDGET_S,
               as_of: dt.date | None = None, keep_index: bool = False,
               ack_within_s: float | None = None) -> FastAPI:
    """The web application over the store at ``db_path`` (created when missing), assessing as of
    ``as_of`` (default today: the news window of every forecast ends there).

    ``api_key`` enables the write endpoints (POST /api/documents, POST /api/uploads) for requests
    carrying it in ``X-API-Key``; without it they answer 403. ``max_upload_bytes`` caps uploads.
    Documents written through the API are read in ``read_mode`` by a worker process, each within
    ``read_budget_s`` seconds (a slower one is stored unread, with that problem).
    ``keep_index``: on shutdown, keep the index page for the next start (``index_snapshot``;
    ``exitwatch serve`` does). ``ack_within_s``: a write still reading this many seconds after its
    request arrived is answered 202 and stored when read (``api_write.PendingWrites``; shutdown waits for it);
    None (default): every write answers with what it stored. ``exitwatch serve`` gives
    ``front.ACK_WITHIN_S``.
    """
    access = StoreAccess(db_path, as_of=as_of)
    reader = shared_worker(read_mode, read_budget_s)
    if api_key:
        reader.start()  # in the background, now: the first write should not wait for it

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # The history ranking (models loaded) before the first request; every stored country's
        # news in the background, the index marking those not computed yet as pending.
        await run_in_threadpool(served.history_ranking, access)
        stop = threading.Event()
        app.state.warming.set()
        warming = threading.Thread(target=_warm, args=(access, stop, app.state.warming), name="exitwatch-warm",
                                   daemon=True)
        warming.start()
        yield
        stop.set()
        await app.state.refreshes.close()  # pages being recomputed off the request path
        app.state.pending_writes.close()  # accepted writes are stored before the store closes
        warming.join()  # at most one country's news still being computed
        index = dashboard.index_page(access) if keep_index and not app.state.warming.is_set() else None
        access.close()
        if index is not None:
            index_snapshot.save(db_path, index, access.as_of or dt.date.today())

    app = FastAPI(
        title="exitwatch",
        version=__version__,
        description="Sourced events, claims, warning indicators and leader-exit forecasts from the news. "
        "Errors always have the shape {\"error\": {\"code\", \"message\", \"status\"}}.",
        lifespan=lifespan,
        dependencies=[Depends(api_write.writes_need_the_key)],
        docs_url=None,
        redoc_url=None,
    )
    app.state.access = access
    app.state.warming = threading.Event()  # set while the index's news is being computed at startup
    app.state.api_key = api_key
    app.state.max_upload_bytes = max_upload_bytes
    app.state.reader = reader
    app.state.near_copies = api_write.NearCopies()
    app.state.pending_writes = api_write.PendingWrites(ack_within_s)
    _install_error_handlers(app)
    app.add_middleware(HttpGuard, max_multipart_bytes=max_upload_bytes + api_write.BODY_OVERHEAD,
                       max_other_bytes=api_write.JSON_BODY_LIMIT)
    app.state.refreshes = Refreshes()
    app.add_middleware(ResponseCache, access=access, enabled=lambda: not app.state.warming.is_set(),
                       refreshes=app.state.refreshes)
    _api_docs(app)
    _status(app)
    app.include_router(api_read.router)
    app.include_router(api_sources.router)
    app.include_router(api_write.router)
    app.include_router(dashboard.router)
    app.mount("/static", StaticFiles(packages=[("exitwatch.report", "static")]), name="static")
    return app
