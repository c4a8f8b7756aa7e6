"""Fit every forecast model from the leader-month panel and save them as one joblib bundle.

``fit_forecast_models(panel, train_end=...)`` uses only rows whose whole outcome window closes on
or before ``train_end`` (so no label from after it is seen) and returns a :class:`ForecastBundle`;
``train()`` is what ``exitwatch train`` runs; ``load_bundle()`` reads the shipped models.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from exitwatch import __version__
from exitwatch.errors import ConfigError, ModelError
from exitwatch.forecast.history import History
from exitwatch.forecast.importers import default_data_dir
from exitwatch.forecast.models import (
    BaseRateClassifier,
    HazardModel,
    OutcomeModel,
    TenureAgeClassifier,
)
from exitwatch.forecast.panel import FEATURES, HORIZONS, TENURE_AGE, build_panel, month_number
from exitwatch.forecast.snapshot import country_context, destination_table
from exitwatch.kb import current_leaders

KINDS = ("exit", "irregular")
EXIT_MODES = ("regular", "natural_death", "protest", "military", "insiders", "rebels", "foreign",
              "assassination")
FATES = ("ok", "exile", "imprisonment", "death")
BUNDLE_NAME = "forecast.joblib"
#: The direction each covariate may move the risk of irregular exit (1 up, -1 down; the trees
#: cannot reverse it; unlisted covariates are free). Fixed from the coup and instability
#: literature (Powell 2012; Goldstone et al. 2010; Beger, Dorff & Ward 2016) before selection:
#: recent coups and irregular exits at home and nearby, armed conflict, state killings and
#: infant mortality raise the risk; democracy, civil liberties and time since the last coup or
#: irregular exit lower it. Monotone trees rank the selection years better (docs/forecast.md).
IRREGULAR_MONOTONE = {
    "entry_irregular": 1, "coup_last_year": 1, "coup_years_5y": 1, "log_years_since_coup": -1,
    "country_irregular_10y": 1, "log_months_since_irregular": -1, "neighbour_irregular_12m": 1,
    "region_irregular_12m": 1, "region_coup_countries_last_year": 1, "conflict": 1,
    "political_killings": 1, "infant_mortality_sqrt": 1, "regime_democracy": -1, "civil_liberties": -1,
}
#: Shipped hazard settings per kind, chosen on training years only (fit to 1989 and to 1999,
#: scored on the ten years after each; benchmarks/compare_forecast_models.py): calibrated
#: monotone trees for irregular exit, the average of calibrated trees and a strongly
#: regularised logit for any exit.
HAZARD_PARAMS = {"irregular": {"learner": "hgb", "monotonic_cst": IRREGULAR_MONOTONE},
                 "exit": {"learner": "blend", "C": 0.01}}
#: Exit-mode model settings, chosen the same way (spells ended before 1980 vs 1980-1994).
EXIT_MODE_PARAMS = {"C": 0.01}
Progress = Callable[[int, int | None], None]


@dataclass
class ForecastBundle:
    """All fitted models: ``hazard[(kind, h)]``, ``baselines[(name, kind, h)]``, ``exit_mode``,
    ``fate`` (fitted on features plus exit-mode one-hot), ``features`` (column order),
    ``trained_through`` (last month whose outcomes were used), ``vintage`` (data dates),
    ``metrics`` (held-out scores of the mode and fate models), and for forecasting today without
    the history files (see ``snapshot``): ``context`` (ISO3 -> country covariates),
    ``context_month`` (the month they describe), ``destinations`` (ISO3 -> ranked hosts) and
    ``version`` (model version string)."""

    hazard: dict
    baselines: dict
    exit_mode: OutcomeModel
    fate: OutcomeModel
    features: tuple[str, ...]
    trained_through: str
    vintage: dict[str, str] = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    context: dict = field(default_factory=dict)
    context_month: str = ""
    destinations: dict = field(default_factory=dict)
    version: str = ""


def _training_rows(panel: pd.DataFrame, column: str, horizon: int, train_end: pd.Period) -> pd.DataFrame:
    """Rows whose ``horizon``-month window ends by ``train_end`` and whose label is known."""
    last_seen = month_number(panel["month"]) + horizon - 1
    limit = month_number(pd.Series([train_end]))[0]
    return panel[(last_seen <= limit) & panel[column].notna()]


def _spell_ends(panel: pd.DataFrame, train_end: pd.Period) -> pd.DataFrame:
    """Final rows of spells that ended by ``train_end``."""
    return panel[panel["last_month"] & (panel["month"] <= train_end)]


def fate_design(rows: pd.DataFrame, modes: np.ndarray | pd.Series, features: tuple[str, ...] = FEATURES) -> np.ndarray:
    """Fate-model inputs: the features plus a one-hot of the exit mode."""
    onehot = np.stack([(np.asarray(modes) == m).astype(float) for m in EXIT_MODES], axis=1)
    return np.hstack([rows[list(features)].to_numpy(float), onehot])


def _score_outcome(rows: pd.DataFrame, X: np.ndarray, label: str, split_year: int,
                   params: dict | None = None) -> dict:
    """Held-out log loss and accuracy of an OutcomeModel against the class prior, splitting
    spells that ended before ``split_year`` (train) from the rest (test)."""
    from sklearn.metrics import accuracy_score, log_loss

    before = (rows["month"].dt.year < split_year).to_numpy()
    y = rows[label].to_numpy()
    if before.sum() < 20 or (~before).sum() < 20:
        return {}
    model = OutcomeModel(**(params or {})).fit(X[before], y[before])
    prior = BaseRateClassifier().fit(X[before], y[before])
    test = ~before & np.isin(y, model.classes_)
    p, q = model.predict_proba(X[test]), prior.predict_proba(X[test])
    return {
        "split_year": split_year, "n_test": int(test.sum()),
        "log_loss": round(log_loss(y[test], p, labels=model.classes_), 4),
        "log_loss_prior": round(log_loss(y[test], q, labels=model.classes_), 4),
        "accuracy": round(accuracy_score(y[test], model.predict(X[test])), 4),
        "accuracy_prior": round(accuracy_score(y[test], prior.predict(X[test])), 4),
    }


def _resolved(params: dict, features: tuple[str, ...]) -> dict:
    """HazardModel settings with a ``monotonic_cst`` given as a dict (covariate -> sign) turned
    into one sign per column of ``features``."""
    constraints = params.get("monotonic_cst")
    if isinstance(constraints, dict):
        params = {**params, "monotonic_cst": tuple(constraints.get(f, 0) for f in features)}
    return params


def fit_forecast_models(panel: pd.DataFrame, *, train_end: str | dt.date | pd.Period,
                        horizons: tuple[int, ...] = HORIZONS, hazard_params: dict | None = None,
                        features: tuple[str, ...] = FEATURES, outcome_params: dict | None = None,
                        vintage: dict | None = None, progress: Progress | None = None) -> ForecastBundle:
    """Fit hazard models (each kind x horizon), baselines, exit-mode and fate models on the
    panel rows known by ``train_end``. ``hazard_params`` overrides HazardModel settings (one
    dict for every kind, or a dict per kind; default ``HAZARD_PARAMS``), ``outcome_params`` the
    exit-mode model's (default ``EXIT_MODE_PARAMS``); ``features`` picks the columns."""
    hazard_params = HAZARD_PARAMS if hazard_params is None else hazard_params
    if not set(hazard_params) <= set(KINDS) or not hazard_params:
        hazard_params = dict.fromkeys(KINDS, hazard_params)
    outcome_params = EXIT_MODE_PARAMS if outcome_params is None else outcome_params
    train_end = pd.Period(train_end, "M")
    steps = len(KINDS) * len(horizons) + 2
    done = 0
    hazard, baselines = {}, {}
    for kind in KINDS:
        for h in horizons:
            rows = _training_rows(panel, f"{kind}_{h}", h, train_end)
            if rows.empty:
                raise ModelError(f"no training rows up to {train_end}: choose a later train end")
            X, y = rows[list(features)].to_numpy(float), rows[f"{kind}_{h}"].to_numpy(int)
            hazard[(kind, h)] = HazardModel(**_resolved(hazard_params.get(kind, {}), features)).fit(X, y)
            baselines[("base_rate", kind, h)] = BaseRateClassifier().fit(X, y)
            baselines[("tenure_age", kind, h)] = TenureAgeClassifier(
                columns=tuple(features.index(c) for c in TENURE_AGE)).fit(X, y)
            done += 1
            if progress:
                progress(done, steps)
    ends = _spell_ends(panel, train_end)
    with_mode = ends[ends["exit_mode"].notna()]
    X_mode = with_mode[list(features)].to_numpy(float)
    exit_mode = OutcomeModel(**outcome_params).fit(X_mode, with_mode["exit_mode"].to_numpy())
    with_fate = with_mode[with_mode["fate"].notna()]
    X_fate = fate_design(with_fate, with_fate["exit_mode"], features)
    fate = OutcomeModel().fit(X_fate, with_fate["fate"].to_numpy())
    metrics = {
        "exit_mode": _score_outcome(with_mode, X_mode, "exit_mode", 1995, outcome_params),
        "fate": _score_outcome(with_fate, X_fate, "fate", 1995),
    }
    if progress:
        progress(steps, steps)
    return ForecastBundle(hazard=hazard, baselines=baselines, exit_mode=exit_mode, fate=fate,
                          features=tuple(features), trained_through=str(train_end), vintage=dict(vintage or {}),
                          metrics=metrics)


