"""Actor recogniser speed on the shared Guardian sample: documents per second on one core.

Usage: .venv/bin/python benchmarks/bench_actors.py [../shared/data/news/FILE]
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

from exitwatch.kb import default_recogniser, find_actors


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/news")
    path = next(p for p in sorted(folder.glob("*")) if p.suffix in (".csv", ".tsv"))
    csv.field_size_limit(10**8)
    with path.open(encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f, delimiter="\t" if path.suffix == ".tsv" else ",")]
    t0 = time.perf_counter()
    default_recogniser()
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_mentions = sum(len(find_actors(text)) for text in texts)
    elapsed = time.perf_counter() - t0
    chars = sum(map(len, texts))
    print(f"build {build:.2f}s; {len(texts)} docs, {chars} chars, {n_mentions} mentions in {elapsed:.2f}s: "
          f"{len(texts) / elapsed:.1f} docs/s, {chars / elapsed / 1000:.0f} k chars/s")


if __name__ == "__main__":
    main()
