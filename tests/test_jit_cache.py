"""Where the compiled kernels are cached: never a failure at import for want of a writable
directory (a read-only install run by a user without a home)."""

from __future__ import annotations

from pathlib import Path

import pytest
from numba.core import config

from redflags.matching import jit


@pytest.fixture
def blocked(tmp_path: Path) -> Path:
    """A path no directory can be made at (its parent is a file)."""
    stone = tmp_path / "file"
    stone.write_text("not a directory")
    return stone / "cache"


@pytest.fixture(autouse=True)
def no_user_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "CACHE_DIR", "")


def test_numba_own_locations_first(tmp_path: Path, blocked: Path) -> None:
    assert jit.cache_dir([blocked, tmp_path / "pycache"], tmp_path / "tmp") == (True, None)
    assert not (tmp_path / "tmp").exists()


def test_temporary_directory_when_nothing_else_is_writable(tmp_path: Path,
                                                           blocked: Path) -> None:
    fallback = tmp_path / "redflags-numba"
    assert jit.cache_dir([blocked], fallback) == (True, str(fallback))
    assert fallback.is_dir() and not any(fallback.iterdir())  # the probe is gone


def test_no_cache_rather_than_no_screening(blocked: Path) -> None:
    assert jit.cache_dir([blocked], blocked / "tmp") == (False, None)


def test_the_users_choice_stands(monkeypatch: pytest.MonkeyPatch, blocked: Path) -> None:
    monkeypatch.setattr(config, "CACHE_DIR", "/somewhere/chosen")
    assert jit.cache_dir([blocked], blocked) == (True, None)


def test_a_writable_install_caches() -> None:
    assert jit.CACHE is True
    assert jit.writable(Path(jit.__file__).parent / "__pycache__")
