"""Forecast models, written to scikit-learn's estimator rules.

Hyperparameters are set in ``__init__`` and stored unchanged; ``fit`` validates, learns state
into attributes ending in ``_`` and returns ``self``; nothing exists before ``fit``. All inherit
``BaseEstimator`` and ``ClassifierMixin`` so ``clone``, ``get_params``, pipelines and
``sklearn.utils.estimator_checks`` work.

- :class:`HazardModel` — discrete-time hazard for one horizon: gradient-boosted trees
  (``HistGradientBoostingClassifier``) or a logistic regression, behind a mean imputer, with
  cross-validated sigmoid (Platt) calibration. See docs/forecast.md for why.
- :class:`OutcomeModel` — multinomial logistic regression for exit mode and fate.
- :class:`BaseRateClassifier` — the training prevalence for every row.
- :class:`TenureAgeClassifier` — logistic regression on log tenure and age only.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits


class _Classifier(ClassifierMixin, BaseEstimator):
    """Shared fit/predict plumbing: input checks, classes, predict from predict_proba."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _validate_fit(self, X, y):
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan")
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        return X, y_index

    def _validate_predict(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, ensure_all_finite="allow-nan")

    def predict(self, X):
        """Most probable class of each row."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class HazardModel(_Classifier):
    """Calibrated probability that the event (exit, irregular exit) happens within the horizon.

    Parameters: ``learner`` ("hgb" gradient-boosted trees, "logit", or "blend": the average of
    the calibrated trees and the calibrated logit), ``calibration``
    ("sigmoid", "isotonic" or None), ``cv`` (calibration folds), ``max_iter``, ``learning_rate``,
    ``max_leaf_nodes``, ``min_samples_leaf``, ``l2_regularization``, ``monotonic_cst`` (trees: one
    of -1, 0, 1 per column, or None), ``C`` (logit), ``random_state``.
    Fitted: ``classes_``, ``n_features_in_``, ``n_iter_``, ``estimators_`` (the calibrated
    pipeline of each learner, or the plain one when ``y`` has too few events to calibrate; empty
    with one class), ``base_rate_``.

    ``predict_interval(X)`` gives a cross-fitted interval: the lowest and highest probability
    among the ``cv`` calibrated fold models (each fitted on a different (cv-1)/cv of the rows).
    """

    def __init__(self, learner="hgb", calibration="sigmoid", cv=3, max_iter=120, learning_rate=0.06,
                 max_leaf_nodes=15, min_samples_leaf=80, l2_regularization=1.0, monotonic_cst=None, C=1.0,
                 random_state=0):
        self.learner = learner
        self.calibration = calibration
        self.cv = cv
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.monotonic_cst = monotonic_cst
        self.C = C
        self.random_state = random_state

    def _learners(self) -> tuple[str, ...]:
        if self.learner == "blend":
            return ("hgb", "logit")
        if self.learner in ("hgb", "logit"):
            return (self.learner,)
        raise ValueError(f"learner must be 'hgb', 'logit' or 'blend', got {self.learner!r}")

    def _pipeline(self, learner: str, n_samples: int):
        if learner == "hgb":
            core = HistGradientBoostingClassifier(
                max_iter=self.max_iter, learning_rate=self.learning_rate,
                max_leaf_nodes=self.max_leaf_nodes,
                min_samples_leaf=min(self.min_samples_leaf, max(1, n_samples // 10)),
                l2_regularization=self.l2_regularization, early_stopping=False,
                monotonic_cst=None if self.monotonic_cst is None else list(self.monotonic_cst),
                random_state=self.random_state)
            return make_pipeline(SimpleImputer(strategy="mean", keep_empty_features=True), core)
        return make_pipeline(SimpleImputer(strategy="mean", keep_empty_features=True), StandardScaler(),
                             LogisticRegression(C=self.C, max_iter=1000))

    def fit(self, X, y):
        """Fit on feature rows ``X`` and labels ``y``; returns self. Runs on one OpenMP thread:
        the trees' threads spin-wait, and on a shared 2-core machine two of them made a fit
        10-20 times slower than one."""
        with threadpool_limits(limits=1, user_api="openmp"):
            return self._fit(X, y)

    def _fit(self, X, y):
        X, y_index = self._validate_fit(X, y)
        if self.calibration not in ("sigmoid", "isotonic", None):
            raise ValueError(f"calibration must be 'sigmoid', 'isotonic' or None, got {self.calibration!r}")
        learners = self._learners()
        smallest = np.bincount(y_index).min() if len(self.classes_) > 1 else 0
        self.estimators_ = []
        for learner in learners if len(self.classes_) > 1 else ():
            pipeline = self._pipeline(learner, len(X))
            if self.calibration and smallest >= self.cv:
                pipeline = CalibratedClassifierCV(pipeline, method=self.calibration, cv=self.cv)
            self.estimators_.append(pipeline.fit(X, y_index))
        self.n_iter_ = self.max_iter
        self.base_rate_ = np.bincount(y_index, minlength=len(self.classes_)) / len(y_index)
        return self

    def predict_proba(self, X):
        """Class probabilities, columns in ``classes_`` order."""
        X = self._validate_predict(X)
        if not self.estimators_:
            return np.tile(self.base_rate_, (len(X), 1))
        with threadpool_limits(limits=1, user_api="openmp"):
            return np.mean([e.predict_proba(X) for e in self.estimators_], axis=0)

    def predict_interval(self, X):
        """(low, high): per row, the lowest and highest probability of the last class among the
        cross-fitted calibrated fold models (learners averaged fold by fold); both equal the
        prediction when the model could not be calibrated."""
        X = self._validate_predict(X)
        if not self.estimators_:
            p = np.full(len(X), self.base_rate_[-1])
            return p, p
        with threadpool_limits(limits=1, user_api="openmp"):
            members = np.mean([self._members(e, X) for e in self.estimators_], axis=0)
        return members.min(axis=0), members.max(axis=0)

    @staticmethod
    def _members(estimator, X) -> np.ndarray:
        """Folds x rows: each calibrated fold model's probability of the last class."""
        if isinstance(estimator, CalibratedClassifierCV):
            return np.stack([c.predict_proba(X)[:, -1] for c in estimator.calibrated_classifiers_])
        return estimator.predict_proba(X)[:, -1][None, :]


