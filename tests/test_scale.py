"""The Dask path (exitwatch.scale): same store as one-process ingest, byte-range partitions keep
record labels, failed partitions are retried alone, memory stays bounded on a big JSONL."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from functools import partial
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.errors import ConfigError
from exitwatch.app.ingest_pipeline import ingest
from exitwatch.indicators import compute_indicators, compute_indicators_parquet
from exitwatch.ingest import iter_documents, make_document, sample_corpus_path
from exitwatch.ingest.options import ReaderOptions
from exitwatch.scale import partition as scale_partition
from exitwatch.scale import plan_partitions, run_dask
from exitwatch.scale.ranges import unit_documents
from exitwatch.store import Store

distributed = pytest.importorskip("distributed")

#: Columns set from the clock, not from the input.
CLOCK_COLUMNS = {"ingested_at", "read_at"}


@pytest.fixture(scope="module")
def client():
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        yield c


def store_content(db: Path, tmp: Path) -> dict[str, list[dict]]:
    """Every table's rows (clock columns left out) in a stable order, via Parquet export."""
    with Store(db) as store:
        files = store.export_parquet(tmp)
    content = {}
    for table, path in files.items():
        rows = [{k: v for k, v in row.items() if k not in CLOCK_COLUMNS} for row in pq.read_table(path).to_pylist()]
        content[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return content


def imported(out: Path, tmp: Path) -> dict[str, list[dict]]:
    with Store(tmp / "dask.duckdb") as store:
        store.import_parquet(out)
    return store_content(tmp / "dask.duckdb", tmp / "dask-export")


def single_process(paths, tmp: Path, mode: str | None, reports: list | None = None) -> dict[str, list[dict]]:
    from exitwatch.read import read_document

    with Store(tmp / "one.duckdb") as store:
        report = ingest(paths, store=store, read=None if mode is None else partial(read_document, mode=mode))
    if reports is not None:
        reports.append(report)
    return store_content(tmp / "one.duckdb", tmp / "one-export")


def guardian_slice(shared_data: Path, target: Path, n: int) -> Path:
    """The first ``n`` Guardian articles, then three of them again (exact repeats) and one with a
    sentence added (a near-copy), as a CSV in ``target``."""
    with open(shared_data / "news" / "guardian_2019_sample.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1 : n + 1]
    text = header.index("text")
    near = list(body[0])
    near[text] = near[text] + " A correction was appended to this article."
    with open(target, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *body, *body[:3], near])
    return target


def test_dask_store_equals_single_process(tmp_path, shared_data, client):
    paths = [str(sample_corpus_path()), str(guardian_slice(shared_data, tmp_path / "guardian.csv", 12))]
    reports = []
    expected = single_process(paths, tmp_path, "lexical", reports)
    [one] = reports
    report = run_dask(paths, out_dir=tmp_path / "out", scheduler=client, partition_size=20_000, mode="lexical")
    assert report.failed == () and report.partitions >= 4
    assert (report.added, report.duplicates, report.near_duplicates, report.read) == (one.added, one.duplicates, one.near_duplicates, one.read)
    assert report.duplicates == 3 and report.read == report.added == len(expected["readings"])
    got = imported(tmp_path / "out", tmp_path)
    assert got == expected
    assert len(got["mentions"]) > 100 and got["cue_matches"]  # what the indicators query, written by both paths
    with Store(tmp_path / "one.duckdb", read_only=True) as one_store:
        direct = [compute_indicators(one_store, c, period="month") for c in ("GBR", "USA")]
    from_dask = [compute_indicators_parquet(tmp_path / "out", c, period="month") for c in ("GBR", "USA")]
    assert [r.to_dict() for r in from_dask] == [r.to_dict() for r in direct]
    links = {d["doc_id"]: d["duplicate_of"] for d in got["duplicates"]}
    guardian = [d for d in got["documents"] if "guardian.csv" in d["source_path"]]
    by_line = {int(d["source_path"].rsplit("#", 1)[1]): d["id"] for d in guardian}
    assert links[by_line[max(by_line)]] == by_line[min(by_line)]  # the appended near-copy, linked across partitions
    assert len(got["events"]) > 10 and len(got["claims"]) > 5 and len(got["sentences"]) > 100
    assert not (tmp_path / "out" / "_stage").exists()  # staged signatures are removed when the run is complete
    guardian_parts = [p for p in plan_partitions(paths, partition_size=20_000, on_problem=[].append) if "guardian" in p.units[0].label]
    assert len(guardian_parts) > 2 and any(p.units[0].start > 0 for p in guardian_parts)


def test_partition_parquet_keeps_the_five_class_labels(tmp_path):
    from exitwatch.read import read_document
    from exitwatch.store.rows import NewDocument, new_document_rows

    doc = make_document("Riot police fired on demonstrators in Minsk, killing two.\nThe lake lies north of the city.",
                        outlet="Example")
    reading = read_document(doc, mode="model")
    labels = [s.pentaclass for s in reading.sentences]
    assert labels[0] == 4 and None not in labels
    scale_partition.write_tables(tmp_path / "out", "p0", new_document_rows(NewDocument(doc, reading=reading)))
    assert pq.read_table(tmp_path / "out" / "sentences" / "part-p0.parquet").column("pentaclass").to_pylist() == labels
    with Store(":memory:") as store:
        store.import_parquet(tmp_path / "out")
        assert store.reading(doc.id).sentences == reading.sentences


def test_near_copy_in_a_later_partition_is_linked_to_the_first(tmp_path, client):
    base = "The army said on Tuesday that troops had left the capital after three days of protests. " * 3
    lines = [{"text": base + f"Report number {i} adds a different closing sentence about talks."} for i in range(3)]
    lines.append({"text": "Entirely different story about a trade fair and its many visitors from abroad."})
    path = tmp_path / "wire.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines + lines[:1]), encoding="utf-8")
    expected = single_process([path], tmp_path, None)
    report = run_dask([path], out_dir=tmp_path / "out", scheduler=client, partition_size=200, mode=None)
    assert report.partitions == 5 and (report.near_duplicates, report.duplicates) == (2, 1)
    assert imported(tmp_path / "out", tmp_path) == expected
    first = make_document(lines[0]["text"]).id
    assert [d["duplicate_of"] for d in expected["duplicates"]] == [first, first]


def test_many_near_copies_link_as_the_lsh_index_does(tmp_path, client):
    """Templated wire stories: most are near-copies of one another, across many partitions."""
    lines = [{"text": f"Story {i} says that ministers met, again, on day {i % 7} in the capital city of the {i % 3} province."} for i in range(40)]
    path = tmp_path / "template.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    reports = []
    expected = single_process([path], tmp_path, None, reports)
    report = run_dask([path], out_dir=tmp_path / "out", scheduler=client, partition_size=600, mode=None)
    assert report.partitions > 5 and report.near_duplicates == reports[0].near_duplicates > 10
    assert imported(tmp_path / "out", tmp_path) == expected


WORDS = ["army", "protest", "minister", "border", "oil", "bank", "court", "strike", "envoy", "palace", "vote", "militia", "port"]


def _records(n: int) -> list[dict]:
    """Distinct short stories (no near-copies), with quotes and a newline inside the text."""
    texts = [" ".join(random.Random(i).choices(WORDS, k=12)) for i in range(n)]
    return [{"title": f"Item {i}", "text": f"Story {i} says\nthat \"{t}\", again.", "date": "2026-02-01"} for i, t in enumerate(texts)]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_byte_ranges_read_like_the_whole_file(tmp_path, fmt):
    path = tmp_path / f"records.{fmt}"
    records = _records(60)
    if fmt == "jsonl":
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n{not json}\n", encoding="utf-8")
    else:
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=["title", "text", "date"])
            writer.writeheader()
            writer.writerows(records)  # texts hold quoted newlines: ranges must cut between records
    [_, *more] = parts = plan_partitions([path], partition_size=700, on_problem=[].append)
    assert len(parts) > 5 and all(len(p.units) == 1 for p in parts) and more[0].units[0].start > 0
    problems = []
    ranged = [doc for p in parts for doc in unit_documents(p.units[0], ReaderOptions(), problems.append)]
    whole_problems = []
    whole = list(iter_documents([path], on_problem=whole_problems.append))
    assert ranged == whole and len(whole) == 60
    assert [p.source for p in problems] == [p.source for p in whole_problems]


