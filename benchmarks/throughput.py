"""Throughput of ingest+read: one process against the Dask path with 1 and 2 local workers.

Usage: .venv/bin/python benchmarks/throughput.py [--docs 10000] [--mode auto|lexical|model|none]
                                                 [--csv ../shared/data/news/guardian_2019_sample.csv]

The corpus is the Guardian sample grown to ``--docs`` documents: each document joins a third of
three different articles (real sentences, article length), so no two documents are exact or
near copies and every one is read (replicating whole articles would make dedup drop them).
Each configuration runs on the same JSONL file into a fresh store / Parquet folder. Printed:
documents, cluster start-up seconds (worker processes importing exitwatch), run seconds (the
reader pipeline is built inside the run, in every path), documents/second of the run, ratio to
the one-process path, CPU seconds and documents per CPU-second (start-up included), and
peak RSS of the process tree (the client plus its workers), sampled every 0.2 s. On a shared
machine wall time depends on the load; documents per CPU-second does not, much. The link
pass (serial, in the client) is timed on its own as well, for the projection in docs/scale.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

import psutil

from exitwatch.app.ingest_pipeline import ingest
from exitwatch.scale import run_dask
from exitwatch.store import Store

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "guardian_2019_sample.csv"


def build_corpus(csv_path: Path, n: int, target: Path, seed: int = 7) -> Path:
    """``n`` documents, each the first, middle and last third of three different articles."""
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if len(r["text"]) > 1500]
    rnd = random.Random(seed)
    with open(target, "w", encoding="utf-8") as out:
        for i in range(n):
            a, b, c = rnd.sample(rows, 3)
            parts = [_third(a["text"], 0), _third(b["text"], 1), _third(c["text"], 2)]
            out.write(json.dumps({"title": f"Composite {i}", "text": " ".join(parts), "date": a["date"]}) + "\n")
    return target


def _third(text: str, k: int) -> str:
    n = len(text) // 3
    start = text.rfind(". ", 0, k * n) + 2 if k else 0
    end = text.rfind(". ", 0, (k + 1) * n) + 1 if k < 2 else len(text)
    return text[start:end].strip()


class Usage:
    """Peak summed RSS and CPU seconds of this process and its children while the ``with`` block
    runs (sampled every 0.2 s; a child's CPU time is its last sample)."""

    def __enter__(self):
        self.peak, self._cpu, self._stop = 0, {}, threading.Event()
        self._me = psutil.Process()
        self._start_cpu = _cpu(self._me)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            for p in [self._me, *self._me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                    self._cpu[p.pid] = _cpu(p)
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(0.2)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._cpu[self._me.pid] = _cpu(self._me)
        self.cpu_seconds = sum(self._cpu.values()) - self._start_cpu


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def run_single(corpus: Path, tmp: Path, mode: str | None) -> int:
    from exitwatch.read import read_document

    with Store(tmp / "single.duckdb") as store:
        report = ingest([corpus], store=store, read=None if mode is None else partial(read_document, mode=mode))
    return report.added + report.near_duplicates


def run_workers(corpus: Path, tmp: Path, mode: str | None, client, partition_size: int) -> int:
    workers = len(client.scheduler_info()["workers"])
    report = run_dask([corpus], out_dir=tmp / f"dask{workers}", scheduler=client, partition_size=partition_size, mode=mode)
    if report.failed:
        raise RuntimeError("; ".join(map(str, report.failed)))
    return report.added + report.near_duplicates


def start_cluster(workers: int):
    """A LocalCluster of single-threaded worker processes (as ``run_dask`` starts) and its client."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    return cluster, Client(cluster)


def time_link_pass(corpus: Path, tmp: Path, partition_size: int) -> tuple[int, float]:
    """Seconds of the serial link pass alone, over staged signatures of the corpus."""
    from exitwatch.ingest.options import ReaderOptions
    from exitwatch.scale.link import link_partitions
    from exitwatch.scale.partition import prepare_partition
    from exitwatch.scale.plan import plan_partitions

    out = tmp / "link"
    partitions = plan_partitions([corpus], partition_size=partition_size, on_problem=[].append)
    n = sum(prepare_partition(p, ReaderOptions(), out).documents for p in partitions)
    start = time.perf_counter()
    link_partitions(out, [p.id for p in partitions])
    return n, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--mode", default="auto", help="reader mode (auto, lexical, model) or none for no reading")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--partition-size", type=int, default=None, help="bytes per partition [default: corpus/8]")
    args = parser.parse_args()
    mode = None if args.mode == "none" else args.mode

    with tempfile.TemporaryDirectory(prefix="exitwatch-throughput-") as tmp_name:
        tmp = Path(tmp_name)
        corpus = build_corpus(args.csv, args.docs, tmp / "corpus.jsonl")
        size = corpus.stat().st_size
        partition_size = args.partition_size or max(size // 8, 1)
        print(f"corpus: {args.docs} documents, {size / 1e6:.1f} MB; mode={args.mode}; partition size {partition_size / 1e6:.2f} MB")
        results = []
        for workers in (0, 1, 2):
            with Usage() as usage:
                start = time.perf_counter()
                cluster, client = start_cluster(workers) if workers else (None, None)
                startup = time.perf_counter() - start
                n = run_workers(corpus, tmp, mode, client, partition_size) if workers else run_single(corpus, tmp, mode)
                seconds = time.perf_counter() - start - startup
                if workers:
                    client.close()
                    cluster.close()
            label = f"dask, {workers} worker{'s' * (workers > 1)}" if workers else "one process"
            results.append((label, n, startup, seconds, usage.peak, usage.cpu_seconds))
            print(f"  done: {label}", flush=True)
        base = results[0][1] / results[0][3]
        print("\n| path | documents | cluster start s | run s | docs/s | ratio | CPU s | docs/CPU-s | peak RSS MB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for label, n, startup, seconds, peak, cpu in results:
            print(f"| {label} | {n} | {startup:.1f} | {seconds:.1f} | {n / seconds:.2f} | {n / seconds / base:.2f} | {cpu:.1f} "
                  f"| {n / cpu:.2f} | {peak / 1e6:.0f} |")
        n, seconds = time_link_pass(corpus, tmp, partition_size)
        print(f"\nlink pass alone: {n} signatures in {seconds:.2f}s ({seconds / max(n, 1) * 1e6:.0f} µs/document)")


if __name__ == "__main__":
    main()
