"""Write endpoints: ingest a document given as JSON, upload a file. Both need the API key.

``writes_need_the_key`` is a dependency of the whole app (``server.create_app``): every request with
another method than GET, HEAD or OPTIONS, on any route, under any prefix or mount point, needs
the key. Bodies are counted as they arrive and refused past their limit by ``http_guard.HttpGuard``:
multipart ones (uploads) at ``max_upload_bytes`` plus ``BODY_OVERHEAD``, others (JSON documents)
at ``JSON_BODY_LIMIT``. The
``X-API-Key`` security scheme on the routes documents the key in OpenAPI.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, File, Request, Security, UploadFile
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

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


@router.post("/documents", response_model=M.IngestOut, status_code=201, summary="Ingest one document (API key)")
def post_document(document: M.DocumentIn, store: StoreAccess = Depends(access), read=Depends(reader),
                  copies: NearCopies = Depends(near_copies)):
    """Ingest and read one document given as JSON; an exact repeat is reported, not stored twice."""
    data = json_document_bytes(document.model_dump())
    return _ingest(store, parse_upload(data, max_bytes=len(data)), read, copies)


@router.post("/uploads", response_model=M.IngestOut, status_code=201, summary="Upload a file to ingest (API key)")
async def post_upload(request: Request, file: UploadFile = File(description="text, HTML, JSON, JSONL, CSV/TSV or RSS/Atom"),
                      store: StoreAccess = Depends(access), read=Depends(reader),
                      copies: NearCopies = Depends(near_copies)):
    """Ingest an uploaded file. The format is sniffed from the content; the server names the
    temporary file itself; the upload is stored whole or not at all."""
    limit = request.app.state.max_upload_bytes
    data = bytearray()
    while chunk := await file.read(_READ_CHUNK):
        data += chunk
        if len(data) > limit:
            raise UploadTooLargeError("upload", f"larger than the limit of {limit:,} bytes")

    def store_it():
        return _ingest(store, parse_upload(bytes(data), name_hint=file.filename, max_bytes=limit), read, copies)

    return await run_in_threadpool(store_it)
