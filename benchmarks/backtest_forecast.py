"""Forecast figures: the PITF-window backtest, the exit-mode and fate models, exile destinations.

Prints AUC / Brier / log loss per horizon for the hazard models and the two baselines (the
published anchor for irregular exit within one month in this window is AUC 0.85-0.87, Beger,
Dorff & Ward 2016, with ICEWS event data), true irregular exits in each month's top 10, the
held-out scores of the exit-mode and fate models, leave-one-out accuracy of the destination
ranker against the nearest-ally baseline, and wall times.

    .venv/bin/python benchmarks/backtest_forecast.py [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
import time

from exitwatch.forecast.backtest import run_backtest
from exitwatch.forecast.destinations import PairFeatures, evaluate_loo
from exitwatch.forecast.history import History
from exitwatch.forecast.importers import default_data_dir
from exitwatch.forecast.panel import build_panel
from exitwatch.forecast.training import fit_forecast_models


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
    for row in top[top["events"] > 0].itertuples(index=False):
        print(f"  {row.month}: {', '.join(row.leaders)}")

    started = time.perf_counter()
    history = History.load(data_dir)
    bundle = fit_forecast_models(build_panel(history), train_end=history.spells["enddate"].max().to_period("M"))
    print(f"\nall models on 1946-2015: {time.perf_counter() - started:.0f} s wall")
    for name, scores in bundle.metrics.items():
        print(f"{name}: {scores}")

    started = time.perf_counter()
    loo = evaluate_loo(PairFeatures(history))
    print(f"\ndestinations leave-one-out ({time.perf_counter() - started:.0f} s wall): {loo}")


if __name__ == "__main__":
    main()
