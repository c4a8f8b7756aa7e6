"""``exitwatch reread``: read the stored documents again with this version's reader."""

from __future__ import annotations

import click

from exitwatch.app.reread import reread as run_reread
from exitwatch.cli.common import db_option
from exitwatch.cli.progress import progress_callback
from exitwatch.read import DEFAULT_MODE, MODES
from exitwatch.store import Store


@click.command()
@db_option
@click.option("--mode", "read_mode", type=click.Choice(MODES), default=DEFAULT_MODE, show_default=True,
              help="Event coder, as for ingest: model, lexical or auto (model when it loads).")
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
