"""How far apart today's 12-month irregular-exit forecasts are, and what drives the extremes.

Prints the 90th/10th percentile ratio of P(irregular exit within 12 months) over every country
of the current-leaders table, and the top and bottom 15 with their main drivers: for each group
of covariates, how much the forecast moves when the group is set to the median country's values
(positive: the group raises this country's risk above the median country's).

    python benchmarks/forecast_spread.py [--as-of 2026-12-01]
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np
import pandas as pd

from exitwatch.forecast import current
from exitwatch.forecast.panel import FEATURES
from exitwatch.kb import current_leaders

GROUPS = {
    "tenure/age": ("log_tenure", "age", "prev_times"),
    "came in irregularly": ("entry_irregular", "entry_foreign"),
    "military career": ("military_leader",),
    "coup history": ("coup_last_year", "coup_years_5y", "log_years_since_coup"),
    "past irregular exits": ("country_irregular_10y", "country_irregular_since_1946", "log_months_since_irregular"),
    "neighbourhood": ("neighbour_irregular_12m", "region_irregular_12m", "global_irregular_12m",
                      "region_coup_countries_last_year"),
    "regime type": tuple(f for f in FEATURES if f.startswith("regime_")),
    "civil liberties/repression": ("civil_liberties", "free_discussion", "political_killings", "repress_civil_society",
                                   "minority_rule", "power_distribution", "judicial_reform", "religious_freedom",
                                   "party_ban"),
    "poverty/growth": ("gdp_growth", "infant_mortality_sqrt"),
    "conflict": ("conflict", "battle_deaths_log2", "mass_killing_ongoing"),
    "size": ("log_tpop", "cinc", "population_log2"),
    "elections": ("months_to_scheduled_election", "scheduled_election_12m"),
    "fractionalisation": ("ethfrac", "relfrac", "efindex"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default=None)
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    bundle = current._bundle()
    leaders = current_leaders()
    values = pd.DataFrame([current._features(bundle, r, as_of) for r in leaders])[list(FEATURES)]
    model = bundle.hazard[("irregular", 12)]
    p = model.predict_proba(values.to_numpy(float))[:, 1]
    p10, p90 = np.percentile(p, [10, 90])
    print(f"{len(p)} countries; P(irregular 12m) 10th percentile {p10:.4f}, 90th {p90:.4f}, ratio {p90 / p10:.1f}")
    median = values.median()
    effects = {}
    for name, columns in GROUPS.items():
        moved = values.copy()
        for c in columns:
            moved[c] = median[c]
        effects[name] = p - model.predict_proba(moved.to_numpy(float))[:, 1]
    effects = pd.DataFrame(effects)
    order = np.argsort(-p)
    for title, idx in (("top 15", order[:15]), ("bottom 15", order[-15:])):
        print(f"\n{title}:")
        for i in idx:
            row = effects.iloc[i]
            main = row.reindex(row.abs().sort_values(ascending=False).index)[:3]
            drivers = ", ".join(f"{k} {v * 100:+.1f}pt" for k, v in main.items())
            flag = " *" if current.leader_row_warnings(leaders[i], as_of) else ""
            print(f"  {leaders[i].country_iso3} {leaders[i].leader[:28]:<28} {p[i] * 100:5.1f}%{flag}  {drivers}")


if __name__ == "__main__":
    main()
