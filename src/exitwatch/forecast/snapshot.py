"""What the shipped models need to forecast today without the history files.

At training time (``exitwatch train``) the history tables are at hand; at forecast time they may
not be (a fresh install has only the package). So training also stores, per current leader's
country, the *country context*: the covariates of ``panel.FEATURES`` that describe the country
rather than the leader (past irregular exits, contagion, conflict, regime, capabilities,
fractionalisation) computed for the training month, and the ranked exile destinations with their
reasons. The leader's own covariates (tenure, age, how he came to power) are computed at
forecast time from the current-leaders table and the as-of date.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from exitwatch.forecast.destinations import (DestinationRanker, PairFeatures, exile_cases, reasons)
from exitwatch.forecast.history import REGIME_GROUPS, History
from exitwatch.forecast.panel import FEATURES, add_covariates

#: Covariates that describe the leader; the rest of FEATURES describe the country.
LEADER_FEATURES = ("log_tenure", "age", "entry_irregular", "entry_foreign", "prev_times", "military_leader")
CONTEXT_FEATURES = tuple(f for f in FEATURES if f not in LEADER_FEATURES)
#: current-leaders ``entry`` -> Archigos ``entry`` wording used by the panel.
ENTRY_WORDS = {"regular": "Regular", "irregular": "Irregular", "foreign": "Foreign Imposition"}
#: How many exile destinations are kept per country.
TOP_DESTINATIONS = 5
#: current-leaders ``regime_type`` -> regime group, for countries whose regime changed after
#: REIGN's regime spells end (2020).
LEADER_REGIME_GROUPS = {
    "democracy": "democracy", "personal": "personal", "party": "party", "military": "military",
    "monarchy": "monarchy", "hybrid": "personal", "transitional": "provisional",
    "party-personal": "personal", "theocracy": "personal", "military-personal": "personal",
    "military-party": "party",
}


def regime_changes(history: History, leaders: list, month: pd.Period) -> list[str | None]:
    """Per leader, the regime group of the current-leaders table when the country has had an
    irregular exit after REIGN's regime spells end (2020), else None (REIGN's last spell,
    carried forward by the panel, still holds)."""
    events = history.irregular_exit_months()
    reign_end = history.regimes["end"].max().to_period("M")
    after = events[(events["month"] > reign_end) & (events["month"] <= month)]
    return [LEADER_REGIME_GROUPS.get(leader.regime_type, "unknown") if (after["gwcode"] == leader.gwcode).any()
            else None for leader in leaders]


def leader_features(*, in_office_since, birth_year: int | None, entry: str, month: pd.Period,
                    military_career: int | None = None) -> dict[str, float]:
    """The leader's own covariates in ``month`` (same definitions as ``panel.add_covariates``)."""
    start = pd.Period(in_office_since, "M")
    tenure = max((month - start).n, 0)
    return {
        "log_tenure": float(np.log1p(tenure)),
        "age": float(month.year - birth_year) if birth_year else float("nan"),
        "entry_irregular": float(entry == "irregular"),
        "entry_foreign": float(entry == "foreign"),
        "prev_times": 0.0,
        "military_leader": float("nan") if military_career is None else float(military_career),
    }


def country_context(history: History, leaders: Iterable, month: pd.Period) -> dict[str, dict[str, float]]:
    """ISO3 -> CONTEXT_FEATURES for each current leader's country in ``month``, with armed
    conflict carried forward from UCDP's latest year; NaN where the history says nothing (the
    models impute the training mean and the forecast lists them as imputed)."""
    leaders = [r for r in leaders if r.gwcode is not None]
    rows = pd.DataFrame({
        "gwcode": [r.gwcode for r in leaders],
        "month": pd.PeriodIndex([month] * len(leaders), freq="M"),
        "startdate": pd.to_datetime([r.in_office_since for r in leaders]),
        "yrborn": [float(r.birth_year or "nan") for r in leaders],
        "entry": [ENTRY_WORDS[r.entry] for r in leaders],
        "prev_times": [0.0] * len(leaders),
        "military_career": [float("nan") if r.military_career is None else float(r.military_career)
                            for r in leaders],
    })
    features = add_covariates(rows, history)
    # UCDP lags a year or two behind today: carry its latest year forward (inputs_age says which).
    last_conflict_year = max(max(s.index) for s in history.conflict_years.values())
    latest = [history.conflict(g, min(month.year, last_conflict_year + 1)) for g in rows["gwcode"]]
    features["conflict"] = features["conflict"].fillna(pd.Series(latest, index=features.index))
    # REIGN's regime spells end in 2020; after a fall since, our table says what rules now. A
    # country REIGN never covered (Nauru, Tonga, Tuvalu) also takes the table's regime type.
    for i, group in enumerate(regime_changes(history, leaders, month)):
        if group is None and features.at[i, "regime_unknown"] == 1.0:
            group = LEADER_REGIME_GROUPS.get(leaders[i].regime_type)
        if group is not None:
            for name in (*REGIME_GROUPS, "unknown"):
                features.at[i, f"regime_{name}"] = float(group == name)
    return {r.country_iso3: {c: float(features.at[i, c]) for c in CONTEXT_FEATURES}
            for i, r in enumerate(leaders)}


def destination_table(history: History, leaders: Iterable, year: int) -> dict[str, tuple]:
    """ISO3 -> up to TOP_DESTINATIONS ``(host_iso3, score, reasons)`` from the destination
    ranker fitted on every exile case."""
    features = PairFeatures(history)
    ranker = DestinationRanker().fit(exile_cases(), features)
    table = {}
    for leader in leaders:
        if leader.country_iso3 not in features.gw:
            continue
        ranked = ranker.rank(leader.country_iso3, year).head(TOP_DESTINATIONS)
        table[leader.country_iso3] = tuple(
            (row["host"], float(row["score"]), reasons(row, leader.country_iso3, year))
            for _, row in ranked.iterrows()
        )
    return table
