"""How often each indicator was lit in the months before the irregular exits that a store's news
covers, against the other months (``exitwatch.app.factor_evidence``).

    PYTHONPATH=src python benchmarks/factor_evidence.py --db exitwatch.duckdb [--months-before 6]
"""

from __future__ import annotations

import argparse

from exitwatch.app.factor_evidence import factor_evidence
from exitwatch.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--months-before", type=int, default=6)
    args = parser.parse_args()
    with Store(args.db, read_only=True) as store:
        rows = factor_evidence(store, months_before=args.months_before)
    print("| indicator | lit before exits | months before exits | lit other months | other months | ratio |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r.indicator} | {r.lit_before_exit} | {r.months_before_exit} | {r.lit_other} | {r.months_other} | "
              f"{'n/a' if r.ratio is None else r.ratio} |")


if __name__ == "__main__":
    main()
