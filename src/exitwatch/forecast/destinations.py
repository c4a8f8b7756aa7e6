"""Where a deposed leader goes: ranking candidate host countries.

The cases are ``data/exiles.csv`` (deposed leaders exiled since 1945, hand-written); the candidate
hosts and their exposure to prosecution are ``data/hosts.csv`` (Rome Statute party since which
year). For an (origin, host, year) pair the features are: an ATOP alliance in force, log distance
between capitals, same region, a former colonial or imperial tie (``data/colonial_ties.csv``),
same regime group, the host's record of hosting deposed leaders
before that year, whether the host is a Rome Statute party (a leader fearing the ICC avoids
those), and the host being a democracy. A logistic regression over stacked candidate rows (the
conditional-logit idea) scores hosts. ``evaluate_loo`` scores it leave-one-out against the
nearest-ally baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from exitwatch.forecast.history import History, region_of

PAIR_FEATURES = ("allied", "log_distance", "same_region", "colonial_tie", "same_regime", "hosting_record",
                 "rome_party", "host_democracy")


@dataclass(frozen=True)
class DestinationCase:
    """One exile: ``leader``, ``origin`` (ISO3), ``year``, ``destination`` (ISO3), ``note``."""

    leader: str
    origin: str
    year: int
    destination: str
    note: str


@lru_cache(maxsize=1)
def exile_cases() -> tuple[DestinationCase, ...]:
    """The hand-written exile table."""
    with resources.files("exitwatch.forecast").joinpath("data/exiles.csv").open() as handle:
        frame = pd.read_csv(handle)
    return tuple(DestinationCase(r.leader, r.country_iso3, int(r.year), r.destination_iso3, r.note)
                 for r in frame.itertuples(index=False))


@lru_cache(maxsize=1)
def host_table() -> pd.DataFrame:
    """Candidate hosts (``iso3`` index) with ``rome_statute_since`` (year or NaN) and ``note``."""
    with resources.files("exitwatch.forecast").joinpath("data/hosts.csv").open() as handle:
        return pd.read_csv(handle).set_index("iso3")


@lru_cache(maxsize=1)
def colonial_ties() -> frozenset[tuple[str, str]]:
    """(state, former colonial or imperial ruler) pairs from ``data/colonial_ties.csv``."""
    with resources.files("exitwatch.forecast").joinpath("data/colonial_ties.csv").open() as handle:
        frame = pd.read_csv(handle, comment="#")
    return frozenset(zip(frame["iso3"], frame["former_ruler"], strict=True))


class PairFeatures:
    """Computes ``PAIR_FEATURES`` for (origin, host, year) from the loaded history."""

    def __init__(self, history: History):
        self.history = history
        self.gw = {}
        for code, iso in sorted(history.iso3.items(), reverse=True):
            self.gw.setdefault(iso, code)
        self.gw.update({"RUS": 365, "DEU": 260, "YEM": 678, "SRB": 340})
        caps = history.capitals.drop_duplicates("gwcode", keep="last").set_index("gwcode")
        self.coords = {int(g): (float(r.lat), float(r.lng)) for g, r in caps.iterrows()}
        atop = history.atop
        any_pact = atop[["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]].sum(axis=1) > 0
        pacts = atop.loc[any_pact, ["ccode1", "ccode2", "year"]]
        self.last_atop_year = int(atop["year"].max())
        self.allied_pairs = {(int(a), int(b), int(y)) for a, b, y in pacts.itertuples(index=False)}
        self._cache: dict[tuple[str, int], pd.DataFrame] = {}

    def allied(self, a: int, b: int, year: int) -> bool:
        year = min(year, self.last_atop_year)
        return (a, b, year) in self.allied_pairs or (b, a, year) in self.allied_pairs

    def distance_km(self, a: int, b: int) -> float:
        if a not in self.coords or b not in self.coords:
            return float("nan")
        (la1, lo1), (la2, lo2) = (np.radians(self.coords[a]), np.radians(self.coords[b]))
        h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
        return float(6371 * 2 * np.arcsin(np.sqrt(h)))

    def regime(self, gwcode: int, year: int) -> str | None:
        when = pd.Timestamp(min(year, int(self.history.regimes["end"].max().year)), 7, 1)
        return self.history.regime_group(gwcode, when)

    def rows(self, origin: str, year: int, cases: tuple[DestinationCase, ...]) -> pd.DataFrame:
        """One row per candidate host (not the origin) with the pair features; ``cases`` are
        the exiles that count towards each host's hosting record (those before ``year``)."""
        rows = self._static_rows(origin, year).copy()
        record = pd.Series([c.destination for c in cases if c.year < year], dtype=object).value_counts()
        rows["hosted"] = rows["host"].map(record).fillna(0).astype(int)
        rows["hosting_record"] = np.log1p(rows["hosted"].to_numpy(float))
        return rows

    def _static_rows(self, origin: str, year: int) -> pd.DataFrame:
        """The features that do not depend on the exile cases, cached per (origin, year)."""
        key = (origin, year)
        if key not in self._cache:
            self._cache[key] = self._compute_static(origin, year)
        return self._cache[key]

    def _compute_static(self, origin: str, year: int) -> pd.DataFrame:
        hosts = [h for h in host_table().index if h != origin and h in self.gw]
        o = self.gw.get(origin)
        origin_regime = self.regime(o, year) if o else None
        since = host_table()["rome_statute_since"]
        ties = colonial_ties()
        out = []
        for host in hosts:
            g = self.gw[host]
            host_regime = self.regime(g, year)
            dist = self.distance_km(o, g) if o else float("nan")
            out.append({
                "host": host, "allied": float(bool(o) and self.allied(o, g, year)),
                "log_distance": np.log1p(8000.0) if np.isnan(dist) else np.log1p(dist),
                "distance_km": dist,
                "same_region": float(bool(o) and region_of(o) == region_of(g)),
                "colonial_tie": float((origin, host) in ties or (host, origin) in ties),
                "same_regime": float(origin_regime is not None and origin_regime == host_regime),
                "host_regime": host_regime,
                "rome_party": float(pd.notna(since.get(host)) and year >= since.get(host)),
                "host_democracy": float(host_regime == "democracy"),
            })
        return pd.DataFrame(out)


