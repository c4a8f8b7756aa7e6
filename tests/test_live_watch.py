"""Live collection against a local web server: polling feeds, sitemaps and pages, article
extraction, per-source freshness and staleness, crash recovery, clean shutdown, signed webhook
notifications, and the done-when run of ``exitwatch watch --every`` for 3 cycles."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import signal
import threading

import pytest
from click.testing import CliRunner
from newsserver import article_page, rss

from exitwatch.app.notify import SIGNATURE_HEADER, Notifier
from exitwatch.app.watch import load_watch_config, run_watch, source_statuses, stop_on_signals, watch
from exitwatch.cli import main
from exitwatch.indicators.samples import sample_files, sentences_only_reader
from exitwatch.ingest.fetch import Fetcher, FetchPolicy
from exitwatch.ingest.poll import poll_source
from exitwatch.ingest.source_config import SourceSpec
from exitwatch.store import Store

FAST = FetchPolicy(timeout=5, retries=1, backoff=0.01, host_delay=0)
T0 = dt.datetime(2026, 1, 20, 12, 0, tzinfo=dt.timezone.utc)
ARTICLE = [
    "Iran's economy minister and two deputy ministers resigned on Wednesday in protest at the crackdown, "
    "according to three officials in Tehran who spoke on condition of anonymity.",
    "The resignations are the first by cabinet members since the protests began, and follow weeks of open "
    "disagreement inside the government over how to answer the strikes in the oil sector.",
    "State media confirmed the departures in a short bulletin but gave no reason, and the president's office "
    "said replacements would be named within days. Analysts said the move showed a widening split.",
]


def _sample_item(name: str, n: int) -> dict:
    """A feed item from one of the package's invented indicator samples (header block + body)."""
    text = sample_files(name, f"_{n}")[0].read_text(encoding="utf-8")
    head, body = text.split("\n\n", 1)
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    return {"guid": f"{name}-{n}", "title": fields["Title"], "link": fields["URL"], "text": body.strip(),
            "outlet": fields["Outlet"],
            "date": dt.date.fromisoformat(fields["Date"]).strftime("%a, %d %b %Y 08:00:00 GMT")}


NEUTRAL = {"guid": "weather", "title": "Snow in the mountains", "link": "https://samples.exitwatch.invalid/snow",
           "text": "Heavy snow closed two mountain passes north of Tehran on Sunday, the road agency said."}


def _feed(server, path, items, *, full_text=True, **options) -> SourceSpec:
    url = server.add(path, rss(path, items, full_text=full_text), **options)
    return SourceSpec(name=path.strip("/"), url=url, interval=0)


def _config(tmp_path, body: str):
    path = tmp_path / "watch.toml"
    path.write_text(body, encoding="utf-8")
    return load_watch_config(path)


# -- polling one source ----------------------------------------------------------------------

def test_summary_only_entries_get_their_article_and_keep_the_summary_when_the_page_fails(news_server):
    page = news_server.add("/news/ministers.html", article_page("Ministers resign", ARTICLE), content_type="text/html")
    items = [{"guid": "a", "title": "Ministers resign", "link": page, "text": "Three ministers quit."},
             {"guid": "b", "title": "Gone", "link": news_server.url("/news/gone.html"), "text": "A page that is gone."}]
    spec = _feed(news_server, "/summaries.xml", items, full_text=False, gzip=True)
    with Fetcher(FAST) as fetcher:
        result = poll_source(spec, fetcher)
    bodies = {item.key: item.document for item in result.items}
    assert result.error is None and result.status == 200 and result.etag
    assert "first by cabinet members" in bodies["a"].body and bodies["a"].title == "Ministers resign"
    assert bodies["a"].url == page and bodies["a"].outlet == "/summaries.xml"
    assert bodies["b"].body == "A page that is gone."
    assert [(p.severity, "kept the feed summary" in p.problem, "404" in p.problem) for p in result.problems] == [
        ("warning", True, True)]


def test_seen_items_are_skipped_before_their_pages_are_fetched(news_server):
    page = news_server.add("/news/ministers.html", article_page("Ministers resign", ARTICLE), content_type="text/html")
    spec = _feed(news_server, "/summaries.xml", [{"guid": "a", "title": "T", "link": page, "text": "Short."}],
                 full_text=False)
    with Fetcher(FAST) as fetcher:
        result = poll_source(spec, fetcher, seen=lambda keys: set(keys))
    assert result.items == () and news_server.hits("/news/ministers.html") == []


