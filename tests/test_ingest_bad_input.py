"""Bad input: every problem names the file and the problem, the rest of the batch goes on, and
interrupted ingests end with the same store as one clean run."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import tracemalloc

import pytest

from exitwatch.app.ingest_pipeline import ingest
from exitwatch.ingest import iter_documents, sample_corpus_path
from exitwatch.ingest.textio import MAX_DOCUMENT_BYTES


def _run(paths, **opts):
    problems = []
    docs = list(iter_documents(paths, on_problem=problems.append, **opts))
    return docs, problems


@pytest.mark.parametrize("name", ["empty.txt", "empty.csv", "empty.jsonl", "empty.json", "empty.html", "empty.xml"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    docs, [problem] = _run([path])
    assert docs == [] and problem.source == str(path) and "empty" in problem.problem


def test_binary_file(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(bytes(range(256)) * 40)
    docs, [problem] = _run([path])
    assert docs == [] and problem.source == str(path) and "binary" in problem.problem


@pytest.mark.parametrize("suffix", [".txt", ".jsonl", ".csv"])
def test_cp1252_decoded_with_a_warning(tmp_path, suffix):
    text = "Le café “Régence” a fermé."
    content = {".txt": text, ".jsonl": json.dumps({"text": text}, ensure_ascii=False), ".csv": f'text\n"{text}"\n'}[suffix]
    path = tmp_path / f"latin{suffix}"
    path.write_bytes(content.encode("cp1252"))
    [doc], [problem] = _run([path])
    assert doc.body == text
    assert problem.severity == "warning" and "cp1252" in problem.problem and problem.source == str(path)


def test_malformed_html(tmp_path):
    truncated = tmp_path / "truncated.html"
    truncated.write_text("<html><body><article><p>The cabinet resigned on Monday after weeks of strikes <b>across")
    empty = tmp_path / "nothing.html"
    empty.write_text("<html><head><script>var x = 1;</script></head><body><div></div></body></html>")
    docs, problems = _run([truncated, empty])
    assert [d.source_path for d in docs] == [str(truncated)] and "cabinet resigned" in docs[0].body
    assert [(p.source, "no article text" in p.problem) for p in problems] == [(str(empty), True)]


def test_malformed_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[{"text": "fine"},\n {"text": "broken",')
    docs, [problem] = _run([path])
    assert docs == [] and problem.source == str(path) and "invalid JSON at line 2" in problem.problem


def test_malformed_jsonl_line_skipped_rest_read(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "first"}\n{"text": "second"\n{"text": "third"}\n{"title": "no text"}\n')
    docs, problems = _run([path])
    assert [d.body for d in docs] == ["first", "third"]
    assert [p.source for p in problems] == [f"{path}#2", f"{path}#4"]
    assert "invalid JSON" in problems[0].problem and "no 'text' field (fields: title)" in problems[1].problem


def test_malformed_csv(tmp_path):
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text('text,title\n"fine row",a\n"never closed,b\n')
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("text,title\nok,a\nbad,b,extra,cells\nalso ok,c\n")
    docs, problems = _run([unclosed, ragged])
    assert [d.body for d in docs] == ["fine row", "ok", "also ok"]
    assert problems[0].source == str(unclosed) and "malformed CSV" in problems[0].problem
    assert problems[1].source == f"{ragged}#3" and "4 cells for 2 columns" in problems[1].problem


def test_malformed_feed_xml(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<rss><channel><title>T</title><item><title>a</title><description>cut")
    not_xml = tmp_path / "garbage.rss"
    not_xml.write_text("this is < not > a feed & at all")
    docs, problems = _run([broken, not_xml])
    assert docs == []
    assert {p.source.split("#")[0] for p in problems} == {str(broken), str(not_xml)}
    assert any("not well-formed" in p.problem for p in problems if p.source == str(broken))


def test_missing_text_column_names_file_and_columns(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("body,headline\nhello,world\n")
    docs, [problem] = _run([path])
    assert docs == [] and problem.source == str(path)
    assert "no text column 'text'" in problem.problem and "body, headline" in problem.problem
    assert "--text-column" in problem.problem


def _peak_mib(fn):
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_50mb_text_file_refused_without_loading(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.write(b"All work and no play. " * (50 * 2**20 // 22))
    (docs, problems), peak = _peak_mib(lambda: _run([path]))
    assert docs == [] and problems[0].source == str(path)
    assert "cap" in problems[0].problem and f"{MAX_DOCUMENT_BYTES:,}" in problems[0].problem
    assert peak < 10


def test_50mb_jsonl_streamed_oversized_record_skipped(tmp_path):
    path = tmp_path / "huge.jsonl"
    with open(path, "w") as f:
        f.write('{"text": "before"}\n')
        f.write('{"text": "' + "x" * (50 * 2**20) + '"}\n')
        f.write('{"text": "after"}\n')
    (docs, problems), peak = _peak_mib(lambda: _run([path]))
    assert [d.body for d in docs] == ["before", "after"]
    assert [p.source for p in problems] == [f"{path}#2"] and "cap" in problems[0].problem
    assert peak < 20  # one capped line at most, never the whole file


def _folder_of_stories(tmp_path, n):
    folder = tmp_path / "news"
    for i in range(n):
        sub = folder / f"d{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"s{i:04d}.txt").write_text(f"Story number {i}: the council met on day {i} and argued about item {i * 7}.")
    broken = folder / "d3" / "s0503.txt"
    broken.write_bytes(b"\x00\x01\x02" * 100)
    return folder, broken


def test_directory_of_1000_files_one_broken_reads_the_rest(tmp_path):
    folder, broken = _folder_of_stories(tmp_path, 1000)
    docs, problems = _run([folder])
    assert len(docs) == 999 and len({d.id for d in docs}) == 999
    assert [p.source for p in problems] == [str(broken)] and "binary" in problems[0].problem


@pytest.mark.slow
def test_directory_of_1000_files_one_broken(tmp_path, store):
    folder = tmp_path / "news"
    for i in range(1000):
        sub = folder / f"d{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"s{i:04d}.txt").write_text(f"Story number {i}: the council met on day {i} and argued about item {i * 7}.")
    broken = folder / "d3" / "s0503.txt"
    broken.write_bytes(b"\x00\x01\x02" * 100)
    ingest([folder / "d0"], store=store, read=None)  # stored before: must be neither lost nor duplicated
    before = store.table_counts()["documents"]
    report = ingest([folder], store=store, read=None)
    assert before == 100
    assert [p.source for p in report.problems] == [str(broken)] and "binary" in report.problems[0].problem
    assert report.duplicates == 100 and report.added + report.near_duplicates == 899
    assert store.table_counts()["documents"] == 999


_INGEST_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from exitwatch.app.ingest_pipeline import ingest
    from exitwatch.store import Store
    db, kill_after, *paths = sys.argv[1:]
    def progress(done, total):
        if done == int(kill_after):
            os.kill(os.getpid(), signal.SIGKILL if sys.platform != "win32" else signal.SIGTERM)
    with Store(db) as store:  # small batches, so the kill lands after some were committed
        ingest(paths, store=store, read=None, progress=progress, batch_size=8)
    """
)


