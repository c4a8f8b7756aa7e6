"""``run_dask``: ingest and read on a Dask cluster, writing partitioned Parquet in the store's schema."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from exitwatch.app.ingest_pipeline import make_reader
from exitwatch.errors import ConfigError
from exitwatch.ingest import IngestProblem, ReaderOptions
from exitwatch.read import DEFAULT_MODE
from exitwatch.records import Record
from exitwatch.scale.link import link_partitions
from exitwatch.scale.manifest import Manifest
from exitwatch.scale.partition import STAGE, prepare_partition, write_partition
from exitwatch.scale.plan import PARTITION_SIZE, Partition, fingerprint, plan_partitions

Progress = Callable[[int, int | None], None]
#: The manifest entry that holds each stage's result.
RESULT = {"prepare": "prepared", "write": "written"}


@dataclass(frozen=True)
class PartitionFailure(Record):
    """A partition whose last attempt failed: ``partition`` id, ``stage`` (``prepare`` or
    ``write``), ``inputs`` (what it covers), ``error`` (exception type and message)."""

    partition: str
    stage: str
    inputs: str
    error: str

    def __str__(self) -> str:
        return f"partition {self.partition} ({self.inputs}) failed in {self.stage}: {self.error}"


@dataclass(frozen=True)
class ScaleReport(Record):
    """What a Dask run did.

    Fields: ``out_dir`` (the Parquet folder), ``partitions`` (how many), ``processed`` (partition
    tasks run by this call), ``added``, ``duplicates``, ``near_duplicates``, ``read`` (as in
    ``IngestReport``; complete once no partition failed), ``problems`` (IngestProblem tuple),
    ``failed`` (PartitionFailure tuple), ``seconds`` (wall time of this call).
    """

    out_dir: str
    partitions: int
    processed: int
    added: int
    duplicates: int
    near_duplicates: int
    read: int
    problems: tuple[IngestProblem, ...] = ()
    failed: tuple[PartitionFailure, ...] = ()
    seconds: float = 0.0

    def summary(self) -> str:
        text = (
            f"{self.added} added, {self.duplicates} duplicates, {self.near_duplicates} near-duplicates, {self.read} read, "
            f"{len(self.problems)} problems; {self.partitions - len(self.failed)}/{self.partitions} partitions done "
            f"({self.processed} run now) in {self.seconds:.1f}s"
        )
        return text + (f"; {len(self.failed)} failed: rerun with retry to redo them" if self.failed else "")


def run_dask(
    paths: Iterable[str | Path] | str | Path,
    *,
    out_dir: str | Path,
    scheduler=None,
    n_workers: int | None = None,
    partition_size: int = PARTITION_SIZE,
    mode: str | None = DEFAULT_MODE,
    progress: Progress | None = None,
    retry_failed: bool = False,
    **reader_opts,
) -> ScaleReport:
    """Ingest and read ``paths`` on Dask; write ``out_dir/<table>/part-<id>.parquet``.

    ``scheduler``: a scheduler address, a ``distributed.Client``, or None for a LocalCluster of
    ``n_workers`` single-threaded processes (default: one per core). ``partition_size``: bytes of
    input per partition (big JSONL/CSV files are cut into byte ranges). ``mode``: the read mode (checked
    by ``make_reader``), None to store documents unread. ``retry_failed``: continue the run already in ``out_dir``,
    redoing only failed or missing partitions. ``reader_opts`` go to ingest's readers
    (``text_column``, ``title_column``, ``date_column``, ``outlet``, ...). ``progress(done, total)``
    is called after each partition task. The result, imported with ``Store.import_parquet``, equals
    what ``ingest`` stores in one process.
    """
    start = time.perf_counter()
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    out = Path(out_dir)
    opts = _reader_options(reader_opts)
    make_reader(mode)  # checks the mode before any work
    planned: list[IngestProblem] = []
    partitions = plan_partitions(paths, partition_size=partition_size, on_problem=planned.append)
    manifest = Manifest.open(out, fingerprint(partitions, {"mode": mode, "reader": asdict(opts), "partition_size": partition_size}), partitions, retry=retry_failed)
    processed = 0
    with _client(scheduler, n_workers) as client:
        ticks = _ticker(progress, sum(not manifest.done(p.id, s) for p in partitions for s in RESULT.values()))
        todo = [p for p in partitions if not manifest.done(p.id, "prepared")]
        processed += _run(client, manifest, "prepare", todo, lambda p: (prepare_partition, p, opts, out), ticks)
        if all(manifest.done(p.id, "prepared") for p in partitions):
            decisions = link_partitions(out, [p.id for p in partitions])
            todo = [p for p in partitions if not manifest.done(p.id, "written")]
            processed += _run(client, manifest, "write", todo, lambda p: (write_partition, p, opts, decisions[p.id], out, mode), ticks)
    failed = tuple(PartitionFailure(*f) for f in manifest.failures())
    if not failed and all(manifest.done(p.id, "written") for p in partitions):
        shutil.rmtree(out / STAGE, ignore_errors=True)
    return _report(manifest, partitions, out, processed, tuple(planned), failed, time.perf_counter() - start)


def _reader_options(reader_opts: dict) -> ReaderOptions:
    try:
        return ReaderOptions(**reader_opts)
    except TypeError as e:
        valid = ", ".join(ReaderOptions.__dataclass_fields__)
        raise ConfigError(f"unknown reader option in {sorted(reader_opts)}; valid: {valid}") from e


def _run(client, manifest: Manifest, stage: str, partitions: list[Partition], task, tick) -> int:
    """Run ``task(p)`` (a function and its arguments) for every partition; record each outcome."""
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]
    futures = {client.submit(*task(p), pure=False, key=f"exitwatch-{stage}-{p.id}-{run}"): p for p in partitions}
    for future in as_completed(futures):
        pid = futures[future].id
        if future.status == "finished":
            manifest.record(pid, RESULT[stage], future.result())
        else:
            manifest.record_failure(pid, stage, future.exception())
        future.release()
        tick()
    return len(futures)


def _ticker(progress: Progress | None, total: int) -> Callable[[], None]:
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    return tick


@contextmanager
def _client(scheduler, n_workers: int | None) -> Iterator:
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:
        raise ConfigError("the dask engine needs dask.distributed: pip install 'exitwatch[dask]'") from e
    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as e:
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {e}; check the address (tcp://host:8786)") from e
        with client:
            yield client
        return
    if n_workers is not None and n_workers < 1:
        raise ConfigError(f"number of workers must be at least 1, not {n_workers}")
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, Client(cluster) as client:
        yield client


def _report(manifest, partitions, out, processed, planned, failed, seconds) -> ScaleReport:
    prepared, written = manifest.results("prepared"), manifest.results("written")
    complete = len(written) == len(partitions)
    rows = {t: sum(w["rows"][t] for w in written) for t in ("documents", "duplicates")}
    return ScaleReport(
        out_dir=str(out),
        partitions=len(partitions),
        processed=processed,
        added=rows["documents"] - rows["duplicates"],
        duplicates=sum(p["duplicates"] for p in prepared) + (sum(p["documents"] for p in prepared) - rows["documents"] if complete else 0),
        near_duplicates=rows["duplicates"],
        read=sum(w["read"] for w in written),
        problems=planned + manifest.problems(),
        failed=failed,
        seconds=seconds,
    )
