"""The HTTP client of live collection against a local server: conditional requests, retries
with backoff, timeouts, redirects, gzip, size limits, robots.txt, User-Agent, politeness."""

from __future__ import annotations

import pytest

from exitwatch.errors import FetchError
from exitwatch.ingest.fetch import USER_AGENT, Fetcher, FetchPolicy

FAST = FetchPolicy(timeout=5, retries=2, backoff=0.01, host_delay=0)


def test_conditional_request_gets_304_and_no_body(news_server):
    url = news_server.add("/feed.xml", b"<rss>one</rss>")
    with Fetcher(FAST) as fetcher:
        first = fetcher.get(url)
        again = fetcher.get(url, etag=first.etag, last_modified=first.last_modified)
    assert first.status == 200 and first.content == b"<rss>one</rss>" and first.etag and first.last_modified
    assert again.not_modified and again.content == b""
    assert news_server.conditional_hits("/feed.xml") == 1
    assert news_server.hits("/feed.xml")[1].headers["if-none-match"] == first.etag


def test_user_agent_accept_and_robots_are_sent_and_read(news_server):
    news_server.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    ok = news_server.add("/news/feed.xml", b"<rss/>")
    private = news_server.add("/private/feed.xml", b"<rss/>")
    with Fetcher(FAST) as fetcher:
        assert fetcher.get(ok, accept="application/rss+xml").status == 200
        with pytest.raises(FetchError, match="disallowed by robots.txt"):
            fetcher.get(private)
    hit = news_server.hits("/news/feed.xml")[0]
    assert hit.headers["user-agent"] == USER_AGENT and hit.headers["accept"] == "application/rss+xml"
    assert news_server.hits("/private/feed.xml") == [] and len(news_server.hits("/robots.txt")) == 1


def test_robots_that_fail_with_5xx_disallow_everything(news_server):
    news_server.add("/robots.txt", b"down", status=503, content_type="text/plain")
    url = news_server.add("/feed.xml", b"<rss/>")
    with Fetcher(FAST) as fetcher, pytest.raises(FetchError, match="robots.txt"):
        fetcher.get(url)
    assert news_server.hits("/feed.xml") == []


def test_server_errors_are_retried_with_backoff_then_reported(news_server):
    url = news_server.add("/broken.xml", b"oops", status=500, content_type="text/plain")
    waits = []
    with Fetcher(FetchPolicy(retries=2, backoff=0.5, host_delay=0), sleep=waits.append) as fetcher:
        with pytest.raises(FetchError, match="HTTP 500") as error:
            fetcher.get(url)
    assert error.value.status == 500 and len(news_server.hits("/broken.xml")) == 3
    assert waits == [0.5, 1.0]


def test_a_flaky_server_succeeds_on_retry_and_404_is_not_retried(news_server):
    news_server.add("/flaky.xml", lambda n: b"<rss>ok</rss>")
    news_server.routes["/flaky.xml"].status = 503
    url = news_server.url("/flaky.xml")
    with Fetcher(FAST) as fetcher:
        with pytest.raises(FetchError):
            fetcher.get(url)
        news_server.routes["/flaky.xml"].status = 200
        assert fetcher.get(url).content == b"<rss>ok</rss>"
        with pytest.raises(FetchError, match="HTTP 404") as missing:
            fetcher.get(news_server.url("/missing.xml"))
    assert missing.value.status == 404 and len(news_server.hits("/missing.xml")) == 1


def test_slow_answers_time_out(news_server):
    url = news_server.add("/slow.xml", b"<rss/>", delay=1.5)
    with Fetcher(FetchPolicy(timeout=0.3, retries=1, backoff=0.01, host_delay=0)) as fetcher:
        with pytest.raises(FetchError, match="timed out"):
            fetcher.get(url)
    assert len(news_server.hits("/slow.xml")) == 2


def test_redirects_are_followed_and_gzip_decoded(news_server):
    body = b"<rss>" + b"news " * 2000 + b"</rss>"
    news_server.add("/new-home.xml", body, gzip=True)
    old = news_server.add("/old.xml", location=news_server.url("/new-home.xml"), status=301)
    with Fetcher(FAST) as fetcher:
        answer = fetcher.get(old)
    assert answer.content == body and answer.final_url.endswith("/new-home.xml")
    assert "gzip" in news_server.hits("/new-home.xml")[0].headers["accept-encoding"]


def test_redirect_loops_and_oversized_answers_are_refused(news_server):
    news_server.add("/a", location=news_server.url("/b"))
    news_server.add("/b", location=news_server.url("/a"))
    news_server.add("/big.xml", b"x" * 5000)
    news_server.add("/bomb.xml", b"\0" * 200_000, gzip=True)
    with Fetcher(FetchPolicy(max_bytes=4000, retries=0, host_delay=0)) as fetcher:
        with pytest.raises(FetchError, match="redirects"):
            fetcher.get(news_server.url("/a"))
        with pytest.raises(FetchError, match="4,000-byte limit"):
            fetcher.get(news_server.url("/big.xml"))
        with pytest.raises(FetchError, match="after decompression"):
            fetcher.get(news_server.url("/bomb.xml"))


def test_requests_to_one_host_are_spaced_by_the_politeness_delay(news_server):
    url = news_server.add("/feed.xml", b"<rss/>")
    now = [100.0]
    waits = []

    def sleep(seconds):
        waits.append(round(seconds, 3))
        now[0] += seconds

    with Fetcher(FetchPolicy(host_delay=2.0), sleep=sleep, clock=lambda: now[0]) as fetcher:
        fetcher.get(url)   # robots.txt, then the feed 2 s later
        now[0] += 0.5
        fetcher.get(url)   # 1.5 s more to wait
    assert waits == [2.0, 1.5]


def test_a_dead_server_is_a_fetch_error(news_server):
    url = news_server.url("/feed.xml")
    news_server.__exit__(None, None, None)
    with Fetcher(FetchPolicy(timeout=0.5, retries=0, host_delay=0)) as fetcher:
        with pytest.raises(FetchError, match="robots.txt unreachable.*ConnectError"):
            fetcher.get(url)
