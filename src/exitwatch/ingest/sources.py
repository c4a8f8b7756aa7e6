"""Inputs: expand paths (directories recursively, ``-`` for stdin) and tell each one's format."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from exitwatch.ingest.problems import IngestProblem
from exitwatch.ingest.textio import MAX_WHOLE_FILE_BYTES, looks_binary

#: File extensions and the reader for each.
EXTENSIONS = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".csv": "csv", ".tsv": "tsv",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".rdf": "feed",
}  # fmt: skip
STDIN = "-"


@dataclass
class InputSource:
    """One file (or stdin) to read: ``label`` names it in documents and problems, ``fmt`` is the
    reader to use, ``report`` receives problems. ``data`` holds stdin's bytes; files are opened."""

    label: str
    fmt: str
    report: Callable[[IngestProblem], None]
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False)

    def open(self) -> BinaryIO:
        return io.BytesIO(self.data) if self.path is None else open(self.path, "rb")

    def size(self) -> int:
        return len(self.data) if self.path is None else self.path.stat().st_size

    def problem(self, problem: str, *, record: int | None = None, severity: str = "error") -> None:
        label = self.label if record is None else f"{self.label}#{record}"
        self.report(IngestProblem(label, problem, severity))


def sniff_format(head: bytes) -> str:
    """Guess the format of an input from its first bytes (for stdin and unknown extensions)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096].lower()
    if start.startswith(b"<"):
        return "feed" if any(tag in start for tag in (b"<rss", b"<feed", b"<rdf:rdf")) else "html"
    if start.startswith(b"["):
        return "json"
    if start.startswith(b"{"):
        lines = [line.strip() for line in start.splitlines() if line.strip()]
        return "jsonl" if len(lines) > 1 and all(line.startswith(b"{") for line in lines[1:-1] or lines[1:]) else "json"
    return "text"


def expand_inputs(paths: Iterable[str | Path], report: Callable[[IngestProblem], None]) -> Iterator[InputSource]:
    """Every readable input under ``paths``, in a stable order (directories sorted, recursive).

    Missing paths and, inside directories, files of unsupported types become problems.
    """
    for raw in paths:
        if str(raw) == STDIN:
            data = sys.stdin.buffer.read(MAX_WHOLE_FILE_BYTES + 1)
            yield InputSource("<stdin>", sniff_format(data[:4096]), report, data=data)
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, report)
        elif path.is_file():
            yield InputSource(str(path), EXTENSIONS.get(path.suffix.lower()) or _sniff_file(path), report, path=path)
        else:
            report(IngestProblem(str(path), "no such file or directory"))


def _walk(root: Path, report: Callable[[IngestProblem], None]) -> Iterator[InputSource]:
    found = 0
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue  # hidden files and folders (.git, .DS_Store) are not news
        fmt = EXTENSIONS.get(path.suffix.lower())
        if fmt is None:
            supported = ", ".join(sorted(EXTENSIONS))
            report(IngestProblem(str(path), f"skipped: unsupported file type; supported: {supported}", "warning"))
            continue
        found += 1
        yield InputSource(str(path), fmt, report, path=path)
    if not found:
        report(IngestProblem(str(root), "folder holds no files of a supported type (hidden files are skipped); "
                                        f"supported: {', '.join(sorted(EXTENSIONS))}"))


def _sniff_file(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(4096)
    return "text" if looks_binary(head) else sniff_format(head)
