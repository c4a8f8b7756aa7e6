"""Forecast figures: the PITF-window backtest, the exit-mode and fate models, exile destinations.

Prints AUC / Brier / log loss per horizon for the hazard models and the two baselines (the
published anchor for irregular exit within one month in this window is AUC 0.85-0.87, Beger,
Dorff & Ward 2016, with ICEWS event data), true irregular exits in each month's top 10, the
held-out scores of the exit-mode and fate models, the reliability table and top-N hit rates,
the post-2015 reality check (the shipped bundle, trained to 2015, on 2016-2024 irregular exits),
leave-one-out accuracy of the destination ranker against the nearest-ally baseline, its
forward test on the exiles since 2016, and wall times.

    .venv/bin/python benchmarks/backtest_forecast.py [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from exitwatch.forecast.backtest import run_backtest
from exitwatch.forecast.destinations import PairFeatures, evaluate_forward, evaluate_loo
from exitwatch.forecast.history import History
from exitwatch.forecast.importers import default_data_dir, load_reign_leaders
from exitwatch.forecast.panel import build_panel
from exitwatch.forecast.reality import reality_check
from exitwatch.forecast.training import fit_forecast_models, load_bundle
from exitwatch.kb import current_leaders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    data_dir = args.data_dir or default_data_dir()

    started = time.perf_counter()
    report = run_backtest(train_end="2009-12-31", start="2010-01", end="2014-09", data_dir=data_dir)
    print(f"backtest 2010-01..2014-09 trained through 2009-12: {time.perf_counter() - started:.0f} s wall")
    print(report.scores.round(4).to_string(index=False))
    top = report.top10
    print(f"irregular exits in the month's top 10: {int(top['in_top10'].sum())} of {int(top['events'].sum())}")
    print(report.top_n.to_string(index=False))
    print(report.reliability.round(5).to_string(index=False))
    for row in top[top["events"] > 0].itertuples(index=False):
        print(f"  {row.month}: {', '.join(row.leaders)}")

    started = time.perf_counter()
    history = History.load(data_dir)
    bundle = fit_forecast_models(build_panel(history), train_end=history.spells["enddate"].max().to_period("M"))
    print(f"\nall models on 1946-2015: {time.perf_counter() - started:.0f} s wall")
    for name, scores in bundle.metrics.items():
        print(f"{name}: {scores}")

    started = time.perf_counter()
    check = reality_check(load_bundle(), history, load_reign_leaders(Path(data_dir) / "reign" / "leaderlist_3_21.csv"),
                          current_leaders())
    print(f"\npost-2015 reality check {check.start}..{check.end}, models trained through {check.trained_through}, "
          f"leader known in {check.leader_known_share:.0%} of country-months ({time.perf_counter() - started:.0f} s):")
    print(check.scores.round(4).to_string(index=False))
    print(check.top_n.to_string(index=False))

    started = time.perf_counter()
    features = PairFeatures(history)
    loo = evaluate_loo(features)
    print(f"\ndestinations leave-one-out ({time.perf_counter() - started:.0f} s wall): {loo}")
    print(f"destinations, exiles since 2016 ranked by a ranker fitted on earlier years: {evaluate_forward(features)}")


if __name__ == "__main__":
    main()
