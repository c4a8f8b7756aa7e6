"""A local news web server for tests (127.0.0.1, random port, one thread per request, bounded):
feeds and pages with ETag/Last-Modified and 304 answers, error statuses, slow answers,
redirects, gzip, a robots.txt, bodies that change between requests, and a log of every request
(so tests count conditional requests). Also a webhook receiver that records POSTs.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: Longest a route may stall (seconds): keeps a slow-answer test bounded.
MAX_DELAY = 5.0


@dataclass
class Route:
    """What one path answers: ``body`` and ``status`` (values, or functions of the request
    number, 1-based), ``content_type``, ``validators`` (send ETag and Last-Modified, answer 304 to a
    matching conditional request), ``delay`` (seconds before answering), ``gzip`` (compress when
    the client accepts it), ``location`` (redirect target), ``headers`` (extra)."""

    body: bytes | Callable[[int], bytes] = b""
    status: int | Callable[[int], int] = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    validators: bool = True
    delay: float = 0.0
    gzip: bool = False
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """One request: ``method``, ``path``, ``headers`` (lower-case names), ``body``, ``status`` answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


class _Handler(BaseHTTPRequestHandler):
    timeout = 10  # a stuck client cannot hold a thread for ever
    server: _Server

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.server.owner.answer(self, b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.server.owner.answer(self, self.rfile.read(min(length, 1_000_000)))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: NewsServer


class NewsServer:
    """Serve ``routes`` on 127.0.0.1 at a random port; ``url(path)``; ``hits(path)``. Use as a
    context manager (the server thread stops on exit)."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.log: list[Hit] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> NewsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def add(self, path: str, body: bytes | str | Callable[[int], bytes] = b"", **options) -> str:
        """Serve ``body`` at ``path`` (see ``Route`` for options); returns the URL."""
        self.routes[path] = Route(body=body.encode("utf-8") if isinstance(body, str) else body, **options)
        return self.url(path)

    def hits(self, path: str, method: str = "GET") -> list[Hit]:
        with self._lock:
            return [h for h in self.log if h.path == path and h.method == method]

    def conditional_hits(self, path: str) -> int:
        """Requests to ``path`` that carried If-None-Match or If-Modified-Since."""
        return sum(1 for h in self.hits(path) if "if-none-match" in h.headers or "if-modified-since" in h.headers)

    def answer(self, handler: _Handler, request_body: bytes) -> None:
        path = handler.path
        route = self.routes.get(path)
        with self._lock:
            self._counts[path] = number = self._counts.get(path, 0) + 1
        status, headers, body = self._response(route, number, handler)
        with self._lock:
            self.log.append(Hit(handler.command, path, {k.lower(): v for k, v in handler.headers.items()},
                                request_body, status))
        if route is not None and route.delay:
            time.sleep(min(route.delay, MAX_DELAY))
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _response(self, route: Route | None, number: int, handler: _Handler) -> tuple[int, dict[str, str], bytes]:
        if route is None:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        if route.location:
            return route.status if route.status in (301, 302, 303, 307, 308) else 302, {"Location": route.location}, b""
        body = route.body(number) if callable(route.body) else route.body
        status = route.status(number) if callable(route.status) else route.status
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.validators and status == 200:
            digest = hashlib.sha1(body).hexdigest()[:16]
            etag = f'"{digest}"'
            headers["ETag"] = etag
            headers["Last-Modified"] = formatdate(1767225600 + int(digest, 16) % 10**6, usegmt=True)
            if handler.headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
        if route.gzip and "gzip" in (handler.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        return status, headers, body


def rss(title: str, items: list[dict], *, full_text: bool = True) -> bytes:
    """An RSS 2.0 feed: each item a dict with ``guid``, ``title``, ``link``, ``date`` (RFC 822),
    ``text`` (as content:encoded when ``full_text``, else as the description only), ``outlet``
    (optional: the item's ``<source>``)."""
    parts = []
    for item in items:
        text = escape(item["text"])
        content = f"<content:encoded>{text}</content:encoded>" if full_text else ""
        if item.get("outlet"):
            content += f"<source url='http://127.0.0.1/'>{escape(item['outlet'])}</source>"
        parts.append(f"<item><guid>{escape(item['guid'])}</guid><title>{escape(item['title'])}</title>"
                     f"<link>{escape(item['link'])}</link><pubDate>{item.get('date', 'Tue, 13 Jan 2026 08:00:00 GMT')}</pubDate>"
                     f"<description>{escape(item.get('summary', item['text']))}</description>{content}</item>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>{escape(title)}</title><link>http://127.0.0.1/</link><language>en</language>"
            f"<description>test feed</description>{''.join(parts)}</channel></rss>").encode("utf-8")


def article_page(title: str, paragraphs: list[str]) -> bytes:
    """A news article web page with navigation chrome around the text."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            f"<article><h1>{escape(title)}</h1>{body}</article>"
            "<footer>Copyright Sample News. All rights reserved.</footer></body></html>").encode("utf-8")
