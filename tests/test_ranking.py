"""The one "riskiest first" order (``forecast.ranking.riskiest_first``), as the CLI, the API and
the dashboard show it."""

from __future__ import annotations

from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.forecast import forecast
from exitwatch.forecast.ranking import HEADLINE_MONTHS, ranking_probability, riskiest_first
from exitwatch.report.view import ranked_forecasts
from exitwatch.store import Store


def test_riskiest_first_by_irregular_exit_probability_then_iso3():
    ranked = riskiest_first(forecast())
    keys = [(-f.p_irregular[HEADLINE_MONTHS], f.country_iso3) for f in ranked]
    assert len(ranked) >= 20 and keys == sorted(keys)
    assert [ranking_probability(f) for f in ranked[:3]] == [f.p_irregular[12] for f in ranked[:3]]
    assert [f.country_iso3 for f in ranked_forecasts()] == [f.country_iso3 for f in ranked]


def test_established_democracies_rank_below_juntas():
    """The point of ordering by irregular exit: an election due does not lift a democracy."""
    order = [f.country_iso3 for f in riskiest_first(forecast())]
    for democracy in ("CHE", "DEU", "NZL"):
        for junta in ("BFA", "MLI", "NER"):
            assert order.index(junta) < order.index(democracy)


def test_news_updated_probability_takes_precedence():
    ranked = riskiest_first(forecast())
    last = ranked[-1].country_iso3
    moved = riskiest_first(ranked, updated={last: 1.0})
    assert moved[0].country_iso3 == last
    assert [f.country_iso3 for f in moved[1:]] == [f.country_iso3 for f in ranked[:-1]]


def test_cli_lists_countries_in_the_same_order(tmp_path):
    Store(tmp_path / "x.duckdb").close()  # an empty store: no news, the history order
    result = CliRunner().invoke(main, ["forecast", "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines()[1:] if line.strip() and not line.startswith("*")]
    listed = [line.split()[0] for line in rows]  # the "*" footnote flags unverified leader rows
    assert listed == [f.country_iso3 for f in riskiest_first(forecast())]