def test_failed_partition_is_reported_and_retried_alone(tmp_path, client, monkeypatch):
    path = tmp_path / "wire.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _records(30)), encoding="utf-8")
    real_write = scale_partition.write_tables
    written = []

    def flaky_write(out_dir, partition_id, tables):
        if partition_id == "00002":
            raise OSError("disk full")
        written.append(partition_id)
        real_write(out_dir, partition_id, tables)

    monkeypatch.setattr(scale_partition, "write_tables", flaky_write)
    first = run_dask([path], out_dir=tmp_path / "out", scheduler=client, partition_size=1000, mode=None)
    [failure] = first.failed
    assert (failure.partition, failure.stage, failure.error) == ("00002", "write", "OSError: disk full")
    assert "wire.jsonl" in str(failure) and "retry" in first.summary()
    assert len(written) == first.partitions - 1 and not (tmp_path / "out" / "documents" / "part-00002.parquet").exists()
    with pytest.raises(ConfigError, match="already holds a Dask run"):
        run_dask([path], out_dir=tmp_path / "out", scheduler=client, partition_size=1000, mode=None)
    with pytest.raises(ConfigError, match="other inputs, options"):
        run_dask([path], out_dir=tmp_path / "out", scheduler=client, partition_size=999, mode=None, retry_failed=True)

    monkeypatch.setattr(scale_partition, "write_tables", lambda *a: (written.append(a[1]), real_write(*a)))
    written.clear()
    second = run_dask([path], out_dir=tmp_path / "out", scheduler=client, partition_size=1000, mode=None, retry_failed=True)
    assert written == ["00002"] and second.processed == 1 and second.failed == ()
    assert second.added == 30
    assert imported(tmp_path / "out", tmp_path) == single_process([path], tmp_path, None)


