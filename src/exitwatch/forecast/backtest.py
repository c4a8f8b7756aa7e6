"""Out-of-sample backtest: train up to a date, predict every leader-month of a later window.

``run_backtest`` fits the models on outcomes known by ``train_end`` only (see
``training.fit_forecast_models``), predicts each month from ``start`` to ``end`` and scores the
predictions (AUC, Brier, log loss per horizon, with the base-rate and tenure/age baselines beside
them, and how many true irregular exits each month's top 10 caught).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from exitwatch.errors import ConfigError, DataFileError
from exitwatch.forecast.history import History
from exitwatch.forecast.importers import default_data_dir
from exitwatch.forecast.panel import FEATURES, HORIZONS
from exitwatch.forecast.panel import build_panel
from exitwatch.forecast.training import KINDS, ForecastBundle, fit_forecast_models


@dataclass(frozen=True)
class BacktestReport:
    """Backtest results: ``predictions`` (one row per leader-month with ``p_{kind}_{h}m``),
    ``scores`` (rows: kind, horizon, model, n, events, auc, brier, log_loss), ``top10`` (per
    month: irregular exits in the month, how many were in the top 10 by p_irregular_1m, who),
    ``train_end``, ``start``, ``end``."""

    predictions: pd.DataFrame
    scores: pd.DataFrame
    top10: pd.DataFrame
    train_end: str
    start: str
    end: str


def predict_panel(bundle: ForecastBundle, rows: pd.DataFrame) -> pd.DataFrame:
    """``p_{kind}_{h}m`` for each fitted hazard model, one row per panel row."""
    X = rows[list(FEATURES)].to_numpy(float)
    out = pd.DataFrame(index=rows.index)
    for (kind, h), model in bundle.hazard.items():
        out[f"p_{kind}_{h}m"] = model.predict_proba(X)[:, 1]
    return out


def score(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """AUC, Brier score and log loss (NaN AUC when only one class is present)."""
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

    p = np.clip(p, 1e-6, 1 - 1e-6)
    auc = roc_auc_score(y, p) if 0 < y.sum() < len(y) else float("nan")
    return {"auc": auc, "brier": brier_score_loss(y, p), "log_loss": log_loss(y, p, labels=[0, 1])}


def _scores(bundle: ForecastBundle, test: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    X = test[list(FEATURES)].to_numpy(float)
    records = []
    for kind in KINDS:
        for h in sorted({h for _, h in bundle.hazard}):
            known = test[f"{kind}_{h}"].notna().to_numpy()
            y = test[f"{kind}_{h}"].to_numpy()[known].astype(int)
            candidates = {"model": predictions[f"p_{kind}_{h}m"].to_numpy()}
            for name in ("base_rate", "tenure_age"):
                candidates[name] = bundle.baselines[(name, kind, h)].predict_proba(X)[:, 1]
            for name, p in candidates.items():
                records.append({"kind": kind, "horizon": h, "model": name, "n": int(known.sum()),
                                "events": int(y.sum()), **score(y, p[known])})
    return pd.DataFrame(records)


def _top10(test: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """Per month: irregular exits (``events``), how many ranked in the top 10 by
    p_irregular_1m (``in_top10``), and ``leaders`` (who fell, with their rank that month)."""
    frame = pd.DataFrame({"month": test["month"].astype(str), "p": predictions["p_irregular_1m"],
                          "y": test["irregular_1"].fillna(0), "name": test["country_iso3"] + " " + test["leader"]})
    frame["rank"] = frame.groupby("month")["p"].rank(ascending=False, method="first").astype(int)
    rows = []
    for month, g in frame.groupby("month"):
        fell = g[g["y"] > 0]
        rows.append({"month": month, "events": len(fell), "in_top10": int((fell["rank"] <= 10).sum()),
                     "leaders": tuple(f"{n} #{r}" for n, r in zip(fell["name"], fell["rank"], strict=True))})
    return pd.DataFrame(rows)


def run_backtest(*, train_end: str, start: str, end: str, data_dir: str | Path | None = None,
                 out: str | Path | None = None, gwcodes: list[int] | None = None,
                 hazard_params: dict | None = None,
                 progress: Callable[[int, int | None], None] | None = None) -> BacktestReport:
    """Train on outcomes known by ``train_end`` (YYYY-MM-DD or YYYY-MM), predict months
    ``start``..``end`` (YYYY-MM), score, and write the predictions CSV to ``out`` if given.
    ``gwcodes`` restricts countries and ``hazard_params`` shrinks models (tests)."""
    try:
        train_month, first, last = (pd.Period(v, "M") for v in (train_end, start, end))
    except ValueError as error:
        raise ConfigError(f"dates must be YYYY-MM or YYYY-MM-DD: {error}") from error
    if not train_month < first <= last:
        raise ConfigError(f"need train end ({train_month}) < start ({first}) <= end ({last})")
    history = History.load(data_dir or default_data_dir())
    data_last = history.spells["enddate"].max().to_period("M")
    if last > data_last:
        raise DataFileError("archigos", f"backtest end {last} is after the last month with outcomes "
                                        f"({data_last}); choose --end {data_last} or earlier")
    panel = build_panel(history, gwcodes=gwcodes)
    if progress:
        progress(0, 10)
    bundle = fit_forecast_models(panel, train_end=train_month, hazard_params=hazard_params,
                                 vintage=history.vintage,
                                 progress=(lambda d, t: progress(d, t + 1)) if progress else None)
    test = panel[(panel["month"] >= first) & (panel["month"] <= last)]
    if test.empty:
        raise DataFileError("archigos", f"no leader-months between {first} and {last}")
    predictions = predict_panel(bundle, test)
    table = pd.concat([test[["country_iso3", "gwcode", "leader"]],
                       test["month"].astype(str).rename("month"), predictions,
                       test[[f"{k}_{h}" for k in KINDS for h in HORIZONS]]], axis=1)
    table = table[["country_iso3", "gwcode", "month", "leader", *predictions.columns,
                   *[f"{k}_{h}" for k in KINDS for h in HORIZONS]]]
    if out:
        table.to_csv(out, index=False, float_format="%.6f")
    report = BacktestReport(predictions=table, scores=_scores(bundle, test, predictions),
                            top10=_top10(test, predictions), train_end=str(train_month),
                            start=str(first), end=str(last))
    if progress:
        progress(10, 10)
    return report
