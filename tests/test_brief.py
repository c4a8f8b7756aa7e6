"""The brief (Markdown and HTML) on the bundled sample corpora, its charts, and the example article."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest
from test_api import SAMPLES_AS_OF, lexical, sample_db  # noqa: F401  (sample_db is a fixture)

from exitwatch.errors import ConfigError, UnknownCountryError
from exitwatch.app.ingest_pipeline import ingest
from exitwatch.report import build_brief, country_view
from exitwatch.report.brief import render_brief
from exitwatch.report.charts import SPARK_BLOCKS, Series, line_chart, sparkline
from exitwatch.report.render import pct, pct_range
from exitwatch.store import Store


@pytest.fixture(scope="module")
def store(sample_db):  # noqa: F811
    with Store(sample_db, read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def view(store):
    return country_view(store, "Iran", as_of=SAMPLES_AS_OF)


def test_markdown_brief_has_every_section(store, view):
    text = render_brief(view, fmt="md")
    f = view.forecast
    assert text.startswith(f"# Brief: {f.country_name}")
    assert f"**{pct(view.headline)} chance that {f.leader} leaves office within 12 months**" in text
    assert f"history model {pct(f.p_exit[12])}" in text
    for heading in ("## Warning indicators lit", "## How and where", "## What would change the assessment",
                    "## Data vintage"):
        assert heading in text
    assert view.indicators.lit, "the Iran samples light indicators"
    for ind in view.indicators.lit:
        assert f"**{ind.title}**" in text
        best = ind.evidence[0]
        assert best.text in text and ", via ".join(best.attribution) in text
    for d in f.destinations[:3]:
        assert f"**{d.name}**" in text and d.reasons[0] in text
    for line in view.changes[:4]:
        assert line in text
    assert f"{view.vintage.documents} documents" in text
    assert "{{" not in text and "{%" not in text


def test_trend_ends_at_the_headline(view):
    assert len(view.trend) >= 2
    assert view.trend[-1].news == pytest.approx(view.headline)
    assert all(p.base == view.forecast.p_exit[12] for p in view.trend)
    dates = [p.as_of for p in view.trend]
    assert dates == sorted(dates) and dates[-1] == view.indicators.period_start
    assert view.indicators.end == view.as_of == SAMPLES_AS_OF  # the trend ends at the forecast date


def test_changes_follow_the_update(view):
    lit = {i.title.lower() for i in view.indicators.lit}
    assert view.changes
    for line in view.changes:
        if line.startswith("The news update is at its cap"):
            assert len(view.changes) == 1
            continue
        faded = " faded," in line
        title = line.removeprefix("If ").split(" faded," if faded else " lit up,")[0]
        assert (title in lit) == faded


def test_html_brief_is_one_standalone_page(view):
    page = render_brief(view, fmt="html")
    assert page.startswith("<!doctype html>") and page.count("<svg") == 2
    assert "<style>" in page and 'href="/static' not in page
    for ind in view.indicators.lit:
        assert ind.title in page
    for svg in page.split("<svg")[1:]:
        ET.fromstring("<svg" + svg.split("</svg>")[0] + "</svg>")


def test_html_brief_links_only_to_a_given_server(view):
    """A brief written to a file has no dead /document/ links: ids as text, or absolute links."""
    doc_ids = {ev.doc_id for ind in view.indicators.lit for ev in ind.evidence[:2]}
    assert doc_ids
    offline = render_brief(view, fmt="html")
    assert 'href="/document/' not in offline and all(f"document {i}" in offline for i in doc_ids)
    linked = render_brief(view, fmt="html", base_url="http://127.0.0.1:8000/")
    assert all(f'href="http://127.0.0.1:8000/document/{i}"' in linked for i in doc_ids)


def test_empty_store_brief_says_there_is_no_news(tmp_path):
    with Store(tmp_path / "empty.duckdb") as empty:
        text, page = build_brief(empty, "IRN"), build_brief(empty, "IRN", fmt="html")
    assert "news-updated" not in text + page and "News used up to" not in text + page
    assert "history model alone: no news stored" in text and "No news stored" in text


def test_brief_errors(store):
    with pytest.raises(UnknownCountryError, match="Atlantis"):
        build_brief(store, "Atlantis")
    with pytest.raises(ConfigError, match="md, html"):
        build_brief(store, "IRN", fmt="pdf")


def test_example_article_feeds_the_brief(tmp_path, example_article, sample_db):  # noqa: F811
    """The canonical example: beside the samples, the plan-B article lights flight preparations
    for Iran, and the brief quotes it with its chain of sources."""
    copy = tmp_path / "example.duckdb"
    shutil.copy(sample_db, copy)
    with Store(copy) as s:
        assert ingest([example_article], store=s, read=lexical).added == 1
        doc_id = next(d.id for d in s.find_documents(limit=500).items if d.source_path == str(example_article))
        v = country_view(s, "IRN")
        text = render_brief(v, fmt="md")
    flight = v.indicators.get("flight_preparation")
    assert flight.lit
    from_article = [e for e in flight.evidence if e.doc_id == doc_id]
    assert from_article and any(len(e.attribution) >= 3 for e in from_article), "the chain of sources is kept"
    assert f"doc {doc_id}" in text


def test_sparkline():
    assert sparkline([0, 1, 2, 4]) == SPARK_BLOCKS[0] + SPARK_BLOCKS[2] + SPARK_BLOCKS[4] + SPARK_BLOCKS[-1]
    assert sparkline([0.5, None, 1.0], top=1.0) == SPARK_BLOCKS[4] + " " + SPARK_BLOCKS[-1]
    assert sparkline([0, 0]) == SPARK_BLOCKS[0] * 2
    assert sparkline([]) == ""


def test_line_chart_is_valid_svg():
    a = Series("a <x>", (("2026-01-01", 0.1), ("2026-01-08", None), ("2026-01-15", 0.3)))
    b = Series("b", (("2026-01-01", 0.2), ("2026-01-08", 0.2), ("2026-01-15", 0.2)))
    svg = ET.fromstring(line_chart([a, b], title="P & Q"))
    ns = "{http://www.w3.org/2000/svg}"
    lines = svg.findall(f"{ns}polyline")
    assert len(lines) == 2
    assert len(lines[0].get("points").split()) == 2 and len(lines[1].get("points").split()) == 3
    assert svg.find(f"{ns}title").text == "P & Q"
    texts = [t.text for t in svg.iter(f"{ns}text")]
    assert "a <x>" in texts and "50%" in texts and "2026-01-15" in texts


def test_chain_joins_a_relay_without_via():
    from exitwatch.read.lexicon import relay_link_text
    from exitwatch.report.render import chain

    text = chain(["an intelligence memo", "The Guardian", relay_link_text(), "Hot Air"])
    assert text == f"an intelligence memo, via The Guardian, {relay_link_text()}, via Hot Air"
    assert "via picked up" not in text and chain([]) == "the author"


def test_briefs_show_the_forecast_intervals(view):
    f = view.forecast
    markdown, html = render_brief(view, fmt="md"), render_brief(view, fmt="html")
    for h in (1, 12):
        for interval in (f.p_exit_interval[h], f.p_irregular_interval[h]):
            assert interval[0] <= interval[1]
            assert pct_range(interval) in markdown and pct_range(interval) in html
    assert f"irregular exit {pct(f.p_irregular[12])}, range {pct_range(f.p_irregular_interval[12])}" in markdown
    assert html.count('<tr class="range">') == 2


def test_pct_range():
    assert pct_range((0.091, 0.142)) == "9–14%"
    assert pct_range((0.008, 0.013)) == "0.8–1.3%"
    assert pct_range(None) == "–"
