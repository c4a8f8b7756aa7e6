"""Write endpoints: ingest a document given as JSON, upload a file. Both need the API key.

``writes_need_the_key`` is a dependency of the whole app (``server.create_app``): every request with
another method than GET, HEAD or OPTIONS, on any route, under any prefix or mount point, needs
the key. A write is answered 201 with what it stored once its documents are read and stored; one
still reading ``ack_within_s`` after the request arrived (``PendingWrites``, ``arrival``; ``front.ACK_WITHIN_S`` under ``exitwatch serve``) is answered 202 with the
ids of its documents, and stored, whole, when its reading ends (``GET /api/documents/{id}``
answers 404 until then). Bad input is refused before that, with its error. Bodies are counted as they arrive and refused past their limit by ``http_guard.HttpGuard``:
multipart ones (uploads) at ``max_upload_bytes`` plus ``BODY_OVERHEAD``, others (JSON documents)
at ``JSON_BODY_LIMIT``. The
``X-API-Key`` security scheme on the routes documents the key in OpenAPI.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Callable

from fastapi import APIRouter, Depends, File, Request, Security, UploadFile
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from exitwatch.app import arrival, front
from exitwatch.app.ingest_pipeline import near_copy_index
from exitwatch.app.uploads import ParsedUpload, UploadResult, json_document_bytes, parse_upload, store_upload
from exitwatch.errors import AuthError, UploadTooLargeError, WritesDisabledError
from exitwatch.ingest.textio import MAX_DOCUMENT_BYTES
from exitwatch.report import api_models as M
from exitwatch.report.access import StoreAccess
from exitwatch.report.api_read import access

ERRORS = {status: {"model": M.ErrorResponse} for status in (400, 401, 403, 413, 415, 422, 500)}
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="the key given to `exitwatch serve`")
router = APIRouter(prefix="/api", responses=ERRORS, dependencies=[Security(API_KEY)])
#: Multipart framing and the JSON envelope may add this much to the document or file itself.
BODY_OVERHEAD = 64 * 1024
#: A JSON document's body: its text may be up to MAX_DOCUMENT_BYTES of UTF-8, which JSON may
#: send escaped at up to three times that ("\\u0436" is 6 bytes for 2; an emoji's surrogate pair
#: 12 for 4), plus the metadata fields.
JSON_BODY_LIMIT = 3 * MAX_DOCUMENT_BYTES + BODY_OVERHEAD
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ_CHUNK = 64 * 1024
#: Writes accepted and not yet stored beyond which a new write waits for its own result (201).
MAX_PENDING = 32
_log = logging.getLogger("exitwatch.server")


class PendingWrites:
    """Runs writes one at a time on their own thread (they take the store's one write lock
    anyway) so that a request can stop waiting ``ack_within_s`` after it arrived and answer 202
    while its reading goes on. At most ``max_pending`` writes wait behind; past that, a request waits for
    its own write. ``close()`` (server shutdown) lets every accepted write finish."""

    def __init__(self, ack_within_s: float | None = None, max_pending: int = MAX_PENDING):
        self.ack_within_s = ack_within_s
        self.max_pending = max_pending
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exitwatch-write")
        self._lock = threading.Lock()
        self._pending = 0

    def run(self, write: Callable[[], dict], document_ids: list[str], arrived: float | None = None) -> dict | JSONResponse:
        """``write()``'s answer when it ends within ``ack_within_s`` of ``arrived`` (the request's
        arrival, a ``time.monotonic()``; None: now) (its errors are raised; ``ack_within_s`` None:
        however long it takes), else a 202 answer naming ``document_ids``."""
        with self._lock:
            self._pending += 1
            crowded = self._pending > self.max_pending
        future = self._executor.submit(write)
        future.add_done_callback(self._done)
        timeout = None
        if not crowded and self.ack_within_s is not None:
            waited = 0.0 if arrived is None else time.monotonic() - arrived
            timeout = max(0.0, self.ack_within_s - waited)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            return JSONResponse(status_code=202, content=M.AcceptedOut(document_ids=document_ids).model_dump())

    def _done(self, future: Future) -> None:
        with self._lock:
            self._pending -= 1
        error = future.exception()
        if error is not None:
            _log.error("a write failed after it was accepted: %s", error)

    def close(self) -> None:
        self._executor.shutdown(wait=True)


def writes_need_the_key(request: Request) -> None:
    """Raise WritesDisabledError / AuthError for a request with another method than GET, HEAD
    or OPTIONS, on any route, without the right key."""
    if request.method not in SAFE_METHODS:
        check_key(request)


def check_key(request: Request) -> None:
    """Raise WritesDisabledError when the server has no key, AuthError without the right one."""
    expected = request.app.state.api_key
    if not expected:
        raise WritesDisabledError("writes are disabled: the server was started without an API key "
                                  "(exitwatch serve --api-key KEY or $EXITWATCH_API_KEY)")
    given = request.headers.get("x-api-key")
    if not given:
        raise AuthError("missing API key: send it in the X-API-Key header")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise AuthError("wrong API key in the X-API-Key header")


def _answer(result: UploadResult) -> dict:
    report = result.report
    return {"added": report.added, "duplicates": report.duplicates, "near_duplicates": report.near_duplicates,
            "read": report.read, "document_ids": list(result.document_ids), "problems": [str(p) for p in report.problems]}


class NearCopies:
    """The server's near-duplicate index of the stored documents: built from the store by the
    first write, then kept up to date by each write (all under the write lock) instead of being
    rebuilt from every stored signature by every write; dropped when a write fails, so that it
    never holds a document that was not stored."""

    def __init__(self):
        self.index = None

    def get(self, store):
        if self.index is None:
            self.index = near_copy_index(store)
        return self.index


def _ingest(store: StoreAccess, upload: ParsedUpload, reader, near_copies: NearCopies) -> dict:
    """Store ``upload`` under the write lock, lending the store to other requests while each new
    document is read (ingest reads a document before the transaction that stores it)."""

    def read(doc):
        with store.released():
            return reader(doc)

    with store.write() as s:
        try:
            return _answer(store_upload(s, upload, read=read, near_copies=near_copies.get(s)))
        except BaseException:
            near_copies.index = None
            raise


def reader(request: Request):
    """The app's reader (``create_app``)."""
    return request.app.state.reader


