"""Reading modes: the one list, the one default, the one check (used by ``read``, ``ingest``,
uploads, the Dask path and the CLI)."""

from __future__ import annotations

from exitwatch.errors import ConfigError

#: Reading modes: trigger lexicon only, the multi-task model, its distilled three-layer student
#: (twice the speed, a few points of target accuracy: docs/read.md), or the model when available.
MODES = ("lexical", "model", "fast", "auto")
#: The modes that read with a model.
MODEL_MODES = ("model", "fast")
DEFAULT_MODE = "auto"


def check_mode(mode: str) -> str:
    """``mode`` when it is one of ``MODES``; raises ConfigError naming the choices otherwise.
    (Not reading at all is spelled ``None`` by every caller that may skip the reader.)"""
    if mode not in MODES:
        raise ConfigError(f"unknown read mode {mode!r}; choose one of {', '.join(MODES)}")
    return mode
