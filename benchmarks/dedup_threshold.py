"""Precision/recall of the near-duplicate threshold on synthetic near-copies of Guardian articles.

Usage: .venv/bin/python benchmarks/dedup_threshold.py [CSV] [--seed N]
Positives: each article vs. a syndicated-style copy (other outlet's dateline, ~3% of words
edited, up to 25% of final sentences trimmed). Negatives: random pairs of different articles
and each article's most similar other article.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

from exitwatch.ingest.dedup import NEAR_DUPLICATE_THRESHOLD, SHINGLE_WORDS
from exitwatch.ingest.dedup_eval import pair_similarities, threshold_table

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "guardian_2019_sample.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    csv.field_size_limit(sys.maxsize)
    with open(args.csv, encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f) if row["text"].strip()]
    positives, negatives = pair_similarities(texts, seed=args.seed)
    print(f"{len(texts)} articles, {len(positives)} near-copy pairs, {len(negatives)} different-article pairs, "
          f"{SHINGLE_WORDS}-word shingles")
    print(f"near-copy similarity: min {min(positives):.3f} median {statistics.median(positives):.3f}")
    print(f"different-article similarity: max {max(negatives):.3f} median {statistics.median(negatives):.3f}")
    print("threshold  precision  recall     tp    fp    fn")
    for row in threshold_table(positives, negatives, [x / 20 for x in range(2, 20)]):
        mark = "  <- chosen" if abs(row.threshold - NEAR_DUPLICATE_THRESHOLD) < 1e-9 else ""
        print(f"{row.threshold:9.2f}  {row.precision:9.3f}  {row.recall:6.3f}  {row.tp:5d} {row.fp:5d} {row.fn:5d}{mark}")


if __name__ == "__main__":
    main()
