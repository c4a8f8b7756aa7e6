"""Ingest throughput (documents/second) on the Guardian sample: reading off, lexical and model mode.

Usage: .venv/bin/python benchmarks/ingest_throughput.py [CSV] [--repeat N]
Each run ingests into a fresh temporary DuckDB file; the figure is documents / wall seconds,
best of N runs. Also prints iter_documents alone (parsing + boilerplate, no store, no dedup).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from exitwatch.app.ingest_pipeline import ingest, make_reader
from exitwatch.ingest import iter_documents
from exitwatch.store import Store

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "guardian_2019_sample.csv"


def _time_ingest(path: str, read) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.duckdb") as store:
        start = time.perf_counter()
        report = ingest([path], store=store, read=read)
        return report.added + report.near_duplicates, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    n = sum(1 for _ in iter_documents([args.csv]))
    print(f"iter_documents only: {n} docs in {time.perf_counter() - start:.2f}s = {n / (time.perf_counter() - start):.0f} docs/s")

    runs = [("read off", False)]
    runs += [(f"read on, {mode}", make_reader(mode)) for mode in ("lexical", "model")]
    for label, read in runs:
        if read is None:
            print(f"ingest, {label}: skipped (exitwatch.read.read_document not importable)")
            continue
        best = min((_time_ingest(args.csv, read) for _ in range(args.repeat if read is False else 1)), key=lambda r: r[1])
        print(f"ingest, {label}: {best[0]} docs in {best[1]:.2f}s = {best[0] / best[1]:.1f} docs/s")


if __name__ == "__main__":
    main()
