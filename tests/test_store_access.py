"""The web server's store access: reads go through per-thread cursors and are not blocked by a
write in progress; a write invalidates only the cached results of the countries it touched."""

from __future__ import annotations

import threading

import pytest

from exitwatch.app.uploads import ingest_json_document
from exitwatch.errors import StoreError
from exitwatch.report.access import COUNTRY, NO_STORE, STORE, StoreAccess


def test_a_read_is_not_blocked_by_a_write_in_progress(tmp_path):
    access = StoreAccess(str(tmp_path / "s.duckdb"))
    inside, release = threading.Event(), threading.Event()

    def write():
        with access.write():
            inside.set()
            release.wait(30)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert inside.wait(30)
        answered = []
        reader = threading.Thread(target=lambda: answered.append(access.cached(("vintage",), lambda s: s.vintage(),
                                                                               scope=STORE)))
        reader.start()
        reader.join(10)
        assert answered and answered[0].documents == 0, "a read waited for the write to finish"
    finally:
        release.set()
        writer.join()
        access.close()


def test_a_write_drops_only_what_it_touched(tmp_path):
    access = StoreAccess(str(tmp_path / "s.duckdb"))
    calls = []

    def compute(name):
        return lambda s: calls.append(name) or s.vintage().documents

    try:
        for key, scope in ((("page", "IRN"), COUNTRY), (("page", "SYR"), COUNTRY), (("counts",), STORE),
                           (("history",), NO_STORE)):
            assert access.cached(key, compute(key), scope=scope) == 0
        access.invalidate({"IRN"})
        assert access.cached(("page", "IRN"), compute("IRN again"), scope=COUNTRY) == 0
        assert access.cached(("page", "SYR"), compute("SYR again"), scope=COUNTRY) == 0
        assert access.cached(("history",), compute("history again"), scope=NO_STORE) == 0
        assert "IRN again" in calls and "SYR again" not in calls and "history again" not in calls
        # An unread document names no country: country entries stay, store-wide ones go.
        with access.write() as store:
            ingest_json_document(store, {"text": "A short note with no reading."}, read=None)
        assert access.cached(("counts",), compute("counts again"), scope=STORE) == 1
        assert access.cached(("page", "SYR"), compute("SYR third"), scope=COUNTRY) == 0
        assert "counts again" in calls and "SYR third" not in calls
    finally:
        access.close()


def test_a_result_older_than_a_write_to_its_country_is_not_cached(tmp_path):
    access = StoreAccess(str(tmp_path / "s.duckdb"))

    def compute_across_a_write(s):
        access.invalidate({"IRN"})  # a write lands while this result is being computed
        return "old"

    try:
        assert access.cached(("page", "IRN"), compute_across_a_write) == "old"
        assert access.cached(("page", "IRN"), lambda s: "new") == "new"
    finally:
        access.close()


def _holding(con, inside: threading.Event, release: threading.Event) -> None:
    """Give ``con`` a SQL function ``hold(x)`` that keeps the statement running until ``release``."""

    def hold(x: int) -> int:
        inside.set()
        release.wait(30)
        return x

    con.create_function("hold", hold, ["BIGINT"], "BIGINT")


def test_a_new_reader_thread_reads_while_a_statement_runs_on_the_writer(tmp_path):
    """A thread's first read opens its cursor while the writer's connection is in the middle of a
    statement of a write: it reads the last committed state, without error."""
    access = StoreAccess(str(tmp_path / "s.duckdb"))
    inside, release = threading.Event(), threading.Event()
    wrote = []

    def write():
        with access.write() as store:
            _holding(store.con, inside, release)
            with store.transaction() as con:
                con.execute("INSERT INTO source_states (name, kind, location) VALUES ('wire', 'rss', 'http://example.org/feed')")
                wrote.append(con.execute("SELECT hold(1)").fetchone()[0])

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert inside.wait(30)
        answered = []

        def read():
            try:
                with access.use() as store:
                    answered.append(store.table_counts())
            except Exception as e:  # noqa: BLE001 - the assertion below shows it
                answered.append(e)

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(10)
        assert writer.is_alive() and not wrote, "the write's statement ended before the read"
        assert answered and isinstance(answered[0], dict), answered
        assert answered[0]["source_states"] == 0  # the write is not committed yet
    finally:
        release.set()
        writer.join()
    assert wrote == [1]
    with access.use() as store:
        assert store.table_counts()["source_states"] == 1
    access.close()


def test_closing_waits_for_a_read_in_progress(tmp_path):
    """``close()`` (server shutdown) while a thread's read is running waits for it (DuckDB refuses
    to close a connection one of whose cursors is busy); reads asked for afterwards are refused."""
    access = StoreAccess(str(tmp_path / "s.duckdb"))
    inside, release, closed = threading.Event(), threading.Event(), threading.Event()
    results = []

    def read():
        with access.use() as store:
            _holding(store.con, inside, release)
            results.append(store.con.execute("SELECT hold(7)").fetchone()[0])

    def close():
        try:
            access.close()
        except Exception as e:  # noqa: BLE001 - the assertion below shows it
            results.append(e)
        closed.set()

    reader = threading.Thread(target=read)
    reader.start()
    assert inside.wait(30)
    closer = threading.Thread(target=close)
    closer.start()
    assert not closed.wait(0.3), "close() did not wait for the read in progress"
    release.set()
    reader.join(10)
    closer.join(10)
    assert closed.is_set() and results == [7]
    with pytest.raises(StoreError, match="closed"):
        with access.use():
            pass
