"""The web server's store access: reads go through per-thread cursors and are not blocked by a
write in progress; a write invalidates only the cached results of the countries it touched."""

from __future__ import annotations

import threading

from exitwatch.app.uploads import ingest_json_document
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
