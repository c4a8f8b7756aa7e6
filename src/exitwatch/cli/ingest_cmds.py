"""``exitwatch ingest``: files, folders, feeds and stdin into the store."""

from __future__ import annotations

import click

from exitwatch.cli.common import db_option


@click.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--text-column", default="text", show_default=True, help="Column/field holding the text in CSV, JSON and JSONL.")
@click.option("--title-column", default="title", show_default=True, help="Column/field holding the title.")
@click.option("--date-column", default=None, help="Column/field holding the date [default: date, published, ...].")
@click.option("--url-column", default=None, help="Column/field holding the URL [default: url, link, ...].")
@click.option("--outlet-column", default=None, help="Column/field holding the outlet [default: outlet, source, ...].")
@click.option("--outlet", default=None, help="Outlet name for every document (overrides the files' own).")
@click.option("--no-read", is_flag=True, help="Store documents without reading them (no events or claims).")
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
) -> None:
    """Ingest text, HTML, JSON, JSONL, CSV and RSS/Atom files, folders (recursive) or - (stdin).

    Exact repeats are stored once; near-copies are linked to the first copy. Problems with single
    files are printed as warnings and the rest goes on; the exit code is non-zero only when
    nothing at all could be ingested.

    \b
    Example:
      exitwatch ingest article.txt feed.xml news/ --db risk.duckdb
      exitwatch ingest stories.csv --text-column body --no-read
      cat page.html | exitwatch ingest -
    """
    from exitwatch.cli.progress import progress_callback
    from exitwatch.ingest import ingest as run_ingest
    from exitwatch.store import Store

    with Store(db_path) as store, progress_callback("ingesting") as progress:
        report = run_ingest(
            list(paths),
            store=store,
            read=False if no_read else None,
            progress=progress,
            text_column=text_column,
            title_column=title_column,
            date_column=date_column,
            url_column=url_column,
            outlet_column=outlet_column,
            outlet=outlet,
        )
    for problem in report.problems:
        click.secho(f"{problem.severity}: {problem}", fg="yellow", err=True)
    click.echo(f"{db_path}: {report.summary()}")
    nothing = report.added + report.duplicates + report.near_duplicates == 0
    if nothing:
        raise click.exceptions.Exit(1)


def register(group: click.Group) -> None:
    group.add_command(ingest)