def _ingest_in_subprocess(db, kill_after, paths):
    args = [sys.executable, "-c", _INGEST_SCRIPT, str(db), str(kill_after), *map(str, paths)]
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


def _near_copy_corpus(tmp_path, shared_data):
    """60 Guardian articles and near copies of 20 of them, as JSONL built at test time."""
    from exitwatch.ingest.dedup_eval import make_near_copy
    import random

    csv.field_size_limit(sys.maxsize)
    with open(shared_data / "news" / "guardian_2019_sample.csv", encoding="utf-8") as f:
        texts = [row["text"] for row, _ in zip(csv.DictReader(f), range(60))]
    rng = random.Random(1)
    path = tmp_path / "corpus.jsonl"
    with open(path, "w") as f:
        for i, text in enumerate(texts):
            f.write(json.dumps({"text": text, "outlet": "Guardian"}) + "\n")
            if i % 3 == 0:
                f.write(json.dumps({"text": make_near_copy(text, rng), "outlet": "Syndicator"}) + "\n")
    return [path, sample_corpus_path()]


def _snapshot(db):
    from exitwatch.store import Store

    with Store(db) as store:
        links = {(d["doc_id"], d["duplicate_of"]) for d in store.duplicate_links()}
        return store.table_counts(), {d.id for d in store.documents(limit=10_000)}, links


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_ingest_then_rerun_equals_clean_run(tmp_path, shared_data):
    paths = _near_copy_corpus(tmp_path, shared_data)
    clean, interrupted = tmp_path / "clean.duckdb", tmp_path / "interrupted.duckdb"
    assert _ingest_in_subprocess(clean, -1, paths).returncode == 0
    killed = _ingest_in_subprocess(interrupted, 37, paths)
    assert killed.returncode == -signal.SIGKILL
    partial_counts = _snapshot(interrupted)[0]
    assert 0 < partial_counts["documents"] < _snapshot(clean)[0]["documents"]
    assert _ingest_in_subprocess(interrupted, -1, paths).returncode == 0
    assert _snapshot(interrupted) == _snapshot(clean)
    assert _snapshot(clean)[0]["duplicates"] == 21  # 20 Guardian near copies + the sample corpus's
