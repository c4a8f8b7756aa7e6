"""Every forecast model follows scikit-learn's estimator rules."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from exitwatch.forecast.models import (
    ALL_MODELS, BaseRateClassifier, HazardModel, OutcomeModel, TenureAgeClassifier,
)

#: Small, fast settings of each model (the checks fit many times).
FAST = [
    HazardModel(max_iter=10, cv=2),
    HazardModel(learner="logit", calibration=None),
    HazardModel(learner="blend", max_iter=10, cv=2),
    OutcomeModel(),
    BaseRateClassifier(),
    TenureAgeClassifier(columns=(0,)),
]

#: Checks that do not apply: the baselines ignore (some of) X by design, so they cannot fit
#: the check's data well enough to pass its accuracy threshold.
EXPECTED_FAILURES = {
    "BaseRateClassifier": {
        "check_classifiers_train": "baseline ignores X by design",
    },
    "TenureAgeClassifier": {
        "check_classifiers_train": "uses only the chosen columns by design",
    },
}


def _expected(estimator):
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


@parametrize_with_checks(FAST, expected_failed_checks=_expected)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] + rng.normal(size=200) > 0.5).astype(int)
    return X, y


@pytest.mark.parametrize("model_class", ALL_MODELS)
def test_contract(model_class, data):
    X, y = data
    model = model_class()
    params = model.get_params()
    assert clone(model).get_params() == params
    assert not [k for k in vars(model) if k.endswith("_") and not k.startswith("_")], "state before fit"
    with pytest.raises(NotFittedError):
        model.predict_proba(X)
    assert model.fit(X, y) is model
    assert model.get_params() == params, "fit changed hyperparameters"
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X)) <= {0, 1}


def test_hazard_model_beats_base_rate(data):
    from sklearn.metrics import roc_auc_score

    X, y = data
    p = HazardModel(max_iter=30).fit(X, y).predict_proba(X)[:, 1]
    assert roc_auc_score(y, p) > 0.75
    assert 0.0 < p.min() and p.max() < 1.0


def test_bad_hyperparameter_raises_on_fit(data):
    with pytest.raises(ValueError, match="learner"):
        HazardModel(learner="forest").fit(*data)


@pytest.mark.parametrize("learner", ["hgb", "blend"])
def test_cross_fitted_interval_contains_the_forecast(learner, data):
    X, y = data
    model = HazardModel(learner=learner, max_iter=30, cv=3).fit(X, y)
    p = model.predict_proba(X)[:, 1]
    low, high = model.predict_interval(X)
    assert np.all(low <= p + 1e-12) and np.all(p <= high + 1e-12)
    assert np.mean(high - low) > 0  # three fold models disagree somewhere
    uncalibrated = HazardModel(calibration=None, max_iter=10).fit(X, y)
    low, high = uncalibrated.predict_interval(X)
    np.testing.assert_allclose(low, uncalibrated.predict_proba(X)[:, 1])


def test_monotone_constraint_holds(data):
    """With ``monotonic_cst`` the risk cannot fall as a constrained covariate rises, even where
    the training data say otherwise (here column 1 is pure noise)."""
    X, y = data
    free = HazardModel(max_iter=30).fit(X, y)
    bound = HazardModel(max_iter=30, monotonic_cst=(1, -1, 0, 0)).fit(X, y)
    grid = np.tile(X[:1], (41, 1))
    grid[:, 1] = np.linspace(-3, 3, 41)
    assert np.all(np.diff(bound.predict_proba(grid)[:, 1]) <= 1e-12)
    assert np.any(np.diff(free.predict_proba(grid)[:, 1]) > 1e-9), "the check can fail: unconstrained noise wiggles"
