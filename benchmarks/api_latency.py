"""Latency of the dashboard and the API: in-process country page, or a live server under load.

Default (``--mode inprocess``): p50 / p95 of the dashboard's country page over N requests.
``--mode server``: starts ``exitwatch serve`` on 127.0.0.1 (a free port) and measures
  1. cold start, twice (a first server over the store, then a restart that finds the index the
     first one kept): seconds from starting the process to the first answered ``/`` (and what it
     showed), to the full app's first API answer, and to ``/`` showing the complete ranking;
  2. reads only: ``--readers`` threads (20) request ``/``, ``/country/IRN``, ``/api/documents``,
     ``/api/events``, ``/api/claims`` and ``/api/forecasts`` round-robin for ``--seconds`` (30);
  3. reads while writing (once ``/api/status`` says the reader process is ready; the time it
     took is printed): the same readers while one client POSTs a document to
     ``/api/documents`` every ``--write-every`` seconds (0.5); each document joins halves of
     two stored Guardian articles, so it is new (read in full, not a near-copy).
  It prints p50/p95/p99, throughput and errors of the reads, how many pages were answered stale
  (``X-Exitwatch-Cache: stale``: kept from before a write while recomputed off the request path)
  and their largest ``Age``, the three slowest reads (URL, seconds into the run, cache header:
  ``miss`` is a page computed for that request), and the acknowledgement times of
  the writes (201: read and stored; 202: accepted, still reading after ``serve``'s acknowledgement
  time, stored once read). Targets (issue 11): read p95 < 200 ms, every write acknowledged within 2 s,
  zero errors, first ``/`` under 1 s.

Builds a store holding the Guardian 2019 sample (../shared/data/news/guardian_2019_sample.csv)
and the example article (../shared/examples/khamenei_plan_b_article.txt), read by the shipped
reader, then requests /country/IRN through the ASGI app in-process (httpx TestClient, so the
figures are the app's, without network). The first request computes the assessment; later
ones are served from the cache until the next write, so the script also times requests with
the cache dropped before each one (the cost after every ingest).

Usage: .venv/bin/python benchmarks/api_latency.py [--requests 200] [--country IRN] [--db FILE]
       .venv/bin/python benchmarks/api_latency.py --mode server --db FILE [--readers 20] [--seconds 30]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUARDIAN = ROOT.parent / "shared" / "data" / "news" / "guardian_2019_sample.csv"
ARTICLE = ROOT.parent / "shared" / "examples" / "khamenei_plan_b_article.txt"


def build_store(path: Path) -> float:
    from exitwatch.app.ingest_pipeline import ingest
    from exitwatch.store import Store

    start = time.perf_counter()
    with Store(path) as store:
        report = ingest([GUARDIAN, ARTICLE], store=store, text_column="text", date_column="date",
                        outlet_column="source")
        print(f"store: {report.summary()}, {store.table_counts()['events']} events")
    return time.perf_counter() - start


def _rank(ms: list[float], q: float) -> float:
    return ms[min(len(ms) - 1, max(0, round(q * len(ms)) - 1))]


def percentiles(times: list[float]) -> str:
    if not times:
        return "no requests"
    ms = sorted(t * 1000 for t in times)
    return (f"p50 {statistics.median(ms):.1f} ms, p95 {_rank(ms, 0.95):.1f} ms, p99 {_rank(ms, 0.99):.1f} ms, "
            f"max {ms[-1]:.1f} ms (n={len(ms)})")


READ_URLS = ("/", "/country/IRN", "/api/documents", "/api/events", "/api/claims", "/api/forecasts")
API_KEY = "bench-key"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STARTING = "exitwatch is starting"
WARMING = "The server is starting"


def _start_server(db: Path, port: int, cache: Path) -> tuple[subprocess.Popen, threading.Thread]:
    """Start ``exitwatch serve`` (its kept index in ``cache``) and print, from the process start:
    when the first ``/`` was answered and with what, when the full app answered its first API
    request, and when ``/`` showed the complete ranking."""
    import httpx

    env = {**os.environ, "EXITWATCH_API_KEY": API_KEY, "EXITWATCH_CACHE": str(cache)}
    start = time.perf_counter()
    command = [sys.executable, "-c", "from exitwatch.cli import main; main()", "serve", "--db", str(db), "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    reader = threading.Thread(target=_reader_ready, args=(base, start, deadline := start + 300), daemon=True)
    with httpx.Client(base_url=base, timeout=120) as client:
        first = None
        while first is None and time.perf_counter() < deadline:
            try:
                first = client.get("/")
            except httpx.TransportError:
                if server.poll() is not None:
                    raise SystemExit(f"server exited with {server.returncode}")
                time.sleep(0.01)
        answered = time.perf_counter() - start
        cpu = _cpu_seconds(server.pid)
        assert first is not None and first.status_code == 200, first and first.text[:200]
        shown = ("a page saying the server is starting" if STARTING in first.text
                 else "the ranking with news pending" if WARMING in first.text else "the complete ranking")
        print(f"  first / answered {answered:.2f} s after starting the process ({cpu:.2f} s of CPU time), "
              f"showing {shown}")
        assert client.get("/api/documents", params={"limit": 1}).status_code == 200
        print(f"  full app answering (first API request) {time.perf_counter() - start:.2f} s after the start")
        reader.start()
        while time.perf_counter() < deadline:
            page = client.get("/").text
            if STARTING not in page and WARMING not in page:
                break
            time.sleep(0.2)
        print(f"  / showing the complete ranking {time.perf_counter() - start:.2f} s after the start")
    return server, reader


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far (Linux ``/proc``; NaN elsewhere):
    on a busy machine, the part of the cold start that is the server's own work."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _reader_ready(base: str, start: float, deadline: float) -> None:
    """Print when the server's reader process could read a posted document at once."""
    import httpx

    while time.perf_counter() < deadline:
        try:
            ready = httpx.get(base + "/api/status", timeout=60).json()["reader"] == "ready"
        except httpx.HTTPError:
            return  # the server was stopped
        if ready:
            print(f"  (reader process ready {time.perf_counter() - start:.2f} s after the start)")
            return
        time.sleep(0.25)


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=60)


