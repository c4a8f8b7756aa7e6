"""The historical context a leader-month is judged in: every table loaded once, with lookups.

:class:`History` holds the Archigos spells, REIGN regimes, UCDP conflicts, COW capabilities,
fractionalisation and the neighbour list, and answers "what did we know about country c before
month m" (``covariates``). Every lookup uses only information dated before the month (annual
tables lagged by one year), so the same code builds the training panel and today's covariates
without peeking ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from exitwatch.forecast import importers
from exitwatch.kb.countries import gw_of_cow

#: Exits counted as irregular (PITF's "irregular leadership change" includes foreign removal).
IRREGULAR_EXITS = ("Irregular", "Foreign")
#: Archigos exits that become the exit mode "natural_death" (whatever the exit code says).
NATURAL_EXITS = ("Natural Death", "Retired Due to Ill Health")
#: Kilometres between borders under which two states count as neighbours.
NEIGHBOUR_KM = 400.0
#: Regime groups, in the order of the one-hot columns.
REGIME_GROUPS = ("democracy", "personal", "military", "party", "monarchy", "provisional")


def region_of(gwcode: int) -> str:
    """Coarse world region from the Gleditsch-Ward number ranges."""
    if gwcode < 200:
        return "americas"
    if gwcode < 400:
        return "europe"
    if gwcode < 630:
        return "africa"
    if gwcode < 700:
        return "middle_east"
    return "asia_pacific"


def _csv_map(name: str, key: str, value: str) -> dict[str, str]:
    """A two-column mapping from a data file of this package."""
    with resources.files("exitwatch.forecast").joinpath(f"data/{name}").open() as handle:
        frame = pd.read_csv(handle)
    return dict(zip(frame[key].str.strip(), frame[value].str.strip(), strict=True))


def exit_modes() -> dict[str, str]:
    """Archigos ``exitcode`` -> exitwatch exit mode (``data/exit_modes.csv``)."""
    return _csv_map("exit_modes.csv", "exitcode", "mode")


def fates() -> dict[str, str]:
    """Archigos ``posttenurefate`` -> fate (``data/fates.csv``); other values are missing."""
    return _csv_map("fates.csv", "posttenurefate", "fate")


@lru_cache(maxsize=1)
def recent_irregular_exits() -> pd.DataFrame:
    """Our table of irregular exits after Archigos ends: ``gwcode``, ``country_iso3``, ``month``
    (Period), ``leader``, ``mode``, ``as_of`` (ISO date string), ``note``."""
    with resources.files("exitwatch.forecast").joinpath("data/recent_irregular_exits.csv").open() as handle:
        frame = pd.read_csv(handle, comment="#")
    frame["month"] = pd.PeriodIndex(frame["month"], freq="M")
    return frame


def regime_groups() -> dict[str, str]:
    """Geddes-Wright-Frantz regime type -> coarse group (``data/regime_groups.csv``)."""
    return _csv_map("regime_groups.csv", "gwf_regimetype", "group")


def _annual(frame: pd.DataFrame, key: str, columns: list[str]) -> dict[int, pd.DataFrame]:
    """Per-country annual series indexed by year (for lagged, carried-forward lookups)."""
    return {int(c): g.set_index("year")[columns].sort_index() for c, g in frame.groupby(key)}


@dataclass
class History:
    """Loaded history tables; build with :meth:`load`."""

    spells: pd.DataFrame
    regimes: pd.DataFrame
    conflict_years: dict[int, pd.Series]
    annual: dict[str, dict[int, pd.DataFrame]]
    neighbours: dict[int, set[int]]
    iso3: dict[int, str]
    names: dict[int, str]
    capitals: pd.DataFrame
    atop: pd.DataFrame
    vintage: dict[str, str] = field(default_factory=dict)
    coup_years: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"gwcode": [], "year": []}))
    elections: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"gwcode": [], "date": [], "type": [],
                                                                          "regular": []}))
    recent_exits: pd.DataFrame = field(default_factory=lambda: recent_irregular_exits())
    #: REIGN leaders: ``gwcode``, ``start`` and ``end`` (month numbers, end NaN when open),
    #: ``military`` (1.0 when the leader had a military career, REIGN's ``militarycareer``).
    military_careers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"gwcode": [], "start": [], "end": [], "military": []}))

    @classmethod
    def load(cls, data_dir: str | Path, *, archigos_path: str | Path | None = None) -> History:
        """Load every table from ``data_dir`` (the layout of ``../shared/data``)."""
        data_dir = Path(data_dir)
        ps = data_dir / "peacesciencer"
        spells = importers.load_archigos(archigos_path or data_dir / "archigos" / "archigos_4.1.csv")
        regimes = importers.load_reign_regimes(data_dir / "reign" / "regime_list.csv")
        groups = regime_groups()
        regimes["group"] = regimes["regime_type"].map(groups).fillna("provisional")
        acd = importers.load_peacesciencer("ucdp_acd", ps)
        acd = acd.dropna(subset=["gwno_a"])
        conflict_years = {
            int(c): g.groupby("year")["intensity_level"].max()
            for c, g in acd.groupby(acd["gwno_a"].astype(int))
        }
        nmc = importers.load_peacesciencer("cow_nmc", ps).dropna(subset=["ccode", "year"])
        nmc["gwcode"] = nmc["ccode"].astype(int).map(lambda c: gw_of_cow(c))
        nmc["year"] = nmc["year"].astype(int)
        creg = importers.load_peacesciencer("creg", ps).dropna(subset=["gwcode", "year"])
        creg[["gwcode", "year"]] = creg[["gwcode", "year"]].astype(int)
        hief = importers.load_peacesciencer("hief", ps).dropna(subset=["gwcode", "year"])
        hief[["gwcode", "year"]] = hief[["gwcode", "year"]].astype(int)
        ewp = importers.load_ewp(data_dir / "ewp" / "prepared2024predictors.csv")
        coup_years = importers.load_coup_years(data_dir / "coups" / "coup_attempts_country_year_1950_2024.csv")
        elections = importers.load_reign_elections(data_dir / "reign" / "electionlist_3_21.csv")
        reign_leaders = importers.load_reign_leaders(data_dir / "reign" / "leaderlist_3_21.csv")
        annual = {
            "ewp": _annual(ewp, "gwcode", [c for c in ewp.columns if c not in ("gwcode", "year")]),
            "nmc": _annual(nmc, "gwcode", ["cinc", "tpop", "milper"]),
            "creg": _annual(creg, "gwcode", ["ethfrac", "relfrac"]),
            "hief": _annual(hief, "gwcode", ["efindex"]),
        }
        dist = importers.load_peacesciencer("mindist", ps)
        close = dist[dist["mindist"] <= NEIGHBOUR_KM]
        neighbours: dict[int, set[int]] = {}
        for a, b in close[["gwcode1", "gwcode2"]].itertuples(index=False):
            if a != b:
                neighbours.setdefault(int(a), set()).add(int(b))
                neighbours.setdefault(int(b), set()).add(int(a))
        states = importers.load_peacesciencer("gw_states", ps)
        capitals = importers.load_peacesciencer("gw_capitals", ps)
        atop = importers.load_peacesciencer("atop", ps)
        vintage = {
            "archigos": spells["enddate"].max().date().isoformat(),
            "reign_regimes": regimes["end"].max().date().isoformat(),
            "ucdp_acd": str(int(acd["year"].max())),
            "cow_nmc": str(int(nmc["year"].max())),
            "creg": str(int(creg["year"].max())),
            "hief": str(int(hief["year"].max())),
            "atop": str(int(atop["year"].max())),
            "coups": str(int(coup_years["year"].max())),
            "ewp": str(int(ewp["year"].max())),
            "reign_elections": "2021-03",
            "recent_irregular_exits": recent_irregular_exits()["as_of"].max(),
        }
        return cls(
            spells=spells, regimes=regimes, conflict_years=conflict_years, annual=annual,
            neighbours=neighbours, iso3=importers.gw_to_iso3(states),
            names={int(g): str(n) for g, n in states[["gwcode", "statename"]].itertuples(index=False)},
            capitals=capitals, atop=atop, vintage=vintage, coup_years=coup_years, elections=elections,
            military_careers=military_careers(reign_leaders),
        )

    # -- lookups --------------------------------------------------------------------------------

    def regime_group(self, gwcode: int, when: pd.Timestamp) -> str | None:
        """Regime group in force on ``when`` (None when REIGN has no spell then)."""
        rows = self.regimes[(self.regimes["gwcode"] == gwcode) & (self.regimes["start"] <= when)
                            & (self.regimes["end"] >= when)]
        return None if rows.empty else str(rows["group"].iloc[-1])

    def annual_value(self, table: str, gwcode: int, year: int, column: str) -> float:
        """Value for ``year - 1`` or the latest earlier year (carried forward); NaN if none."""
        series = self.annual[table].get(gwcode)
        if series is None:
            return float("nan")
        known = series.loc[series.index <= year - 1, column].dropna()
        return float(known.iloc[-1]) if len(known) else float("nan")

    def conflict(self, gwcode: int, year: int) -> float:
        """Highest UCDP intensity (0 none, 1 minor, 2 war) in the country in the previous year."""
        series = self.conflict_years.get(gwcode)
        if series is None or (year - 1) not in series.index:
            return 0.0
        return float(series.loc[year - 1])

    def irregular_exit_months(self) -> pd.DataFrame:
        """One row per irregular exit: ``gwcode``, ``month`` (Period) it happened in; Archigos,
        then our table of later exits (``data/recent_irregular_exits.csv``)."""
        spells = self.spells[self.spells["exit"].isin(IRREGULAR_EXITS)]
        archigos = pd.DataFrame({
            "gwcode": spells["ccode"].to_numpy(),
            "month": (spells["enddate"] - pd.Timedelta(days=1)).dt.to_period("M").to_numpy(),
        })
        later = self.recent_exits[self.recent_exits["month"] > self.spells["enddate"].max().to_period("M")]
        return pd.concat([archigos, later[["gwcode", "month"]]], ignore_index=True)

    def coup_year_table(self) -> pd.DataFrame:
        """Country-years with a coup attempt: Powell-Thyne through its last year, then the
        successful coups (exit mode ``military``) of our table of later irregular exits."""
        last = int(self.coup_years["year"].max()) if len(self.coup_years) else 0
        later = self.recent_exits[(self.recent_exits["mode"] == "military")
                                  & (self.recent_exits["month"].dt.year > last)]
        extra = pd.DataFrame({"gwcode": later["gwcode"].astype(int).to_numpy(),
                              "year": later["month"].dt.year.to_numpy()})
        return pd.concat([self.coup_years, extra], ignore_index=True).drop_duplicates()

    def events_known_through(self) -> pd.Period:
        """Last month whose irregular exits are all recorded (the later of Archigos' end and
        the as-of date of our table of later exits)."""
        archigos_end = self.spells["enddate"].max().to_period("M")
        if self.recent_exits.empty:
            return archigos_end
        return max(archigos_end, pd.Period(self.recent_exits["as_of"].max(), "M") - 1)


def military_careers(reign_leaders: pd.DataFrame) -> pd.DataFrame:
    """REIGN's leader list as spells in month numbers with the leader's military career."""
    frame = reign_leaders.dropna(subset=["ccode", "syear", "smonth"])
    return pd.DataFrame({
        "gwcode": frame["ccode"].astype(int).map(gw_of_cow).to_numpy(),
        "start": (frame["syear"].astype(int) * 12 + frame["smonth"].astype(int) - 1).to_numpy(),
        "end": (pd.to_numeric(frame["eyear"], errors="coerce") * 12
                + pd.to_numeric(frame["emonth"], errors="coerce") - 1).to_numpy(),
        # REIGN writes -99 for unknown.
        "military": pd.to_numeric(frame["militarycareer"], errors="coerce").where(lambda v: v >= 0).to_numpy(),
    }).sort_values(["gwcode", "start"]).reset_index(drop=True)


def count_events_before(event_months: np.ndarray, months: np.ndarray, window: int) -> np.ndarray:
    """For each month ``m`` (as integer month numbers), how many events fell in [m-window, m-1]."""
    events = np.sort(event_months)
    return np.searchsorted(events, months, side="left") - np.searchsorted(events, months - window, side="left")
