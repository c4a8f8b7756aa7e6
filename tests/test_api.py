"""The JSON API: every endpoint, its filters and pagination, and every kind of bad request.

The store holds the package's own sample corpora (invented news items), read by the shipped
reader in lexical mode; write tests run on a copy of it so the read tests see fixed contents.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import threading
import time

import pytest
from fastapi.testclient import TestClient

from exitwatch.app import arrival
from exitwatch.app.ingest_pipeline import ingest
from exitwatch.ingest import sample_corpus_path
from exitwatch.indicators.samples import samples_path
from exitwatch.read import read_document
from exitwatch.records import MODALITIES
from exitwatch.app.server import create_app
from exitwatch.store import Store

KEY = "test-key-123"


def lexical(doc):
    return read_document(doc, mode="lexical")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    """A store file holding the bundled sample corpora, read."""
    path = tmp_path_factory.mktemp("api") / "samples.duckdb"
    with Store(path) as store:
        ingest([sample_corpus_path(), samples_path()], store=store, read=lexical)
    return path


#: The day after the newest indicator sample (January 2026): the server assesses as of this date,
#: so that the samples are recent news (the news window ends at the forecast date).
SAMPLES_AS_OF = dt.date(2026, 1, 23)


@pytest.fixture(scope="module")
def client(sample_db):
    with TestClient(create_app(str(sample_db), api_key=KEY, as_of=SAMPLES_AS_OF)) as c:
        yield c


@pytest.fixture
def writer(sample_db, tmp_path):
    """A client over a copy of the sample store, for tests that write."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, copy)
    with TestClient(create_app(str(copy), api_key=KEY, max_upload_bytes=20_000)) as c:
        yield c


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape, with the expected status (and code)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "status"}
    assert body["error"]["status"] == status
    assert body["error"]["message"] and "Traceback" not in body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]


def total_documents(c) -> int:
    return c.get("/api/documents", params={"limit": 1}).json()["total"]


# -- documents ------------------------------------------------------------------------------

def test_documents_total_and_pagination(client):
    first = client.get("/api/documents", params={"limit": 5}).json()
    assert first["limit"] == 5 and first["offset"] == 0 and len(first["items"]) == 5
    assert first["total"] >= 30
    pages = [client.get("/api/documents", params={"limit": 7, "offset": o}).json()["items"]
             for o in range(0, first["total"], 7)]
    ids = [d["id"] for page in pages for d in page]
    assert len(ids) == len(set(ids)) == first["total"]
    dates = [d["published"] for d in (x for page in pages for x in page) if d["published"]]
    assert dates == sorted(dates, reverse=True)
    assert client.get("/api/documents", params={"offset": first["total"]}).json()["items"] == []


