"""Reader throughput (documents/second, one process) on the Guardian sample, per reading mode.

Usage: .venv/bin/python benchmarks/read_throughput.py [CSV] [--mode lexical|model|auto] [--repeat N]
       [--batch N] [--limit N] [--model-dir DIR]
Documents are parsed first (not timed); the figure is documents / wall seconds of read_documents
(``--batch`` documents at a time: their candidate sentences go to the model in one call, one
encoder run each, a repeated sentence once; 1 = read_document one by one), best of N runs, after one warm-up document (pipeline, lexicons and
model loaded). Also prints documents per CPU second of this process (the per-core figure,
meaningful on a shared, loaded machine; run with OMP_NUM_THREADS=1 so that the model uses one core).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from exitwatch.ingest import iter_documents
from exitwatch.read import MODES, read_document, read_documents

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "guardian_2019_sample.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    parser.add_argument("--mode", choices=MODES, default="lexical")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16, help="documents read together")
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents (0: all)")
    parser.add_argument("--model-dir", default=None, help="a model folder other than the packaged one")
    args = parser.parse_args()

    docs = list(iter_documents([args.csv]))[: args.limit or None]
    read_document(docs[0], mode=args.mode, model_dir=args.model_dir)
    best = best_cpu = float("inf")
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        readings = [r for i in range(0, len(docs), args.batch)
                    for r in read_documents(docs[i:i + args.batch], mode=args.mode,
                                            model_dir=args.model_dir)]
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    words = sum(len(doc.body.split()) for doc in docs)
    events = sum(len(r.events) for r in readings)
    claims = sum(len(r.claims) for r in readings)
    print(f"{len(docs)} docs, {words} words, mode={args.mode}, batch={args.batch}: {best:.2f}s = {len(docs) / best:.1f} docs/s "
          f"({words / best:.0f} words/s), {len(docs) / best_cpu:.1f} docs per CPU second; {events} events, {claims} claims")


if __name__ == "__main__":
    main()
