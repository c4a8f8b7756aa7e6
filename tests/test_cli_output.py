"""What the command line prints when piped: no line wrapped at 80 columns, no blank line or
progress bar before the output; and where `exitwatch train` writes by default."""

from __future__ import annotations

from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.forecast.training import default_model_dir, user_model_path
from exitwatch.store import Store


def test_piped_table_is_not_wrapped_at_80_columns(tmp_path):
    db = tmp_path / ("a_store_with_a_name_long_enough_to_pass_eighty_columns_" * 2 + ".duckdb")
    Store(db).close()
    result = CliRunner().invoke(main, ["stats", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert any(str(db) in line for line in result.stdout.splitlines())


def test_no_blank_line_or_progress_before_the_output(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("The army withdrew from the capital on Monday.")
    db = str(tmp_path / "s.duckdb")
    for args in (["ingest", str(story), "--db", db, "--no-read"], ["stats", "--db", db], ["forecast", "IRN"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert result.stdout[:1] not in ("", "\n") and result.stderr == "", args


def test_train_writes_to_the_user_data_dir_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert user_model_path() == tmp_path / "exitwatch" / "forecast.joblib"
    assert default_model_dir() not in user_model_path().parents
