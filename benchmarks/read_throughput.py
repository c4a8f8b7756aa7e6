"""Reader throughput (documents/second, one process) on the Guardian sample, per reading mode.

Usage: .venv/bin/python benchmarks/read_throughput.py [CSV] [--mode lexical|model|auto] [--repeat N]
Documents are parsed first (not timed); the figure is documents / wall seconds of read_document,
best of N runs, after one warm-up document (pipeline and lexicons built). Also prints documents
per CPU second of this process (the per-core figure, meaningful on a shared, loaded machine).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from exitwatch.ingest import iter_documents
from exitwatch.read import MODES, read_document

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "guardian_2019_sample.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    parser.add_argument("--mode", choices=MODES, default="lexical")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    docs = list(iter_documents([args.csv]))
    read_document(docs[0], mode=args.mode)
    best = best_cpu = float("inf")
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        readings = [read_document(doc, mode=args.mode) for doc in docs]
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    words = sum(len(doc.body.split()) for doc in docs)
    events = sum(len(r.events) for r in readings)
    claims = sum(len(r.claims) for r in readings)
    print(f"{len(docs)} docs, {words} words, mode={args.mode}: {best:.2f}s = {len(docs) / best:.1f} docs/s "
          f"({words / best:.0f} words/s), {len(docs) / best_cpu:.1f} docs per CPU second; {events} events, {claims} claims")


if __name__ == "__main__":
    main()
