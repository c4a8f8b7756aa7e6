"""Options and output helpers shared by the command modules."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from exitwatch.dates import DATE_FORMAT, parse_user_date
from exitwatch.errors import InputError
from exitwatch.store import DEFAULT_DB_ENV, default_db_path

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default=default_db_path,
    show_default=f"${DEFAULT_DB_ENV} or ./exitwatch.duckdb",
    help="DuckDB store file (created when missing).",
)


class DateType(click.ParamType):
    """A date option (``--published``, ``--as-of``, ``--end``): the one parser, ``parse_user_date``."""

    name = DATE_FORMAT

    def convert(self, value, param, ctx) -> dt.date:
        try:
            return parse_user_date(value, what=param.opts[0] if param else "date")
        except InputError as e:
            self.fail(e.problem, param, ctx)


DATE = DateType()


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