class OutcomeModel(_Classifier):
    """Multinomial logistic regression (after mean imputation and scaling) for a categorical
    outcome such as exit mode or fate. Parameters: ``C``, ``class_weight``.
    Fitted: ``classes_``, ``n_features_in_``, ``estimator_``."""

    def __init__(self, C=0.5, class_weight=None):
        self.C = C
        self.class_weight = class_weight

    def fit(self, X, y):
        """Fit on rows ``X`` and categorical labels ``y``; returns self."""
        X, y_index = self._validate_fit(X, y)
        if len(self.classes_) < 2:
            raise ValueError(f"OutcomeModel needs at least two classes in y; got {len(self.classes_)} class")
        self.estimator_ = make_pipeline(
            SimpleImputer(strategy="mean", keep_empty_features=True), StandardScaler(),
            LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000),
        ).fit(X, y_index)
        return self

    def predict_proba(self, X):
        """Class probabilities, columns in ``classes_`` order."""
        X = self._validate_predict(X)
        return self.estimator_.predict_proba(X)


class BaseRateClassifier(_Classifier):
    """Baseline: every row gets the training class frequencies. Fitted: ``classes_``,
    ``n_features_in_``, ``class_prior_``."""

    def fit(self, X, y):
        """Learn class frequencies; returns self."""
        X, y_index = self._validate_fit(X, y)
        self.class_prior_ = np.bincount(y_index, minlength=len(self.classes_)) / len(y_index)
        return self

    def predict_proba(self, X):
        """The class frequencies for every row."""
        X = self._validate_predict(X)
        return np.tile(self.class_prior_, (len(X), 1))


class TenureAgeClassifier(_Classifier):
    """Baseline: logistic regression on the columns ``columns`` (default the first two: log
    tenure and age) with a squared term for each. Parameters: ``columns``, ``C``.
    Fitted: ``classes_``, ``n_features_in_``, ``estimator_``."""

    def __init__(self, columns=(0, 1), C=1.0):
        self.columns = columns
        self.C = C

    def _design(self, X):
        picked = X[:, list(self.columns)]
        return np.hstack([picked, picked**2])

    def fit(self, X, y):
        """Fit on the chosen columns; returns self."""
        X, y_index = self._validate_fit(X, y)
        self.estimator_ = make_pipeline(SimpleImputer(strategy="mean", keep_empty_features=True), StandardScaler(),
                                        LogisticRegression(C=self.C, max_iter=1000))
        if len(self.classes_) > 1:
            self.estimator_.fit(self._design(X), y_index)
        else:
            self.estimator_ = None
        return self

    def predict_proba(self, X):
        """Class probabilities from tenure and age alone."""
        X = self._validate_predict(X)
        if self.estimator_ is None:
            return np.ones((len(X), 1))
        return self.estimator_.predict_proba(self._design(X))


#: Every model class, for the shared estimator-contract test.
ALL_MODELS = (HazardModel, OutcomeModel, BaseRateClassifier, TenureAgeClassifier)
