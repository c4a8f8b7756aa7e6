"""Country attribution of the warning indicators on the labelled set
(``src/exitwatch/indicators/samples/attribution.toml``): precision and recall per indicator, read
by the reader users get. Development figures: the rules and the labels were written together.

    PYTHONPATH=src python benchmarks/attribution.py [--mode auto|lexical|model]
"""

from __future__ import annotations

import argparse

from exitwatch.indicators.attribution import score_attribution
from exitwatch.read import read_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default="auto", help="read mode (auto, lexical, model)")
    mode = parser.parse_args().mode
    scores = score_attribution(lambda text: read_text(text, mode=mode, outlet="Attribution Test", published="2026-01-20"))
    print("| indicator | TP | FP | FN | TN | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    for s in scores:
        print(f"| {s.indicator} | {s.tp} | {s.fp} | {s.fn} | {s.tn} | {s.precision} | {s.recall} |")
    for s in scores[-1:]:
        for text, country, what in s.errors:
            print(f"- {country} {what}: {text}")


if __name__ == "__main__":
    main()
