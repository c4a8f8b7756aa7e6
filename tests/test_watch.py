"""``exitwatch watch``: re-ingest configured folders, report indicators whose lit state changed
since the last run, keep the states in the store, exit codes and JSON usable from cron."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from exitwatch.app.watch import load_watch_config, watch
from exitwatch.cli import main
from exitwatch.errors import ConfigError
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


def _error(tmp_path, text: str | bytes, name="watch.toml") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(ConfigError) as error:
        load_watch_config(path)
    message = str(error.value)
    assert "\n" not in message
    return message


def test_bad_source_configs_are_one_line_errors_naming_the_line(tmp_path):
    head = '[watch]\ncountries = ["IRN"]\n\n'
    table = '[[source]]\nname = "ok"\nurl = "https://example.org/feed.xml"\n\n'
    assert _error(tmp_path, head + table + '[[source]]\nname = "typo"\nurl = "https://example.org/b.xml"\ncadance = "6h"\n') \
        .startswith(f"{tmp_path / 'watch.toml'}:11: source 'typo': cadance: unknown key; valid keys: name, kind")
    assert ":10: source 'ftp': url: 'ftp://example.org/f.xml' is not an http:// or https:// URL" in _error(
        tmp_path, head + table + '[[source]]\nname = "ftp"\nurl = "ftp://example.org/f.xml"\n')
    assert ":11: source 'neg': interval: interval '-5m' is negative" in _error(
        tmp_path, head + table + '[[source]]\nname = "neg"\nurl = "https://example.org/n.xml"\ninterval = "-5m"\n')
    assert ":3: source 'file:///etc/passwd': 'file:///etc/passwd' has the URL scheme 'file'" in _error(
        tmp_path, '[watch]\ncountries = ["IRN"]\nsources = ["file:///etc/passwd"]\n')
    assert "unknown country 'Atlantis'" in _error(
        tmp_path, head + '[[source]]\nurl = "https://example.org/a.xml"\ncountries = ["Atlantis"]\n')
    assert "two sources are named 'ok'" in _error(tmp_path, head + table + table)
    assert "needs url" in _error(tmp_path, head + '[[source]]\nname = "nourl"\n')
    assert "is a binary file, not TOML" in _error(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert ":4: unknown table or key 'feeds'" in _error(tmp_path, head + "[feeds]\nx = 1\n")
    assert "no sources" in _error(tmp_path, head)


def test_sources_come_from_urls_paths_tables_and_a_sources_file(tmp_path):
    (tmp_path / "sources.toml").write_text('[[source]]\nname = "tass"\nurl = "https://tass.com/rss/v2.xml"\n'
                                           'cadence = "6h"\ninterval = "30m"\ncountries = ["Russia"]\n')
    path = tmp_path / "watch.toml"
    path.write_text('[watch]\ncountries = ["IRN"]\nsources_file = "sources.toml"\nhost_delay = 0.5\n'
                    'sources = ["https://example.org/feed.xml", "https://example.org/sitemap.xml", "news/"]\n\n'
                    '[[source]]\nname = "page"\nkind = "page"\nurl = "https://example.org/live"\n')
    config = load_watch_config(path)
    assert [(s.name, s.kind, s.location) for s in config.sources] == [
        ("https://example.org/feed.xml", "feed", "https://example.org/feed.xml"),
        ("https://example.org/sitemap.xml", "sitemap", "https://example.org/sitemap.xml"),
        ("news/", "folder", str(tmp_path / "news")),
        ("page", "page", "https://example.org/live"),
        ("tass", "feed", "https://tass.com/rss/v2.xml"),
    ]
    tass = config.sources[-1]
    assert (tass.cadence, tass.interval, tass.countries) == (6 * 3600, 1800, ("RUS",))
    assert config.sources[0].interval == 900 and config.sources[2].interval == 0 and config.fetch.host_delay == 0.5


def test_the_starter_list_is_valid_unverified_and_covers_the_watched_regimes():
    from exitwatch.ingest.source_config import example_sources_path, load_sources

    sources = load_sources(example_sources_path())
    assert sources and all(not s.verified and s.licence and s.url.startswith("https://") for s in sources)
    assert {"IRN", "RUS", "VEN", "SYR", "PRK", "BLR", "MLI", "BFA", "NER"} <= {c for s in sources for c in s.countries}
    printed = CliRunner().invoke(main, ["sources", "--example"])
    assert printed.exit_code == 0 and printed.output == example_sources_path().read_text(encoding="utf-8")
