"""Replay: what the system would have said about a country on a past date.

``replay_forecast(country, as_of)`` finds the leader then in office (Archigos to 2015, REIGN to
March 2021, then the current-leaders table, and for a leader who later fell irregularly, his
open REIGN spell), computes the covariates from the history files as known before that month
(annual tables lagged a year, events counted before the month), and uses models trained only
on outcomes known before it: the shipped bundle when its training ended earlier, else a bundle
fitted for that month (minutes the first time; cached). Exile destinations come from a ranker
fitted on the exiles of earlier years only. Needs the history files (``--data-dir``,
``$EXITWATCH_DATA`` or ``../shared/data``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd

from exitwatch.errors import NotFoundError
from exitwatch.forecast.assemble import Destination, assemble, leader_row_warnings, shipped_bundle
from exitwatch.forecast.destinations import DestinationRanker, PairFeatures, exile_cases, reasons
from exitwatch.forecast.history import REGIME_GROUPS, History
from exitwatch.forecast.importers import default_data_dir, load_reign_leaders
from exitwatch.forecast.panel import add_covariates, build_panel
from exitwatch.forecast.snapshot import ENTRY_WORDS, regime_changes
from exitwatch.forecast.training import ForecastBundle, fit_forecast_models
from exitwatch.kb import current_leaders, resolve_country
from exitwatch.kb.countries import gw_of_cow
from exitwatch.kb.leaders import CurrentLeader

#: Folder for bundles fitted for replays before the shipped model's training end.
CACHE_ENV = "EXITWATCH_CACHE"


def _cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "exitwatch") / "replay"


def leader_spells(history: History, reign_leaders: pd.DataFrame, leaders: list) -> pd.DataFrame:
    """Every known leader spell: gwcode, leader, start, end (NaT when open), yrborn, entry
    (regular / irregular / foreign), source (archigos / reign / current_leaders)."""
    a = history.spells
    archigos_end = a["enddate"].max()
    archigos = pd.DataFrame({
        "gwcode": a["ccode"].astype(int), "leader": a["leader"], "start": a["startdate"],
        "end": a["enddate"].where(a["exit"] != "Still in Office"), "yrborn": a["yrborn"].where(a["yrborn"] > 0),
        "entry": a["entry"].str.lower().str.split().str[0].map({"regular": "regular", "irregular": "irregular",
                                                                "foreign": "foreign"}).fillna("regular"),
        "source": "archigos"})
    reign = reign_leaders.dropna(subset=["syear", "smonth"])
    start = pd.to_datetime({"year": reign["syear"].astype(int), "month": reign["smonth"].astype(int),
                            "day": reign["sdate"].fillna(1).astype(int).clip(1, 28)}, errors="coerce")
    end = pd.to_datetime({"year": reign["eyear"].fillna(2100).astype(int),
                          "month": reign["emonth"].fillna(1).astype(int), "day": 1}, errors="coerce")
    reign = pd.DataFrame({"gwcode": reign["ccode"].astype(int).map(gw_of_cow),
                          "leader": reign["leader"].astype(str), "start": start,
                          "end": end.where(reign["eyear"].notna()),
                          "yrborn": pd.to_numeric(reign["birthyear"], errors="coerce"),
                          "entry": "regular", "source": "reign"})
    reign = reign[reign["start"] > archigos_end]
    later = pd.DataFrame({"gwcode": [r.gwcode for r in leaders], "leader": [r.leader for r in leaders],
                          "start": pd.to_datetime([r.in_office_since for r in leaders]), "end": pd.NaT,
                          "yrborn": [float(r.birth_year or np.nan) for r in leaders],
                          "entry": [r.entry for r in leaders], "source": "current_leaders"})
    return pd.concat([archigos, reign, later], ignore_index=True).dropna(subset=["start", "gwcode"])


def leader_on(spells: pd.DataFrame, history: History, gwcode: int, when: dt.date) -> pd.Series:
    """The spell in office in ``gwcode`` on ``when``: the current-leaders row when he had taken
    office by then, else the latest spell begun by then and not ended. After REIGN ends (March
    2021) an open Archigos/REIGN spell counts only when our table of irregular exits records that
    leader's fall after ``when``; NotFoundError when nobody is known."""
    day = pd.Timestamp(when)
    own = spells[(spells["gwcode"] == gwcode) & (spells["start"] <= day)]
    current = own[own["source"] == "current_leaders"]
    if len(current):
        return current.iloc[-1]
    own = own[own["end"].isna() | (own["end"] > day)].sort_values("start")
    if own.empty:
        raise NotFoundError(f"no leader of state {gwcode} is recorded on {when}")
    spell = own.iloc[-1]
    reign_end = spells.loc[spells["source"] == "reign", "start"].max()
    if pd.isna(spell["end"]) and day > reign_end:
        fell = history.recent_exits[(history.recent_exits["gwcode"] == gwcode)
                                    & (history.recent_exits["month"] >= pd.Period(when, "M"))]
        names = {token for token in str(spell["leader"]).lower().replace("-", " ").split() if len(token) > 3}
        if not any(token in str(name).lower() for name in fell["leader"] for token in names):
            raise NotFoundError(
                f"who led state {gwcode} on {when} is not recorded: REIGN ends in March 2021 and the "
                "current leader took office later; replays after 2021 cover the current leader's "
                "tenure and leaders who later fell irregularly")
    return spell


