"""Webhook notifications: POST a JSON report, signed with an HMAC-SHA256 of the body under a
shared secret, retried with backoff. The receiver recomputes the HMAC of the raw body and compares
it with the ``X-Exitwatch-Signature`` header (``sha256=<hex>``) in constant time."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from exitwatch.errors import ConfigError, FetchError
from exitwatch.ingest.fetch import USER_AGENT

SIGNATURE_HEADER = "X-Exitwatch-Signature"
#: Environment variable holding the shared secret when ``--notify-secret`` is not given.
SECRET_ENV = "EXITWATCH_NOTIFY_SECRET"


def sign(body: bytes, secret: str) -> str:
    """The signature header value of ``body``: ``sha256=`` and the hex HMAC-SHA256 under ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Notifier:
    """POST reports to ``url`` (http/https), signed with ``secret`` when given; ``retries``
    after the first try, ``backoff`` seconds before the first retry (doubled each time),
    ``timeout`` seconds per request."""

    url: str
    secret: str | None = field(default=None, repr=False)
    retries: int = 3
    backoff: float = 2.0
    timeout: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    def __post_init__(self):
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"notify URL {self.url!r} is not an http:// or https:// URL")

    def send(self, payload: dict) -> int:
        """POST ``payload`` as JSON; the HTTP status of the accepted answer (2xx). FetchError
        when every try fails (network error or a non-2xx answer)."""
        body = json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True).encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(body, self.secret)
        problem = "not sent"
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                answer = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
            except httpx.HTTPError as e:
                problem = f"{type(e).__name__}: {e}"
                continue
            if 200 <= answer.status_code < 300:
                return answer.status_code
            problem = f"HTTP {answer.status_code}"
        raise FetchError(self.url, f"notification not delivered after {self.retries + 1} tries ({problem})")