def default_model_dir() -> Path:
    """The package folder the shipped models live in."""
    return Path(str(resources.files("exitwatch.forecast").joinpath("models")))


def user_model_path() -> Path:
    """Where ``exitwatch train`` writes by default and ``load_bundle`` looks first:
    ``$XDG_DATA_HOME/exitwatch/forecast.joblib`` (``~/.local/share/...``), so retraining never
    overwrites the shipped model, even in an editable install."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "exitwatch" / BUNDLE_NAME


@dataclass(frozen=True)
class TrainReport:
    """What ``train()`` did: ``path`` written, ``rows`` in the panel, ``trained_through``,
    ``size_bytes`` of the bundle, ``metrics`` (exit-mode and fate held-out scores)."""

    path: str
    rows: int
    trained_through: str
    size_bytes: int
    metrics: dict


def train(*, data_dir: str | Path | None = None, out: str | Path | None = None,
          train_end: str | None = None, context_month: str | None = None, context_only: bool = False,
          progress: Progress | None = None) -> TrainReport:
    """Build the panel from ``data_dir`` (default: the shared data), fit everything on all
    outcomes known by ``train_end`` (default: the end of Archigos), add the country context and
    exile destinations for ``context_month`` (default: this month, or the month after the last
    one whose irregular exits our table records, if earlier), and save the bundle to ``out`` (a
    ``.joblib`` file; default: ``user_model_path()``, never the shipped model). ``context_only``
    keeps the fitted models of the bundle at ``out`` (default: the bundle ``load_bundle()`` uses)
    and recomputes only the context (after editing the current-leaders or recent-exits table)."""
    import joblib

    try:
        end = pd.Period(train_end, "M") if train_end else None
    except ValueError as error:
        raise ConfigError(f"train end {train_end!r} is not a month: write YYYY-MM or YYYY-MM-DD") from error
    path = Path(out) if out else user_model_path()
    if path.suffix != ".joblib":
        raise ModelError(f"model file {path} must end in .joblib")
    history = History.load(data_dir or default_data_dir())
    if context_only:
        bundle, rows = (load_bundle(path) if out else load_bundle()), 0
    else:
        panel = build_panel(history)
        bundle = fit_forecast_models(panel, train_end=end or panel["month"].max(), vintage=history.vintage,
                                     progress=progress)
        rows = len(panel)
    # Contagion counts need every exit of the 12 months before the context month.
    month = min(pd.Period(context_month or dt.date.today(), "M"), history.events_known_through() + 1)
    leaders = current_leaders()
    bundle.context = country_context(history, leaders, month)
    bundle.context_month = str(month)
    bundle.destinations = destination_table(history, leaders, month.year)
    learners = "-".join(f"{kind}:{bundle.hazard[(kind, HORIZONS[0])].learner}" for kind in KINDS)
    bundle.version = f"exitwatch-{__version__}/hazard-{learners}" \
                     f"/trained-through-{bundle.trained_through}/context-{month}"
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(bundle, path, compress=3)
    return TrainReport(path=str(path), rows=rows, trained_through=bundle.trained_through,
                       size_bytes=path.stat().st_size, metrics=bundle.metrics)


def load_bundle(path: str | Path | None = None) -> ForecastBundle:
    """Load the given model bundle, else the one ``exitwatch train`` wrote (``user_model_path()``)
    when there is one, else the shipped one; ModelError when missing or incompatible."""
    import joblib

    if path is None:
        path = user_model_path() if user_model_path().is_file() else default_model_dir() / BUNDLE_NAME
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"forecast models not found at {path}: run `exitwatch train`")
    try:
        bundle = joblib.load(path)
    except Exception as error:  # joblib raises many kinds on version mismatch
        raise ModelError(f"cannot load forecast models {path}: {error}; run `exitwatch train`") from error
    if not isinstance(bundle, ForecastBundle) or tuple(bundle.features) != FEATURES \
            or not getattr(bundle, "context", None):
        raise ModelError(f"{path} was trained by another version (features or country context "
                         "differ): run `exitwatch train`")
    return bundle
