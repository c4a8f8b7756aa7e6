"""Reading the knowledge-base data files that ship in ``exitwatch/kb/data``.

Every table is a UTF-8 TSV or CSV with a header row; lines starting with ``#`` are comments.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from exitwatch.errors import DataFileError


def data_path(name: str) -> Path:
    """Path of a data file shipped in ``exitwatch/kb/data``."""
    return Path(str(resources.files("exitwatch.kb") / "data" / name))


def read_table(path: str | Path, *, delimiter: str | None = None) -> Iterator[dict[str, str]]:
    """Rows of a TSV/CSV file as dicts (comment lines skipped, cells stripped).

    The delimiter is a tab for ``.tsv`` files and a comma otherwise unless given.
    """
    path = Path(path)
    if delimiter is None:
        delimiter = "\t" if path.suffix == ".tsv" else ","
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataFileError(str(path), f"cannot read the file ({e.strerror})") from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # older research files (REIGN) are Windows-1252
        text = raw.decode("cp1252", errors="replace")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter=delimiter):
        yield {k.strip(): (v or "").strip() for k, v in row.items() if k}


def split_aliases(cell: str) -> tuple[str, ...]:
    """``"a|b| c"`` -> ``("a", "b", "c")`` (empty parts dropped)."""
    return tuple(part.strip() for part in cell.split("|") if part.strip())
