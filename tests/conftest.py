"""Shared fixtures: the real list files in ../shared/data, skipped with a reason if absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("REDFLAGS_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real list data not found at {SHARED_DATA} (set REDFLAGS_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture()
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"
