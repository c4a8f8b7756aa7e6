"""``Where``: a WHERE clause built from optional filters, with its parameters in order."""

from __future__ import annotations

import datetime as dt
from typing import Any


class Where:
    """Builds a WHERE clause (``sql``, the parts joined by AND) and its ``params``."""

    def __init__(self) -> None:
        self.where: list[str] = ["TRUE"]
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> None:
        """AND ``clause``, binding ``params`` to its ``?`` placeholders."""
        self.where.append(clause)
        self.params.extend(params)

    def dates(self, column: str, since: dt.date | None, until: dt.date | None, *, undated: bool = False) -> None:
        """Keep rows whose ``column`` lies in [since, until] (either bound may be None); with
        ``undated``, rows where ``column`` is NULL are kept too."""
        keep_null = f"{column} IS NULL OR " if undated else ""
        if since is not None:
            self.add(f"({keep_null}{column} >= ?)", since)
        if until is not None:
            self.add(f"({keep_null}{column} <= ?)", until)

    @property
    def sql(self) -> str:
        return " AND ".join(self.where)
