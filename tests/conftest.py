"""Shared fixtures: the shared data folder beside the checkout, temporary stores."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def _no_user_model(tmp_path_factory):
    """Tests use the shipped forecast model, never one `exitwatch train` left in ~/.local/share,
    and keep caches in a temporary folder, not in ~/.cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    patch.setenv("EXITWATCH_CACHE", str(tmp_path_factory.mktemp("cache")))  # kept indexes (exitwatch serve)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (skips the test when the checkout has no shared folder beside it)."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path}")
    return path


@pytest.fixture(scope="session")
def example_article() -> Path:
    """The canonical example article (never copied into the project)."""
    path = SHARED / "examples" / "khamenei_plan_b_article.txt"
    if not path.is_file():
        pytest.skip(f"example article not found at {path}")
    return path


@pytest.fixture
def store(tmp_path):
    """A fresh store in a temporary file."""
    from exitwatch.store import Store

    with Store(tmp_path / "test.duckdb") as s:
        yield s


@pytest.fixture
def news_server():
    """A local news web server on 127.0.0.1, random port (see tests/newsserver.py)."""
    from newsserver import NewsServer

    with NewsServer() as server:
        yield server
