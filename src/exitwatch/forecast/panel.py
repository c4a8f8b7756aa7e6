"""Leader-month panel: one row per leader in office on the first day of each month.

``build_panel(history)`` gives covariates (``FEATURES``) known at the start of the month and the
outcomes: ``exit_h`` (the leader leaves within h months: the month itself and the h-1 after it)
and ``irregular_h`` (an irregular leadership change in the country within h months: the
leader's own irregular exit or a successor's, as the PITF and Archigos country-month counts have
it; a caretaker who took office after the 1st and fell within the month is in no row, yet his
fall counts), NaN when the data end before the window does; the
``exit_mode`` (``natural_death`` for death or ill health in office) and ``fate`` of the spell
(on every row of the spell; models use the last row).
``add_covariates(rows, history)`` computes the same covariates for any (country, month, leader)
rows, which is how today's leaders get theirs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from exitwatch.errors import DataFileError
from exitwatch.forecast.history import (
    IRREGULAR_EXITS,
    NATURAL_EXITS,
    REGIME_GROUPS,
    History,
    count_events_before,
    exit_modes,
    fates,
    region_of,
)

HORIZONS = (1, 3, 6, 12)
CONTAGION = ("neighbour_irregular_12m", "region_irregular_12m", "global_irregular_12m")
#: The covariates of forecast v1 (kept to compare models on the same backtest).
V1_FEATURES = (
    "log_tenure", "age", "entry_irregular", "entry_foreign", "prev_times",
    "country_irregular_10y", "country_irregular_since_1946", *CONTAGION,
    "conflict", *(f"regime_{g}" for g in REGIME_GROUPS), "regime_unknown",
    "log_tpop", "cinc", "ethfrac", "relfrac", "efindex",
)
#: Powell-Thyne coup attempts (annual, lagged a year) and their diffusion in the region.
COUP_FEATURES = ("coup_last_year", "coup_years_5y", "log_years_since_coup", "region_coup_countries_last_year")
#: Early Warning Project country-year covariates (lagged a year; importers.EWP_COLUMNS).
EWP_FEATURES = ("civil_liberties", "free_discussion", "political_killings", "repress_civil_society",
                "minority_rule", "power_distribution", "judicial_reform", "religious_freedom", "party_ban",
                "gdp_growth", "infant_mortality_sqrt", "battle_deaths_log2", "population_log2",
                "mass_killing_ongoing")
#: Scheduled elections (REIGN calendar projected by each country's own cycle) and how long ago
#: the country last saw an irregular exit.
CALENDAR_FEATURES = ("months_to_scheduled_election", "scheduled_election_12m", "log_months_since_irregular")
#: The leader's military career (REIGN ``militarycareer``; today: the current-leaders table).
LEADER_CAREER_FEATURES = ("military_leader",)
FEATURES = (*V1_FEATURES, *COUP_FEATURES, *EWP_FEATURES, *CALENDAR_FEATURES, *LEADER_CAREER_FEATURES)
#: Covariates whose source ends before today; carried forward (and flagged) in current forecasts.
ANNUAL_SOURCES = {"coups": COUP_FEATURES[:3], "ewp": EWP_FEATURES}
#: Features of the tenure/age-only baseline.
TENURE_AGE = ("log_tenure", "age")
FIRST_MONTH = pd.Period("1946-01", "M")


def month_number(months: pd.Series | pd.PeriodIndex) -> np.ndarray:
    """Months as integers (year*12 + month-1), for window arithmetic."""
    index = pd.PeriodIndex(months, freq="M")
    return (index.year * 12 + index.month - 1).to_numpy()


def _counts_by_group(rows_group: np.ndarray, rows_month: np.ndarray,
                     events: dict[int, np.ndarray], window: int) -> np.ndarray:
    """Per row, the events of its own group in the ``window`` months before its month."""
    out = np.zeros(len(rows_month), dtype=float)
    for key in np.unique(rows_group):
        mask = rows_group == key
        if key in events:
            out[mask] = count_events_before(events[key], rows_month[mask], window)
    return out


def _contagion(rows: pd.DataFrame, months: np.ndarray, events: pd.DataFrame,
               history: History) -> dict[str, np.ndarray]:
    """Irregular exits in the 12 months before: in neighbouring states, in the rest of the
    region, and anywhere."""
    ev_month = month_number(events["month"])
    ev_gw = events["gwcode"].to_numpy()
    gw = rows["gwcode"].to_numpy()
    neighbour = np.zeros(len(rows))
    for code in np.unique(gw):
        near = list(history.neighbours.get(int(code), ()))
        mask = gw == code
        if near:
            neighbour[mask] = count_events_before(ev_month[np.isin(ev_gw, near)], months[mask], 12)
    ev_region = np.array([region_of(int(c)) for c in ev_gw])
    row_region = np.array([region_of(int(c)) for c in gw])
    by_region = {r: ev_month[ev_region == r] for r in np.unique(ev_region)}
    by_country = {int(c): ev_month[ev_gw == c] for c in np.unique(ev_gw)}
    region = _counts_by_group(row_region, months, by_region, 12) - _counts_by_group(gw, months, by_country, 12)
    return {
        "neighbour_irregular_12m": neighbour,
        "region_irregular_12m": region,
        "global_irregular_12m": count_events_before(ev_month, months, 12).astype(float),
    }


def _lagged_annual(rows: pd.DataFrame, table: dict[int, pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Annual values of the previous year (or the latest before it) for each row."""
    long = pd.concat([t.reset_index().assign(gwcode=c) for c, t in table.items()], ignore_index=True)
    long = long.dropna(subset=columns, how="all").sort_values("year")
    left = pd.DataFrame({"gwcode": rows["gwcode"].to_numpy(), "year": rows["month"].dt.year.to_numpy() - 1,
                         "_order": np.arange(len(rows))}).sort_values("year")
    long["year"] = long["year"].astype(left["year"].dtype)
    merged = pd.merge_asof(left, long[["year", "gwcode", *columns]], on="year", by="gwcode")
    return merged.sort_values("_order")[columns].reset_index(drop=True)


