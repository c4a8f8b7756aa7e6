"""``HttpGuard``: the ASGI middleware that limits request bodies, answers HEAD and sets the
security headers of every answer (pages, JSON, static files, errors), whatever the path or prefix
the app is served under. It also notes when a request arrived (``arrival``), unless ``front``
already did.

* Bodies are counted as they arrive, chunked ones included, and refused with 413 as soon as they
  pass the limit (a declared ``Content-Length`` over it before any byte is read): ``BodyTooLarge``
  is raised inside the app's ``receive``, where the app's error handler answers it. Multipart
  bodies (uploads) and others (JSON) have their own limits.
* HEAD is served as the GET of the same URL with the body dropped (FastAPI's routes answer only
  the methods they declare, so HEAD used to get 405).
* ``Content-Security-Policy``: scripts, styles, fonts, images and connections from this server
  only (inline styles allowed: the charts and the standalone brief use them; inline scripts are
  not), no plugins, no framing, no ``<base>``, forms post here only.
* ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer``
  (following a document's "original" link does not tell the outlet which store or document
  the reader was looking at).
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exitwatch.app import arrival
from exitwatch.app.security_headers import SECURITY_HEADERS


class BodyTooLarge(HTTPException):
    """A request body over its limit (413)."""

    def __init__(self, limit: int):
        super().__init__(status_code=413, detail=f"request body over the limit of {limit:,} bytes")


class HttpGuard:
    """ASGI middleware: request bodies limited to ``max_multipart_bytes`` (multipart) or
    ``max_other_bytes`` (anything else), HEAD as GET without a body, and ``SECURITY_HEADERS``
    on every answer."""

    def __init__(self, app: ASGIApp, *, max_multipart_bytes: int, max_other_bytes: int):
        self.app = app
        self.max_multipart_bytes = max_multipart_bytes
        self.max_other_bytes = max_other_bytes

    def body_limit(self, headers: Headers) -> int:
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        return self.max_multipart_bytes if multipart else self.max_other_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrival.stamp(scope)
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        headers = Headers(scope=scope)
        limit = self.body_limit(headers)
        declared = headers.get("content-length", "")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, limited_receive, guarded_send)
