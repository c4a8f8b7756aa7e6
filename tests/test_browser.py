"""End to end in a real browser: Debian's headless Chromium, driven by Playwright, against the
server on a random local port. Loads the dashboard, opens a country page and a document page,
checks what they show, and saves screenshots. The fast twin is tests/test_dashboard.py.

Needs /usr/bin/chromium (``bash scripts/install-test-deps.sh``); skips with a reason without it.
``EXITWATCH_SCREENSHOTS=folder`` also copies the screenshots there.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from test_api import SAMPLES_AS_OF, lexical, sample_db  # noqa: F401  (sample_db is a fixture)

from exitwatch.ingest import make_document

CHROMIUM = Path("/usr/bin/chromium")
#: An invented article with an event, a quoted claim and a boilerplate tail.
QUOTED = make_document(
    "Security forces arrested dozens of protesters in Isfahan on Sunday, residents said. "
    "\"We will not allow chaos in our city,\" the provincial governor told state television.\n\n"
    "Sign up for our newsletter.",
    title="Crackdown in Isfahan after night of protests", outlet="Test Wire", published="2026-01-19")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} missing: run bash scripts/install-test-deps.sh"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(sample_db, tmp_path_factory):  # noqa: F811
    """uvicorn serving a copy of the sample store in a thread; yields the base URL."""
    uvicorn = pytest.importorskip("uvicorn")
    from exitwatch.app.server import create_app

    from exitwatch.store import Store

    copy = tmp_path_factory.mktemp("browser") / "b.duckdb"
    shutil.copy(sample_db, copy)
    with Store(copy) as store:
        store.add_document(QUOTED, reading=lexical(QUOTED))
    port = _free_port()
    config = uvicorn.Config(create_app(str(copy), as_of=SAMPLES_AS_OF), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the server did not start within 30 s"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.set_default_timeout(60_000)
        yield tab
        browser.close()


def _shoot(tab, tmp_path: Path, name: str) -> Path:
    target = tmp_path / f"{name}.png"
    tab.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    extra = os.environ.get("EXITWATCH_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(extra) / target.name)
    return target


def test_dashboard_country_and_document_pages(page, server, tmp_path):
    page.goto(server + "/")
    assert page.title().startswith("exitwatch")
    rows = page.locator("#ranking tbody tr")
    assert rows.count() >= 20
    assert page.locator("#ranking a[href='/country/IRN']").count() == 1
    _shoot(page, tmp_path, "1-dashboard")

    page.click("#ranking a[href='/country/IRN']")
    page.wait_for_url("**/country/IRN")
    assert page.locator("h1").inner_text().startswith("Iran")
    assert page.locator("svg.chart").count() == 2
    assert page.locator("h3.lit").count() >= 1
    assert page.locator("#destinations tbody tr").count() >= 1
    assert page.locator(".evidence q").first.inner_text()
    _shoot(page, tmp_path, "2-country-IRN")

    page.locator(".evidence a").first.click()
    page.wait_for_url("**/document/*")
    assert page.locator("#article").inner_text()
    marks = page.locator("#article mark.event")
    assert marks.count() >= 1
    marks.first.click()
    active = page.locator("tr[data-active]")
    assert active.count() >= 1 and active.first.get_attribute("id").startswith(("event-", "claim-"))
    _shoot(page, tmp_path, "3-document")

    page.goto(f"{server}/document/{QUOTED.id}")
    assert page.locator("h1").inner_text() == QUOTED.title
    assert page.locator("#article mark.claim").count() >= 1
    assert page.locator("#article del.removed").inner_text() == "Sign up for our newsletter."
    assert page.locator("tr[id^=claim-]").count() >= 1
    _shoot(page, tmp_path, "4-document-claims")
