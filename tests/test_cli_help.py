"""Every command answers --help with a usage line and an example."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from exitwatch.cli import main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
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
    for name in main.commands:
        assert name in result.output
