"""``exitwatch read``: analyse one document without a store and print what was found."""

from __future__ import annotations

import click

from exitwatch.cli.common import DATE, echo_json, format_option
from exitwatch.read import DEFAULT_MODE, MODES
from exitwatch.read import read_file
from exitwatch.read.render import render_text


@click.command("read")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@format_option("json", "text")
@click.option("--mode", type=click.Choice(MODES), default=DEFAULT_MODE, show_default=True,
              help="Event coding: lexical triggers, the sentence classifier, its three-layer student (fast: twice "
                   "the speed, a few points of target accuracy), or the classifier when installed.")
@click.option("--outlet", default=None, help="Outlet that published the document (closes every attribution chain).")
@click.option("--published", type=DATE, default=None, help="Publication date (YYYY-MM-DD), for relative dates like 'in June'.")
@click.option("--title", default=None, help="Document title.")
def read(path: str, output_format: str, mode: str, outlet: str | None, published: dt.date | None, title: str | None) -> None:
    """Read one document (text, HTML, JSON, CSV, feed; the first record) and print its sentences,
    PLOVER events and claims with attribution chains and modality (JSON: docs/read.schema.json).

    \b
    Example:
      exitwatch read article.txt --outlet "Hot Air" --published 2026-01-06
      exitwatch read page.html --format text --mode lexical
    """
    reading = read_file(path, mode=mode, outlet=outlet, published=published, title=title)
    if output_format == "json":
        echo_json(reading.to_json())
    else:
        click.echo(render_text(reading))
