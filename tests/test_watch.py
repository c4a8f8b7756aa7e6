"""``exitwatch watch``: re-ingest configured folders, report indicators whose lit state changed
since the last run, keep the states in the store, exit codes and JSON usable from cron."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.errors import ConfigError
from exitwatch.app.watch import load_watch_config, watch
from exitwatch.indicators.samples import sample_files, sentences_only_reader
from exitwatch.store import Store


def _config(tmp_path, countries='["IRN"]'):
    (tmp_path / "inbox").mkdir(exist_ok=True)
    path = tmp_path / "watch.toml"
    path.write_text(f'[watch]\nsources = ["inbox"]\ncountries = {countries}\nperiod = "week"\n')
    return path


def _drop(tmp_path, *files):
    for f in files:
        shutil.copy(f, tmp_path / "inbox" / f.name)


def test_watch_reports_changes_since_the_last_run(tmp_path):
    config = load_watch_config(_config(tmp_path))
    assert [(s.kind, s.path) for s in config.sources] == [("folder", str(tmp_path / "inbox"))]
    _drop(tmp_path, *sample_files("elite_split", "_1"))
    with Store(tmp_path / "w.duckdb") as store:
        first = watch(store, config, read=sentences_only_reader)
        assert first.first_run and first.added == 1 and first.changes == () and first.lit == {"IRN": []}
        _drop(tmp_path, *sample_files("elite_split", "_2"))
        second = watch(store, config, read=sentences_only_reader)
        assert not second.first_run and second.added == 1
        assert [(c.indicator, c.was_lit, c.lit) for c in second.changes] == [("elite_split", False, True)]
        assert second.changes[0].top_evidence and second.lit == {"IRN": ["elite_split"]}
        again = watch(store, config, read=sentences_only_reader)
        assert again.added == 0 and again.duplicates == 2 and again.changes == ()
        states = store.indicator_states("IRN", "week")
    assert states["elite_split"]["lit"] and not states["ally_loss"]["lit"]
    assert json.loads(json.dumps(second.to_dict(), default=str))["changes"][0]["indicator"] == "elite_split"


def test_bad_watch_configs_say_what_is_wrong(tmp_path):
    with pytest.raises(ConfigError, match="cannot read watch config"):
        load_watch_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('[watch]\nsources = ["x"]\ncountries = ["IRN"]\nperiod = "year"\n')
    with pytest.raises(ConfigError, match="day, week, month"):
        load_watch_config(bad)
    bad.write_text('[watch]\nsources = []\ncountries = ["IRN"]\nfeeds = 1\n')
    with pytest.raises(ConfigError, match="sources") as error:
        load_watch_config(bad)
    assert "feeds" in str(error.value)


def test_watch_command_exit_codes_and_json(tmp_path):
    config = _config(tmp_path)
    db = str(tmp_path / "cli.duckdb")
    runner = CliRunner()
    _drop(tmp_path, *sample_files("revenue_shock", "_1", "_2"))
    first = runner.invoke(main, ["watch", "--config", str(config), "--db", db, "--format", "json"])
    assert first.exit_code == 1, first.output
    data = json.loads(first.output)
    assert data["added"] == 2 and [c["indicator"] for c in data["changes"]] == ["revenue_shock"]
    quiet = runner.invoke(main, ["watch", "--config", str(config), "--db", db])
    assert quiet.exit_code == 0, quiet.output
    assert "IRN lit: revenue_shock" in quiet.output
    broken = runner.invoke(main, ["watch", "--config", str(tmp_path / "nope.toml"), "--db", db])
    assert broken.exit_code == 2 and "cannot read watch config" in broken.output