def test_documents_filters(client):
    iran = client.get("/api/documents", params={"country": "Iran", "limit": 500}).json()
    assert 0 < iran["total"] < total_documents(client)
    for doc in iran["items"][:5]:
        assert "IRN" in client.get(f"/api/documents/{doc['id']}").json()["countries"]
    assert client.get("/api/documents", params={"country": "IRN"}).json()["total"] == iran["total"]
    outlet = next(d["outlet"] for d in iran["items"] if d["outlet"])
    by_outlet = client.get("/api/documents", params={"outlet": outlet, "limit": 500}).json()
    assert by_outlet["total"] >= 1 and {d["outlet"] for d in by_outlet["items"]} == {outlet}
    dated = sorted(d["published"] for d in iran["items"] if d["published"])
    since, until = dated[0], dated[len(dated) // 2]
    ranged = client.get("/api/documents", params={"since": since, "until": until, "limit": 500}).json()
    assert ranged["total"] >= 1
    assert all(since <= d["published"] <= until for d in ranged["items"])


def test_one_document_has_its_reading(client):
    doc_id = client.get("/api/documents", params={"country": "IRN", "limit": 1}).json()["items"][0]["id"]
    doc = client.get(f"/api/documents/{doc_id}").json()
    assert doc["id"] == doc_id and doc["body"] and doc["chars"] == len(doc["body"])
    assert doc["sentences"] and doc["events"]
    for s in doc["sentences"]:
        assert doc["body"][s["start"]:s["end"]] == s["text"]
    assert all(e["doc_id"] == doc_id and e["modality"] in MODALITIES for e in doc["events"])
    assert doc["pipeline"]


def test_document_with_removed_boilerplate(client):
    items = client.get("/api/documents", params={"limit": 500}).json()["items"]
    docs = [client.get(f"/api/documents/{d['id']}").json() for d in items]
    with_removed = [d for d in docs if d["removed"]]
    assert with_removed, "the sample corpus has boilerplate that ingest removes"
    for span in with_removed[0]["removed"]:
        assert span["text"] and span["reason"] and span["text"] not in with_removed[0]["body"]


# -- events and claims -----------------------------------------------------------------------

def test_events_filters(client):
    everything = client.get("/api/events", params={"limit": 500}).json()
    assert everything["total"] == len(everything["items"]) > 10
    kind = everything["items"][0]["event_type"]
    typed = client.get("/api/events", params={"event_type": kind, "limit": 500}).json()
    assert typed["total"] == sum(e["event_type"] == kind for e in everything["items"])
    modality = everything["items"][0]["modality"]
    by_modality = client.get("/api/events", params={"modality": modality, "limit": 500}).json()
    assert {e["modality"] for e in by_modality["items"]} == {modality}
    iran = client.get("/api/events", params={"country": "IRN", "limit": 500}).json()["items"]
    assert iran and all("IRN" in ((e["source"] or {}).get("country"), (e["target"] or {}).get("country"),
                                  e["location_country"]) for e in iran)
    doc = everything["items"][0]["doc_id"]
    of_doc = client.get("/api/events", params={"doc": doc}).json()["items"]
    assert of_doc and {e["doc_id"] for e in of_doc} == {doc}
    assert client.get("/api/events", params={"since": "2100-01-01"}).json()["total"] == 0


def test_claims_filters(client):
    everything = client.get("/api/claims", params={"limit": 500}).json()
    assert everything["total"] >= 5
    claim = everything["items"][0]
    assert claim["attribution"], "a claim carries its attribution chain"
    same = client.get("/api/claims", params={"modality": claim["modality"], "doc": claim["doc_id"]}).json()["items"]
    assert claim in same and all(c["doc_id"] == claim["doc_id"] for c in same)
    iran = client.get("/api/claims", params={"country": "IRN", "limit": 500}).json()
    assert iran["total"] <= everything["total"]


# -- indicators and forecasts ----------------------------------------------------------------

def test_indicators_of_a_country(client):
    report = client.get("/api/countries/Iran/indicators").json()
    assert report["country_iso3"] == "IRN" and report["period"] == "week"
    names = {i["name"] for i in report["indicators"]}
    assert "protest_momentum" in names
    assert any(i["lit"] for i in report["indicators"]), "the Iran samples light at least one indicator"
    lit = next(i for i in report["indicators"] if i["lit"])
    assert lit["evidence"] and lit["evidence"][0]["text"]
    monthly = client.get("/api/countries/IRN/indicators", params={"period": "month"}).json()
    assert monthly["period"] == "month"


def test_forecasts_ranked_and_one(client):
    ranked = client.get("/api/forecasts").json()
    assert len(ranked) >= 20
    p12 = [f["p_irregular"]["12"] for f in ranked]
    assert p12 == sorted(p12, reverse=True)
    one = client.get("/api/forecasts/IRN").json()
    assert one["forecast"]["country_iso3"] == "IRN"
    assert one["forecast"] == next(f for f in ranked if f["country_iso3"] == "IRN")
    news = one["news"]["updated"]["p_exit"]["12"]
    assert news >= one["forecast"]["p_exit"]["12"], "lit indicators raise the odds of exit"
    assert len(one["trend"]) >= 2 and one["trend"][-1]["news"] == pytest.approx(news)
    assert one["changes"] and one["vintage"]["documents"] == total_documents(client)


# -- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "url, status, code",
    [
        ("/api/documents?limit=0", 422, "invalid_request"),
        ("/api/documents?limit=501", 422, "invalid_request"),
        ("/api/documents?offset=-1", 422, "invalid_request"),
        ("/api/documents?since=yesterday", 422, "invalid_request"),
        ("/api/documents?since=2026-02-01&until=2026-01-01", 400, "bad_config"),
        ("/api/events?modality=rumoured", 422, "invalid_request"),
        ("/api/events?event_type=drop%20table", 422, "invalid_request"),
        ("/api/claims?doc=../../etc/passwd", 422, "invalid_request"),
        ("/api/documents?country=Atlantis", 404, "unknown_country"),
        ("/api/forecasts/Atlantis", 404, "unknown_country"),
        ("/api/countries/XXX/indicators", 404, "unknown_country"),
        ("/api/countries/IRN/indicators?period=year", 422, "invalid_request"),
        ("/api/documents/0123456789abcdef01234567", 404, "not_found"),
        ("/api/documents/not-an-id", 422, "invalid_request"),
        ("/api/nothing-here", 404, "not_found"),
        ("/no/such/page", 404, "not_found"),
        ("/country/Atlantis", 404, "unknown_country"),
        ("/document/0123456789abcdef01234567", 404, "not_found"),
    ],
)
def test_bad_reads_answer_the_error_shape(client, url, status, code):
    error = assert_error(client.get(url), status, code)
    if code == "unknown_country":
        assert "Atlantis" in error["message"] or "XXX" in error["message"]


