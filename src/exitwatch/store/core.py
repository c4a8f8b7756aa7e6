"""Connection, migrations and Parquet export/import of the embedded DuckDB store."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pyarrow as pa

from exitwatch.errors import InputError, StoreError, StoreLockedError
from exitwatch.locations import DEFAULT_DB_ENV, default_db_path, require_store  # noqa: F401 - re-exported
from exitwatch.store.schema import MIGRATIONS, SCHEMA_VERSION, TABLES

def _open_error(path: str, error: Exception) -> StoreError:
    """DuckDB's lock error (another process, usually `exitwatch serve`, holds the file) as
    StoreLockedError; anything else as StoreError."""
    message = " ".join(str(error).split())
    if "Could not set lock" in message:
        pid = re.search(r"\(PID (\d+)\)", message)
        return StoreLockedError(
            f"store {path} is locked by another process{f' (PID {pid.group(1)})' if pid else ''}, most likely a running "
            "`exitwatch serve`: stop it, or while it runs use its API instead"
        )
    return StoreError(f"cannot open store {path}: {message}")


class StoreCore:
    """Opens the DuckDB file, applies pending migrations, and moves tables to and from Parquet.

    ``path`` may be ``":memory:"`` for a throw-away store. A missing file is created unless
    ``create`` is false (then StoreMissingError). ``read_only`` opens an existing file without
    migrating it (several readers may share it). A file held by another process (a running
    ``exitwatch serve``) raises StoreLockedError.
    """

    def __init__(self, path: str | os.PathLike = ":memory:", *, read_only: bool = False, create: bool = True):
        self.path = str(path)
        if read_only or not create:
            require_store(self.path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(self.path, read_only=read_only)
            # An idle connection to the same database, used only to open readers' cursors:
            # opening one then never waits on, or is refused by, a write running on ``con``.
            self._spawner = self.con.cursor()
        except (duckdb.Error, OSError) as e:
            raise _open_error(self.path, e) from e
        if not read_only:
            self._migrate()
        elif self.schema_version() != SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} has schema version {self.schema_version()}, this exitwatch needs {SCHEMA_VERSION}; "
                "open it once without read-only to migrate it"
            )

    # -- lifecycle -------------------------------------------------------------------------
    def reader(self):
        """Another handle on this open database with its own connection (a DuckDB cursor), for
        one thread: its reads see the last committed state and do not wait for a write in
        progress on this handle (MVCC). Opening it does not depend on that write either (it is
        opened from an idle connection kept for this). Close it before this store, and not
        while a read on it is running (DuckDB refuses: the connection is busy)."""
        handle = object.__new__(type(self))
        handle.path = self.path
        handle.con = self._spawner.cursor()
        handle._spawner = None
        return handle

    def close(self) -> None:
        if self._spawner is not None:
            self._spawner.close()
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema ------------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        ).fetchone()[0]
        if not exists:
            return 0
        return self.con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]

    def _migrate(self) -> None:
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description VARCHAR, "
            "applied_at TIMESTAMP DEFAULT current_timestamp)"
        )
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} has schema version {current}, newer than this exitwatch ({SCHEMA_VERSION}); upgrade exitwatch"
            )
        for version, description, sql in MIGRATIONS:
            if version <= current:
                continue
            try:
                with self.transaction():
                    self.con.execute(sql)
                    self.con.execute("INSERT INTO schema_version (version, description) VALUES (?, ?)", [version, description])
            except duckdb.Error as e:
                raise StoreError(f"migration {version} ({description}) failed on {self.path}: {e}") from e

    # -- helpers for the table mixins --------------------------------------------------------
    def transaction(self):
        """Context manager: commit on success, roll back on any exception (Ctrl-C included)."""
        return _Transaction(self.con)

    def _insert(self, table: str, rows: list[dict[str, Any]], *, ignore_existing: bool = False) -> None:
        if not rows:
            return
        arrow = pa.Table.from_pylist(rows)
        self.con.register("_incoming", arrow)
        try:
            verb = "INSERT OR IGNORE" if ignore_existing else "INSERT"
            self.con.execute(f"{verb} INTO {table} BY NAME SELECT * FROM _incoming")
        finally:
            self.con.unregister("_incoming")

    def _dicts(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    # -- stats and Parquet -------------------------------------------------------------------
    def table_counts(self) -> dict[str, int]:
        """Row count of every table."""
        return {t: self.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}

    def arrow_schemas(self) -> dict[str, pa.Schema]:
        """The Arrow schema of every table: the columns Parquet files for ``import_parquet`` hold."""
        return {t: self.con.sql(f"SELECT * FROM {t} LIMIT 0").to_arrow_table().schema for t in TABLES}

    def export_parquet(self, directory: str | os.PathLike) -> dict[str, Path]:
        """Write every table to ``directory/<table>.parquet``; returns the files written."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = {}
        for table in TABLES:
            target = out / f"{table}.parquet"
            self.con.execute(f"COPY {table} TO '{_sql_path(target)}' (FORMAT PARQUET)")
            written[table] = target
        return written

    def import_parquet(self, directory: str | os.PathLike) -> dict[str, int]:
        """Load ``<table>.parquet`` files or ``<table>/*.parquet`` folders from ``directory``.

        Rows whose key is already stored are skipped, so importing twice adds nothing. Returns
        the number of new rows per table. The whole import is one transaction.
        """
        src = Path(directory)
        if not src.is_dir():
            raise InputError(str(src), "not a directory of Parquet files (expected <table>.parquet or <table>/*.parquet)")
        sources = {}
        for table in TABLES:
            if (src / f"{table}.parquet").is_file():
                sources[table] = src / f"{table}.parquet"
            elif (src / table).is_dir() and any((src / table).glob("*.parquet")):
                sources[table] = src / table / "*.parquet"
        if not sources:
            raise InputError(str(src), f"no Parquet files for any table; expected some of: {', '.join(TABLES)}")
        before = self.table_counts()
        try:
            with self.transaction():
                for table, path in sources.items():
                    self.con.execute(
                        f"INSERT OR IGNORE INTO {table} BY NAME SELECT * FROM read_parquet('{_sql_path(path)}')"
                    )
        except duckdb.Error as e:
            raise InputError(str(src), f"Parquet files do not match the store schema: {e}") from e
        after = self.table_counts()
        return {t: after[t] - before[t] for t in sources}


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


class _Transaction:
    def __init__(self, con):
        self.con = con

    def __enter__(self):
        self.con.execute("BEGIN TRANSACTION")
        return self.con

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.con.execute("COMMIT")
        else:
            self.con.execute("ROLLBACK")
        return False
