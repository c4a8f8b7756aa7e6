"""The evidence sentences that feed one indicator in a store, over every country and month its
news covers: how many there are, through events or cue words, and (``--show``) each one, to
read what lights an indicator on real news.

Usage: .venv/bin/python benchmarks/indicator_evidence.py DB [--indicator NAME] [--min-documents N] [--show]
Read a sample into DB first, e.g. ``exitwatch ingest ../shared/data/news/guardian_2019_sample.csv
--db DB --mode model``. Each month is a period ending on its last day (``compute_indicators``
with ``period="month"``); a sentence that feeds several months counts once.
"""

from __future__ import annotations

import argparse
import calendar
from collections import Counter

from exitwatch.indicators import compute_indicators
from exitwatch.indicators.matching import MatchCache
from exitwatch.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--indicator", default="flight_preparation")
    parser.add_argument("--min-documents", type=int, default=5,
                        help="only countries named in at least this many documents of a month")
    parser.add_argument("--show", action="store_true", help="print every evidence sentence")
    args = parser.parse_args()

    evidence: set[tuple[str, str, str]] = set()
    cache = MatchCache()
    with Store(args.db) as store:
        for country, month, documents in store.news_months():
            if documents < args.min_documents:
                continue
            end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
            report = compute_indicators(store, country, period="month", end=end, matches=cache)
            evidence |= {(country, item.matched, item.text) for item in report.get(args.indicator).evidence}
    origins = Counter(matched.split(":")[0] for _, matched, _ in evidence)
    print(f"{args.indicator}: {len(evidence)} evidence sentences ({', '.join(f'{n} {o}' for o, n in origins.items())}), "
          f"{len({c for c, _, _ in evidence})} countries")
    if args.show:
        for country, matched, text in sorted(evidence):
            print(f"- {country} {matched}: {text}")


if __name__ == "__main__":
    main()
