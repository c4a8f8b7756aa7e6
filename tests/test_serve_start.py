"""``exitwatch serve`` starts fast: the front answers ``/`` before the full app is loaded, from
the index the last server over the store kept (only while it is valid) or with a starting page,
and neither starting nor ``serve --help`` imports the heavy libraries."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from test_api import sample_db  # noqa: F401  (a fixture)

from exitwatch.app import index_snapshot
from exitwatch.app.front import STARTING, Front

#: Libraries the front must not need to answer its first ``/``.
HEAVY = ("spacy", "sklearn", "fastapi", "pandas", "duckdb", "onnxruntime", "torch", "joblib")


def _loaded_after(code: str) -> list[str]:
    script = f"import sys\n{code}\nprint('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    return [m for m in result.stdout.strip().splitlines()[-1].removeprefix("loaded:").split(",") if m]


def _get(app, path: str = "/") -> tuple[int, dict, bytes]:
    """One request to the ASGI ``app`` (no lifespan: the full app is not started)."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": [], "root_path": ""}
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


def test_first_index_and_serve_help_import_nothing_heavy(tmp_path):
    db = tmp_path / "s.duckdb"
    db.write_bytes(b"")  # the front never opens the store
    first_answer = f"""
import asyncio
from exitwatch.cli import serve_cmds
from exitwatch.app.front import Front
sent = []
async def receive():
    return {{"type": "http.request", "body": b"", "more_body": False}}
async def send(message):
    sent.append(message)
scope = {{"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []}}
asyncio.run(Front({str(db)!r})(scope, receive, send))
assert sent[0]["status"] == 200 and b"starting" in sent[1]["body"]
"""
    assert _loaded_after(first_answer) == []
    help_text = ("from click.testing import CliRunner\nfrom exitwatch.cli import main\n"
                 "result = CliRunner().invoke(main, ['serve', '--help'])\nassert result.exit_code == 0, result.output")
    assert _loaded_after(help_text) == []


def test_a_kept_index_is_shown_only_for_the_store_as_it_was_kept(tmp_path):
    db = tmp_path / "s.duckdb"
    db.write_bytes(b"store contents")
    today = dt.date.today()
    index_snapshot.save(db, "<html>kept ranking</html>", today)
    status, headers, body = _get(Front(db))
    assert status == 200 and body == b"<html>kept ranking</html>"
    assert b"content-security-policy" in headers, "the security headers of every answer"
    assert index_snapshot.load(db, today + dt.timedelta(days=1)) is None, "a new day: stale"
    (tmp_path / "s.duckdb.wal").write_bytes(b"a write the server did not see")
    assert index_snapshot.load(db, today) is None
    status, _, body = _get(Front(db))
    assert status == 200 and STARTING.encode() in body


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from exitwatch.cli import main; main()", "serve", "--db", str(db),
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


def _first_index(port: int, server: subprocess.Popen) -> str:
    for _ in range(3000):
        try:
            return httpx.get(f"http://127.0.0.1:{port}/", timeout=60).text
        except httpx.TransportError:
            assert server.poll() is None, server.stderr.read()
            time.sleep(0.02)
    raise AssertionError("the server never answered /")


def _stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGINT)
    server.wait(timeout=120)


@pytest.mark.slow
def test_serve_keeps_its_index_for_the_next_start(sample_db, tmp_path):  # noqa: F811
    db = tmp_path / "served.duckdb"
    shutil.copy(sample_db, db)
    port = _free_port()
    server = _serve(db, port)
    try:
        assert STARTING in _first_index(port, server) or "<table" in _first_index(port, server)
        for _ in range(600):  # until the full app shows the complete ranking
            page = httpx.get(f"http://127.0.0.1:{port}/", timeout=60).text
            if STARTING not in page and "being computed" not in page:
                break
            time.sleep(0.5)
    finally:
        _stop(server)
    kept = index_snapshot.load(db, dt.date.today())
    assert kept and 'href="/country/IRN"' in kept
    server = _serve(db, port)
    try:
        assert _first_index(port, server) == kept
        assert httpx.get(f"http://127.0.0.1:{port}/api/documents", params={"limit": 1}, timeout=300).status_code == 200
    finally:
        _stop(server)
