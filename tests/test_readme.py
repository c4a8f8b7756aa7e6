"""The README says what the command line does: its command table lists exactly the commands of
``exitwatch --help``, its test command is the one ``.ci/run`` runs, and it states the exit codes
that tests/test_cli_errors.py checks."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from exitwatch.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _help_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> set[str]:
    """Leaf commands as listed by ``--help`` of the group and of its subgroups."""
    result = CliRunner().invoke(main, [*prefix, "--help"])
    listed = re.findall(r"^  (\S+)", result.output.split("Commands:", 1)[1], flags=re.M)
    names = set()
    for name in listed:
        command = group.get_command(click.Context(group), name)  # the top-level group is lazy
        if isinstance(command, click.Group):
            names |= _help_commands(command, prefix + (name,))
        else:
            names.add(" ".join(prefix + (name,)))
    return names


def _table_commands() -> set[str]:
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \|", section, flags=re.M)
    return {" ".join(re.match(r"[a-z][a-z-]*(?: [a-z][a-z-]*)?", row).group(0).split()) for row in rows}


def test_command_table_matches_help():
    in_help, in_table = _help_commands(main), _table_commands()
    assert in_help - in_table == set(), "commands missing from the README's table"
    assert in_table - in_help == set(), "README rows for commands that do not exist"


def test_readme_test_command_is_what_ci_runs():
    readme_command = re.search(r"^python3 -m venv .*pytest.*$", README, flags=re.M).group(0)
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert readme_command in ci_lines
    assert "not slow" in readme_command and "|| true" not in readme_command


def test_readme_states_the_exit_codes():
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    assert "one line `error: ...` on stderr and exit with status 2" in section
    assert "exits 1" in section and "partial success" in section