def _documents() -> itertools.cycle:
    with GUARDIAN.open(encoding="utf-8", newline="") as f:
        texts = [row["text"] for row in csv.DictReader(f) if len(row["text"]) > 1000]
    half = len(texts) // 2
    docs = [{"text": a[: len(a) // 2] + "\n\n" + b[len(b) // 2:], "title": f"bench {i}", "outlet": "bench"}
            for i, (a, b) in enumerate(zip(texts[:half], texts[half:]))]
    return itertools.cycle(docs)


def _load(base: str, *, readers: int, seconds: float, write_every: float | None) -> None:
    import httpx

    stop = time.perf_counter() + seconds
    reads: list[float] = []
    slow: list[tuple[float, str, float, str]] = []  # (seconds, URL, when into the run, cache header)
    errors: list[str] = []
    acks: list[float] = []
    accepted: list[int] = []  # writes answered 202: still reading after serve's acknowledgement time
    stale: list[int] = []  # ages (s) of the pages answered stale (X-Exitwatch-Cache) while recomputed
    lock = threading.Lock()

    def reader(k: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            for url in itertools.islice(itertools.cycle(READ_URLS), k, None):
                if time.perf_counter() >= stop:
                    return
                t = time.perf_counter()
                age, cache = None, "-"
                try:
                    response = client.get(url)
                    status = response.status_code
                    cache = response.headers.get("x-exitwatch-cache", "none")
                    if cache == "stale":
                        age = int(response.headers.get("age", 0))
                except httpx.HTTPError as e:
                    status = type(e).__name__
                took = time.perf_counter() - t
                with lock:
                    reads.append(took)
                    slow.append((took, url, t - began, cache))
                    slow.sort(reverse=True)
                    del slow[3:]
                    if status != 200:
                        errors.append(f"GET {url}: {status}")
                    if age is not None:
                        stale.append(age)

    def writer() -> None:
        docs = _documents()
        with httpx.Client(base_url=base, timeout=30, headers={"X-API-Key": API_KEY}) as client:
            next_at = time.perf_counter()
            while next_at < stop and time.perf_counter() < stop:
                time.sleep(max(0.0, next_at - time.perf_counter()))
                t = time.perf_counter()
                try:
                    status = client.post("/api/documents", json=next(docs)).status_code
                except httpx.HTTPError as e:
                    status = type(e).__name__
                acks.append(time.perf_counter() - t)
                if status == 202:
                    accepted.append(len(acks))
                elif status != 201:
                    with lock:
                        errors.append(f"POST /api/documents: {status}")
                next_at = max(next_at + write_every, time.perf_counter())  # no burst after a slow write

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(readers)]
    if write_every:
        threads.append(threading.Thread(target=writer))
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    ages = sorted(stale)
    print(f"  reads: {percentiles(reads)}, {len(reads) / elapsed:.1f} requests/s; {len(stale)} answered stale "
          f"while recomputed" + (f" (Age p50 {ages[len(ages) // 2]} s, max {ages[-1]} s)" if stale else ""))
    if write_every:
        late = sum(a > 2 for a in acks)
        print(f"  writes: {len(acks)} posted, acknowledged in {percentiles(acks)}; {late} over 2 s; "
              f"{len(accepted)} answered 202 (stored once read)" + (f": #{accepted}" if accepted else ""))
        slowest = sorted(range(len(acks)), key=lambda i: -acks[i])[:3]
        print("  slowest writes: " + ", ".join(f"#{i + 1} {acks[i]:.2f} s" for i in slowest))
    print("  slowest reads: " + ", ".join(f"{url} {took:.2f} s at {at:.1f} s ({cache})" for took, url, at, cache in slow))
    print(f"  errors: {len(errors)}" + (f" (first: {errors[:3]})" if errors else ""))


def serve_load(db: Path, args) -> None:
    port = _free_port()
    cache = Path(tempfile.mkdtemp(prefix="exitwatch-bench-cache-"))
    print("cold start, first server over this store (nothing kept):")
    _stop(_start_server(db, port, cache)[0])
    print("cold start again (the index the first server kept on shutdown):")
    server, reader = _start_server(db, port, cache)
    try:
        base = f"http://127.0.0.1:{port}"
        print(f"reads only ({args.readers} readers, {args.seconds:.0f} s):")
        _load(base, readers=args.readers, seconds=args.seconds, write_every=None)
        reader.join()  # the first write should not measure the reader's start-up
        print(f"reads while writing (one POST every {args.write_every} s):")
        _load(base, readers=args.readers, seconds=args.seconds, write_every=args.write_every)
    finally:
        _stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("inprocess", "server"), default="inprocess")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cold-requests", type=int, default=20, help="requests with the cache dropped before each")
    parser.add_argument("--country", default="IRN")
    parser.add_argument("--db", default=None, help="reuse this store (built when missing)")
    parser.add_argument("--readers", type=int, default=20, help="server mode: concurrent readers")
    parser.add_argument("--seconds", type=float, default=30, help="server mode: length of each run")
    parser.add_argument("--write-every", type=float, default=0.5, help="server mode: seconds between POSTs")
    args = parser.parse_args()

    db = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="exitwatch-bench-")) / "bench.duckdb"
    if not db.exists():
        print(f"built {db} in {build_store(db):.1f} s")
    if args.mode == "server":
        serve_load(db, args)
        return

    from fastapi.testclient import TestClient

    from exitwatch.app.server import create_app

    url = f"/country/{args.country}"
    with TestClient(create_app(str(db))) as client:
        access = client.app.state.access
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        print(f"first request (models and definitions loaded, assessment computed): {(time.perf_counter() - start) * 1000:.0f} ms")
        cold = []
        for _ in range(args.cold_requests):
            access.invalidate({args.country})  # what an ingest naming the country does to the cache
            start = time.perf_counter()
            client.get(url)
            cold.append(time.perf_counter() - start)
        print(f"{url} after a write (cache dropped): {percentiles(cold)}")
        warm = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(url)
            warm.append(time.perf_counter() - start)
            assert response.status_code == 200
        print(f"{url} (cached assessment): {percentiles(warm)}")


if __name__ == "__main__":
    main()
