"""``exitwatch ingest``: files, folders, feeds and stdin into the store; ``exitwatch reread``: the stored
documents read again."""

from __future__ import annotations

import click

from exitwatch.app.ingest_pipeline import ingest as run_ingest
from exitwatch.app.reread import reread as run_reread
from exitwatch.cli.common import db_option, new_db_option
from exitwatch.cli.progress import progress_callback
from exitwatch.errors import InputError
from exitwatch.read import DEFAULT_MODE, MODES
from exitwatch.scale import PARTITION_SIZE, run_dask
from exitwatch.store import Store


@click.command()
@click.argument("paths", nargs=-1, required=True)
@new_db_option
@click.option("--text-column", default="text", show_default=True, help="Column/field holding the text in CSV, JSON and JSONL.")
@click.option("--title-column", default="title", show_default=True, help="Column/field holding the title.")
@click.option("--date-column", default=None, help="Column/field holding the date [default: date, published, ...].")
@click.option("--url-column", default=None, help="Column/field holding the URL [default: url, link, ...].")
@click.option("--outlet-column", default=None, help="Column/field holding the outlet [default: outlet, source, ...].")
@click.option("--outlet", default=None, help="Outlet name for every document (overrides the files' own).")
@click.option("--no-read", is_flag=True, help="Store documents without reading them (no events or claims).")
@click.option("--mode", "read_mode", type=click.Choice(MODES), default=DEFAULT_MODE, show_default=True,
              help="Event coder: model (sentence classifier + lexicon), fast (its three-layer student, twice the "
                   "speed), lexical (about 10x faster, for bulk runs), auto (model when it loads).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: one process into --db; dask: partitions on a Dask cluster into Parquet under --out.")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler address [default: a local cluster].")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Local Dask workers [default: one per core].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None, help="Parquet output folder (dask engine).")
@click.option("--partition-size", type=click.IntRange(min=1), default=None, help="Bytes of input per Dask partition [default: 8000000].")
@click.option("--retry", is_flag=True, help="Dask engine: continue the run in --out, redoing only failed or missing partitions.")
def ingest(
    paths: tuple[str, ...],
    db_path: str,
    text_column: str,
    title_column: str,
    date_column: str | None,
    url_column: str | None,
    outlet_column: str | None,
    outlet: str | None,
    no_read: bool,
    read_mode: str,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    out_dir: str | None,
    partition_size: int | None,
    retry: bool,
) -> None:
    """Ingest text, HTML, JSON, JSONL, CSV and RSS/Atom files, folders (recursive) or - (stdin).

    Exact repeats are stored once; near-copies are linked to the first copy. Inputs or records
    that cannot be read are listed ("skipped: ...") and the rest goes on. Exit status: 0 all
    ingested, 1 some inputs or records skipped (partial success), 2 nothing ingested or an error.

    With --engine dask the same stages run on partitions of the input on a Dask cluster and write
    Parquet in the store's schema to --out (load it with import-parquet); failed partitions are
    listed, and --retry redoes only those. See docs/scale.md.

    \b
    Example:
      exitwatch ingest article.txt feed.xml news/ --db risk.duckdb
      exitwatch ingest stories.csv --text-column body --no-read
      exitwatch ingest archive.jsonl --mode lexical
      cat page.html | exitwatch ingest -
      exitwatch ingest big.jsonl news/ --engine dask --workers 2 --out parts/
      exitwatch ingest big.jsonl news/ --engine dask --out parts/ --retry
      exitwatch ingest big.jsonl --engine dask --scheduler tcp://10.0.0.5:8786 --out parts/
    """
    reader_opts = {"text_column": text_column, "title_column": title_column, "date_column": date_column,
                   "url_column": url_column, "outlet_column": outlet_column, "outlet": outlet}
    dask_only = {"--scheduler": scheduler, "--workers": workers, "--out": out_dir, "--partition-size": partition_size, "--retry": retry}
    if engine == "dask":
        if out_dir is None:
            raise click.UsageError("--engine dask writes Parquet and needs --out DIR")

        with progress_callback("partitions") as progress:
            report = run_dask(list(paths), out_dir=out_dir, scheduler=scheduler, n_workers=workers,
                              partition_size=partition_size or PARTITION_SIZE, mode=None if no_read else read_mode,
                              progress=progress, retry_failed=retry, **reader_opts)
        target, failed = out_dir, report.failed
    else:
        if given := [name for name, value in dask_only.items() if value]:
            raise click.UsageError(f"{', '.join(given)} only apply to --engine dask")

        with Store(db_path) as store, progress_callback("ingesting") as progress:
            report = run_ingest(list(paths), store=store, read=None if no_read else read_mode,
                                progress=progress, **reader_opts)
        target, failed = db_path, ()
    errors = [str(p) for p in report.problems if p.severity == "error"] + [str(f) for f in failed]
    if report.added + report.duplicates + report.near_duplicates == 0:  # one line: the first reasons
        reasons = "; ".join(errors[:3]) + (f"; and {len(errors) - 3} more" if len(errors) > 3 else "")
        raise InputError("nothing ingested", reasons or "no documents in the input")
    for problem in report.problems:
        click.secho(f"{'skipped' if problem.severity == 'error' else 'warning'}: {problem}", fg="yellow", err=True)
    for failure in failed:
        click.secho(f"failed: {failure}", fg="red", err=True)
    click.echo(f"{target}: {report.summary()}")
    if errors:  # partial success: exit 1 with a one-line summary (README, Commands)
        click.secho(f"partly ingested: {len(errors)} input(s) or record(s) skipped, listed above", fg="yellow", err=True)
        raise click.exceptions.Exit(1)


@click.command()
@db_option
@click.option("--mode", "read_mode", type=click.Choice(MODES), default=DEFAULT_MODE, show_default=True,
              help="Event coder, as for ingest: model, fast, lexical or auto (model when it loads).")
@click.option("--all", "everything", is_flag=True,
              help="Re-read every read document, not only those read before the store's last reader migration.")
def reread(db_path: str, read_mode: str, everything: bool) -> None:
    """Read stored documents again with this version's reader and replace their stored readings (sentences, events, claims, mentions, cue matches).

    By default only the documents read before the store's last reader migration are read again:
    before migration 5 a store kept no mentions or cue matches (the indicators find nothing in
    those documents), before migration 6 no five-class labels. --all re-reads every read document
    (after a new cue lexicon or model). Documents stored unread stay unread. Exit status: 0 all
    read, 1 some documents could not be read (their old reading stays; listed).

    \b
    Example:
      exitwatch reread --db risk.duckdb
      exitwatch reread --db risk.duckdb --all --mode lexical
    """
    with Store(db_path, create=False) as store, progress_callback("re-reading") as progress:
        report = run_reread(store, read=read_mode, everything=everything, progress=progress)
    for problem in report.problems:
        click.secho(f"warning: {problem}", fg="yellow", err=True)
    click.echo(f"{db_path}: {report.summary()}")
    if report.problems:
        raise click.exceptions.Exit(1)
