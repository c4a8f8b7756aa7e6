"""Commands about the store itself: stats, Parquet export and import."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from exitwatch.cli.common import db_option, echo_json, format_option
from exitwatch.store import Store


@click.command()
@db_option
@format_option("text", "json")
def stats(db_path: str, output_format: str) -> None:
    """Print what the store holds: rows per table and the schema version.

    \b
    Example:
      exitwatch stats --db risk.duckdb --format json
    """
    with Store(db_path) as store:
        counts = store.table_counts()
        version = store.schema_version()
    if output_format == "json":
        echo_json({"db": db_path, "schema_version": version, "tables": counts})
        return
    table = Table(title=f"{db_path} (schema v{version})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    Console().print(table)


@click.command("export-parquet")
@click.argument("directory", type=click.Path(file_okay=False))
@db_option
def export_parquet(directory: str, db_path: str) -> None:
    """Write every table of the store to DIRECTORY/<table>.parquet.

    \b
    Example:
      exitwatch export-parquet backup/ --db risk.duckdb
    """
    with Store(db_path) as store:
        written = store.export_parquet(directory)
    for table, path in written.items():
        click.echo(f"{table}\t{path}")


@click.command("import-parquet")
@click.argument("directory", type=click.Path(file_okay=False))
@db_option
def import_parquet(directory: str, db_path: str) -> None:
    """Load Parquet tables (DIRECTORY/<table>.parquet or DIRECTORY/<table>/*.parquet) into the
    store; rows already stored are skipped.

    \b
    Example:
      exitwatch import-parquet out/parquet --db risk.duckdb
    """
    with Store(db_path) as store:
        added = store.import_parquet(directory)
    for table, n in added.items():
        click.echo(f"{table}\t+{n}")


def register(group: click.Group) -> None:
    for command in (stats, export_parquet, import_parquet):
        group.add_command(command)
