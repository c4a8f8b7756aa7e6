"""Options and output helpers shared by the command modules."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from typing import Any

import click
from rich.console import Console

from exitwatch.dates import DATE_FORMAT, parse_user_date
from exitwatch.errors import InputError
from exitwatch.locations import DEFAULT_DB_ENV, default_db_path, require_store


def _require_store(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not ctx.resilient_parsing:
        require_store(value)
    return value


def _store_option(help_text: str, callback=None):
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False),
        default=default_db_path,
        show_default=f"${DEFAULT_DB_ENV} or ./exitwatch.duckdb",
        help=help_text,
        callback=callback,
    )


#: ``--db`` of the commands that read a store: a missing file is an error, never a new empty store.
db_option = _store_option("DuckDB store file (must exist: ingest, demo, import-parquet and watch create one).",
                          callback=_require_store)
#: ``--db`` of the commands that fill a store (ingest, demo, import-parquet, watch).
new_db_option = _store_option("DuckDB store file (created when missing).")
#: ``--db`` of a command that needs the store only for some of its options: it opens the store
#: with ``Store(path, create=False)`` itself when it needs it.
store_path_option = _store_option("DuckDB store file (must exist when it is read).")


class DateType(click.ParamType):
    """A date option (``--published``, ``--as-of``, ``--end``): the one parser, ``parse_user_date``."""

    name = DATE_FORMAT

    def convert(self, value, param, ctx) -> dt.date:
        try:
            return parse_user_date(value, what=param.opts[0] if param else "date")
        except InputError as e:
            self.fail(e.problem, param, ctx)


DATE = DateType()


def console() -> Console:
    """A rich console on stdout that never wraps lines at 80 columns when stdout is piped."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=int(os.environ.get("COLUMNS") or 0) or 1000, soft_wrap=True)


def format_option(*choices: str, default: str | None = None):
    """A ``--format`` option limited to ``choices``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help="Output format.",
    )


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (dates and other objects as strings)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