def _regimes(rows: pd.DataFrame, history: History) -> pd.Series:
    """Regime group in force on the first day of each row's month ('unknown' outside REIGN)."""
    when = rows["month"].dt.start_time
    left = pd.DataFrame({"gwcode": rows["gwcode"].to_numpy(), "when": when.to_numpy(),
                         "_order": np.arange(len(rows))}).sort_values("when")
    right = history.regimes.sort_values("start").rename(columns={"start": "when"})
    right["when"] = right["when"].astype(left["when"].dtype)
    merged = pd.merge_asof(left, right[["when", "gwcode", "end", "group"]], on="when", by="gwcode")
    # A spell that runs to the end of REIGN is censored, not over: it stays in force after.
    censored = merged["end"] == history.regimes["end"].max()
    merged.loc[(merged["end"] < merged["when"]) & ~censored, "group"] = None
    return merged.sort_values("_order")["group"].fillna("unknown").reset_index(drop=True)


#: Election types that can remove a government (legislative, executive).
ELECTION_TYPES = ("L", "X")
#: Assumed months between scheduled elections before a country has two of them on record.
DEFAULT_CYCLE = 48
#: Cap on months to the next scheduled election (and the value when none is on record).
ELECTION_CAP = 60


def _projected_election_months(election_months: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Months from each of ``months`` to the next scheduled election, projected from elections
    strictly before it: the last one plus whole multiples of the country's median gap between
    scheduled elections so far (gaps under a year, e.g. run-offs, ignored). Uses no date on or
    after the month, so it is as known then as a constitutional calendar."""
    dates = np.unique(election_months)
    gaps = np.diff(dates)
    cycles = np.array([np.median(g[g >= 12]) if (g := gaps[:max(i - 1, 0)]).size and (g >= 12).any() else DEFAULT_CYCLE
                       for i in range(len(dates) + 1)], dtype=float)
    idx = np.searchsorted(dates, months, side="left")
    out = np.full(len(months), float(ELECTION_CAP))
    seen = idx > 0
    last = dates[np.maximum(idx - 1, 0)]
    cycle = cycles[idx]
    steps = np.ceil((months - last) / cycle)
    out[seen] = np.minimum(last[seen] + steps[seen] * cycle[seen] - months[seen], ELECTION_CAP)
    return out


def _elections(rows: pd.DataFrame, months: np.ndarray, history: History) -> np.ndarray:
    """Months to the next scheduled legislative or executive election (the sooner of the two)."""
    table = history.elections
    table = table[table["regular"] & table["type"].isin(ELECTION_TYPES)]
    gw = rows["gwcode"].to_numpy()
    out = np.full(len(rows), float(ELECTION_CAP))
    for (code, _), group in table.groupby(["gwcode", "type"]):
        mask = gw == code
        if mask.any():
            out[mask] = np.minimum(out[mask], _projected_election_months(month_number(group["date"].dt.to_period("M")),
                                                                         months[mask]))
    return out


def _coups(rows: pd.DataFrame, history: History) -> dict[str, np.ndarray]:
    """Coup attempts by year, lagged a year: in the country last year, years with one in the
    last five, log years since the last one (since 1950 when none), and the other countries of
    the region with one last year."""
    table = history.coup_year_table()
    years = rows["month"].dt.year.to_numpy()
    gw = rows["gwcode"].to_numpy()
    by_country = {int(c): np.sort(g["year"].to_numpy()) for c, g in table.groupby("gwcode")}
    last_year, five, since = np.zeros(len(rows)), np.zeros(len(rows)), years - 1949.0
    for code, coup_years in by_country.items():
        mask = gw == code
        if not mask.any():
            continue
        y = years[mask]
        before = np.searchsorted(coup_years, y, side="left")
        last_year[mask] = before - np.searchsorted(coup_years, y - 1, side="left")
        five[mask] = before - np.searchsorted(coup_years, y - 5, side="left")
        latest = np.where(before > 0, coup_years[np.maximum(before - 1, 0)], 1949)
        since[mask] = y - latest
    region_of_row = np.array([region_of(int(c)) for c in gw])
    table_region = np.array([region_of(int(c)) for c in table["gwcode"]])
    region_count = np.zeros(len(rows))
    for region in np.unique(region_of_row):
        in_region = np.sort(table["year"].to_numpy()[table_region == region])
        mask = region_of_row == region
        y = years[mask]
        region_count[mask] = (np.searchsorted(in_region, y - 1, side="right")
                              - np.searchsorted(in_region, y - 1, side="left"))
    return {"coup_last_year": last_year, "coup_years_5y": five,
            "log_years_since_coup": np.log1p(np.clip(since, 0, 75)),
            "region_coup_countries_last_year": region_count - last_year}


def _military_leader(gw: np.ndarray, months: np.ndarray, history: History) -> np.ndarray:
    """Per row, 1.0 when the REIGN leader in office at the start of the month had a military
    career, 0.0 when not, NaN when REIGN has nobody then (before 1950, after March 2021: a spell
    still open when REIGN ends says nothing about who ruled later)."""
    careers = history.military_careers
    reign_end = np.nanmax(careers[["start", "end"]].to_numpy(float)) if len(careers) else np.inf
    out = np.full(len(months), np.nan)
    for code, spells in careers.groupby("gwcode"):
        mask = np.flatnonzero(gw == code)
        if not len(mask):
            continue
        i = np.searchsorted(spells["start"].to_numpy(), months[mask], side="right") - 1
        j = np.maximum(i, 0)
        end = spells["end"].to_numpy()[j]
        in_office = (i >= 0) & ~(months[mask] > end) & ~(np.isnan(end) & (months[mask] > reign_end))
        out[mask] = np.where(in_office, spells["military"].to_numpy()[j], np.nan)
    return out


def add_covariates(rows: pd.DataFrame, history: History) -> pd.DataFrame:
    """Covariates ``FEATURES`` for rows with ``gwcode``, ``month`` (Period[M]), ``startdate``,
    ``yrborn``, ``entry`` (Archigos wording: Regular/Irregular/Foreign Imposition) and
    ``prev_times``, and optionally ``military_career`` (1/0/NaN; else REIGN's leader of the
    month). Counts of irregular exits need Archigos; months whose 12-month window passes
    its end get NaN contagion (the models impute the training mean) rather than a false zero."""
    rows = rows.reset_index(drop=True)
    months = month_number(rows["month"])
    out = pd.DataFrame(index=rows.index)
    tenure = months - month_number(rows["startdate"].dt.to_period("M"))
    out["log_tenure"] = np.log1p(np.clip(tenure, 0, None))
    out["age"] = rows["month"].dt.year.to_numpy() - rows["yrborn"].to_numpy(dtype=float)
    entry = rows["entry"].astype(str).str.lower()
    out["entry_irregular"] = entry.str.startswith("irregular").astype(float)
    out["entry_foreign"] = entry.str.startswith("foreign").astype(float)
    out["prev_times"] = rows["prev_times"].astype(float)
    events = history.irregular_exit_months()
    ev_by_country = {int(c): month_number(g["month"]) for c, g in events.groupby("gwcode")}
    gw = rows["gwcode"].to_numpy()
    out["country_irregular_10y"] = _counts_by_group(gw, months, ev_by_country, 120)
    out["country_irregular_since_1946"] = _counts_by_group(gw, months, ev_by_country, months.max() - 1946 * 12 + 1)
    for name, values in _contagion(rows, months, events, history).items():
        out[name] = values
    known_end = month_number(pd.Series([history.events_known_through()]))[0]
    out.loc[months - 1 > known_end, list(CONTAGION)] = np.nan
    conflict_end = max(max(s.index) for s in history.conflict_years.values())
    out["conflict"] = [history.conflict(int(c), int(y)) if y - 1 <= conflict_end else np.nan
                       for c, y in zip(gw, rows["month"].dt.year, strict=True)]
    regime = _regimes(rows, history)
    for group in (*REGIME_GROUPS, "unknown"):
        out[f"regime_{group}"] = (regime == group).astype(float).to_numpy()
    nmc = _lagged_annual(rows, history.annual["nmc"], ["cinc", "tpop"])
    out["log_tpop"] = np.log1p(nmc["tpop"].to_numpy())
    out["cinc"] = nmc["cinc"].to_numpy()
    frac = _lagged_annual(rows, history.annual["creg"], ["ethfrac", "relfrac"])
    out["ethfrac"], out["relfrac"] = frac["ethfrac"].to_numpy(), frac["relfrac"].to_numpy()
    out["efindex"] = _lagged_annual(rows, history.annual["hief"], ["efindex"])["efindex"].to_numpy()
    for name, values in _coups(rows, history).items():
        out[name] = values
    ewp = _lagged_annual(rows, history.annual["ewp"], list(EWP_FEATURES))
    for name in EWP_FEATURES:
        out[name] = ewp[name].to_numpy()
    out["months_to_scheduled_election"] = _elections(rows, months, history)
    out["scheduled_election_12m"] = (out["months_to_scheduled_election"] < 12).astype(float)
    last_event = _last_event_before(gw, months, ev_by_country)
    out["log_months_since_irregular"] = np.log1p(months - np.where(np.isnan(last_event), 1946 * 12, last_event))
    out["military_leader"] = (rows["military_career"].to_numpy(dtype=float) if "military_career" in rows
                              else _military_leader(gw, months, history))
    return out[list(FEATURES)]


def _last_event_before(groups: np.ndarray, months: np.ndarray, events: dict[int, np.ndarray]) -> np.ndarray:
    """Per row, the month number of its group's latest event before its month (NaN if none)."""
    out = np.full(len(months), np.nan)
    for key, event_months in events.items():
        mask = groups == key
        if mask.any():
            ordered = np.sort(event_months)
            idx = np.searchsorted(ordered, months[mask], side="left")
            out[mask] = np.where(idx > 0, ordered[np.maximum(idx - 1, 0)], np.nan)
    return out


def _irregular_exit_months(spells: pd.DataFrame) -> dict[int, np.ndarray]:
    """Country -> sorted month numbers of its leaders' irregular exits, every spell included
    (also one too short to be in office on the first day of any month)."""
    fallen = spells[spells["exit"].isin(IRREGULAR_EXITS)]
    months = month_number((fallen["enddate"] - pd.Timedelta(days=1)).dt.to_period("M"))
    return {int(c): np.sort(months[(fallen["ccode"] == c).to_numpy()]) for c in fallen["ccode"].unique()}


def _events_within(groups: np.ndarray, months: np.ndarray, events: dict[int, np.ndarray], h: int) -> np.ndarray:
    """Per row, its group's events in the month itself and the ``h - 1`` after it."""
    out = np.zeros(len(months))
    for key, event_months in events.items():
        mask = groups == key
        if mask.any():
            out[mask] = (np.searchsorted(event_months, months[mask] + h - 1, side="right")
                         - np.searchsorted(event_months, months[mask], side="left"))
    return out


def _spell_months(spells: pd.DataFrame, first: pd.Period, last: pd.Period) -> pd.DataFrame:
    """Expand leader spells to (spell index, month) for months whose first day is in office."""
    start = spells["startdate"].dt.to_period("M")
    # In office on the 1st: a spell that starts after the 1st counts from the next month.
    start = start.where(spells["startdate"].dt.day == 1, start + 1)
    end = (spells["enddate"] - pd.Timedelta(days=1)).dt.to_period("M")
    start_n = np.maximum(month_number(start), month_number(pd.Series([first]))[0])
    end_n = np.minimum(month_number(end), month_number(pd.Series([last]))[0])
    lengths = np.clip(end_n - start_n + 1, 0, None)
    spell_index = np.repeat(spells.index.to_numpy(), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    month_n = np.repeat(start_n, lengths) + offsets
    months = pd.PeriodIndex.from_fields(year=month_n // 12, month=month_n % 12 + 1, freq="M")
    return pd.DataFrame({"spell": spell_index, "month": months})


def build_panel(history: History, *, start: str | pd.Period = FIRST_MONTH, end: str | pd.Period | None = None,
                gwcodes: list[int] | None = None,
                progress: Callable[[int, int | None], None] | None = None) -> pd.DataFrame:
    """The leader-month panel from ``start`` to ``end`` (default: the last Archigos month).

    Columns: ``gwcode``, ``country_iso3``, ``month`` (Period[M]), ``leader``, ``obsid``, the
    ``FEATURES``, ``exit_{h}``/``irregular_{h}`` for h in ``HORIZONS``, ``exit_mode``, ``fate``
    and ``last_month`` (True on a spell's final row). ``gwcodes`` restricts the countries (tests).
    """
    spells = history.spells
    data_last = spells["enddate"].max().to_period("M")
    first, last = pd.Period(start, "M"), pd.Period(end, "M") if end is not None else data_last
    if first > data_last or last < FIRST_MONTH or first > last:
        raise DataFileError("archigos", f"months {first}..{last} are outside the data "
                                        f"({FIRST_MONTH}..{data_last})")
    if gwcodes is not None:
        spells = spells[spells["ccode"].isin(gwcodes)]
    spells = spells.reset_index(drop=True)
    if progress:
        progress(1, 4)
    expanded = _spell_months(spells, first, last)
    s = spells.loc[expanded["spell"]].reset_index(drop=True)
    rows = pd.DataFrame({
        "gwcode": s["ccode"].to_numpy(), "month": expanded["month"].to_numpy(),
        "leader": s["leader"].to_numpy(), "obsid": s["obsid"].to_numpy(),
        "startdate": s["startdate"].to_numpy(), "yrborn": s["yrborn"].where(s["yrborn"] > 0).to_numpy(),
        "entry": s["entry"].to_numpy(), "prev_times": s["prevtimesinoffice"].to_numpy(),
    })
    rows["month"] = pd.PeriodIndex(rows["month"], freq="M")
    if progress:
        progress(2, 4)
    features = add_covariates(rows, history)
    if progress:
        progress(3, 4)
    panel = pd.concat([rows[["gwcode", "month", "leader", "obsid"]], features], axis=1)
    panel.insert(1, "country_iso3", [history.iso3.get(int(c), str(c)) for c in panel["gwcode"]])
    in_office = s["exit"].eq("Still in Office").to_numpy()
    exit_n = month_number((s["enddate"] - pd.Timedelta(days=1)).dt.to_period("M"))
    months = month_number(panel["month"])
    ahead = exit_n - months
    data_end = month_number(pd.Series([data_last]))[0]
    falls = _irregular_exit_months(spells)
    gw = panel["gwcode"].to_numpy()
    for h in HORIZONS:
        observed = (months + h - 1 <= data_end) | (~in_office & (ahead < h))
        event = ~in_office & (ahead < h)
        panel[f"exit_{h}"] = np.where(observed, event.astype(float), np.nan)
        fell = _events_within(gw, months, falls, h) > 0
        panel[f"irregular_{h}"] = np.where((months + h - 1 <= data_end) | fell, fell.astype(float), np.nan)
    mode = s["exitcode"].map(exit_modes()).where(~s["exit"].isin(NATURAL_EXITS), "natural_death")
    panel["exit_mode"] = mode.where(~in_office).to_numpy()
    panel["fate"] = s["posttenurefate"].map(fates()).to_numpy()
    panel["last_month"] = ~in_office & (ahead == 0)
    if progress:
        progress(4, 4)
    return panel
