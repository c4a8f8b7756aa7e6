"""Model selection for the forecast, on training years only, then the one-shot test.

Selection (``--stage select``): fit on outcomes known by 1999-12, score the leader-months
2000-01..2009-12 whose outcome windows close by 2009-12 (all inside the backtest's training
data); ``--stage select90`` the same ten years earlier (fit to 1989-12, score 1990-1999), a
second fold with twice the irregular exits. Candidates: (a) v1 covariates + calibrated trees
(the shipped model before v2), (b) v2 covariates + the same trees, (c) v2 + L2 logistic
regression (C from a small grid), (d) the average of the calibrated trees and the calibrated
logit, (e) (b) with the monotone constraints of ``training.IRREGULAR_MONOTONE`` (forecast v3's
irregular-exit model). Exit-mode C is chosen on spells ended before 1980 (train) vs 1980-1994
(validate).

Test (``--stage test``): the same four, trained through 2009-12 and scored once on the
PITF window 2010-01..2014-09 (the figures of docs/forecast.md).

    python benchmarks/compare_forecast_models.py --stage select [--panel /tmp/panel.pkl]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
from sklearn.metrics import accuracy_score, log_loss

from exitwatch.forecast.backtest import score
from exitwatch.forecast.models import BaseRateClassifier, HazardModel, OutcomeModel, TenureAgeClassifier
from exitwatch.forecast.panel import FEATURES, HORIZONS, TENURE_AGE, V1_FEATURES
from exitwatch.forecast.training import IRREGULAR_MONOTONE, KINDS, _resolved, _training_rows

SPLITS = {"select": ("1999-12", "2000-01", "2009-12"), "select90": ("1989-12", "1990-01", "1999-12"),
          "test": ("2009-12", "2010-01", "2014-09")}
LOGIT_C = (0.01, 0.1, 1.0)


def _panel(path: str | None) -> pd.DataFrame:
    if path:
        try:
            return pd.read_pickle(path)
        except FileNotFoundError:
            pass
    from exitwatch.forecast.history import History
    from exitwatch.forecast.importers import default_data_dir
    from exitwatch.forecast.panel import build_panel

    panel = build_panel(History.load(default_data_dir()))
    if path:
        panel.to_pickle(path)
    return panel


def _window(panel, column, h, first, last):
    rows = _training_rows(panel, column, h, pd.Period(last, "M"))
    return rows[rows["month"] >= pd.Period(first, "M")]


#: Shallower, more regularised trees tried for any exit (the default ones overfit it in selection).
SMALL_TREES = {"max_leaf_nodes": 7, "min_samples_leaf": 400, "max_iter": 100}


def hazard_scores(panel: pd.DataFrame, stage: str, logit_c: tuple[float, ...], kinds=KINDS,
                  extra_trees: bool = False) -> pd.DataFrame:
    train_end, first, last = SPLITS[stage]
    records = []
    for kind in kinds:
        for h in HORIZONS:
            column = f"{kind}_{h}"
            train = _training_rows(panel, column, h, pd.Period(train_end, "M"))
            test = panel[(panel["month"] >= pd.Period(first, "M")) & (panel["month"] <= pd.Period(last, "M"))
                         & panel[column].notna()]
            if stage != "test":
                test = _window(panel, column, h, first, last)
            y_train, y = train[column].to_numpy(int), test[column].to_numpy(int)
            preds = {}
            ta = TenureAgeClassifier(columns=(0, 1)).fit(train[list(TENURE_AGE)].to_numpy(float), y_train)
            preds["tenure_age"] = ta.predict_proba(test[list(TENURE_AGE)].to_numpy(float))[:, 1]
            candidates = [("a_v1_hgb", V1_FEATURES, {}), ("b_v2_hgb", FEATURES, {}),
                          *((f"c_v2_logit_C{c}", FEATURES, {"learner": "logit", "C": c}) for c in logit_c),
                          ("e_v2_monotone", FEATURES, _resolved({"monotonic_cst": IRREGULAR_MONOTONE}, FEATURES))]
            if extra_trees:
                candidates.append(("b_v2_hgb_small", FEATURES, SMALL_TREES))
            for name, features, params in candidates:
                model = HazardModel(**params).fit(train[list(features)].to_numpy(float), y_train)
                preds[name] = model.predict_proba(test[list(features)].to_numpy(float))[:, 1]
            for c in logit_c:
                preds[f"d_blend_C{c}"] = (preds["b_v2_hgb"] + preds[f"c_v2_logit_C{c}"]) / 2
                if extra_trees:
                    preds[f"d_blend_small_C{c}"] = (preds["b_v2_hgb_small"] + preds[f"c_v2_logit_C{c}"]) / 2
            for name, p in preds.items():
                records.append({"kind": kind, "h": h, "model": name, "events": int(y.sum()), **score(y, p)})
            print(f"  {column}: " + ", ".join(f"{n} {r['auc']:.3f}" for n, r in
                                              ((r["model"], r) for r in records[-len(preds):])), flush=True)
    return pd.DataFrame(records)


def mode_scores(panel: pd.DataFrame, split: tuple[int, int]) -> pd.DataFrame:
    ends = panel[panel["last_month"] & panel["exit_mode"].notna()]
    year = ends["month"].dt.year
    train, test = ends[year < split[0]], ends[(year >= split[0]) & (year < split[1])]
    rows = []
    for features_name, features in (("v1", V1_FEATURES), ("v2", FEATURES)):
        for c in (0.01, 0.05, 0.5):
            m = OutcomeModel(C=c).fit(train[list(features)].to_numpy(float), train["exit_mode"])
            X = test[list(features)].to_numpy(float)
            keep = test["exit_mode"].isin(m.classes_).to_numpy()
            prior = BaseRateClassifier().fit(X[:1].repeat(len(train), 0), train["exit_mode"])
            rows.append({"features": features_name, "C": c, "n": int(keep.sum()),
                         "log_loss": log_loss(test["exit_mode"][keep], m.predict_proba(X[keep]), labels=m.classes_),
                         "log_loss_prior": log_loss(test["exit_mode"][keep], prior.predict_proba(X[keep]),
                                                    labels=m.classes_),
                         "accuracy": accuracy_score(test["exit_mode"][keep], m.predict(X[keep])),
                         "accuracy_prior": accuracy_score(test["exit_mode"][keep], prior.predict(X[keep]))})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=tuple(SPLITS), default="select")
    parser.add_argument("--panel", default=None, help="pickle cache of the panel")
    parser.add_argument("--logit-c", type=float, nargs="*", default=None)
    parser.add_argument("--kinds", nargs="*", default=list(KINDS))
    parser.add_argument("--extra-trees", action="store_true", help="also the smaller trees (SMALL_TREES)")
    parser.add_argument("--no-modes", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    panel = _panel(args.panel)
    logit_c = tuple(args.logit_c) if args.logit_c else (LOGIT_C if args.stage == "select" else (0.1,))
    table = hazard_scores(panel, args.stage, logit_c, tuple(args.kinds), args.extra_trees)
    pd.set_option("display.width", 200)
    print(table.pivot_table(index=["kind", "h", "events"], columns="model", values="auc").round(3).to_string())
    print(table.pivot_table(index=["kind", "h"], columns="model", values="brier").round(5).to_string())
    print(table.pivot_table(index=["kind", "h"], columns="model", values="log_loss").round(4).to_string())
    if args.stage != "test" and not args.no_modes:
        print(mode_scores(panel, (1980, 1995)).round(4).to_string(index=False))
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
