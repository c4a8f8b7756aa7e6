"""Where a deposed leader goes: ranking candidate host countries.

The cases are ``data/exiles.csv`` (deposed leaders exiled since 1945, hand-written); the candidate
hosts and their exposure to prosecution are ``data/hosts.csv`` (Rome Statute party since which
year). For an (origin, host, year) pair the features are: an ATOP alliance in force, log distance
between capitals, the host's place in the nearest-ally order (allies nearest first, then the
rest), same region, a former colonial or imperial tie (``data/colonial_ties.csv``), same regime
group, whether the host is a Rome Statute party (a leader fearing the ICC avoids those), the host
being a democracy, and the host's record of taking deposed leaders *before that year*: all of
them, time-decayed, and those from the origin's region. A conditional logit (a softmax over each
exile's candidate hosts, L2-penalised) scores hosts. ``evaluate_loo`` scores it leave-one-out
against the nearest-ally baseline.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from exitwatch.forecast.history import History, region_of

#: Pair features that do not depend on the exile cases.
STATIC_FEATURES = ("allied", "log_distance", "ally_rank", "same_region", "colonial_tie", "same_regime",
                   "rome_party", "host_democracy")
#: Hosting-record features, counted only over the cases before the exile's year.
RECORD_FEATURES = ("hosting_record", "recent_record", "region_record")
PAIR_FEATURES = STATIC_FEATURES + RECORD_FEATURES
#: Half-life in years of an exile's weight in ``recent_record``.
RECORD_HALF_LIFE = 15.0


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
        # ISO3 codes the Gleditsch-Ward list spells otherwise (CDI) or lacks (Grenada)
        self.gw.update({"RUS": 365, "DEU": 260, "YEM": 678, "SRB": 340, "CIV": 437, "GRD": 55})
        caps = history.capitals.drop_duplicates("gwcode", keep="last").set_index("gwcode")
        self.coords = {int(g): (float(r.lat), float(r.lng)) for g, r in caps.iterrows()}
        atop = history.atop
        any_pact = atop[["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]].sum(axis=1) > 0
        pacts = atop.loc[any_pact, ["ccode1", "ccode2", "year"]]
        self.last_atop_year = int(atop["year"].max())
        self.allied_pairs = {(int(a), int(b), int(y)) for a, b, y in pacts.itertuples(index=False)}
        self._cache: dict[tuple[str, int], pd.DataFrame] = {}
        self._matrices: dict[tuple[str, int], tuple[list[str], np.ndarray]] = {}

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

    def region(self, iso3: str) -> str | None:
        return region_of(self.gw[iso3]) if iso3 in self.gw else None

    def rows(self, origin: str, year: int, cases: tuple[DestinationCase, ...]) -> pd.DataFrame:
        """One row per candidate host (not the origin) with the pair features; ``cases`` are
        the exiles that count towards each host's hosting record (those before ``year``)."""
        rows = self._static_rows(origin, year).copy()
        hosted, record = self.record(rows["host"].tolist(), origin, year, cases)
        rows["hosted"] = hosted
        rows[list(RECORD_FEATURES)] = record
        return rows

    def matrix(self, origin: str, year: int, cases: tuple[DestinationCase, ...]) -> tuple[list[str], np.ndarray]:
        """The candidate hosts and their ``PAIR_FEATURES`` matrix (what ``rows`` holds, faster)."""
        key = (origin, year)
        if key not in self._matrices:
            static = self._static_rows(origin, year)
            self._matrices[key] = (static["host"].tolist(), static[list(STATIC_FEATURES)].to_numpy(float))
        hosts, static = self._matrices[key]
        _, record = self.record(hosts, origin, year, cases)
        return hosts, np.hstack([static, record])

    def record(self, hosts: list[str], origin: str, year: int,
               cases: tuple[DestinationCase, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Per host: the count of earlier exiles it took, and the ``RECORD_FEATURES`` columns
        (log count, half-life-decayed count, log count of those from the origin's region)."""
        earlier = [c for c in cases if c.year < year]
        counts = Counter(c.destination for c in earlier)
        region = self.region(origin)
        from_region = Counter(c.destination for c in earlier if region and self.region(c.origin) == region)
        decayed = Counter()
        for c in earlier:
            decayed[c.destination] += 0.5 ** ((year - c.year) / RECORD_HALF_LIFE)
        hosted = np.array([counts[h] for h in hosts], dtype=int)
        record = np.column_stack([np.log1p(hosted), [decayed[h] for h in hosts],
                                  np.log1p([from_region[h] for h in hosts])])
        return hosted, record

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
        frame = pd.DataFrame(out)
        order = np.lexsort((frame["log_distance"].to_numpy(), -frame["allied"].to_numpy()))
        frame.loc[order, "ally_rank"] = np.log1p(np.arange(len(frame)))
        return frame


def conditional_logit_loss(w: np.ndarray, X: np.ndarray, starts: np.ndarray, chosen: np.ndarray,
                  alpha: float) -> tuple[float, np.ndarray]:
    """Negative conditional-logit log likelihood plus ``alpha/2 |w|^2``, and its gradient.
    ``X`` stacks every case's candidate rows; case ``k`` owns rows ``starts[k]:starts[k+1]``
    and chose row ``chosen[k]``."""
    logit = X @ w
    peak = np.maximum.reduceat(logit, starts[:-1])
    sizes = np.diff(starts)
    expo = np.exp(logit - np.repeat(peak, sizes))
    total = np.add.reduceat(expo, starts[:-1])
    prob = expo / np.repeat(total, sizes)
    loss = float(np.sum(peak + np.log(total) - logit[chosen])) + 0.5 * alpha * float(w @ w)
    grad = X.T @ prob - X[chosen].sum(axis=0) + alpha * w
    return loss, grad


class DestinationRanker:
    """Conditional logit over each exile's candidate hosts. ``fit(cases, features)`` then
    ``rank(origin, year)`` -> DataFrame of hosts with ``score`` (softmax over candidates).
    ``C`` is the inverse L2 strength on the standardised features, as in scikit-learn."""

    def __init__(self, C: float = 1.0):
        self.C = C

    def fit(self, cases: tuple[DestinationCase, ...], features: PairFeatures) -> DestinationRanker:
        from scipy.optimize import minimize

        blocks, chosen, starts = [], [], [0]
        for case in cases:
            others = tuple(c for c in cases if c is not case)
            hosts, X = features.matrix(case.origin, case.year, others)
            if case.destination not in hosts:
                continue
            chosen.append(starts[-1] + hosts.index(case.destination))
            starts.append(starts[-1] + len(hosts))
            blocks.append(X)
        X = np.vstack(blocks)
        self.mean_, self.scale_ = X.mean(axis=0), X.std(axis=0) + 1e-9
        X = (X - self.mean_) / self.scale_
        with threadpool_limits(limits=1, user_api="blas"):  # BLAS threads spin on a busy machine
            result = minimize(conditional_logit_loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B",
                              args=(X, np.array(starts), np.array(chosen), 1.0 / self.C))
        self.coef_ = result.x / self.scale_
        self.features_, self.cases_ = features, cases
        return self

    def rank(self, origin: str, year: int) -> pd.DataFrame:
        rows = self.features_.rows(origin, year, self.cases_)
        logit = rows[list(PAIR_FEATURES)].to_numpy(float) @ self.coef_
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
    """Leave-one-out top-1/top-3 accuracy of the ranker, of the nearest-ally baseline and of
    chance (1 or 3 over the number of candidates): each case of ``held_out`` (default: every
    exile case) is ranked by a ranker fitted on all the other cases of the table; no hosting
    record, in training or for the held-out case, counts the held-out case."""
    cases = exile_cases()
    hits = dict.fromkeys(("model_top1", "model_top3", "ally_top1", "ally_top3", "chance_top1", "chance_top3"), 0.0)
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
        hits["chance_top1"] += 1 / len(ranked)
        hits["chance_top3"] += 3 / len(ranked)
    return {"cases": n, **{k: round(v / n, 3) for k, v in hits.items()}}


def evaluate_forward(features: PairFeatures, *, since: int = 2016, C: float = 1.0) -> dict:
    """Out-of-sample top-1/top-3 hits for the exiles of ``since`` and later: each case ranked
    by a ranker fitted only on the cases of earlier years (what a replay a month before the
    fall would have used). Returns ``cases``, ``model_top1``/``model_top3`` (counts), the same
    for the nearest-ally baseline, and ``detail`` (leader, year, host, rank or None)."""
    cases = exile_cases()
    hits = dict.fromkeys(("model_top1", "model_top3", "ally_top1", "ally_top3"), 0)
    detail = []
    for case in cases:
        if case.year < since or case.destination not in features.gw or case.origin not in features.gw:
            continue
        earlier = tuple(c for c in cases if c.year < case.year)
        ranked = DestinationRanker(C=C).fit(earlier, features).rank(case.origin, case.year)["host"].tolist()
        baseline = nearest_ally(features, case.origin, case.year, earlier)
        hits["model_top1"] += ranked[:1] == [case.destination]
        hits["model_top3"] += case.destination in ranked[:3]
        hits["ally_top1"] += baseline[:1] == [case.destination]
        hits["ally_top3"] += case.destination in baseline[:3]
        rank = ranked.index(case.destination) + 1 if case.destination in ranked else None
        detail.append((case.leader, case.year, case.destination, rank))
    return {"cases": len(detail), **hits, "detail": detail}


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
