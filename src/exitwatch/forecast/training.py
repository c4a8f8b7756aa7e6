"""Fit every forecast model from the leader-month panel and save them as one joblib bundle.

``fit_forecast_models(panel, train_end=...)`` uses only rows whose whole outcome window closes on
or before ``train_end`` (so no label from after it is seen) and returns a :class:`ForecastBundle`;
``train()`` is what ``exitwatch train`` runs; ``load_bundle()`` reads the shipped models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from exitwatch import __version__
from exitwatch.errors import ModelError
from exitwatch.forecast.history import History
from exitwatch.forecast.importers import default_data_dir
from exitwatch.forecast.models import (
    BaseRateClassifier,
    HazardModel,
    OutcomeModel,
    TenureAgeClassifier,
)
from exitwatch.forecast.panel import FEATURES, HORIZONS, TENURE_AGE, month_number
from exitwatch.forecast.panel import build_panel
from exitwatch.forecast.snapshot import country_context, destination_table
from exitwatch.kb import current_leaders

KINDS = ("exit", "irregular")
EXIT_MODES = ("regular", "natural_death", "protest", "military", "insiders", "rebels", "foreign",
              "assassination")
FATES = ("ok", "exile", "imprisonment", "death")
BUNDLE_NAME = "forecast.joblib"
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


def fate_design(rows: pd.DataFrame, modes: np.ndarray | pd.Series) -> np.ndarray:
    """Fate-model inputs: the features plus a one-hot of the exit mode."""
    onehot = np.stack([(np.asarray(modes) == m).astype(float) for m in EXIT_MODES], axis=1)
    return np.hstack([rows[list(FEATURES)].to_numpy(float), onehot])


def _score_outcome(rows: pd.DataFrame, X: np.ndarray, label: str, split_year: int) -> dict:
    """Held-out log loss and accuracy of an OutcomeModel against the class prior, splitting
    spells that ended before ``split_year`` (train) from the rest (test)."""
    from sklearn.metrics import accuracy_score, log_loss

    before = (rows["month"].dt.year < split_year).to_numpy()
    y = rows[label].to_numpy()
    if before.sum() < 20 or (~before).sum() < 20:
        return {}
    model = OutcomeModel().fit(X[before], y[before])
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


def fit_forecast_models(panel: pd.DataFrame, *, train_end: str | dt.date | pd.Period,
                        horizons: tuple[int, ...] = HORIZONS, hazard_params: dict | None = None,
                        vintage: dict | None = None, progress: Progress | None = None) -> ForecastBundle:
    """Fit hazard models (each kind x horizon), baselines, exit-mode and fate models on the
    panel rows known by ``train_end``. ``hazard_params`` overrides HazardModel settings."""
    train_end = pd.Period(train_end, "M")
    steps = len(KINDS) * len(horizons) + 2
    done = 0
    hazard, baselines = {}, {}
    for kind in KINDS:
        for h in horizons:
            rows = _training_rows(panel, f"{kind}_{h}", h, train_end)
            if rows.empty:
                raise ModelError(f"no training rows up to {train_end}: choose a later train end")
            X, y = rows[list(FEATURES)].to_numpy(float), rows[f"{kind}_{h}"].to_numpy(int)
            hazard[(kind, h)] = HazardModel(**(hazard_params or {})).fit(X, y)
            baselines[("base_rate", kind, h)] = BaseRateClassifier().fit(X, y)
            baselines[("tenure_age", kind, h)] = TenureAgeClassifier(
                columns=tuple(FEATURES.index(c) for c in TENURE_AGE)).fit(X, y)
            done += 1
            if progress:
                progress(done, steps)
    ends = _spell_ends(panel, train_end)
    with_mode = ends[ends["exit_mode"].notna()]
    X_mode = with_mode[list(FEATURES)].to_numpy(float)
    exit_mode = OutcomeModel().fit(X_mode, with_mode["exit_mode"].to_numpy())
    with_fate = with_mode[with_mode["fate"].notna()]
    X_fate = fate_design(with_fate, with_fate["exit_mode"])
    fate = OutcomeModel().fit(X_fate, with_fate["fate"].to_numpy())
    metrics = {
        "exit_mode": _score_outcome(with_mode, X_mode, "exit_mode", 1995),
        "fate": _score_outcome(with_fate, X_fate, "fate", 1995),
    }
    if progress:
        progress(steps, steps)
    return ForecastBundle(hazard=hazard, baselines=baselines, exit_mode=exit_mode, fate=fate,
                          features=FEATURES, trained_through=str(train_end), vintage=dict(vintage or {}),
                          metrics=metrics)


def default_model_dir() -> Path:
    """The package folder the shipped models live in."""
    return Path(str(resources.files("exitwatch.forecast").joinpath("models")))


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
          train_end: str | None = None, context_month: str | None = None,
          progress: Progress | None = None) -> TrainReport:
    """Build the panel from ``data_dir`` (default: the shared data), fit everything on all
    outcomes known by ``train_end`` (default: the end of Archigos), add today's country context
    and exile destinations for ``context_month`` (default: this month), and save the bundle to
    ``out`` (a ``.joblib`` file; default: the shipped model)."""
    import joblib


    history = History.load(data_dir or default_data_dir())
    panel = build_panel(history)
    end = pd.Period(train_end, "M") if train_end else panel["month"].max()
    bundle = fit_forecast_models(panel, train_end=end, vintage=history.vintage, progress=progress)
    month = pd.Period(context_month or dt.date.today(), "M")
    leaders = current_leaders()
    bundle.context = country_context(history, leaders, month)
    bundle.context_month = str(month)
    bundle.destinations = destination_table(history, leaders, month.year)
    bundle.version = f"exitwatch-{__version__}/hazard-{bundle.hazard[(KINDS[0], HORIZONS[0])].learner}" \
                     f"/trained-through-{bundle.trained_through}/context-{month}"
    path = Path(out) if out else default_model_dir() / BUNDLE_NAME
    if path.suffix != ".joblib":
        raise ModelError(f"model file {path} must end in .joblib")
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(bundle, path, compress=3)
    return TrainReport(path=str(path), rows=len(panel), trained_through=bundle.trained_through,
                       size_bytes=path.stat().st_size, metrics=bundle.metrics)


def load_bundle(path: str | Path | None = None) -> ForecastBundle:
    """Load the shipped (or a given) model bundle; ModelError when missing or incompatible."""
    import joblib

    path = Path(path) if path else default_model_dir() / BUNDLE_NAME
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
