"""``exitwatch brief``: the analyst's page."""

from __future__ import annotations

from pathlib import Path

import click

from exitwatch.cli.common import db_option, format_option
from exitwatch.report import build_brief
from exitwatch.store import Store


@click.command()
@click.argument("country")
@format_option("md", "html")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the brief to this file instead of printing it.")
@click.option("--base-url", default=None, metavar="URL",
              help="Link each piece of evidence to URL/document/<id> of a running `exitwatch serve` "
                   "(e.g. http://127.0.0.1:8000) [default: show the document id, so a file opened from disk has no dead links].")
@db_option
def brief(country: str, output_format: str, out: str | None, base_url: str | None, db_path: str) -> None:
    """One-page brief on COUNTRY (ISO3, name or Gleditsch-Ward number): headline probability and
    timing, trend, lit indicators with evidence and attribution chains, likely fate and
    destinations, what would change the assessment, data vintage.

    \b
    Example:
      exitwatch brief IRN --db demo.duckdb
      exitwatch brief Iran --format html --out iran.html
      exitwatch brief Iran --format html --out iran.html --base-url http://127.0.0.1:8000
    """
    with Store(db_path, read_only=True) as store:
        text = build_brief(store, country, fmt=output_format, base_url=base_url)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")
    else:
        click.echo(text)
