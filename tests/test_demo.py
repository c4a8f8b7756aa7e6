"""The README's main job: `exitwatch demo` ingests the samples and the example article and briefs on Iran."""

from __future__ import annotations

from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.app.demo import EXAMPLE_OUTLET, demo_inputs, run_demo


def test_demo_inputs_are_the_packaged_samples(tmp_path):
    inputs = demo_inputs(tmp_path / "absent.txt")
    assert len(inputs) == 2 and all(path.is_dir() and any(path.rglob("*.*")) for path in inputs)


def test_demo_briefs_on_the_example_scenario_and_reruns_idempotently(tmp_path, example_article):
    db = tmp_path / "demo.duckdb"
    result = CliRunner().invoke(main, ["demo", "--db", str(db)])
    assert result.exit_code == 0, result.output
    first, brief = (" ".join(part.split()) for part in result.output.split("Brief:", 1))  # rich wraps lines
    assert "40 added" in first and "0 problems" in first
    # The brief is as of today: the indicator samples (January 2026) are outside the news window,
    # the example article (undated, so dated by its ingest day) is inside it.
    assert "Ali Khamenei" in brief and "Warning indicators lit: 2 of 9" in brief
    for indicator in ("Elite flight preparations", "Foreign military pressure"):
        assert indicator in brief
    assert f"via {EXAMPLE_OUTLET}" in brief  # the outlet closes the example's attribution chains
    assert "Russia" in brief and "exitwatch serve --db" in brief

    again = run_demo(db_path=str(db), example_article=example_article)
    assert (again.ingest.added, again.ingest.near_duplicates) == (0, 0)
    assert again.ingest.duplicates == 42 and again.tables["documents"] == 42
