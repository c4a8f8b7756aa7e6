"""The command line's one error path: every command, given bad input, prints one line
``error: ...`` on stderr (no traceback) and exits 2; ``ingest`` exits 1 for partial success;
commands that read a store never create one; a closed pipe ends quietly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.store import Store


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the top-level group loads its commands lazily
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _command_paths(command, prefix + (name,))
        else:
            yield prefix + (name,)


COMMANDS = sorted(_command_paths(main))
assert len(COMMANDS) > 10, COMMANDS  # an empty table would make the tests below vacuous


@pytest.fixture
def files(tmp_path):
    """Bad inputs: a binary file, an empty folder, a non-DuckDB file; a real (empty) store; paths
    that do not exist. ``{name}`` in a table row is replaced by the path."""
    binary = tmp_path / "photo.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty").mkdir()
    good = tmp_path / "good.txt"
    good.write_text("The army withdrew from the capital on Monday.")
    store = tmp_path / "store.duckdb"
    Store(store).close()
    return {"bin": binary, "empty": tmp_path / "empty", "good": good, "store": store,
            "missing": tmp_path / "missing.duckdb", "nodir": tmp_path / "no" / "such" / "dir" / "brief.md",
            "tmp": tmp_path}


#: (arguments, what the one line must contain). Every row must exit 2.
BAD_INPUTS = [
    ("demo --country Atlantis --db {missing}", "unknown country 'Atlantis'"),
    ("ingest {missing} --db {tmp}/new.duckdb --no-read", "nothing ingested: " ),
    ("ingest {empty} --db {tmp}/new.duckdb --no-read", "folder holds no files"),
    ("ingest {bin} --db {tmp}/new.duckdb --no-read", "binary file"),
    ("ingest {good} --engine dask --db {tmp}/new.duckdb", "needs --out"),
    ("read {missing}", "does not exist"),
    ("read {bin}", "binary file"),
    ("reread --db {missing}", "no store at"),
    ("reread --mode turbo --db {store}", "'turbo' is not one of"),
    ("stats --db {missing}", "no store at"),
    ("stats --db {bin}", "not a valid DuckDB"),
    ("export-parquet {tmp}/out --db {missing}", "no store at"),
    ("import-parquet {empty} --db {store}", "no Parquet files"),
    ("indicators IRN --db {missing}", "no store at"),
    ("indicators IRN --definitions {bin} --db {store}", "not valid TOML (UTF-8 text)"),
    ("indicators IRN --end 2026-02-30 --db {store}", "2026-02-30 does not exist"),
    ("indicators Atlantis --db {store}", "unknown country"),
    ("watch --config {bin} --db {store}", "is a binary file, not TOML text"),
    ("watch --config {missing} --db {store}", "cannot read watch config"),
    ("sources --db {missing}", "no store at"),
    ("sources --config {bin} --db {store}", "is a binary file, not TOML text"),
    ("forecast IRN --as-of 2026-02-30", "2026-02-30 does not exist"),
    ("forecast IRN --as-of 2026/02/03", "give it as YYYY-MM-DD"),
    ("read {good} --published 2026/01/06", "give it as YYYY-MM-DD"),
    ("forecast IRN --factors {bin}", "not valid TOML (UTF-8 text)"),
    ("forecast IRN --db {missing}", "no store at"),
    ("forecast Atlantis", "unknown country"),
    ("data sources --format xml", "'xml' is not one of"),
    ("train --train-end 20x5-01 --out {tmp}/f.joblib", "train end '20x5-01' is not a month"),
    ("backtest --train-end last-year --start 2010-01 --end 2011-01", "YYYY-MM"),
    ("eval coder --gold {missing}", "does not exist"),
    ("eval coder --gold {good}", "expected 'token label' with a BIO label"),  # a .txt gold file is CoNLL
    ("eval classifier --data {missing}", "does not exist"),
    ("brief IRN --db {missing}", "no store at"),
    ("brief IRN --out {nodir} --db {store}", "no such file or directory"),
    ("brief Atlantis --db {store}", "unknown country"),
    ("serve --db {missing}", "no store at"),
    ("nosuchcommand", "No such command"),
]


def _invoke(args: list[str]):
    return CliRunner().invoke(main, args, prog_name="exitwatch")


def _assert_one_error_line(result, code: int = 2):
    assert "Traceback" not in result.output
    assert result.exc_info[0] is SystemExit, result.exc_info
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.exit_code == code, result.output
    return lines[0]


@pytest.mark.parametrize("args, expected", BAD_INPUTS, ids=[row[0].split(" {")[0] for row in BAD_INPUTS])
def test_bad_input_is_one_error_line_and_exit_2(files, args, expected):
    result = _invoke([part.format(**files) for part in args.split()])
    line = _assert_one_error_line(result)
    assert expected in line
    assert not files["missing"].exists()  # no command created the store it was wrongly pointed at


def test_every_command_has_a_bad_input_row():
    covered = {tuple(w for w in args.split() if not w.startswith(("-", "{")))[:2] for args, _ in BAD_INPUTS}
    missing = [" ".join(path) for path in COMMANDS if not any(c[:len(path)] == path for c in covered)]
    assert not missing, f"add rows to BAD_INPUTS for: {missing}"


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_usage_error_is_one_line(path):
    line = _assert_one_error_line(_invoke([*path, "--no-such-option"]))
    assert "No such option '--no-such-option'" in line and f"see `exitwatch {' '.join(path)} --help`" in line


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs, where no one (root included) may create a file")
def test_unwritable_out_is_one_line(files):
    result = _invoke(["brief", "IRN", "--out", "/sys/exitwatch-brief.md", "--db", str(files["store"])])
    assert _assert_one_error_line(result) == "error: /sys/exitwatch-brief.md: permission denied"


@pytest.mark.parametrize("group", [(), ("eval",), ("data",)])
def test_a_group_without_a_command_prints_its_help(group):
    result = _invoke(list(group))
    assert result.exit_code == 0 and result.stdout.startswith("Usage: ") and "Commands:" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("command", ["stats", "export-parquet {tmp}/out", "indicators IRN", "brief IRN"])
def test_reading_commands_never_create_a_store(files, command):
    target = files["tmp"] / "typo_dir" / "x.duckdb"
    result = _invoke([*command.format(**files).split(), "--db", str(target)])
    assert "no store at" in _assert_one_error_line(result)
    assert not target.parent.exists()


def test_ingest_partial_success_exits_1_with_a_summary(files):
    result = _invoke(["ingest", str(files["good"]), str(files["bin"]), "--db", str(files["store"]), "--no-read"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "1 added" in result.stdout and not result.stdout.startswith("\n")
    assert result.stderr.splitlines() == [f"skipped: {files['bin']}: binary file (not text); give text, HTML, JSON, "
                                          "JSONL, CSV or an RSS/Atom feed",
                                          "partly ingested: 1 input(s) or record(s) skipped, listed above"]


def test_locked_store_names_serve_and_the_endpoint(files):
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(files["store"])],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        line = _assert_one_error_line(_invoke(["indicators", "IRN", "--db", str(files["store"])]))
        assert f"(PID {holder.pid})" in line and "exitwatch serve" in line
        assert "GET /api/countries/COUNTRY/indicators" in line
    finally:
        holder.kill()
        holder.wait()


def test_closed_pipe_ends_quietly():
    """``exitwatch forecast --format json | head -1``: 300 kB of JSON, more than a pipe holds, so
    the command is still writing when its reader goes away."""
    process = subprocess.Popen([sys.executable, "-c", "from exitwatch.cli import main; main()", "forecast",
                                "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"[\n"
    process.stdout.close()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0 and stderr == b""
