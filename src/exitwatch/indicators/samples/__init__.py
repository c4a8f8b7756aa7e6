"""Short invented news items for the indicators: for each indicator a positive story and denied,
hypothetical or opinion variants, plus a syndicated near-copy in another outlet. All dated in
January 2026 so that they fall into consecutive weeks (``exitwatch demo`` ingests them)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def samples_path() -> Path:
    """The folder of the indicator sample articles (plain text with a Title/Outlet/Date header)."""
    return Path(str(resources.files("exitwatch.indicators").joinpath("samples")))
