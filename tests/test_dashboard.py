"""The dashboard's pages through TestClient (the fast twin of tests/test_browser.py), and the
article view's segments."""

from __future__ import annotations

import re
import shutil
import time
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from test_api import SAMPLES_AS_OF, lexical, sample_db  # noqa: F401  (sample_db is a fixture)

from exitwatch.ingest import make_document
from exitwatch.app.server import create_app
from exitwatch.app.uploads import ingest_json_document
from exitwatch.report import served
from exitwatch.report.highlight import segments
from exitwatch.report.render import pct_range
from exitwatch.store import Store

HOSTILE = ("Protesters chanted in Tabriz <script>alert('x')</script> while police detained dozens, "
           "the governor said.\n\nSign up for our newsletter.")


class Tags(HTMLParser):
    """Collects start tags with their attributes, and the text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def hostile_id(sample_db):  # noqa: F811
    doc = make_document(HOSTILE, title="Unrest <b>spreads</b>", outlet="Test Wire", published="2026-01-16")
    with Store(sample_db) as s:
        s.add_document(doc, reading=lexical(doc))
    return doc.id


@pytest.fixture(scope="module")
def client(sample_db, hostile_id, tmp_path_factory):  # noqa: F811
    copy = tmp_path_factory.mktemp("dash") / "dash.duckdb"
    shutil.copy(sample_db, copy)
    with TestClient(create_app(str(copy), as_of=SAMPLES_AS_OF)) as c:
        for _ in range(600):  # the index's news is computed in the background at startup
            if not c.app.state.warming.is_set():
                break
            time.sleep(0.2)
        yield c


def test_index_while_warming_up_marks_pending_news(sample_db, hostile_id, tmp_path):  # noqa: F811
    """While the news of stored countries is still being computed at startup, the index answers
    at once from the history ranking and marks those countries pending."""
    copy = tmp_path / "warm.duckdb"
    shutil.copy(sample_db, copy)
    app = create_app(str(copy), as_of=SAMPLES_AS_OF)
    app.state.warming.set()  # as during startup, before any country's news is computed
    page = TestClient(app).get("/")  # no lifespan: nothing warms in the background
    iran_row = page.text.split('href="/country/IRN"')[1].split("</tr>")[0]
    assert page.status_code == 200 and "being computed" in iran_row and "<strong>" not in iran_row


def test_index_ranks_countries_by_risk(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    table = page.text.split('<table id="ranking">')[1].split("</table>")[0]
    order = re.findall(r'href="/country/([A-Z]{3})"', table)
    ranked = client.get("/api/forecasts").json()
    assert len(order) == len(ranked) >= 20 and set(order) == {f["country_iso3"] for f in ranked}
    iran_row = table.split('href="/country/IRN"')[1].split("</tr>")[0]
    assert "<strong>" in iran_row, "countries with stored news show the news-updated figure"
    history = {f["country_iso3"]: f["p_irregular"]["12"] for f in ranked}
    best = []
    for row in table.split("</tr>")[:-1]:
        if 'href="/country/' not in row:
            continue
        iso3 = re.search(r'href="/country/([A-Z]{3})"', row).group(1)
        news = re.search(r"<strong>([0-9]+)%</strong>", row)
        best.append(int(news.group(1)) / 100 if news else history[iso3])
    assert all(a >= b - 0.006 for a, b in zip(best, best[1:])), "rank follows the best estimate of irregular exit"


def test_country_page(client):
    page = client.get("/country/Iran")
    assert page.status_code == 200
    forecast = client.get("/api/forecasts/IRN").json()
    html = Tags(page.text)
    text = " ".join(html.text)
    assert forecast["forecast"]["leader"] in text
    assert f"{round(forecast['news']['updated']['p_exit']['12'] * 100)}%" in text
    assert page.text.count("<svg") == 2
    indicators = client.get("/api/countries/IRN/indicators").json()["indicators"]
    for ind in indicators:
        assert ind["title"] in text
    for d in forecast["forecast"]["destinations"][:3]:
        assert d["name"] in text
    evidence_links = {a["href"] for a in html.find("a") if a.get("href", "").startswith("/document/")}
    assert evidence_links
    for href in sorted(evidence_links)[:3]:
        assert client.get(href).status_code == 200


def test_country_page_shows_the_forecast_intervals(client):
    page = client.get("/country/IRN").text
    forecast = client.get("/api/forecasts/IRN").json()["forecast"]
    for key in ("p_exit_interval", "p_irregular_interval"):
        for h in ("1", "12"):
            assert pct_range(forecast[key][h]) in page
    assert page.count('<tr class="range">') == 2


def test_document_page_highlights_events_claims_and_boilerplate(client, hostile_id):
    page = client.get(f"/document/{hostile_id}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    assert "Unrest &lt;b&gt;spreads&lt;/b&gt;" in page.text
    html = Tags(page.text)
    marks = html.find("mark")
    assert any("event" in m["class"] for m in marks)
    doc = client.get(f"/api/documents/{hostile_id}").json()
    assert doc["removed"], "the newsletter prompt is removed as boilerplate"
    removed = html.find("del")
    assert len(removed) == len(doc["removed"]) and removed[0]["title"] == f"removed: {doc['removed'][0]['reason']}"
    assert len(html.find("tr", id="event-0")) == 1
    for n, _ in enumerate(doc["claims"]):
        assert html.find("tr", id=f"claim-{n}")


def test_brief_pages(client):
    html = client.get("/brief/IRN")
    assert html.status_code == 200 and html.text.startswith("<!doctype html>")
    md = client.get("/brief/Iran", params={"format": "md"})
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("# Brief: Iran")
    assert client.get("/brief/IRN", params={"format": "pdf"}).status_code == 422


def test_static_files(client):
    assert "mark.event" in client.get("/static/style.css").text
    assert "addEventListener" in client.get("/static/app.js").text
    assert client.get("/static/../../errors.py").status_code == 404


def test_segments_rebuild_the_article():
    doc = make_document("Editor's note: this story was updated.\n\nSoldiers fired on protesters in Zahedan, "
                        "residents said.\n\nSign up for our newsletter.", outlet="Test Wire")
    reading = lexical(doc)
    parts = segments(reading)
    assert doc.removed and reading.events
    assert "".join(p.text for p in parts if p.removed is None) == doc.body
    assert [p.text for p in parts if p.removed] == [s.text for s in doc.removed]
    for n, event in enumerate(reading.events):
        covered = "".join(p.text for p in parts if n in p.events)
        assert covered == doc.body[event.span[0]:event.span[1]]


def test_a_write_recomputes_the_news_of_only_the_countries_it_touched(sample_db, hostile_id, tmp_path):  # noqa: F811
    """The index is assembled from per-country parts: a write naming Iran drops Iran's news figure
    and the kept pages, and leaves every other country's figure as it was computed."""
    with warm_copy(sample_db, tmp_path / "write.duckdb") as c:
        access = c.app.state.access
        before = c.get("/").text
        assert c.get("/").text == before
        others = {iso3: access.peek(("news-headline", iso3)) for iso3 in served.document_counts(access) if iso3 != "IRN"}
        assert others and access.peek(("news-headline", "IRN")) is not None
        stored = re.search(r"(\d+) documents stored", before).group(1)
        with access.write() as store:
            ingest_json_document(store, {"text": "Iranian security forces arrested dozens of protesters in Tehran on "
                                                 "Monday, the union said.", "published": "2026-01-20"}, read=lexical)
        assert access.peek(("news-headline", "IRN")) is None
        assert {iso3: access.peek(("news-headline", iso3)) for iso3 in others} == others
        stale = c.get("/")
        assert stale.headers["x-exitwatch-cache"] == "stale" and stale.text == before, "answered at once, labelled"
        after = recomputed(c, "/").text
        assert f"{int(stored) + 1} documents stored" in after, "the kept index page was recomputed after the write"
        assert access.peek(("news-headline", "IRN")) is not None