def near_copies(request: Request) -> NearCopies:
    """The app's near-duplicate index (``create_app``)."""
    return request.app.state.near_copies


def pending_writes(request: Request) -> PendingWrites:
    """The app's write queue (``create_app``)."""
    return request.app.state.pending_writes


def _write(request: Request, pending: PendingWrites, store: StoreAccess, upload: ParsedUpload, read,
           copies: NearCopies):
    return pending.run(lambda: _ingest(store, upload, read, copies), list(upload.document_ids),
                       arrival.arrived(request.scope))


ACCEPTED = {202: {"model": M.AcceptedOut,
                  "description": "Still reading when the server's acknowledgement time (counted from the request's "
                                 f"arrival; {front.ACK_WITHIN_S} s under exitwatch serve) ran out: stored, whole, "
                                 "when read"}}


@router.post("/documents", response_model=M.IngestOut, status_code=201, responses=ACCEPTED,
             summary="Ingest one document (API key)")
def post_document(request: Request, document: M.DocumentIn, store: StoreAccess = Depends(access), read=Depends(reader),
                  copies: NearCopies = Depends(near_copies), pending: PendingWrites = Depends(pending_writes)):
    """Ingest and read one document given as JSON; an exact repeat is reported, not stored twice."""
    data = json_document_bytes(document.model_dump())
    return _write(request, pending, store, parse_upload(data, max_bytes=len(data)), read, copies)


@router.post("/uploads", response_model=M.IngestOut, status_code=201, responses=ACCEPTED,
             summary="Upload a file to ingest (API key)")
async def post_upload(request: Request, file: UploadFile = File(description="text, HTML, JSON, JSONL, CSV/TSV or RSS/Atom"),
                      store: StoreAccess = Depends(access), read=Depends(reader),
                      copies: NearCopies = Depends(near_copies), pending: PendingWrites = Depends(pending_writes)):
    """Ingest an uploaded file. The format is sniffed from the content; the server names the
    temporary file itself; the upload is stored whole or not at all."""
    limit = request.app.state.max_upload_bytes
    data = bytearray()
    while chunk := await file.read(_READ_CHUNK):
        data += chunk
        if len(data) > limit:
            raise UploadTooLargeError("upload", f"larger than the limit of {limit:,} bytes")

    def store_it():
        return _write(request, pending, store, parse_upload(bytes(data), name_hint=file.filename, max_bytes=limit),
                      read, copies)

    return await run_in_threadpool(store_it)
