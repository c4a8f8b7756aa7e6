"""The DuckDB store: migrations, idempotent writes, round trips, Parquet export/import."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exitwatch.errors import InputError, NotFoundError, StoreError, StoreLockedError, StoreMissingError
from exitwatch.records import (MODALITIES, TAGGED_ROLES, Actor, Claim, Document, Event, Reading, RemovedSpan, Sentence,
                               Source, TaggedRole)
from exitwatch.store import SCHEMA_VERSION, TABLES, Store

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
maybe = lambda s: st.none() | s  # noqa: E731
actors = st.builds(Actor, text=text, country=maybe(st.sampled_from(["IRN", "USA", "ISR"])), sector=maybe(st.just("GOV")),
                   person=maybe(text), organisation=maybe(text))
sources = st.builds(Source, text=text, kind=st.sampled_from(["person", "outlet", "anonymous"]), anonymous=st.booleans(),
                    description=maybe(text), actor=maybe(actors))
dates = maybe(st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))


@st.composite
def readings(draw):
    body = draw(st.text(min_size=1, max_size=200))
    doc = Document(
        id=draw(st.text("0123456789abcdef", min_size=16, max_size=16)),
        body=body,
        title=draw(maybe(text)),
        outlet=draw(maybe(text)),
        url=draw(maybe(text)),
        published=draw(dates),
        language=draw(maybe(st.just("en"))),
        author=draw(maybe(text)),
        removed=tuple(draw(st.lists(st.builds(RemovedSpan, start=st.integers(0, 99), end=st.integers(100, 200), text=text,
                                              reason=st.just("promo")), max_size=3))),
        source_path=draw(maybe(text)),
    )
    n = draw(st.integers(1, 3))
    roles = st.builds(TaggedRole, role=st.sampled_from(TAGGED_ROLES), start=st.integers(0, 99), end=st.integers(0, 99),
                      actor=actors, confidence=st.floats(0, 1))
    sentences = tuple(Sentence(doc.id, i, i, i + 1, draw(text), draw(maybe(st.integers(0, 4))),
                               tuple(draw(st.lists(roles, max_size=3)))) for i in range(n))
    events = tuple(
        Event(doc_id=doc.id, sentence_index=draw(st.integers(0, n - 1)), event_type=draw(st.sampled_from(["ASSAULT", "SEIZE"])),
              source=draw(maybe(actors)), target=draw(maybe(actors)), mode=draw(maybe(text)),
              modality=draw(st.sampled_from(MODALITIES)), attribution=tuple(draw(st.lists(sources, max_size=3))),
              conditions=tuple(draw(st.lists(text, max_size=2))), date=draw(dates), date_text=draw(maybe(text)),
              location=draw(maybe(text)), location_country=draw(maybe(st.just("IRN"))), span=(1, 5),
              trigger=draw(maybe(text)), confidence=draw(st.floats(0, 1)), coder="test")
        for _ in range(draw(st.integers(0, 3)))
    )
    claims = tuple(
        Claim(doc_id=doc.id, sentence_index=0, text=draw(text), speaker=draw(maybe(sources)),
              attribution=tuple(draw(st.lists(sources, max_size=3))), modality=draw(st.sampled_from(MODALITIES)),
              quote=draw(st.booleans()), span=(0, 3), conditions=tuple(draw(st.lists(text, max_size=2))))
        for _ in range(draw(st.integers(0, 2)))
    )
    return Reading(doc, sentences, events, claims, pipeline="test")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reading=readings())
def test_reading_round_trip(reading):
    with Store(":memory:") as store:
        assert store.add_document(reading.document, reading=reading)
        assert store.reading(reading.document.id) == reading


def test_fresh_store_is_at_current_version(store):
    assert store.schema_version() == SCHEMA_VERSION
    assert set(store.table_counts()) == set(TABLES)


def test_add_is_idempotent(store):
    doc = Document(id="a" * 16, body="The army refused orders.", outlet="Example")
    assert store.add_document(doc, signature=b"\x00\x01")
    assert not store.add_document(doc, signature=b"\x00\x01")
    assert store.table_counts()["documents"] == 1
    assert store.table_counts()["minhashes"] == 1


def test_failed_write_leaves_nothing_half_way(store):
    doc = Document(id="b" * 16, body="text")
    bad_reading = Reading(doc, sentences=(Sentence(doc.id, 0, 0, 4, "text"), Sentence(doc.id, 0, 0, 4, "dup key")))
    with pytest.raises(duckdb.Error):
        store.add_document(doc, reading=bad_reading)
    assert store.table_counts()["documents"] == 0
    assert store.table_counts()["sentences"] == 0


def test_reopen_keeps_data_and_does_not_remigrate(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        s.add_document(Document(id="c" * 16, body="x"))
    with Store(path) as s:
        assert s.table_counts()["documents"] == 1
        assert s.con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_store_of_version_5_gets_pentaclass_column_and_keeps_its_sentences(tmp_path):
    from exitwatch.store.schema import MIGRATIONS

    path = tmp_path / "v5.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, "
                "applied_at TIMESTAMP DEFAULT current_timestamp)")
    for version, description, sql in MIGRATIONS[:5]:
        con.execute(sql)
        con.execute("INSERT INTO schema_version (version, description) VALUES (?, ?)", [version, description])
    con.execute("INSERT INTO documents (id, body) VALUES ('g', 'Troops fired.')")
    con.execute("INSERT INTO sentences VALUES ('g', 0, 0, 13, 'Troops fired.')")
    con.close()
    with Store(path) as s:
        assert s.schema_version() == SCHEMA_VERSION >= 6
        assert s.sentences("g") == [Sentence("g", 0, 0, 13, "Troops fired.", pentaclass=None)]


def test_newer_store_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        s.con.execute("INSERT INTO schema_version (version, description) VALUES (999, 'future')")
    with pytest.raises(StoreError, match="newer than this exitwatch"):
        Store(path)


@pytest.mark.parametrize("mode", [{"read_only": True}, {"create": False}])
def test_missing_store_is_refused_not_created(tmp_path, mode):
    path = tmp_path / "sub" / "nope.duckdb"
    with pytest.raises(StoreMissingError, match="no store at .*nope.duckdb: run `exitwatch ingest` or `exitwatch demo`"):
        Store(path, **mode)
    assert not path.parent.exists()


def test_store_locked_by_another_process_says_so(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "held.duckdb"
    Store(path).close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreLockedError, match=rf"locked by another process \(PID {holder.pid}\).*exitwatch serve"):
            Store(path, read_only=True)
    finally:
        holder.kill()
        holder.wait()


def test_unknown_document_is_not_found(store):
    with pytest.raises(NotFoundError, match="zzz"):
        store.document("zzz")


def test_parquet_export_import_round_trip(tmp_path):
    doc = Document(id="d" * 16, body="Protesters marched.", published=dt.date(2026, 1, 5),
                   removed=(RemovedSpan(20, 30, "Subscribe now", "promo"),))
    reading = Reading(doc, (Sentence(doc.id, 0, 0, 19, "Protesters marched.", pentaclass=4),),
                      (Event(doc.id, 0, "PROTEST", source=Actor("Protesters", "IRN", "PROT")),), (), "test")
    with Store(tmp_path / "a.duckdb") as a:
        a.add_document(doc, reading=reading, signature=b"sig")
        a.export_parquet(tmp_path / "pq")
        counts = a.table_counts()
    with Store(tmp_path / "b.duckdb") as b:
        added = b.import_parquet(tmp_path / "pq")
        assert b.table_counts() == counts
        assert added["events"] == 1
        assert b.reading(doc.id) == reading
        assert sum(b.import_parquet(tmp_path / "pq").values()) == 0  # second import adds nothing


def test_import_partitioned_folders(tmp_path):
    import pyarrow.parquet as pq

    with Store(tmp_path / "a.duckdb") as a:
        a.add_document(Document(id="e" * 16, body="x"))
        a.add_document(Document(id="f" * 16, body="y"))
        exported = a.export_parquet(tmp_path / "flat")
    rows = pq.read_table(exported["documents"])
    (tmp_path / "parts" / "documents").mkdir(parents=True)
    for i in range(rows.num_rows):  # one Parquet file per partition, as the Dask path writes
        pq.write_table(rows.slice(i, 1), tmp_path / "parts" / "documents" / f"part-{i}.parquet")
    with Store(":memory:") as b:
        assert b.import_parquet(tmp_path / "parts") == {"documents": 2}


def test_import_rejects_folder_without_parquet(tmp_path):
    with Store(":memory:") as s, pytest.raises(InputError, match="no Parquet files"):
        s.import_parquet(tmp_path)
