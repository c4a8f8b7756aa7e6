"""Every command answers --help with a usage line and an example; ``exitwatch --help`` lists
them from the command table without importing the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.cli.commands import COMMANDS as TABLE

#: Libraries that only the commands' modules need; ``import exitwatch.cli`` must not load them.
HEAVY = ("spacy", "sklearn", "fastapi", "pandas", "pyarrow", "duckdb", "torch")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        path = prefix + (name,)
        yield path
        if isinstance(command, click.Group):
            yield from _commands(command, path)


COMMANDS = sorted(_commands(main))


def test_there_are_commands():
    names = {path[0] for path in COMMANDS}
    assert {"stats", "export-parquet", "import-parquet"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_help_has_example(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert "Example" in result.output, f"`exitwatch {' '.join(path)} --help` shows no example"
    assert f"exitwatch {path[0]}" in result.output.split("Example", 1)[1]


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in TABLE:
        assert name in result.output


@pytest.mark.parametrize("name", list(TABLE))
def test_table_help_is_the_commands_own(name):
    """The one-line help ``exitwatch --help`` shows is the command's own, and the table's module
    holds the command under that name."""
    command = main.get_command(click.Context(main), name)
    assert command.name == name
    assert TABLE[name][2] == command.get_short_help_str(limit=10_000)


def test_importing_the_cli_loads_no_heavy_library():
    code = ("import sys, exitwatch.cli; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"import exitwatch.cli loaded {loaded}"
