"""Where redflags keeps its data: one place, overridable by option or environment."""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "REDFLAGS_HOME"
ENV_STORE = "REDFLAGS_STORE"


def data_dir() -> Path:
    """The user's data directory (XDG on Linux), or $REDFLAGS_HOME."""
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "redflags"


def store_path(override: Path | str | None = None) -> Path:
    """The DuckDB store file: --store, else $REDFLAGS_STORE, else <data dir>/store.duckdb."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(ENV_STORE)
    if env:
        return Path(env).expanduser()
    return data_dir() / "store.duckdb"


def index_dir(store: Path) -> Path:
    """Matching indexes are cached next to the store they were built from."""
    return store.parent / (store.stem + ".index")
