"""``exitwatch brief`` and ``exitwatch serve``: the analyst's page and the web application."""

from __future__ import annotations

from pathlib import Path

import click

from exitwatch.app.server import create_app
from exitwatch.cli.common import db_option, format_option
from exitwatch.report import build_brief
from exitwatch.store import Store

API_KEY_ENV = "EXITWATCH_API_KEY"


@click.command()
@click.argument("country")
@format_option("md", "html")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the brief to this file instead of printing it.")
@db_option
def brief(country: str, output_format: str, out: str | None, db_path: str) -> None:
    """One-page brief on COUNTRY (ISO3, name or Gleditsch-Ward number): headline probability and
    timing, trend, lit indicators with evidence and attribution chains, likely fate and
    destinations, what would change the assessment, data vintage.

    \b
    Example:
      exitwatch brief IRN --db demo.duckdb
      exitwatch brief Iran --format html --out iran.html
    """
    with Store(db_path, read_only=True) as store:
        text = build_brief(store, country, fmt=output_format)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")
    else:
        click.echo(text)


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--api-key", envvar=API_KEY_ENV, default=None, show_envvar=True,
              help="Key that write requests must send in X-API-Key; without it writes are refused.")
def serve(db_path: str, host: str, port: int, api_key: str | None) -> None:
    """Serve the dashboard and the JSON API (OpenAPI docs at /docs) over the store.

    \b
    Example:
      exitwatch serve --db demo.duckdb
      EXITWATCH_API_KEY=s3cret exitwatch serve --db risk.duckdb --port 8080
    """
    import uvicorn


    click.echo(f"exitwatch: dashboard on http://{host}:{port}/ , API docs on http://{host}:{port}/docs"
               f"{'' if api_key else ' (read-only: no API key)'}")
    uvicorn.run(create_app(db_path, api_key=api_key), host=host, port=port, log_level="warning")


def register(group: click.Group) -> None:
    group.add_command(brief)
    group.add_command(serve)
