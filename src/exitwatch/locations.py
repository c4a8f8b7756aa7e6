"""Where exitwatch keeps its files: the store used when none is named, and the cache folder.
Standard library only, so that the CLI's options and ``exitwatch serve``'s cold start can use it
without importing DuckDB."""

from __future__ import annotations

import os
from pathlib import Path

from exitwatch.errors import StoreMissingError

DEFAULT_DB_ENV = "EXITWATCH_DB"
CACHE_ENV = "EXITWATCH_CACHE"


def default_db_path() -> str:
    """The store used when no ``--db`` is given: ``$EXITWATCH_DB`` or ``./exitwatch.duckdb``."""
    return os.environ.get(DEFAULT_DB_ENV) or "exitwatch.duckdb"


def require_store(path: str | os.PathLike) -> None:
    """Raise StoreMissingError unless a store file exists at ``path``: the check of every command
    that reads a store (only ingest, demo, import-parquet and watch create one)."""
    if str(path) != ":memory:" and not Path(path).is_file():
        raise StoreMissingError(f"no store at {path}: run `exitwatch ingest` or `exitwatch demo` first (with --db {path})")


def cache_dir() -> Path:
    """The folder of exitwatch's caches: ``$EXITWATCH_CACHE``, else ``~/.cache/exitwatch`` (the
    forecast's replay bundles use the same folder)."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "exitwatch")
