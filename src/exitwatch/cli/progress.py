"""A rich progress bar behind the ``progress(done, total)`` callback that library functions take."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def progress_callback(description: str) -> Iterator[Callable[[int, int | None], None]]:
    """Yield ``progress(done, total)`` that drives a progress bar on stderr (none when stderr is
    not a terminal: a log or a pipe gets no bar and no stray blank line)."""
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int | None = None) -> None:
            bar.update(task, completed=done, total=total)

        yield update
