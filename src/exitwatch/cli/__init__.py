"""The ``exitwatch`` command line: a thin layer over the library.

Each command parses its options, calls one library function with keyword arguments, and prints.
Commands live in one module per stage (``*_cmds.py``), listed in ``commands.COMMANDS`` and
imported only when their command runs, so ``exitwatch --help`` stays fast.
"""

from __future__ import annotations

import os
import sys

import click

from exitwatch import __version__
from exitwatch.cli.commands import SERVE_INSTEAD, LazyGroup
from exitwatch.errors import ExitwatchError, StoreLockedError


#: Set to show the traceback of an unexpected error instead of its one line.
DEBUG_ENV = "EXITWATCH_DEBUG"


class ExitwatchGroup(LazyGroup):
    """The one error path of the command line: every failure (ExitwatchError, click's usage
    errors, unreadable or unwritable files, undecodable text, bugs) prints one line ``error: ...``
    on stderr and exits 2; Ctrl-C exits 130; a closed pipe (``exitwatch forecast | head``) ends
    quietly with 0; a group given no command prints its help (0). Commands exit 1 themselves for
    partial success (``ingest``) or alerts (``watch``).
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        except click.exceptions.NoArgsIsHelpError as error:  # `exitwatch`, `exitwatch eval`: their help
            click.echo(error.ctx.get_help())
            sys.exit(0)
        except (click.Abort, KeyboardInterrupt, EOFError):
            _fail("interrupted", 130)
        except BrokenPipeError:
            _drop_stdout()
            sys.exit(0)
        except Exception as error:  # noqa: BLE001 - the one place every failure becomes one line
            if os.environ.get(DEBUG_ENV) and not isinstance(error, (ExitwatchError, click.ClickException)):
                raise
            _fail(_one_line(error), 2)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError as error:  # before click, which would exit 1
            _drop_stdout()
            raise click.exceptions.Exit(0) from error
        except StoreLockedError as error:
            instead = SERVE_INSTEAD.get(ctx.invoked_subcommand or "", "see its /docs for what it serves")
            raise StoreLockedError(f"{error}: {instead}") from error


def _drop_stdout() -> None:
    """The reader of our output (head, less) has gone: send the rest to /dev/null, quietly."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _fail(message: str, code: int) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def _one_line(error: Exception) -> str:
    """The message of ``error`` on one line, saying what to do where the error itself cannot."""
    if isinstance(error, click.UsageError):
        command = error.ctx.command_path if error.ctx else "exitwatch"
        message = f"{error.format_message()} (see `{command} --help`)"
    elif isinstance(error, click.ClickException):
        message = error.format_message()
    elif isinstance(error, ExitwatchError):
        message = str(error)
    elif isinstance(error, UnicodeDecodeError):
        message = f"a file is not UTF-8 text ({error.reason} at byte {error.start}): give a text file"
    elif isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename else ""
        message = f"{where}{error.strerror[0].lower()}{error.strerror[1:]}"
    else:
        message = (f"internal error, please report it: {type(error).__name__}: {error} "
                   f"(set {DEBUG_ENV}=1 for the traceback)")
    return " ".join(message.split())


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