def test_items_over_the_limit_are_taken_by_the_next_poll(news_server):
    items = [{**NEUTRAL, "guid": f"g{i}", "text": f"Item number {i} about the snow in the passes."} for i in range(5)]
    spec = SourceSpec(url=news_server.add("/many.xml", rss("Many", items)), max_items=3)
    taken: set[str] = set()
    with Fetcher(FAST) as fetcher:
        first = poll_source(spec, fetcher, seen=lambda keys: taken & set(keys))
        taken |= {item.key for item in first.items}
        second = poll_source(spec, fetcher, etag=first.etag, seen=lambda keys: taken & set(keys))
    assert [i.key for i in first.items] == ["g0", "g1", "g2"] and first.etag is None
    assert [i.key for i in second.items] == ["g3", "g4"] and second.etag
    assert news_server.conditional_hits("/many.xml") == 0


def test_malformed_feeds_and_html_pages_are_clear_errors(news_server):
    news_server.add("/broken.xml", b"<rss><channel><title>x</title><item><title>unclosed")
    news_server.add("/page.xml", article_page("Home", ["Welcome to our site."]), content_type="text/html; charset=utf-8")
    with Fetcher(FAST) as fetcher:
        broken = poll_source(SourceSpec(url=news_server.url("/broken.xml")), fetcher)
        page = poll_source(SourceSpec(url=news_server.url("/page.xml")), fetcher)
    assert broken.items == () and "malformed feed XML" in broken.error
    assert page.items == () and page.error.startswith("not an RSS/Atom feed: the server sent an HTML page (Content-Type text/html")
    assert broken.etag is None  # a bad answer is not a validator for the next poll


def test_sitemaps_and_pages(news_server):
    first = news_server.add("/a.html", article_page("Ministers resign", ARTICLE), content_type="text/html")
    second = news_server.add("/b.html", article_page("Other", list(reversed(ARTICLE))), content_type="text/html")
    sitemap = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               f"<url><loc>{first}</loc></url><url><loc>{second}</loc></url><url><loc>file:///etc/passwd</loc></url></urlset>")
    news_server.add("/sitemap.xml", sitemap, content_type="application/xml")
    with Fetcher(FAST) as fetcher:
        mapped = poll_source(SourceSpec(kind="sitemap", url=news_server.url("/sitemap.xml")), fetcher, seen=lambda k: {first})
        page = poll_source(SourceSpec(kind="page", url=first), fetcher)
        again = poll_source(SourceSpec(kind="page", url=first), fetcher, etag=page.etag)
    assert [item.key for item in mapped.items] == [second] and news_server.hits("/a.html")[0].headers  # page polled
    assert "first by cabinet members" in page.items[0].document.body
    assert again.not_modified and again.items == ()


# -- watch cycles ----------------------------------------------------------------------------

def test_a_cycle_goes_on_past_every_kind_of_failure_and_records_freshness(news_server, tmp_path):
    news_server.add("/good.xml", rss("Good", [_sample_item("elite_split", 1)]))
    news_server.add("/missing.xml", b"gone", status=404, content_type="text/plain")
    news_server.add("/error.xml", b"down", status=500, content_type="text/plain")
    news_server.add("/slow.xml", rss("Slow", [NEUTRAL]), delay=4)
    news_server.add("/html.xml", article_page("Home", ["Welcome."]), content_type="text/html")
    news_server.add("/bad.xml", b"<rss><channel><item><title>oops")
    tables = "".join(f'[[source]]\nname = "{n}"\nurl = "{news_server.url("/" + n + ".xml")}"\ninterval = "0s"\ncadence = "1d"\n\n'
                     for n in ("missing", "error", "slow", "html", "bad", "good"))
    config = _config(tmp_path, f'[watch]\ncountries = ["IRN"]\nhost_delay = 0\ntimeout = 1.5\nretries = 1\n\n{tables}')
    with Store(tmp_path / "w.duckdb") as store:
        report = watch(store, config, read=sentences_only_reader, now=T0)
        statuses = {s.name: s for s in source_statuses(store, config.sources, now=T0)}
    assert [p.name for p in report.polled] == ["missing", "error", "slow", "html", "bad", "good"]
    assert report.added == 1 and report.polled[-1].new_items == 1
    errors = {p.name: p.error for p in report.polled if p.error}
    assert set(errors) == {"missing", "error", "slow", "html", "bad"}
    assert "404" in errors["missing"] and "500" in errors["error"] and "timed out" in errors["slow"]
    assert "HTML page" in errors["html"] and "malformed" in errors["bad"]
    assert len(news_server.hits("/error.xml")) == 2  # retried once
    good, missing = statuses["good"], statuses["missing"]
    assert (good.last_status, good.last_success, good.last_new_item, good.consecutive_errors) == (200, T0, T0, 0)
    assert good.etag and good.polls == 1 and good.new_items == 1 and not good.stale
    assert (missing.last_status, missing.last_success, missing.consecutive_errors, missing.total_errors) == (404, None, 1, 1)
    assert "HTTP 404" in missing.last_error and missing.last_poll == T0


