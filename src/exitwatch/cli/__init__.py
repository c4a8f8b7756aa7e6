"""The ``exitwatch`` command line: a thin layer over the library.

Each command parses its options, calls one library function with keyword arguments, and prints.
Commands live in one module per stage (``*_cmds.py``), listed in ``commands.COMMANDS`` and
imported only when their command runs, so ``exitwatch --help`` stays fast.
"""

from __future__ import annotations

import click

from exitwatch import __version__
from exitwatch.cli.commands import LazyGroup
from exitwatch.errors import ExitwatchError


class ExitwatchGroup(LazyGroup):
    """A click group that turns ExitwatchError into one clean line and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ExitwatchError as error:
            click.secho(f"error: {error}", fg="red", err=True)
            ctx.exit(2)


@click.group(cls=ExitwatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="exitwatch")
def main() -> None:
    """exitwatch: early warning of dictatorship collapse from the news and from history.

    \b
    Example:
      exitwatch demo
      exitwatch ingest article.txt feed.xml news/ --db risk.duckdb
      exitwatch indicators IRN --db risk.duckdb
      exitwatch forecast IRN --db risk.duckdb
      exitwatch brief IRN --format html --out iran.html --db risk.duckdb
    """
