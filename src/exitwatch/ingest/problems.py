"""Problems met while ingesting: a bad file or record never stops the batch, it becomes one of these."""

from __future__ import annotations

from dataclasses import dataclass

from exitwatch.records import Record

#: ``error``: the input (or record) was skipped; ``warning``: it was ingested, with a caveat.
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class IngestProblem(Record):
    """One problem with one input.

    Fields: ``source`` (the file, ``file#n`` for the n-th record, or ``<stdin>``), ``problem``
    (what is wrong and what to do), ``severity`` (``error`` = skipped, ``warning`` = ingested anyway).
    """

    source: str
    problem: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"


class SkipInput(Exception):
    """Raised inside a reader to skip the current file or record with a problem message."""

    def __init__(self, problem: str):
        self.problem = problem
        super().__init__(problem)
