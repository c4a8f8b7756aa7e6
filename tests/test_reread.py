"""``exitwatch reread``: documents read before the store's last reader migration are read again."""

from __future__ import annotations

from click.testing import CliRunner

from exitwatch.app.ingest_pipeline import ingest
from exitwatch.app.reread import READER_MIGRATION, reread
from exitwatch.cli import main
from exitwatch.indicators.samples import sample_files
from exitwatch.read import read_document
from exitwatch.store import Store

ARTICLES = sample_files("flight_preparation", "_1", "_2")


def _age_readings(store: Store) -> None:
    """Make the stored readings look like a store read before migration 5 (no facts, no labels)."""
    store.con.execute("UPDATE readings SET read_at = (SELECT applied_at FROM schema_version WHERE version = ?) "
                      "- INTERVAL 1 DAY", [READER_MIGRATION])
    store.con.execute("DELETE FROM mentions")
    store.con.execute("DELETE FROM cue_matches")
    store.con.execute("UPDATE sentences SET pentaclass = NULL")


def test_old_readings_are_read_again_with_facts_and_labels(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        ingest(ARTICLES, store=store, read="model")
        fresh = {doc_id: store.reading(doc_id) for doc_id in store.read_doc_ids()}
        assert all(r.mentions and r.cues for r in fresh.values())
        assert store.read_before_migration(READER_MIGRATION) == []
        _age_readings(store)
        assert sorted(store.read_before_migration(READER_MIGRATION)) == sorted(fresh)
        report = reread(store, read="model")
        assert (report.selected, report.read, report.problems) == (len(fresh), len(fresh), ())
        for doc_id, reading in fresh.items():
            again = store.reading(doc_id)
            assert again.mentions == reading.mentions and again.cues == reading.cues
            assert [s.pentaclass for s in again.sentences] == [s.pentaclass for s in reading.sentences]
            assert any(s.pentaclass is not None for s in again.sentences)
            assert again == read_document(store.document(doc_id), mode="model")
        assert reread(store, read="model").selected == 0  # nothing old is left


def test_reread_all_and_the_command(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        ingest(ARTICLES, store=store, read="lexical")
        n = len(store.read_doc_ids())
    result = CliRunner().invoke(main, ["reread", "--db", str(path), "--mode", "lexical"])
    assert result.exit_code == 0 and result.output.strip() == f"{path}: 0 of 0 documents read again, 0 problems"
    result = CliRunner().invoke(main, ["reread", "--db", str(path), "--mode", "lexical", "--all"])
    assert result.exit_code == 0 and f"{n} of {n} documents read again" in result.output