def replay_bundle(history: History, month: pd.Period) -> ForecastBundle:
    """Models trained only on outcomes known before ``month``: the shipped bundle when its
    training ended earlier, else one fitted now (and cached)."""
    import joblib

    shipped = shipped_bundle()
    if pd.Period(shipped.trained_through, "M") < month:
        return shipped
    train_end = month - 1
    # Keyed by the shipped models' settings too, so that a new release never reuses a bundle
    # fitted with the settings of an older one.
    settings = repr(sorted((str(k), m.get_params()) for k, m in shipped.hazard.items())) + repr(shipped.features)
    path = _cache_dir() / f"forecast-through-{train_end}-{hashlib.sha1(settings.encode()).hexdigest()[:10]}.joblib"
    if path.is_file():
        return joblib.load(path)
    bundle = fit_forecast_models(build_panel(history), train_end=train_end, vintage=history.vintage)
    bundle.version = f"{shipped.version.split('/')[0]}/replay/trained-through-{train_end}"
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(bundle, path, compress=3)
    return bundle


def _destinations(history: History, iso3: str, year: int) -> tuple:
    features = PairFeatures(history)
    if iso3 not in features.gw:
        return ()
    earlier = tuple(c for c in exile_cases() if c.year < year)
    ranked = DestinationRanker().fit(earlier, features).rank(iso3, year).head(5)
    return tuple(Destination(country_iso3=row["host"], name=resolve_country(row["host"]).name,
                             score=round(float(row["score"]), 4), reasons=tuple(reasons(row, iso3, year)))
                 for _, row in ranked.iterrows())


def replay_forecast(country: str | int, as_of: dt.date, *, data_dir: str | Path | None = None):
    """The LeaderForecast for ``country`` as the system would have made it on ``as_of``."""
    place = resolve_country(country)
    data_dir = Path(data_dir or default_data_dir())
    history = History.load(data_dir)
    reign = load_reign_leaders(data_dir / "reign" / "leaderlist_3_21.csv")
    spell = leader_on(leader_spells(history, reign, current_leaders()), history, place.gwcode, as_of)
    month = pd.Period(as_of, "M")
    # The recent-exits table is ours; only exits before the month may count.
    history.recent_exits = history.recent_exits[history.recent_exits["month"] < month]
    rows = pd.DataFrame({"gwcode": [place.gwcode], "month": pd.PeriodIndex([month], freq="M"),
                         "startdate": [spell["start"]], "yrborn": [spell["yrborn"]],
                         "entry": [ENTRY_WORDS[spell["entry"]]], "prev_times": [0.0]})
    values = add_covariates(rows, history).iloc[0].to_dict()
    bundle = replay_bundle(history, month)
    row = next((r for r in current_leaders() if r.gwcode == place.gwcode), None)
    inputs_age = {"replay": f"leader from {spell['source']}; covariates known before {month}",
                  "country_context": str(month), "models_trained_through": bundle.trained_through,
                  **history.vintage}
    if spell["source"] == "current_leaders" and row is not None:
        leader, warnings = row, leader_row_warnings(row, as_of)
        values["military_leader"] = float("nan") if row.military_career is None else float(row.military_career)
        group = regime_changes(history, [row], month)[0]
        if group is not None:  # fell irregularly after REIGN's regime spells end: our table's regime
            values.update({f"regime_{g}": float(g == group) for g in (*REGIME_GROUPS, "unknown")})
        inputs_age["current_leaders"] = row.as_of.isoformat()
    else:
        leader = CurrentLeader(country_iso3=place.iso3, gwcode=place.gwcode, leader=str(spell["leader"]),
                               aliases=(), title="", in_office_since=spell["start"].date(),
                               birth_year=None if pd.isna(spell["yrborn"]) else int(spell["yrborn"]),
                               entry=spell["entry"], regime_type="", as_of=as_of,
                               source_note=f"replay: leader from {spell['source']}")
        warnings = ()
    return assemble(bundle, [leader], [values], as_of, destinations=[_destinations(history, place.iso3, as_of.year)],
                    inputs_age=[inputs_age], warnings=[warnings])[0]
