"""Where the shared data (Archigos, REIGN, peacesciencer, PLOVER, ConfliBERT files) is found:
one home for the forecast stage and the reader's evaluations."""

from __future__ import annotations

import os
from pathlib import Path

from exitwatch.errors import DataFileError

#: Environment variable naming the folder that holds archigos/, reign/ and peacesciencer/.
DATA_ENV = "EXITWATCH_DATA"


def default_data_dir() -> Path:
    """The data folder: ``$EXITWATCH_DATA``, else ``../shared/data`` from the working directory
    or from the project checkout."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    candidates = [Path.cwd().parent / "shared" / "data",
                  Path(__file__).resolve().parents[2].parent / "shared" / "data"]
    for path in candidates:
        if path.is_dir():
            return path
    raise DataFileError(
        str(candidates[0]),
        f"data folder not found; pass --data DIR or set ${DATA_ENV} "
        "(`exitwatch data sources` lists where to download each file)",
    )