def test_wrong_method_answers_the_error_shape(client):
    assert_error(client.delete("/api/documents"), 405, "method_not_allowed")


# -- writes ----------------------------------------------------------------------------------

ARTICLE = {"text": "Thousands of workers went on strike in Tabriz on Monday, the union said. "
                   "Police fired tear gas at protesters outside the governor's office.",
           "title": "Strike spreads to Tabriz", "outlet": "Test Wire", "published": "2026-01-16"}


def test_post_document_needs_the_key(writer):
    before = total_documents(writer)
    assert_error(writer.post("/api/documents", json=ARTICLE), 401, "unauthorized")
    assert_error(writer.post("/api/documents", json=ARTICLE, headers={"X-API-Key": "nope"}), 401, "unauthorized")
    assert total_documents(writer) == before
    made = writer.post("/api/documents", json=ARTICLE, headers={"X-API-Key": KEY})
    assert made.status_code == 201, made.text
    answer = made.json()
    assert answer["added"] == 1 and answer["read"] == 1 and len(answer["document_ids"]) == 1
    doc = writer.get(f"/api/documents/{answer['document_ids'][0]}").json()
    assert doc["title"] == ARTICLE["title"] and doc["published"] == "2026-01-16" and doc["events"]
    assert total_documents(writer) == before + 1
    again = writer.post("/api/documents", json=ARTICLE, headers={"X-API-Key": KEY}).json()
    assert again["added"] == 0 and again["duplicates"] == 1
    assert total_documents(writer) == before + 1


def test_a_write_still_reading_is_accepted_then_stored_whole(sample_db, tmp_path):
    """With an acknowledgement time (as under ``serve``), a write still reading when it runs out
    is answered 202 with its document's id; the document appears, read, once its reading ends,
    and a server stopped meanwhile stores it before closing the store."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, copy)
    app = create_app(str(copy), api_key=KEY, ack_within_s=0.05)
    released = threading.Event()
    with TestClient(app) as c:
        hold_reading(app, released)
        before = total_documents(c)
        answer = c.post("/api/documents", json=ARTICLE, headers={"X-API-Key": KEY})
        assert answer.status_code == 202, answer.text
        body = answer.json()
        assert body["status"] == "accepted" and len(body["document_ids"]) == 1
        doc_id = body["document_ids"][0]
        assert_error(c.get(f"/api/documents/{doc_id}"), 404)
        assert total_documents(c) == before
        assert_error(c.post("/api/documents", json={"title": "no text"}, headers={"X-API-Key": KEY}), 422)
        released.set()
        deadline = time.monotonic() + 120
        while (got := c.get(f"/api/documents/{doc_id}")).status_code == 404 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert got.status_code == 200 and got.json()["events"]
        assert total_documents(c) == before + 1

        released.clear()
        other = dict(ARTICLE, title="Highway blocked", text="Farmers blocked the highway near Shiraz on Tuesday, local "
                     "media said. Riot police dispersed them with batons before dawn.")
        late = c.post("/api/documents", json=other, headers={"X-API-Key": KEY})
        assert late.status_code == 202
        released.set()  # the server stops at once; the accepted write is still stored
    with Store(copy) as store:
        assert store.document(late.json()["document_ids"][0]).title == "Highway blocked"


def hold_reading(app, released: threading.Event) -> None:
    """Make ``app``'s reader wait for ``released`` before it reads (a write still reading)."""
    real = app.state.reader

    def slow(doc):
        released.wait(60)
        return real(doc)

    app.state.reader = slow


