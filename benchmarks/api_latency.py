"""Latency of the dashboard's country page: p50 / p95 over N requests.

Builds a store holding the Guardian 2019 sample (../shared/data/news/guardian_2019_sample.csv)
and the example article (../shared/examples/khamenei_plan_b_article.txt), read by the shipped
reader, then requests /country/IRN through the ASGI app in-process (httpx TestClient, so the
figures are the app's, without network). The first request computes the assessment; later
ones are served from the cache until the next write, so the script also times requests with
the cache dropped before each one (the cost after every ingest).

Usage: .venv/bin/python benchmarks/api_latency.py [--requests 200] [--country IRN] [--db FILE]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
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


def percentiles(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    return f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cold-requests", type=int, default=20, help="requests with the cache dropped before each")
    parser.add_argument("--country", default="IRN")
    parser.add_argument("--db", default=None, help="reuse this store (built when missing)")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from exitwatch.app.server import create_app

    db = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="exitwatch-bench-")) / "bench.duckdb"
    if not db.exists():
        print(f"built {db} in {build_store(db):.1f} s")
    url = f"/country/{args.country}"
    with TestClient(create_app(str(db))) as client:
        access = client.app.state.access
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        print(f"first request (models and definitions loaded, assessment computed): {(time.perf_counter() - start) * 1000:.0f} ms")
        cold = []
        for _ in range(args.cold_requests):
            with access.write():
                pass  # what an ingest does to the cache
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
