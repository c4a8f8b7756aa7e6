"""The news-updated forecast: odds-space update with documented factors and a cap, user factor
overrides, the breakdown in JSON, and the end-to-end call on a store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from click.testing import CliRunner

from exitwatch.app.ingest_pipeline import ingest
from exitwatch.app.news import news_updated_forecast
from exitwatch.cli import main
from exitwatch.errors import ConfigError
from exitwatch.forecast import LeaderForecast
from exitwatch.indicators import (apply_news, compute_indicators, load_definitions, load_factor_config, update_probability,
                                  update_with_news)
from exitwatch.indicators.samples import sample_files, samples_path, sentences_only_reader
from exitwatch.report.view import country_view
from exitwatch.store import Store

BASE = LeaderForecast(
    country_iso3="IRN", country_name="Iran", gwcode=630, leader="Ali Khamenei", in_office_since=dt.date(1989, 6, 4),
    as_of=dt.date(2026, 1, 25), p_exit={1: 0.004, 3: 0.012, 6: 0.025, 12: 0.05},
    p_irregular={1: 0.002, 3: 0.006, 6: 0.012, 12: 0.025}, exit_modes={"regular": 0.5, "irregular": 0.5},
    fates={"ok": 0.6, "exile": 0.2, "imprisonment": 0.1, "death": 0.1}, destinations=(), inputs_age={}, imputed=(),
    model_version="test",
)


def _report(tmp_path, files):
    with Store(tmp_path / "news.duckdb") as store:
        ingest(files, store=store, read=sentences_only_reader)
        return compute_indicators(store, "IRN")


def _odds(p):
    return p / (1 - p)


def test_update_probability_multiplies_the_odds():
    assert update_probability(0.1, 2.0) == pytest.approx(2 / 11)
    assert _odds(update_probability(0.3, 1.7)) == pytest.approx(1.7 * _odds(0.3))
    assert update_probability(0.25, 1.0) == pytest.approx(0.25)
    assert update_probability(0.0, 3.0) == 0.0 and update_probability(1.0, 0.5) == 1.0
    with pytest.raises(ConfigError, match="outside"):
        update_probability(1.5, 2.0)


def test_lit_indicators_raise_the_forecast_by_their_factors(tmp_path):
    definitions = load_definitions()
    report = _report(tmp_path, sample_files("flight_preparation", "_1", "_2") + sample_files("precedent_shock", "_1", "_2"))
    assert {i.name for i in report.lit} == {"flight_preparation", "precedent_shock"}
    news = apply_news(BASE, report, definitions)
    expected = definitions.get("flight_preparation").factor * definitions.get("precedent_shock").factor
    assert news.combined_factor == pytest.approx(expected) and news.multiplier == pytest.approx(expected)
    for kind in ("p_exit", "p_irregular"):
        for months, p in news.base[kind].items():
            assert _odds(news.updated[kind][months]) == pytest.approx(expected * _odds(p), rel=1e-4)
    applied = {c.name: c.applied for c in news.contributions}
    assert applied["flight_preparation"] == definitions.get("flight_preparation").factor
    assert applied["revenue_shock"] == 1.0 and len(news.contributions) == len(definitions.indicators)
    assert all(c.factor_source for c in news.contributions)
    data = json.loads(json.dumps(news.to_dict(), default=str))
    assert data["base"]["p_exit"]["12"] == 0.05 and data["updated"]["p_exit"]["12"] > 0.05
    assert data["recent_news"] and data["news_end"] == "2026-01-21"


def test_the_cap_bounds_the_combined_factor(tmp_path):
    report = _report(tmp_path, [samples_path()])
    assert {i.name for i in report.lit} == {"protest_momentum", "flight_preparation", "foreign_military_pressure",
                                           "precedent_shock"}
    news = apply_news(BASE, report, load_definitions())
    assert news.combined_factor > news.cap and news.multiplier == news.cap
    assert _odds(news.updated["p_exit"][12]) == pytest.approx(news.cap * _odds(0.05), rel=1e-4)


def test_nothing_lit_leaves_the_forecast_unchanged(tmp_path):
    report = _report(tmp_path, sample_files("security_defection", "_neg"))
    news = apply_news(BASE, report, load_definitions())
    assert news.multiplier == 1.0 and news.updated["p_exit"] == pytest.approx(news.base["p_exit"])


def test_factor_config_overrides_factors_and_cap(tmp_path):
    definitions = load_definitions()
    config = tmp_path / "factors.toml"
    config.write_text("[factors]\nflight_preparation = 5.0\n[update]\ncap = 3.0\n")
    factors, cap, source = load_factor_config(config, definitions)
    assert factors["flight_preparation"] == 5.0 and cap == 3.0 and str(config) in source
    assert factors["elite_split"] == definitions.get("elite_split").factor
    report = _report(tmp_path, sample_files("flight_preparation", "_1", "_2"))
    news = apply_news(BASE, report, definitions, factors, cap)
    assert news.combined_factor == 5.0 and news.multiplier == 3.0
    config.write_text("[factors]\nflight = 2.0\n")
    with pytest.raises(ConfigError, match="choose one of"):
        load_factor_config(config, definitions)
    config.write_text("[update]\ncap = 0.5\n")
    with pytest.raises(ConfigError, match="cap"):
        load_factor_config(config, definitions)


def test_old_news_leaves_the_forecast_as_it_is(tmp_path):
    with Store(tmp_path / "old.duckdb") as store:
        ingest(sample_files("ally_loss", "_1", "_2"), store=store, read=sentences_only_reader)
        fresh = compute_indicators(store, "IRN", end=dt.date(2026, 1, 15))
        old = compute_indicators(store, "IRN", end=dt.date(2026, 6, 1))
    assert fresh.get("ally_loss").lit and fresh.recent_documents == 2
    later = dataclasses.replace(BASE, as_of=dt.date(2026, 6, 1))
    news = apply_news(later, old, load_definitions())
    assert not news.recent_news and news.news_documents == 0 and news.updated == news.base


@pytest.mark.slow
def test_news_updated_forecast_on_a_store(tmp_path):
    """Slow (loads the shipped forecast models); the fast twins above test ``apply_news`` on a
    LeaderForecast record."""
    with Store(tmp_path / "e2e.duckdb") as store:
        ingest(sample_files("foreign_military_pressure", "_1", "_2"), store=store, read=sentences_only_reader)
        news = news_updated_forecast(store, "Iran", as_of=dt.date(2026, 1, 23))
    assert news.country_iso3 == "IRN" and news.as_of == dt.date(2026, 1, 23)
    assert [c.name for c in news.contributions if c.lit] == ["foreign_military_pressure"]
    assert news.multiplier == load_definitions().get("foreign_military_pressure").factor
    assert all(news.updated["p_exit"][h] > p for h, p in news.base["p_exit"].items() if 0 < p < 1)
    db = str(tmp_path / "e2e.duckdb")
    result = CliRunner().invoke(main, ["forecast", "IRN", "--as-of", "2026-01-23", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)[0]["news"]
    assert data["base"]["p_exit"]["12"] == pytest.approx(news.base["p_exit"][12])
    assert data["updated"]["p_exit"]["12"] == pytest.approx(news.updated["p_exit"][12])
    text = CliRunner().invoke(main, ["forecast", "IRN", "--as-of", "2026-01-23", "--db", db])
    assert "P(exit) updated" in text.output and "LIT Foreign military pressure" in text.output
    bare = CliRunner().invoke(main, ["forecast", "IRN", "--as-of", "2026-01-23", "--db", str(tmp_path / "none.duckdb")])
    assert bare.exit_code == 2 and "no store at" in bare.output  # a --db that names no store is refused


def test_one_news_update_for_the_view_the_index_and_the_forecast(tmp_path):
    """``update_with_news`` is the one path: the country view's news figure is its answer, and
    factor overrides apply to the same indicators."""
    definitions = load_definitions()
    with Store(tmp_path / "one.duckdb") as store:
        ingest(sample_files("foreign_military_pressure", "_1", "_2"), store=store, read=sentences_only_reader)
        base = dataclasses.replace(BASE, as_of=dt.date(2026, 1, 23))
        report, news = update_with_news(store, base, definitions)
        view = country_view(store, "IRN", base=base)
        halved = {name: 1 + (f - 1) / 2 for name, f in load_factor_config(None, definitions)[0].items()}
        _, milder = update_with_news(store, base, definitions, halved, factors_source="halved")
    assert report.end == base.as_of and report.country_iso3 == "IRN"
    assert view.news == news and view.indicators == report
    assert [c.name for c in news.contributions if c.lit] == ["foreign_military_pressure"]
    assert 1 < milder.multiplier < news.multiplier and milder.factors_source == "halved"
