"""Post-Archigos reality check: score the irregular exits after 2015 with a model trained to 2015.

Archigos ends in 2015, so there is no leader-month panel after it. ``country_months`` builds one
row per state and month from the REIGN leader list (to March 2021) and the current-leaders table
(leaders who took office after that); months whose leader neither knows get no leader covariates
(the models impute them). The outcome is our table of irregular exits after Archigos
(``data/recent_irregular_exits.csv``: coups, protest resignations, rebel victories, the 2026 US
capture of Maduro). ``reality_check`` scores the bundle's hazard models and baselines on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from exitwatch.forecast.backtest import score
from exitwatch.forecast.history import History
from exitwatch.forecast.panel import HORIZONS, add_covariates, month_number
from exitwatch.forecast.replay import leader_spells
from exitwatch.forecast.training import ForecastBundle

def country_months(history: History, reign_leaders: pd.DataFrame, leaders: list, *, start: str,
                   end: str) -> pd.DataFrame:
    """One row per GW state and month ``start``..``end``: gwcode, country_iso3, month, the
    covariates (leader covariates NaN when no leader is known for the month) and
    ``irregular_{h}`` (an irregular exit in the country within h months, from our table)."""
    last_day = history.spells["enddate"].max()
    active = {int(c) for c in history.spells.loc[history.spells["enddate"] >= last_day, "ccode"]}
    gw = sorted(active | {int(r.gwcode) for r in leaders if r.gwcode is not None})
    months = pd.period_range(start, end, freq="M")
    rows = pd.DataFrame({"gwcode": np.repeat(gw, len(months)), "month": np.tile(months, len(gw))})
    rows["month"] = pd.PeriodIndex(rows["month"], freq="M")
    spells = leader_spells(history, reign_leaders, leaders).sort_values("start")
    first_day = rows["month"].dt.start_time
    left = pd.DataFrame({"gwcode": rows["gwcode"], "when": first_day, "_order": np.arange(len(rows))}) \
        .sort_values("when")
    merged = pd.merge_asof(left, spells.rename(columns={"start": "when_start"}), left_on="when",
                           right_on="when_start", by="gwcode").sort_values("_order").reset_index(drop=True)
    known = merged["when_start"].notna() & (merged["end"].isna() | (merged["end"] > merged["when"]))
    rows["startdate"] = merged["when_start"].where(known, first_day)
    rows["yrborn"] = merged["yrborn"].where(known)
    rows["entry"] = "Regular"
    rows["prev_times"] = 0.0
    features = add_covariates(rows, history)
    features.loc[~known.to_numpy(), ["log_tenure", "age", "entry_irregular", "entry_foreign", "prev_times",
                                     "military_leader"]] = np.nan
    out = pd.concat([rows[["gwcode", "month"]], features], axis=1)
    out.insert(1, "country_iso3", [history.iso3.get(int(c), str(c)) for c in out["gwcode"]])
    out["leader_known"] = known.to_numpy()
    exits = history.recent_exits
    ev = {int(c): month_number(g["month"]) for c, g in exits.groupby("gwcode")}
    m = month_number(out["month"])
    for h in HORIZONS:
        hit = np.zeros(len(out))
        for code, event_months in ev.items():
            mask = out["gwcode"].to_numpy() == code
            hit[mask] = [(np.any((event_months >= x) & (event_months < x + h))) for x in m[mask]]
        out[f"irregular_{h}"] = hit
    return out


@dataclass(frozen=True)
class RealityCheck:
    """Scores on the post-Archigos country-months: ``scores`` (horizon, model, n, events, auc,
    brier, log_loss), ``top_n`` (n, events, hits), ``leader_known_share``, ``start``, ``end``,
    ``trained_through``."""

    scores: pd.DataFrame
    top_n: pd.DataFrame
    leader_known_share: float
    start: str
    end: str
    trained_through: str


def reality_check(bundle: ForecastBundle, history: History, reign_leaders: pd.DataFrame, leaders: list, *,
                  start: str = "2016-01", end: str = "2024-12") -> RealityCheck:
    """Score the bundle (trained before ``start``) on irregular exits ``start``..``end``."""
    rows = country_months(history, reign_leaders, leaders, start=start, end=end)
    X = rows[list(bundle.features)].to_numpy(float)
    records = []
    for h in HORIZONS:
        y = rows[f"irregular_{h}"].to_numpy(int)
        candidates = {"model": bundle.hazard[("irregular", h)].predict_proba(X)[:, 1],
                      **{name: bundle.baselines[(name, "irregular", h)].predict_proba(X)[:, 1]
                         for name in ("base_rate", "tenure_age")}}
        for name, p in candidates.items():
            records.append({"horizon": h, "model": name, "n": len(y), "events": int(y.sum()), **score(y, p)})
    p1 = bundle.hazard[("irregular", 1)].predict_proba(X)[:, 1]
    rank = pd.Series(p1).groupby(rows["month"].astype(str).to_numpy()).rank(ascending=False, method="first")
    fell = rows["irregular_1"].to_numpy() > 0
    top = pd.DataFrame([{"n": n, "events": int(fell.sum()), "hits": int((rank.to_numpy()[fell] <= n).sum())}
                        for n in (5, 10, 20)])
    return RealityCheck(scores=pd.DataFrame(records), top_n=top, leader_known_share=float(rows["leader_known"].mean()),
                        start=start, end=end, trained_through=bundle.trained_through)
