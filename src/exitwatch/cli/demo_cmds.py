"""``exitwatch demo``: the README's main job on the embedded default."""

from __future__ import annotations

import click
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from exitwatch.app.demo import run_demo
from exitwatch.cli.common import db_option
from exitwatch.cli.progress import progress_callback


@click.command()
@db_option
@click.option("--country", default="IRN", show_default=True, help="Country of the brief.")
def demo(db_path: str, country: str) -> None:
    """Ingest the bundled sample corpus (and the example article when it sits beside the
    checkout), print what was stored, then print the brief for the example scenario.

    \b
    Example:
      exitwatch demo --db demo.duckdb
      exitwatch serve --db demo.duckdb   # then open http://127.0.0.1:8000
    """
    console = Console()
    with progress_callback("ingesting samples") as progress:
        result = run_demo(db_path=db_path, country=country, progress=progress)
    console.print(f"ingested {len(result.inputs)} inputs into {result.db_path}: {result.ingest.summary()}")
    for problem in result.ingest.problems:
        console.print(f"[yellow]{problem.severity}: {problem}[/yellow]")
    table = Table(title="stored")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in result.tables.items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    console.print(Markdown(result.brief))
    console.print(
        f"\nOpen the dashboard: exitwatch serve --db {result.db_path}  → http://127.0.0.1:8000"
    )


def register(group: click.Group) -> None:
    group.add_command(demo)