def test_failed_prepare_stops_before_writing_and_retries(tmp_path, client, monkeypatch):
    path = tmp_path / "wire.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _records(30)), encoding="utf-8")
    real_minhash = scale_partition.minhash

    def flaky_minhash(text):
        if "Story 17 " in text:
            raise MemoryError("worker ran out of memory")
        return real_minhash(text)

    monkeypatch.setattr(scale_partition, "minhash", flaky_minhash)
    first = run_dask([path], out_dir=tmp_path / "out", scheduler=client, partition_size=1000, mode=None)
    [failure] = first.failed
    assert failure.stage == "prepare" and "MemoryError" in failure.error
    assert not (tmp_path / "out" / "documents").exists()  # nothing is written before every partition is linked
    monkeypatch.setattr(scale_partition, "minhash", real_minhash)
    second = run_dask([path], out_dir=tmp_path / "out", scheduler=client, partition_size=1000, mode=None, retry_failed=True)
    assert second.failed == () and second.processed == 1 + second.partitions  # one prepare, then every write
    assert imported(tmp_path / "out", tmp_path) == single_process([path], tmp_path, None)


def test_bad_options_are_refused_with_choices(tmp_path, client):
    with pytest.raises(ConfigError, match="lexical, model, fast, auto"):
        run_dask([sample_corpus_path()], out_dir=tmp_path / "o", scheduler=client, mode="turbo")
    with pytest.raises(ConfigError, match="valid: text_column"):
        run_dask([sample_corpus_path()], out_dir=tmp_path / "o", scheduler=client, body_column="x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty"):
        run_dask([sample_corpus_path()], out_dir=tmp_path / "full", scheduler=client, mode=None)


MEMORY_SCRIPT = r"""
import json, random, resource, sys
from pathlib import Path
from distributed import Client
from exitwatch.scale import run_dask

def generate(path, megabytes, seed):
    # News-like records: a 5 kB text and a 45 kB raw-HTML field that ingest parses and drops.
    rnd, vocab, size = random.Random(seed), [f"word{i}" for i in range(5000)], 0
    with open(path, "w") as f:
        while size < megabytes * 1_000_000:
            line = json.dumps({"text": " ".join(rnd.choices(vocab, k=800)), "raw_html": "".join(rnd.choices("abcdefgh <>/", k=45_000))}) + "\n"
            f.write(line)
            size += len(line)

tmp = Path(sys.argv[1])
generate(tmp / "warm.jsonl", 2, 1)
generate(tmp / "big.jsonl", int(sys.argv[2]), 2)
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as client:
    run_dask([tmp / "warm.jsonl"], out_dir=tmp / "warm", scheduler=client, partition_size=1_000_000, mode=None)
    before = peak()
    report = run_dask([tmp / "big.jsonl"], out_dir=tmp / "big", scheduler=client, partition_size=1_000_000, mode=None)
print(json.dumps({"growth": peak() - before, "size": (tmp / "big.jsonl").stat().st_size, "added": report.added}))
"""


def _peak_growth(tmp_path, megabytes: int) -> dict:
    done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(tmp_path), str(megabytes)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_big_jsonl_is_streamed_in_bounded_memory(tmp_path):
    result = _peak_growth(tmp_path, 50)
    assert result["added"] > 900
    assert result["growth"] < 0.3 * result["size"], result  # peak RSS grows by far less than the file


def test_cli_dask_engine_needs_out_and_local_refuses_dask_options(tmp_path):
    runner = CliRunner()
    done = runner.invoke(main, ["ingest", str(sample_corpus_path()), "--engine", "dask"])
    assert done.exit_code == 2 and "--out" in done.output
    done = runner.invoke(main, ["ingest", str(sample_corpus_path()), "--workers", "2", "--db", str(tmp_path / "x.duckdb")])
    assert done.exit_code == 2 and "--workers only apply to --engine dask" in done.output


@pytest.mark.slow
def test_cli_dask_engine_on_a_local_cluster_of_processes(tmp_path):
    """Slow twin of test_dask_store_equals_single_process: real worker processes, via the CLI."""
    out = tmp_path / "parts"
    runner = CliRunner()
    done = runner.invoke(main, ["ingest", str(sample_corpus_path()), "--engine", "dask", "--workers", "2", "--out", str(out), "--no-read"])
    assert done.exit_code == 0, done.output
    assert "0 failed" not in done.output and "partitions done" in done.output
    done = runner.invoke(main, ["import-parquet", str(out), "--db", str(tmp_path / "d.duckdb")])
    assert done.exit_code == 0 and "documents\t+" in done.output
    assert imported(out, tmp_path) == single_process([str(sample_corpus_path())], tmp_path, None)