class DestinationRanker:
    """Logistic regression over stacked candidate rows. ``fit(cases, features)`` then
    ``rank(origin, year)`` -> DataFrame of hosts with ``score`` (softmax over candidates)."""

    def __init__(self, C: float = 1.0):
        self.C = C

    def fit(self, cases: tuple[DestinationCase, ...], features: PairFeatures) -> DestinationRanker:
        from sklearn.linear_model import LogisticRegression

        frames = []
        for case in cases:
            others = tuple(c for c in cases if c is not case)
            rows = features.rows(case.origin, case.year, others)
            rows["chosen"] = (rows["host"] == case.destination).astype(int)
            frames.append(rows)
        data = pd.concat(frames, ignore_index=True)
        self.model_ = LogisticRegression(C=self.C, max_iter=2000).fit(
            data[list(PAIR_FEATURES)].to_numpy(float), data["chosen"].to_numpy())
        self.features_, self.cases_ = features, cases
        return self

    def rank(self, origin: str, year: int) -> pd.DataFrame:
        rows = self.features_.rows(origin, year, self.cases_)
        logit = self.model_.decision_function(rows[list(PAIR_FEATURES)].to_numpy(float))
        weights = np.exp(logit - logit.max())
        rows["score"] = weights / weights.sum()
        return rows.sort_values("score", ascending=False).reset_index(drop=True)


def nearest_ally(features: PairFeatures, origin: str, year: int, cases) -> list[str]:
    """Baseline ranking: allied hosts nearest first, then the others nearest first."""
    rows = features.rows(origin, year, cases)
    rows["key"] = list(zip(-rows["allied"], rows["log_distance"], strict=True))
    return rows.sort_values("key")["host"].tolist()


def evaluate_loo(features: PairFeatures, *, held_out: tuple[DestinationCase, ...] | None = None,
                 C: float = 1.0) -> dict[str, float]:
    """Leave-one-out top-1/top-3 accuracy of the ranker and of the nearest-ally baseline: each
    case of ``held_out`` (default: every exile case) is ranked by a ranker fitted on all the
    other cases of the table, and its hosting records leave it out too."""
    cases = exile_cases()
    hits = {"model_top1": 0, "model_top3": 0, "ally_top1": 0, "ally_top3": 0}
    n = 0
    for case in cases if held_out is None else held_out:
        if case.destination not in features.gw or case.origin not in features.gw:
            continue
        others = tuple(c for c in cases if c != case)
        ranked = DestinationRanker(C=C).fit(others, features).rank(case.origin, case.year)["host"].tolist()
        baseline = nearest_ally(features, case.origin, case.year, others)
        n += 1
        hits["model_top1"] += ranked[:1] == [case.destination]
        hits["model_top3"] += case.destination in ranked[:3]
        hits["ally_top1"] += baseline[:1] == [case.destination]
        hits["ally_top3"] += case.destination in baseline[:3]
    return {"cases": n, **{k: round(v / n, 3) for k, v in hits.items()}}


def reasons(row: pd.Series, origin: str, year: int) -> tuple[str, ...]:
    """Plain-language reasons for a candidate host from its feature row."""
    out = []
    if row["allied"]:
        out.append(f"alliance or pact with {origin} in ATOP (latest year used)")
    if row["colonial_tie"]:
        out.append("former colonial or imperial tie")
    if row["hosted"]:
        out.append(f"has hosted {row['hosted']} deposed leader(s) since 1945 in the exile table")
    out.append("Rome Statute party: could be asked to surrender him to the ICC" if row["rome_party"]
               else "not a Rome Statute party: no ICC surrender obligation")
    if row["same_regime"]:
        out.append(f"same regime type ({row['host_regime']})")
    if not np.isnan(row["distance_km"]):
        out.append(f"capital {row['distance_km']:,.0f} km away" + (" (same region)" if row["same_region"] else ""))
    return tuple(out)