@contextmanager
def warm_copy(sample_db, copy):
    """A test client on a copy of the sample store, once the server has warmed its index."""
    shutil.copy(sample_db, copy)
    with TestClient(create_app(str(copy), as_of=SAMPLES_AS_OF)) as c:
        for _ in range(600):
            if not c.app.state.warming.is_set():
                break
            time.sleep(0.2)
        yield c


def recomputed(c, url: str, seconds: float = 60):
    """The first answer to ``url`` that is not the kept page of before a write (which is answered,
    labelled stale, while the page is recomputed off the request path)."""
    deadline = time.monotonic() + seconds
    while (answer := c.get(url)).headers["x-exitwatch-cache"] == "stale" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert answer.status_code == 200 and answer.headers["x-exitwatch-cache"] != "stale"
    return answer


def test_a_write_ends_only_the_kept_answers_it_touched(sample_db, tmp_path):  # noqa: F811
    """A write naming Iran leaves another country's kept page and the forecast list answered from
    memory, ends the store-wide lists at once, and Iran's page is answered stale (labelled, with its
    age) until its recomputation off the request path shows the new document."""
    with warm_copy(sample_db, tmp_path / "pages.duckdb") as c:
        access = c.app.state.access
        other = next(iso3 for iso3 in served.document_counts(access) if iso3 != "IRN")
        urls = ("/country/IRN", f"/country/{other}", "/api/forecasts", "/api/documents")
        first = {url: c.get(url) for url in urls}
        assert [first[url].headers["x-exitwatch-cache"] for url in urls] == ["miss"] * 4
        assert [c.get(url).headers["x-exitwatch-cache"] for url in urls] == ["hit"] * 4
        with access.write() as store:
            ingest_json_document(store, {"title": "Tehran arrests", "text": "Iranian security forces arrested dozens "
                                         "of protesters in Tehran on Monday, the union said.", "published": "2026-01-20"},
                                 read=lexical)
        elsewhere = c.get(f"/country/{other}")
        assert elsewhere.headers["x-exitwatch-cache"] == "hit" and elsewhere.text == first[f"/country/{other}"].text
        assert c.get("/api/forecasts").headers["x-exitwatch-cache"] == "hit"
        listed = c.get("/api/documents")
        assert listed.headers["x-exitwatch-cache"] == "miss"
        assert listed.json()["total"] == first["/api/documents"].json()["total"] + 1
        stale = c.get("/country/IRN")
        assert stale.headers["x-exitwatch-cache"] == "stale" and int(stale.headers["age"]) >= 0
        assert stale.text == first["/country/IRN"].text and "Tehran arrests" not in stale.text
        fresh = recomputed(c, "/country/IRN")
        assert "Tehran arrests" in fresh.text
        assert c.get("/country/IRN").headers["x-exitwatch-cache"] == "hit"
