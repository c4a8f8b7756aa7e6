"""Indicators v2 (issue 15): evidence counts for the country whose actor is in the indicator's
role (not for destinations, hosts, foreign actors or places named in passing), and old news
fades: the news update uses the window that ends at the forecast date."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from test_news_forecast import BASE

from exitwatch.app.ingest_pipeline import ingest
from exitwatch.forecast import LeaderForecast
from exitwatch.indicators import apply_news, compute_indicators, load_definitions
from exitwatch.indicators.attribution import score_attribution
from exitwatch.read import read_text
from exitwatch.store import Store


@pytest.fixture(scope="module")
def example_store(tmp_path_factory, example_article):
    """A store holding only the example article, read by the reader users get."""
    store = Store(tmp_path_factory.mktemp("roles") / "example.duckdb")
    ingest([example_article], store=store, outlet="Hot Air")
    yield store
    store.close()


def _base(iso3: str, as_of: dt.date) -> LeaderForecast:
    return dataclasses.replace(BASE, country_iso3=iso3, as_of=as_of)


def test_the_example_lights_iran_only(example_store):
    newest = example_store.latest_country_date("IRN")
    iran = compute_indicators(example_store, "IRN", end=newest)
    assert {"flight_preparation", "foreign_military_pressure"} <= {i.name for i in iran.lit}
    flight = iran.get("flight_preparation")
    assert flight.evidence[0].weight > 0 and "Hot Air" in flight.evidence[0].attribution + (flight.evidence[0].outlet,)
    for iso3 in ("RUS", "BLR", "USA", "VEN"):
        report = compute_indicators(example_store, iso3, end=newest)
        assert report.lit == (), (iso3, [i.name for i in report.lit])
        news = apply_news(_base(iso3, newest), report, load_definitions())
        assert news.multiplier == 1.0 and news.updated == news.base, iso3
    moved = apply_news(_base("IRN", newest), iran, load_definitions())
    assert moved.updated["p_exit"][12] > moved.base["p_exit"][12]


def test_old_news_fades_out_of_the_forecast(example_store):
    newest = example_store.latest_country_date("IRN")
    later = newest + dt.timedelta(days=304)  # ten months on
    old = compute_indicators(example_store, "IRN", end=later)
    assert old.recent_documents == 0 and old.lit == ()
    news = apply_news(_base("IRN", later), old, load_definitions())
    assert not news.recent_news and news.updated == news.base and news.multiplier == 1.0
    next_day = newest + dt.timedelta(days=1)
    fresh = compute_indicators(example_store, "IRN", end=next_day)
    news = apply_news(_base("IRN", next_day), fresh, load_definitions())
    assert news.recent_news and news.multiplier > 1 and news.updated["p_exit"][12] > news.base["p_exit"][12]
    flight = fresh.get("flight_preparation")
    assert all(e.faded < e.weight for e in flight.evidence if e.weight > 0)  # a day old: faded a little
    assert list(fresh.get("flight_preparation").series)[-1] == fresh.period_start.isoformat()


def test_indicators_are_a_query_over_stored_rows(example_store, tmp_path):
    tables = example_store.table_counts()
    assert tables["mentions"] > 0 and tables["cue_matches"] > 0
    example_store.export_parquet(tmp_path / "parquet")
    from exitwatch.indicators import compute_indicators_parquet

    newest = example_store.latest_country_date("IRN")
    direct = compute_indicators(example_store, "IRN", end=newest)
    from_parquet = compute_indicators_parquet(tmp_path / "parquet", "IRN", end=newest)
    assert [(i.name, i.lit, i.score) for i in from_parquet.indicators] == [(i.name, i.lit, i.score) for i in direct.indicators]


def test_country_attribution_on_the_labelled_set():
    scores = {s.indicator: s for s in score_attribution(
        lambda text: read_text(text, outlet="Attribution Test", published="2026-01-20"))}
    overall = scores["all"]
    assert overall.tp + overall.fn >= 20 and overall.fp + overall.tn >= 20
    assert overall.precision >= 0.85 and overall.recall >= 0.85, overall.errors
    for name in ("foreign_military_pressure", "security_defection", "repression_escalation"):
        assert scores[name].precision == 1.0 and scores[name].recall == 1.0, scores[name].errors


def test_factor_evidence_counts_months_before_irregular_exits(tmp_path):
    from exitwatch.app.factor_evidence import factor_evidence
    from exitwatch.indicators.samples import sentences_only_reader
    from exitwatch.ingest import make_document

    with Store(tmp_path / "exits.duckdb") as store:
        stories = [("Sudanese army units defected in Khartoum on Monday.", "A", "2019-03-20"),
                   ("Sudanese border guards defected to the protesters on Tuesday.", "B", "2019-03-21"),
                   ("Sudanese army units defected in Omdurman.", "A", "2018-01-10")]  # 15 months before the exit
        for text, outlet, day in stories:
            doc = make_document(text, outlet=outlet, published=day)
            store.add_document(doc, reading=sentences_only_reader(doc))
        rows = {r.indicator: r for r in factor_evidence(store, months_before=6)}
    defection = rows["security_defection"]
    assert (defection.lit_before_exit, defection.months_before_exit) == (1, 1)  # March 2019, before April 2019
    assert (defection.lit_other, defection.months_other) == (0, 1) and defection.ratio is None
    assert all(r.months_before_exit == 1 and r.months_other == 1 for r in rows.values())
