"""Backtest: trains only on outcomes known by the train end, predicts and scores the window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exitwatch.errors import ConfigError, DataFileError
from exitwatch.forecast.backtest import predict_panel, run_backtest
from exitwatch.forecast.panel import FEATURES, HORIZONS, build_panel, month_number
from exitwatch.forecast.training import _training_rows, fit_forecast_models

#: A fast subset: states with irregular exits in and around the window, plus stable ones.
SUBSET = [2, 20, 200, 220, 255, 260, 365, 432, 483, 490, 500, 516, 517, 540, 552, 580, 615, 616,
          620, 625, 630, 645, 651, 652, 660, 663, 678, 690, 700, 703, 710, 770, 775, 800, 840, 369, 41, 101, 145]
#: Small uncalibrated trees keep these tests fast (calibration: test_estimator_contract.py, and
#: the slow full-window test).
SMALL = {"max_iter": 15, "calibration": None, "min_samples_leaf": 40}
TRAIN_END = pd.Period("2009-12", "M")


@pytest.fixture(scope="module")
def history(shared_data):
    from exitwatch.forecast.history import History

    return History.load(shared_data)


@pytest.fixture(scope="module")
def panel(history):
    return build_panel(history, gwcodes=SUBSET)


def test_training_rows_end_by_the_train_end(panel):
    for h in HORIZONS:
        rows = _training_rows(panel, f"irregular_{h}", h, TRAIN_END)
        last_seen = month_number(rows["month"]) + h - 1
        assert last_seen.max() <= month_number(pd.Series([TRAIN_END]))[0]
        assert rows["month"].max() == TRAIN_END - (h - 1)


def test_irregular_outcome_counts_the_country_month(panel):
    """Irregular exit is an irregular leadership change in the country, as Archigos and PITF
    count country-months: in May 2014 Yingluck left by court order (regular) and her caretaker
    Niwattumrong, in office from 7 May, fell to the coup of 22 May. He is in no row (not in office
    on a month's first day), yet the month counts."""
    thailand = panel[(panel["country_iso3"] == "THA")].set_index("month")
    may = thailand.loc[pd.Period("2014-05", "M")]
    assert may["leader"].startswith("Yingluck") and may["exit_1"] == 1 and may["irregular_1"] == 1
    assert thailand.loc[pd.Period("2014-03", "M"), "irregular_3"] == 1  # within three months
    assert thailand.loc[pd.Period("2014-03", "M"), "irregular_1"] == 0
    egypt = panel[(panel["country_iso3"] == "EGY")].set_index("month")
    assert egypt.loc[pd.Period("2011-02", "M"), "irregular_1"] == 1  # Mubarak's own fall
    assert egypt.loc[pd.Period("2012-08", "M"), "irregular_12"] == 1 and egypt.loc[pd.Period("2012-06", "M"), "irregular_12"] == 0


def _perturbed(panel: pd.DataFrame) -> pd.DataFrame:
    """Every outcome that only becomes known after the train end, scrambled."""
    rng = np.random.default_rng(1)
    out = panel.copy()
    months = month_number(out["month"])
    limit = month_number(pd.Series([TRAIN_END]))[0]
    for h in HORIZONS:
        late = months + h - 1 > limit
        for kind in ("exit", "irregular"):
            column = f"{kind}_{h}"
            out.loc[late, column] = rng.integers(0, 2, late.sum()).astype(float)
    late_end = out["month"] > TRAIN_END
    out.loc[late_end, "last_month"] = True
    out.loc[late_end, "exit_mode"] = "assassination"
    out.loc[late_end, "fate"] = "death"
    return out


def test_post_train_outcomes_do_not_change_predictions(panel):
    test = panel[(panel["month"] >= "2010-01") & (panel["month"] <= "2011-12")]
    a = fit_forecast_models(panel, train_end=TRAIN_END, horizons=(1,), hazard_params=SMALL)
    b = fit_forecast_models(_perturbed(panel), train_end=TRAIN_END, horizons=(1,), hazard_params=SMALL)
    pd.testing.assert_frame_equal(predict_panel(a, test), predict_panel(b, test))
    X = test[list(FEATURES)].to_numpy(float)
    np.testing.assert_allclose(a.exit_mode.predict_proba(X), b.exit_mode.predict_proba(X))
    # and the check can fail: moving the train end changes them
    c = fit_forecast_models(panel, train_end=TRAIN_END + 12, horizons=(1,), hazard_params=SMALL)
    assert not np.allclose(predict_panel(a, test), predict_panel(c, test))


def test_backtest_small_window(shared_data, tmp_path):
    out = tmp_path / "bt.csv"
    report = run_backtest(train_end="2009-12-31", start="2010-01", end="2011-06", data_dir=shared_data,
                          out=out, gwcodes=SUBSET, hazard_params=SMALL)
    table = pd.read_csv(out)
    for column in ("country_iso3", "gwcode", "month", "leader", "p_exit_1m", "p_irregular_1m", "p_irregular_6m"):
        assert column in table.columns
    assert table["month"].min() == "2010-01" and table["month"].max() == "2011-06"
    assert table["p_irregular_1m"].between(0, 1).all()
    assert set(report.scores["model"]) == {"model", "base_rate", "tenure_age"}
    assert set(report.scores["horizon"]) == set(HORIZONS)
    irregular_1 = report.scores[(report.scores["kind"] == "irregular") & (report.scores["horizon"] == 1)]
    assert (irregular_1["events"] > 0).all()
    egypt = table[(table["country_iso3"] == "EGY") & (table["month"] == "2011-02")]
    assert egypt["irregular_1"].iloc[0] == 1  # Mubarak fell in February 2011
    assert report.top10["events"].sum() == table.drop_duplicates(["gwcode", "month"])["irregular_1"].sum()
    rel = report.reliability
    assert set(rel["decile"]) == set(range(1, 11))
    assert rel.groupby(["kind", "horizon"])["n"].sum().loc[("irregular", 1)] == table["irregular_1"].notna().sum()
    part = rel[(rel["kind"] == "irregular") & (rel["horizon"] == 12)]
    assert part["predicted"].is_monotonic_increasing
    hits = report.top_n.set_index("n")["hits"]
    assert hits.is_monotonic_increasing and hits.loc[10] == report.top10["in_top10"].sum()


def test_bad_dates(shared_data):
    with pytest.raises(ConfigError, match="train end"):
        run_backtest(train_end="2012-01-01", start="2010-01", end="2011-01", data_dir=shared_data)
    with pytest.raises(ConfigError, match="YYYY-MM"):
        run_backtest(train_end="last year", start="2010-01", end="2011-01", data_dir=shared_data)
    with pytest.raises(DataFileError, match="after the last month with outcomes"):
        run_backtest(train_end="2009-12-31", start="2010-01", end="2020-01", data_dir=shared_data)


@pytest.mark.slow
def test_full_backtest_window_beats_base_rate(shared_data):
    """Slow twin of test_backtest_small_window: the README's whole 2010-2014 window, all countries."""
    report = run_backtest(train_end="2009-12-31", start="2010-01", end="2014-09", data_dir=shared_data)
    s = report.scores.set_index(["kind", "horizon", "model"])
    for h in HORIZONS:
        assert s.loc[("irregular", h, "model"), "auc"] > 0.7
        assert s.loc[("irregular", h, "model"), "auc"] > s.loc[("irregular", h, "tenure_age"), "auc"]


def test_coups_are_lagged_a_year(panel):
    """Thailand's coup of September 2006 shows in 2007's rows, not in 2006's."""
    thailand = panel[panel["gwcode"] == 800].set_index("month")
    assert thailand.loc[pd.Period("2006-10", "M"), "coup_last_year"] == 0
    assert thailand.loc[pd.Period("2007-01", "M"), "coup_last_year"] == 1
    assert thailand.loc[pd.Period("2008-01", "M"), "coup_years_5y"] >= 1
    assert thailand.loc[pd.Period("2007-01", "M"), "log_years_since_coup"] == pytest.approx(np.log1p(1))


def test_ewp_covariates_are_last_years(panel, shared_data):
    ewp = pd.read_csv(shared_data / "ewp" / "prepared2024predictors.csv")
    usa_2010 = ewp[(ewp["ccode"] == 2) & (ewp["year"] == 2010)].iloc[0]
    row = panel[(panel["gwcode"] == 2) & (panel["month"] == pd.Period("2011-06", "M"))].iloc[0]
    assert row["civil_liberties"] == pytest.approx(usa_2010["even_civilrights"])
    assert row["infant_mortality_sqrt"] == pytest.approx(usa_2010["un_imr_sqrt"])


def test_military_career_is_the_leader_in_office(panel):
    """REIGN's military career of whoever held office on the 1st: Mubarak (air force) then the
    SCAF's Tantawi, then the civilian Morsi."""
    egypt = panel[panel["gwcode"] == 651].set_index("month")["military_leader"]
    assert egypt[pd.Period("2011-01", "M")] == 1.0
    assert egypt[pd.Period("2011-06", "M")] == 1.0
    assert egypt[pd.Period("2013-01", "M")] == 0.0


def test_scheduled_elections_are_projected_from_the_past(panel):
    usa = panel[panel["gwcode"] == 2].set_index("month")
    assert usa.loc[pd.Period("2012-10", "M"), "months_to_scheduled_election"] == 1
    assert usa.loc[pd.Period("2012-10", "M"), "scheduled_election_12m"] == 1
    assert usa.loc[pd.Period("2013-10", "M"), "scheduled_election_12m"] == 0
