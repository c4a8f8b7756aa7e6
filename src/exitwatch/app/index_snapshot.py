"""The index page as the last server over a store left it, so that a restarted ``exitwatch
serve`` answers ``/`` at once, before it has loaded the forecast models, the reader or even
FastAPI (``app.front``).

The snapshot is kept in the user's cache folder (``locations.cache_dir()``: ``$EXITWATCH_CACHE``,
else ``~/.cache/exitwatch``), under ``index/``, one JSON file per store path, and is
valid only for the store file exactly as the server left it (size and modification time of the
file and of its write-ahead log, taken after the store was closed), for the same assessment date
and the same exitwatch version. Any change to the store (an ``exitwatch ingest``, a crash that
left a log behind) or a new day makes it stale, and a stale snapshot is never shown. Only the
standard library is imported here: this module is on the cold-start path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from pathlib import Path

from exitwatch import __version__
from exitwatch.locations import cache_dir

log = logging.getLogger(__name__)

def snapshot_path(db_path: str | os.PathLike) -> Path | None:
    """Where the snapshot of the store at ``db_path`` lives (None for an in-memory store)."""
    if str(db_path) == ":memory:":
        return None
    name = hashlib.sha256(str(Path(db_path).resolve()).encode()).hexdigest()[:24]
    return cache_dir() / "index" / f"{name}.json"


def store_state(db_path: str | os.PathLike) -> list:
    """Size and modification time of the store file and of its write-ahead log (None if absent)."""
    state = []
    for path in (Path(db_path), Path(f"{db_path}.wal")):
        try:
            info = path.stat()
            state.append([info.st_size, info.st_mtime_ns])
        except OSError:
            state.append(None)
    return state


def _key(db_path: str | os.PathLike, as_of: dt.date) -> dict:
    return {"store": str(Path(db_path).resolve()), "state": store_state(db_path), "as_of": as_of.isoformat(),
            "version": __version__}


def save(db_path: str | os.PathLike, html: str, as_of: dt.date) -> None:
    """Keep ``html`` as the index of the store at ``db_path`` (closed) assessed as of ``as_of``.
    A cache that cannot be written is logged and skipped: it only speeds up the next start."""
    path = snapshot_path(db_path)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"key": _key(db_path, as_of), "html": html}), encoding="utf-8")
        temporary.replace(path)
    except OSError as e:
        log.warning("could not keep the index for the next start: %s", e)


def load(db_path: str | os.PathLike, as_of: dt.date) -> str | None:
    """The kept index of the store at ``db_path`` as of ``as_of``, or None when there is none or
    the store, the date or the version changed since."""
    path = snapshot_path(db_path)
    if path is None:
        return None
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("key") != _key(db_path, as_of) or not isinstance(kept.get("html"), str):
        return None
    return kept["html"]