def test_staleness_is_announced_once_and_recovery_too(news_server, tmp_path):
    items = [_sample_item("elite_split", 1)]
    news_server.add("/quiet.xml", lambda n: rss("Quiet", items))
    config = _config(tmp_path, f'[watch]\ncountries = ["IRN"]\nhost_delay = 0\n\n[[source]]\nname = "quiet"\n'
                               f'url = "{news_server.url("/quiet.xml")}"\ninterval = "30m"\ncadence = "6h"\n')
    hours = [0, 0.25, 3, 7, 8, 9]
    with Store(tmp_path / "w.duckdb") as store, Fetcher(FAST) as fetcher:
        runs = []
        for h in hours:
            if h == 9:
                items.append(_sample_item("elite_split", 2))
            runs.append(watch(store, config, read=sentences_only_reader, fetcher=fetcher, now=T0 + dt.timedelta(hours=h)))
    assert [len(r.polled) for r in runs] == [1, 0, 1, 1, 1, 1]  # 15 minutes later it was not due
    assert [r.went_stale for r in runs] == [(), (), (), ("quiet",), (), ()]
    assert [r.stale for r in runs] == [(), (), (), ("quiet",), ("quiet",), ()]
    assert [r.fresh_again for r in runs] == [(), (), (), (), (), ("quiet",)]
    assert [h.status for h in news_server.hits("/quiet.xml")] == [200, 304, 304, 304, 200]
    assert news_server.conditional_hits("/quiet.xml") == 4
    assert [r.added for r in runs] == [1, 0, 0, 0, 0, 1]


def test_a_crash_mid_cycle_loses_nothing_acknowledged_and_the_rest_is_polled_again(news_server, tmp_path):
    news_server.add("/a.xml", rss("A", [_sample_item("elite_split", 1)]))
    news_server.add("/b.xml", rss("B", [_sample_item("elite_split", 2), NEUTRAL]))
    config = _config(tmp_path, f'[watch]\nsources = ["{news_server.url("/a.xml")}", "{news_server.url("/b.xml")}"]\n'
                               'countries = ["IRN"]\nhost_delay = 0\n')

    def crashing_reader(doc):
        if "power struggle" in doc.body.lower():
            raise KeyboardInterrupt  # the process is killed while source B is being stored
        return sentences_only_reader(doc)

    with Store(tmp_path / "w.duckdb") as store:
        try:
            watch(store, config, read=crashing_reader, now=T0)
        except KeyboardInterrupt:
            pass
        acknowledged = {s.name: s.polls for s in store.source_statuses(T0)}
        stored_after_crash = store.table_counts()["documents"]
        report = watch(store, config, read=sentences_only_reader, now=T0 + dt.timedelta(hours=1))
        documents = store.table_counts()["documents"]
    assert acknowledged == {news_server.url("/a.xml"): 1} and stored_after_crash == 1
    assert [(p.status, p.new_items) for p in report.polled] == [(304, 0), (200, 2)]
    assert documents == 3
    assert "if-none-match" not in news_server.hits("/b.xml")[1].headers  # B was never acknowledged


