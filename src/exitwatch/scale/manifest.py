"""``out_dir/manifest.json``: which partitions are prepared, written or failed (with the error).

A rerun with ``retry_failed`` continues the run the manifest describes (same inputs, options and
partitions, checked by a fingerprint) and redoes only what is not done.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from exitwatch.errors import ConfigError
from exitwatch.ingest import IngestProblem
from exitwatch.scale.plan import Partition

MANIFEST = "manifest.json"
FORMAT = 1


def _problems(items: list[dict]) -> tuple[IngestProblem, ...]:
    return tuple(IngestProblem(**p) for p in items)


@dataclass
class Manifest:
    """The state of one Dask run. ``partitions`` maps an id to ``inputs`` (description),
    ``prepared``/``written`` (the task's result as JSON, or None) and ``error``/``stage`` of the
    last failure."""

    path: Path
    fingerprint: str
    partitions: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def open(cls, out_dir: Path, fingerprint: str, partitions: list[Partition], *, retry: bool) -> Manifest:
        """A new manifest for an empty ``out_dir``, or the existing one when ``retry`` is set."""
        path = out_dir / MANIFEST
        if not path.exists():
            if out_dir.exists() and any(out_dir.iterdir()):
                raise ConfigError(f"output directory {out_dir} is not empty and holds no {MANIFEST}; choose an empty or new directory")
            manifest = cls(path, fingerprint, {p.id: {"inputs": p.describe(), "prepared": None, "written": None} for p in partitions})
            manifest.save()
            return manifest
        if not retry:
            raise ConfigError(
                f"{out_dir} already holds a Dask run ({MANIFEST}): add --retry to redo only its failed or missing "
                "partitions, or choose an empty directory"
            )
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as e:
            raise ConfigError(f"cannot read {path}: {e}; remove the directory and run again") from e
        if data.get("format") != FORMAT or data.get("fingerprint") != fingerprint:
            raise ConfigError(
                f"{path} was written for other inputs, options or partition size (or the files changed since); "
                "retry with the same ones, or write to an empty directory"
            )
        return cls(path, fingerprint, data["partitions"])

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{MANIFEST}.tmp")
        tmp.write_text(json.dumps({"format": FORMAT, "fingerprint": self.fingerprint, "partitions": self.partitions}, indent=1), "utf-8")
        os.replace(tmp, self.path)

    def done(self, pid: str, stage: str) -> bool:
        return self.partitions[pid][stage] is not None

    def record(self, pid: str, stage: str, result) -> None:
        self.partitions[pid].update({stage: result.to_dict(), "error": None, "stage": None})
        self.save()

    def record_failure(self, pid: str, stage: str, error: BaseException) -> None:
        self.partitions[pid].update({"error": f"{type(error).__name__}: {error}", "stage": stage})
        self.save()

    def failures(self) -> list[tuple[str, str, str, str]]:
        """``(id, stage, inputs, error)`` of every partition whose last attempt failed."""
        return [(pid, p["stage"], p["inputs"], p["error"]) for pid, p in self.partitions.items() if p.get("error")]

    def results(self, stage: str) -> list[dict]:
        return [p[stage] for p in self.partitions.values() if p[stage] is not None]

    def problems(self) -> tuple[IngestProblem, ...]:
        found: list[IngestProblem] = []
        for stage in ("prepared", "written"):
            for result in self.results(stage):
                found.extend(_problems(result["problems"]))
        return tuple(found)
