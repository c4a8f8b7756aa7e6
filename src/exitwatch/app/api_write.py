"""Write endpoints: ingest a document given as JSON, upload a file. Both need the API key.

``guard_writes`` runs before the body is read (as middleware, see ``server.create_app``): it checks
the key and the declared body size, so an unauthorised or oversized request is refused without
being parsed. The ``X-API-Key`` security scheme on the routes documents the key in OpenAPI.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, File, Request, Security, UploadFile
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from exitwatch.app.uploads import UploadResult, ingest_json_document, ingest_upload
from exitwatch.errors import AuthError, UploadTooLargeError, WritesDisabledError
from exitwatch.report import api_models as M
from exitwatch.report.access import StoreAccess
from exitwatch.report.api_read import access

ERRORS = {status: {"model": M.ErrorResponse} for status in (400, 401, 403, 413, 415, 422, 500)}
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="the key given to `exitwatch serve`")
router = APIRouter(prefix="/api", responses=ERRORS, dependencies=[Security(API_KEY)])
#: Multipart framing and the JSON envelope may add this much to the document or file itself.
BODY_OVERHEAD = 64 * 1024
_READ_CHUNK = 64 * 1024


def guard_writes(request: Request) -> None:
    """Raise AuthError / WritesDisabledError / UploadTooLargeError for a write request (any
    method but GET, HEAD, OPTIONS under /api/) without the right key or with too large a body."""
    expected = request.app.state.api_key
    if not expected:
        raise WritesDisabledError("writes are disabled: the server was started without an API key "
                                  "(exitwatch serve --api-key KEY or $EXITWATCH_API_KEY)")
    given = request.headers.get("x-api-key")
    if not given:
        raise AuthError("missing API key: send it in the X-API-Key header")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise AuthError("wrong API key in the X-API-Key header")
    limit = request.app.state.max_upload_bytes + BODY_OVERHEAD
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise UploadTooLargeError("request", f"body of {int(declared):,} bytes is over the limit of {limit:,} bytes")


def _answer(result: UploadResult) -> dict:
    report = result.report
    return {"added": report.added, "duplicates": report.duplicates, "near_duplicates": report.near_duplicates,
            "read": report.read, "document_ids": list(result.document_ids), "problems": [str(p) for p in report.problems]}


@router.post("/documents", response_model=M.IngestOut, status_code=201, summary="Ingest one document (API key)")
def post_document(document: M.DocumentIn, store: StoreAccess = Depends(access)):
    """Ingest and read one document given as JSON; an exact repeat is reported, not stored twice."""
    with store.write() as s:
        return _answer(ingest_json_document(s, document.model_dump()))


@router.post("/uploads", response_model=M.IngestOut, status_code=201, summary="Upload a file to ingest (API key)")
async def post_upload(request: Request, file: UploadFile = File(description="text, HTML, JSON, JSONL, CSV/TSV or RSS/Atom"),
                      store: StoreAccess = Depends(access)):
    """Ingest an uploaded file. The format is sniffed from the content; the server names the
    temporary file itself; the upload is stored whole or not at all."""
    limit = request.app.state.max_upload_bytes
    data = bytearray()
    while chunk := await file.read(_READ_CHUNK):
        data += chunk
        if len(data) > limit:
            raise UploadTooLargeError("upload", f"larger than the limit of {limit:,} bytes")

    def store_it():
        with store.write() as s:
            return ingest_upload(s, bytes(data), name_hint=file.filename, max_bytes=limit)

    return _answer(await run_in_threadpool(store_it))