def test_sigterm_stops_the_loop_after_the_cycle_in_progress(news_server, tmp_path):
    news_server.add("/feed.xml", rss("F", [NEUTRAL]))
    config = _config(tmp_path, f'[watch]\nsources = ["{news_server.url("/feed.xml")}"]\ncountries = ["IRN"]\nhost_delay = 0\n')
    seen = []

    def on_cycle(n, report):
        seen.append(n)
        os.kill(os.getpid(), signal.SIGTERM)  # as `kill PID` or systemd would

    previous = signal.getsignal(signal.SIGTERM)
    with Store(tmp_path / "w.duckdb") as store, stop_on_signals(threading.Event()) as stop:
        run = run_watch(store, config, every=0.05, read=sentences_only_reader, stop=stop, on_cycle=on_cycle)
    assert run.cycles == 1 and seen == [1] and stop.is_set()
    assert signal.getsignal(signal.SIGTERM) is previous
    with stop_on_signals(threading.Event()) as stop:
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.is_set()
        with pytest.raises(KeyboardInterrupt):  # a second Ctrl-C interrupts at once
            os.kill(os.getpid(), signal.SIGINT)
    once = CliRunner().invoke(main, ["watch", "--config", str(tmp_path / "watch.toml"), "--cycles", "2",
                                     "--db", str(tmp_path / "w.duckdb")])
    assert once.exit_code == 2 and "--cycles needs --every" in once.output


def test_notifications_are_signed_and_retried(news_server):
    news_server.add("/hook", b"ok", status=lambda n: 503 if n == 1 else 200, content_type="text/plain")
    waits = []
    sent = Notifier(news_server.url("/hook"), secret="s3cret", retries=2, backoff=0.25, sleep=waits.append).send({"a": 1})
    posts = news_server.hits("/hook", method="POST")
    assert sent == 200 and len(posts) == 2 and waits == [0.25]
    expected = "sha256=" + hmac.new(b"s3cret", posts[1].body, hashlib.sha256).hexdigest()
    assert posts[1].headers[SIGNATURE_HEADER.lower()] == expected and json.loads(posts[1].body) == {"a": 1}


# -- the done-when run -----------------------------------------------------------------------

def _json_objects(text: str) -> list[dict]:
    decoder, objects, at = json.JSONDecoder(), [], 0
    while (at := text.find("{", at)) != -1:
        value, at = decoder.raw_decode(text, at)
        objects.append(value)
    return objects


def test_watch_every_runs_three_cycles_only_new_items_conditional_stale_and_one_post_per_change(news_server, tmp_path):
    growing = [[_sample_item("revenue_shock", 1)], [_sample_item("revenue_shock", 2)], [NEUTRAL]]
    news_server.add("/growing.xml", lambda n: rss("Growing", [i for batch in growing[:n] for i in batch]))
    news_server.add("/silent.xml", rss("Silent", [_sample_item("elite_split", 1)]))
    news_server.add("/hook", b"ok", content_type="text/plain")
    config = tmp_path / "watch.toml"
    config.write_text(
        '[watch]\ncountries = ["IRN"]\nhost_delay = 0\n\n'
        f'[[source]]\nname = "growing"\nurl = "{news_server.url("/growing.xml")}"\ninterval = "0s"\ncadence = "1h"\n\n'
        f'[[source]]\nname = "silent"\nurl = "{news_server.url("/silent.xml")}"\ninterval = "0s"\ncadence = "1s"\n',
        encoding="utf-8")
    db = str(tmp_path / "live.duckdb")
    result = CliRunner().invoke(main, ["watch", "--config", str(config), "--db", db, "--every", "0.7s", "--cycles", "3",
                                       "--notify", news_server.url("/hook"), "--format", "json"],
                                env={"EXITWATCH_NOTIFY_SECRET": "team-secret"})
    assert result.exit_code == 0, result.output
    cycles = _json_objects(result.output)
    assert len(cycles) == 3
    assert [c["added"] for c in cycles] == [2, 1, 1] and [c["duplicates"] for c in cycles] == [0, 0, 0]
    assert [h.status for h in news_server.hits("/silent.xml")] == [200, 304, 304]
    assert news_server.conditional_hits("/silent.xml") == 2 and news_server.conditional_hits("/growing.xml") == 2
    assert "silent" in cycles[-1]["stale"] and "growing" not in cycles[-1]["stale"]
    posts = news_server.hits("/hook", method="POST")
    alerts = [c for c in cycles if c["changes"] or c["went_stale"] or c["fresh_again"]]
    assert len(posts) == len(alerts) >= 1
    notified = [json.loads(p.body) for p in posts]
    changes = [(c["country_iso3"], c["indicator"], c["lit"]) for n in notified for c in n["changes"]]
    assert changes.count(("IRN", "revenue_shock", True)) == 1 and len(changes) == len(set(changes))
    assert [name for n in notified for name in n["went_stale"]] == ["silent"]
    for post in posts:
        expected = "sha256=" + hmac.new(b"team-secret", post.body, hashlib.sha256).hexdigest()
        assert post.headers[SIGNATURE_HEADER.lower()] == expected
    listed = CliRunner().invoke(main, ["sources", "--config", str(config), "--db", db, "--format", "json"])
    assert listed.exit_code == 0, listed.output
    by_name = {s["name"]: s for s in json.loads(listed.output)}
    assert by_name["silent"]["stale"] is True and by_name["growing"]["stale"] is False
    assert by_name["growing"]["url"] == news_server.url("/growing.xml") and by_name["silent"]["polls"] == 3
    for key in ("last_poll", "last_success", "last_new_item"):
        assert by_name["silent"][key]
    text = CliRunner().invoke(main, ["sources", "--config", str(config), "--db", db])
    assert "STALE" in text.output and "silent" in text.output


