"""``create_app(db_path, *, api_key=None)``: the JSON API and the dashboard in one FastAPI app.

Read endpoints (``/api/...`` GET, the dashboard pages) are open; write endpoints need the API key
in the ``X-API-Key`` header, and are refused when the server was started without a key. Every
4xx and 5xx answer, validation errors and unknown routes included, has the one shape
``{"error": {"code", "message", "status"}}`` and never a stack trace.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from exitwatch import __version__
from exitwatch.app import api_write
from exitwatch.app.uploads import MAX_UPLOAD_BYTES
from exitwatch.errors import ExitwatchError
from exitwatch.report import api_read, api_sources, dashboard
from exitwatch.report.access import StoreAccess

log = logging.getLogger(__name__)

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 415: "unsupported_media", 422: "invalid_request"}


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
        return error_response(exc.http_status, exc.code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        return error_response(*_validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such route: {request.method} {request.url.path}; see /docs for the API"
        return error_response(exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", f"internal error ({type(exc).__name__}); the server log has details")


def _install_write_guard(app: FastAPI, paths: set[str]) -> None:
    """Check the API key and body size of write requests before their body is read."""

    @app.middleware("http")
    async def _guard(request: Request, call_next):
        if request.method == "POST" and request.url.path in paths:
            try:
                api_write.guard_writes(request)
            except ExitwatchError as error:
                return error_response(error.http_status, error.code, str(error))
        return await call_next(request)


def create_app(db_path: str, *, api_key: str | None = None, max_upload_bytes: int = MAX_UPLOAD_BYTES,
               as_of: dt.date | None = None) -> FastAPI:
    """The web application over the store at ``db_path`` (created when missing), assessing as of
    ``as_of`` (default today: the news window of every forecast ends there).

    ``api_key`` enables the write endpoints (POST /api/documents, POST /api/uploads) for requests
    carrying it in ``X-API-Key``; without it they answer 403. ``max_upload_bytes`` caps uploads.
    """
    access = StoreAccess(db_path, as_of=as_of)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        access.close()

    app = FastAPI(
        title="exitwatch",
        version=__version__,
        description="Sourced events, claims, warning indicators and leader-exit forecasts from the news. "
        "Errors always have the shape {\"error\": {\"code\", \"message\", \"status\"}}.",
        lifespan=lifespan,
    )
    app.state.access = access
    app.state.api_key = api_key
    app.state.max_upload_bytes = max_upload_bytes
    _install_error_handlers(app)
    _install_write_guard(app, {route.path for route in api_write.router.routes})
    app.include_router(api_read.router)
    app.include_router(api_sources.router)
    app.include_router(api_write.router)
    app.include_router(dashboard.router)
    app.mount("/static", StaticFiles(packages=[("exitwatch.report", "static")]), name="static")
    return app
