"""The ``exitwatch`` command line: a thin layer over the library.

Each command parses its options, calls one library function with keyword arguments, and prints.
Commands live in one module per stage (``*_cmds.py``); each module has ``register(group)``.
"""

from __future__ import annotations

import click

from exitwatch import __version__
from exitwatch.cli import (
    demo_cmds,
    eval_cmds,
    forecast_cmds,
    indicators_cmds,
    ingest_cmds,
    read_cmds,
    report_cmds,
    store_cmds,
    watch_cmds,
)
from exitwatch.errors import ExitwatchError

#: Command modules, in the order their commands are listed in ``--help`` (the pipeline's order).
COMMAND_MODULES = (demo_cmds, ingest_cmds, read_cmds, store_cmds, indicators_cmds, watch_cmds, forecast_cmds, report_cmds, eval_cmds)


class ExitwatchGroup(click.Group):
    """A click group that turns ExitwatchError into one clean line and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ExitwatchError as error:
            click.secho(f"error: {error}", fg="red", err=True)
            ctx.exit(2)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


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


for _module in COMMAND_MODULES:
    _module.register(main)