def test_watch_once_prints_a_progress_line_and_exits_1_on_an_alert(news_server, tmp_path):
    news_server.add("/feed.xml", rss("Feed", [_sample_item("revenue_shock", 1), _sample_item("revenue_shock", 2)]))
    config = tmp_path / "watch.toml"
    config.write_text(f'[watch]\nsources = ["{news_server.url("/feed.xml")}"]\ncountries = ["IRN"]\nhost_delay = 0\n')
    report = tmp_path / "alert.json"
    result = CliRunner().invoke(main, ["watch", "--config", str(config), "--db", str(tmp_path / "x.duckdb"),
                                       "--report", str(report)])
    assert result.exit_code == 1, result.output
    assert "cycle 1: 1 sources polled (0 failed), 2 new documents" in result.output
    assert "IRN revenue_shock: now LIT" in result.output
    assert json.loads(report.read_text(encoding="utf-8"))["changes"][0]["indicator"] == "revenue_shock"


# -- the brief, the API and the dashboard say which sources fed an assessment ---------------

def test_brief_api_and_dashboard_show_the_sources_and_warn_when_one_is_stale(news_server, tmp_path):
    from fastapi.testclient import TestClient

    from exitwatch.app.server import create_app
    from exitwatch.report.brief import render_brief
    from exitwatch.report.view import country_view

    news_server.add("/fresh.xml", rss("Fresh", [_sample_item("revenue_shock", 1)]))
    news_server.add("/quiet.xml", rss("Quiet", [_sample_item("revenue_shock", 2)]))
    news_server.add("/other.xml", rss("Other", [{**NEUTRAL, "guid": "lisbon", "text": "Heavy rain flooded streets in Lisbon."}]))
    tables = "".join(f'[[source]]\nname = "{n}"\nurl = "{news_server.url("/" + n + ".xml")}"\ncadence = "{c}"\n\n'
                     for n, c in (("fresh", "1000w"), ("quiet", "6h"), ("other", "6h")))
    config = _config(tmp_path, f'[watch]\ncountries = ["IRN"]\nhost_delay = 0\n\n{tables}')
    db = tmp_path / "w.duckdb"
    with Store(db) as store:
        watch(store, config, read=sentences_only_reader, now=T0)  # "quiet" is stale by now (6 h after T0)
        view = country_view(store, "IRN", as_of=T0.date())  # the assessment's window ends on the day of the poll
        brief = render_brief(view, fmt="md")
    assert [(s.name, s.documents, s.stale) for s in view.sources] == [("fresh", 1, False), ("quiet", 1, True)]
    assert "**Warning: stale sources** (quiet)" in brief and "- fresh: 1 documents" in brief
    with TestClient(create_app(str(db), as_of=T0.date())) as client:
        listed = client.get("/api/sources").json()
        forecast = client.get("/api/forecasts/IRN").json()
        page = client.get("/sources").text
        country = client.get("/country/IRN").text
    assert [(s["name"], s["stale"], s["last_status"]) for s in listed] == [
        ("fresh", False, 200), ("other", True, 200), ("quiet", True, 200)]
    assert all(s["last_poll"] and s["last_success"] and s["last_new_item"] and s["url"] for s in listed)
    assert [(s["name"], s["stale"]) for s in forecast["sources"]] == [("fresh", False), ("quiet", True)]
    assert "Watched sources" in page and news_server.url("/quiet.xml") in page
    assert "stale-warning" in country and "quiet" in country
