"""A well-behaved HTTP client for polling news sources (httpx).

Conditional requests (ETag / If-Modified-Since), timeouts, retries with exponential backoff on
network errors, 429 and 5xx (``Retry-After`` honoured, capped), a politeness delay per host (or
the robots.txt crawl delay when longer), robots.txt respected (RFC 9309: a 4xx robots.txt allows
everything, a 5xx or unreachable one disallows everything), a clear User-Agent, redirects
followed, compressed responses decoded, and a cap on the decoded size of every answer.
"""

from __future__ import annotations

import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from exitwatch import __version__
from exitwatch.errors import FetchError

USER_AGENT = f"exitwatch/{__version__} (news early-warning research; polite polling, honours robots.txt)"
#: How long robots.txt rules are trusted before they are fetched again (RFC 9309: at most 24 h).
ROBOTS_TTL = 24 * 3600.0
#: Statuses worth retrying: the server may answer on a later try.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchPolicy:
    """How to fetch: ``timeout`` (seconds per request), ``retries`` (after the first try),
    ``backoff`` (seconds before the first retry, doubled each time, at most ``max_backoff``),
    ``host_delay`` (seconds between two requests to one host), ``max_bytes`` (decoded size cap),
    ``max_redirects``, ``user_agent``, ``respect_robots``."""

    timeout: float = 20.0
    retries: int = 2
    backoff: float = 2.0
    max_backoff: float = 60.0
    host_delay: float = 2.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    respect_robots: bool = True


@dataclass(frozen=True)
class FetchResult:
    """One answer: ``url`` asked, ``final_url`` after redirects, ``status`` (304 when not
    modified), ``content`` (decoded bytes; empty on 304), ``etag``, ``last_modified``,
    ``content_type``."""

    url: str
    final_url: str
    status: int
    content: bytes = field(repr=False)
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """Fetch URLs under a ``FetchPolicy``; use as a context manager (one connection pool).
    ``sleep`` and ``clock`` are injectable so that tests need not wait."""

    def __init__(self, policy: FetchPolicy | None = None, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.policy = policy or FetchPolicy()
        self._sleep = sleep
        self._clock = clock
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}
        self._client = httpx.Client(
            timeout=self.policy.timeout,
            follow_redirects=True,
            max_redirects=self.policy.max_redirects,
            headers={"User-Agent": self.policy.user_agent},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*") -> FetchResult:
        """GET ``url`` (conditionally when ``etag``/``last_modified`` are given). FetchError when
        robots.txt disallows it, after the retries fail, on a 4xx, or when the answer is too big."""
        if self.policy.respect_robots and not self.allowed(url):
            raise FetchError(url, f"disallowed by robots.txt for {self.policy.user_agent.split()[0]}")
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            try:
                result = self._request(url, headers)
            except FetchError as e:
                if attempt >= self.policy.retries or (e.status is not None and e.status not in RETRY_STATUSES):
                    raise
                self._sleep(self._backoff(attempt, e))
                attempt += 1
                continue
            return result

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of ``url``'s site lets our User-Agent fetch it (fetched once per
        site and ``ROBOTS_TTL``)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots or self._clock() - self._robots[origin][0] > ROBOTS_TTL:
            self._robots[origin] = (self._clock(), self._load_robots(origin))
        rules = self._robots[origin][1]
        return rules is None or rules.can_fetch(self.policy.user_agent, url)

    # -- internals --------------------------------------------------------------------------
    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """Rules of ``origin``; None (everything allowed) when it has no robots.txt (4xx)."""
        rules = urllib.robotparser.RobotFileParser()
        try:
            answer = self._request(f"{origin}/robots.txt", {"Accept": "text/plain"}, check_status=False)
        except FetchError as e:  # unreachable: nothing may be fetched (RFC 9309); ask again next time
            raise FetchError(e.url, f"robots.txt unreachable, so nothing is fetched from the site: {e.problem}") from e
        if answer.status >= 500:
            rules.disallow_all = True
        elif answer.status >= 400:
            return None
        else:
            rules.parse(answer.content.decode("utf-8", "replace").splitlines())
        return rules

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc
        delay = self.policy.host_delay
        rules = self._robots.get(f"{urlsplit(url).scheme}://{host}", (0, None))[1]
        if rules is not None:
            crawl_delay = rules.crawl_delay(self.policy.user_agent)
            delay = max(delay, float(crawl_delay or 0))
        last = self._last_request.get(host)
        if last is not None and delay > 0:
            wait = delay - (self._clock() - last)
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = self._clock()

    def _request(self, url: str, headers: dict[str, str], *, check_status: bool = True) -> FetchResult:
        self._wait_for_host(url)
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                content = b"" if response.status_code == 304 else self._read_capped(url, response)
        except httpx.TimeoutException as e:
            raise FetchError(url, f"timed out after {self.policy.timeout:g} s ({type(e).__name__})") from e
        except httpx.TooManyRedirects as e:
            raise FetchError(url, f"more than {self.policy.max_redirects} redirects") from e
        except httpx.HTTPError as e:
            raise FetchError(url, f"request failed: {type(e).__name__}: {e}") from e
        status = response.status_code
        if check_status and status >= 400:
            raise FetchError(url, f"HTTP {status} {response.reason_phrase}".strip(), status,
                             response.headers.get("retry-after"))
        return FetchResult(url=url, final_url=str(response.url), status=status, content=content,
                           etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"),
                           content_type=response.headers.get("content-type"))

    def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        cap = self.policy.max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap and "content-encoding" not in response.headers:
            raise FetchError(url, f"answer of {int(declared):,} bytes is over the {cap:,}-byte limit")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(url, f"answer is over the {cap:,}-byte limit (after decompression)")
            chunks.append(chunk)
        return b"".join(chunks)

    def _backoff(self, attempt: int, error: FetchError) -> float:
        wait = self.policy.backoff * 2**attempt
        if error.retry_after and error.retry_after.strip().isdigit():
            wait = max(wait, float(error.retry_after))
        return min(wait, self.policy.max_backoff)