def test_the_acknowledgement_time_counts_from_the_request_arrival(sample_db, tmp_path):
    """The 202 comes ``ack_within_s`` after the request arrived, not after the write was queued:
    a write that waited 1 s in front of the app (as behind ``serve``'s front while the app
    starts, which notes the arrival) is answered about 1 s later for an acknowledgement time of
    1 s, not 2 s."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, copy)
    app = create_app(str(copy), api_key=KEY, ack_within_s=1.0)
    released = threading.Event()

    async def front_waiting_1s(scope, receive, send):
        if scope["type"] == "http":
            arrival.stamp(scope)
            await asyncio.sleep(1.0)
        await app(scope, receive, send)

    with TestClient(front_waiting_1s) as c:
        hold_reading(app, released)
        sent = time.monotonic()
        answer = c.post("/api/documents", json=ARTICLE, headers={"X-API-Key": KEY})
        took = time.monotonic() - sent
        released.set()
    assert answer.status_code == 202, answer.text
    # Counted from queueing, the answer could not come before 2 s; a loaded machine adds up to ~0.8 s.
    assert 1.0 <= took < 1.9, f"answered {took:.2f} s after it was sent"


@pytest.mark.parametrize(
    "body, status, code",
    [
        (b'{"text": "unterminated', 400, "malformed_json"),
        (b'{"text": ""}', 422, "invalid_request"),
        (b'{"title": "no text"}', 422, "invalid_request"),
        (b'{"text": "fine", "path": "/etc/passwd"}', 422, "invalid_request"),
        (b'{"text": "fine", "published": "not a date"}', 422, "invalid_request"),
        (b'["a list"]', 422, "invalid_request"),
    ],
)
def test_bad_documents_store_nothing(writer, body, status, code):
    before = total_documents(writer)
    response = writer.post("/api/documents", content=body,
                           headers={"X-API-Key": KEY, "Content-Type": "application/json"})
    assert_error(response, status, code)
    assert total_documents(writer) == before


def test_upload_text_file(writer, tmp_path):
    text = "Army units defected to the protesters in Shiraz on Tuesday, officials said.\n"
    response = writer.post("/api/uploads", headers={"X-API-Key": KEY},
                           files={"file": ("../../../escape.txt", text.encode(), "application/pdf")})
    assert response.status_code == 201, response.text
    (doc_id,) = response.json()["document_ids"]
    doc = writer.get(f"/api/documents/{doc_id}").json()
    assert "Shiraz" in doc["body"]
    assert not (tmp_path.parent.parent / "escape.txt").exists()


def test_upload_jsonl_batch_is_sniffed(writer):
    texts = ["Protesters marched in Mashhad for the third night running.",
             "Bazaar merchants in Isfahan closed their shops in support of the strike.",
             "Students at Tehran University staged a sit-in against the crackdown."]
    lines = [f'{{"text": "{t}", "date": "2026-01-1{n}"}}' for n, t in enumerate(texts)]
    response = writer.post("/api/uploads", headers={"X-API-Key": KEY},
                           files={"file": ("notes.txt", "\n".join(lines).encode(), "text/plain")})
    assert response.status_code == 201, response.text
    assert response.json()["added"] == 3 and len(response.json()["document_ids"]) == 3


@pytest.mark.parametrize(
    "name, data, status, code",
    [
        ("big.txt", b"protest " * 5_000, 413, "too_large"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, 415, "unsupported_media"),
        ("empty.txt", b"   \n", 415, "unsupported_media"),
        ("half.jsonl", b'{"text": "A good first record about Iran."}\n{"text": broken\n', 400, "bad_input"),
    ],
)
def test_bad_uploads_store_nothing(writer, name, data, status, code):
    before = total_documents(writer)
    response = writer.post("/api/uploads", headers={"X-API-Key": KEY}, files={"file": (name, data, "text/plain")})
    assert_error(response, status, code)
    assert total_documents(writer) == before


def test_upload_needs_the_key_and_a_file(writer):
    assert_error(writer.post("/api/uploads", files={"file": ("a.txt", b"text", "text/plain")}), 401, "unauthorized")
    assert_error(writer.post("/api/uploads", headers={"X-API-Key": KEY}), 422, "invalid_request")


def test_oversized_body_is_refused_before_reading(writer):
    from exitwatch.app.api_write import JSON_BODY_LIMIT

    response = writer.post("/api/documents", content=b"{" + b" " * JSON_BODY_LIMIT + b"}",
                           headers={"X-API-Key": KEY, "Content-Type": "application/json"})
    assert_error(response, 413, "too_large")


def test_server_without_key_refuses_writes(sample_db, tmp_path):
    copy = tmp_path / "ro.duckdb"
    shutil.copy(sample_db, copy)
    with TestClient(create_app(str(copy))) as c:
        assert_error(c.post("/api/documents", json=ARTICLE, headers={"X-API-Key": KEY}), 403, "forbidden")
        assert c.get("/api/documents").status_code == 200


def test_status_says_what_the_server_is_ready_for(client, sample_db, tmp_path):
    answer = client.get("/api/status")
    status = answer.json()
    assert answer.headers["cache-control"] == "no-store", "it changes without a write: never kept"
    assert status["reader"] in ("ready", "starting") and status["index"] in ("complete", "warming")
    assert status["documents"] == total_documents(client)
    copy = tmp_path / "ro.duckdb"
    shutil.copy(sample_db, copy)
    with TestClient(create_app(str(copy))) as read_only:
        assert read_only.get("/api/status").json()["reader"] == "off"


def test_openapi_documents_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/documents", "/api/documents/{doc_id}", "/api/events", "/api/claims", "/api/uploads",
            "/api/countries/{country}/indicators", "/api/forecasts", "/api/forecasts/{country}"} <= paths
    assert "ErrorResponse" in spec["components"]["schemas"]
    assert "X-API-Key" in str(spec["components"].get("securitySchemes", {}))

