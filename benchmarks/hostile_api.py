"""The attacks of issue 13 against a live ``exitwatch`` server, with figures.

Starts uvicorn in a child process (``--root-path /x`` as a proxy would set it; TMPDIR pointed at a
folder this script watches) over a fresh store, then measures over HTTP only, so the same script
runs against any version of the code (``PYTHONPATH=old/src``):

* writes without the key (the issue: 201 under a prefix);
* seconds to post 10,000 ``%`` and the slowest static-file / read request meanwhile;
* reads while writing: the slowest ``GET /api/documents`` while a long article is read;
* a chunked JSON post and a chunked upload of ``--chunked-mb`` MB: answer, server RSS growth,
  bytes written to the temporary folder;
* a ``javascript:`` URL on the document page, the security headers, HEAD, an undecodable JSON
  body, a UTF-16 upload, a document dated 9999-12-31, and outside references on ``/docs``.

Usage: .venv/bin/python benchmarks/hostile_api.py [--chunked-mb 200] [--percent 10000] [--article-repeats 1500]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

KEY = "bench-key"
ARTICLE = ("Thousands of workers went on strike in Tabriz on Monday, the union said. "
           "Police fired tear gas at protesters outside the governor's office. ")
SERVER = """
import sys, uvicorn
from exitwatch.app.server import create_app
uvicorn.run(create_app(sys.argv[1], api_key=sys.argv[2], max_upload_bytes=2_000_000), host="127.0.0.1",
            port=int(sys.argv[3]), root_path="/x", log_level="warning")
"""


class Peak:
    """Peak RSS of a process and the peak size of a folder, sampled every 20 ms."""

    def __init__(self, pid: int, folder: Path):
        self.process, self.folder = psutil.Process(pid), folder
        self.rss = self.disk = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                self.rss = max(self.rss, self.process.memory_info().rss)
            except psutil.Error:
                pass
            self.disk = max(self.disk, sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file()))
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def slowest_while(base: str, busy: threading.Event, paths: list[str]) -> tuple[float, int]:
    slowest, n = 0.0, 0
    while busy.is_set():
        for path in paths:
            start = time.perf_counter()
            httpx.get(base + path, timeout=600)
            slowest = max(slowest, time.perf_counter() - start)
            n += 1
    return slowest, n


def timed_post_with_reads(base: str, json: dict, paths: list[str]) -> tuple[float, int, float, int]:
    busy = threading.Event()
    busy.set()
    result = {}

    def post():
        start = time.perf_counter()
        result["status"] = httpx.post(base + "/api/documents", json=json, headers={"X-API-Key": KEY}, timeout=600).status_code
        result["seconds"] = time.perf_counter() - start
        busy.clear()

    thread = threading.Thread(target=post)
    thread.start()
    time.sleep(0.2)
    slowest, n = slowest_while(base, busy, paths)
    thread.join()
    return result["seconds"], result["status"], slowest, n


def chunked(base: str, path: str, content_type: str, head: bytes, megabytes: int, pid: int, tmp: Path):
    def body():
        yield head
        for _ in range(megabytes * 16):
            yield b"protest " * 8192

    rss0 = psutil.Process(pid).memory_info().rss
    with Peak(pid, tmp) as peak:
        start = time.perf_counter()
        try:
            status = httpx.post(base + path, content=body(), timeout=600,
                                headers={"X-API-Key": KEY, "Content-Type": content_type}).status_code
        except httpx.HTTPError as e:
            status = f"connection closed ({type(e).__name__})"
        seconds = time.perf_counter() - start
    return status, seconds, (peak.rss - rss0) / 1e6, peak.disk / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunked-mb", type=int, default=200)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--percent", type=int, default=10_000, help="length of the run of %% signs posted")
    parser.add_argument("--article-repeats", type=int, default=1500, help="sentences of the article read while reading")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="exitwatch-hostile-"))
    tmp = work / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(work / "bench.duckdb"), KEY, str(args.port)], env=env)
    base = f"http://127.0.0.1:{args.port}/x"
    raw = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(600):
            try:
                httpx.get(raw + "/api/documents", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        key = {"X-API-Key": KEY}
        status = httpx.post(raw + "/api/documents", json={"text": "Riot police in Shiraz."}, timeout=600).status_code
        print(f"write without the key, served under --root-path /x: {status}")
        print(f"warm-up write: {httpx.post(raw + '/api/documents', json={'text': ARTICLE}, headers=key, timeout=600).status_code}")

        seconds, status, slowest, n = timed_post_with_reads(raw, {"text": "%" * args.percent}, ["/static/style.css"])
        print(f"{args.percent:,} '%': {status} in {seconds:.2f} s; slowest of {n} static-file requests meanwhile {slowest:.2f} s")
        article = " ".join(f"Workers at plant {i} in Tabriz went on strike on day {i % 28 + 1}, the union said."
                           for i in range(args.article_repeats))
        seconds, status, slowest, n = timed_post_with_reads(raw, {"text": article}, ["/api/documents?limit=5"])
        print(f"reads while writing ({len(article):,}-character article): {status} in {seconds:.2f} s; "
              f"slowest of {n} GET /api/documents meanwhile {slowest:.2f} s")

        for path, ctype, head in [("/api/documents", "application/json", b'{"text": "'),
                                  ("/api/uploads", "multipart/form-data; boundary=xyz",
                                   b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
                                   b"Content-Type: text/plain\r\n\r\n")]:
            status, seconds, rss, disk = chunked(raw, path, ctype, head, args.chunked_mb, server.pid, tmp)
            print(f"chunked {args.chunked_mb} MB to {path}: {status} after {seconds:.1f} s; server RSS +{rss:.0f} MB; "
                  f"{disk:.1f} MB written to the temporary folder")

        made = httpx.post(raw + "/api/documents", json={"text": ARTICLE + " Link test.", "url": "javascript:alert(1)"},
                          headers=key, timeout=600).json()
        page = httpx.get(raw + f"/document/{made['document_ids'][0]}", timeout=60)
        clickable = 'href="javascript:' in page.text
        print(f"javascript: URL clickable on the document page: {clickable}")
        wanted = ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"]
        print(f"security headers present: {[h for h in wanted if h in page.headers]}")
        print(f"HEAD /api/documents: {httpx.head(raw + '/api/documents', timeout=60).status_code}")
        bad = httpx.post(raw + "/api/documents", content=b'{"text": "caf\xe9"}', timeout=60,
                         headers={**key, "Content-Type": "application/json"}).json()
        print(f"undecodable JSON: {bad['error']['code']}")
        utf16 = httpx.post(raw + "/api/uploads", headers=key, timeout=600,
                           files={"file": ("n.txt", ("Strikers marched in Isfahan on Friday.").encode("utf-16"), "text/plain")})
        print(f"UTF-16 upload: {utf16.status_code}")
        future = httpx.post(raw + "/api/documents", json={"text": "Students rallied in Mashhad.", "published": "9999-12-31"},
                            headers=key, timeout=600).json()
        newest = httpx.get(raw + "/api/documents", params={"limit": 1}, timeout=60).json()["items"][0]["published"]
        print(f"dated 9999-12-31: newest stored date {newest}; problems {future.get('problems')}")
        docs = httpx.get(raw + "/docs", timeout=60).text
        outside = sorted(set(re.findall(r'(?:src|href)="(https?://[^/"]+)', docs)))
        print(f"/docs outside references: {outside}")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
