"""The embedded store: one DuckDB file, a versioned schema (``schema.py``), Parquet in and out.

Only this package writes SQL. ``Store`` is composed of one mixin per group of tables so that
each stage's queries live beside its tables.
"""

from __future__ import annotations

from exitwatch.store.core import DEFAULT_DB_ENV, StoreCore, default_db_path
from exitwatch.store.documents import DocumentTables
from exitwatch.store.indicators import IndicatorQueries
from exitwatch.store.readings import ReadingTables
from exitwatch.store.report import ReportQueries
from exitwatch.store.schema import SCHEMA_VERSION, TABLES
from exitwatch.store.sources import SourceTables


class Store(DocumentTables, IndicatorQueries, ReadingTables, ReportQueries, SourceTables, StoreCore):
    """The exitwatch store. ``Store(path)`` opens (and migrates) a DuckDB file; use it as a
    context manager. See the mixins for the methods of each group of tables."""


__all__ = ["DEFAULT_DB_ENV", "SCHEMA_VERSION", "TABLES", "Store", "default_db_path"]
