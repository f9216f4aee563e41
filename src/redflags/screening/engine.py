"""Loads what screening needs (catalog, cached matching index, screener) in one call.

The index is cached on disk keyed by the exact list versions in use, so a new process starts
in well under a second and a list update triggers exactly one rebuild.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from redflags.config import data_dir, index_dir, store_path
from redflags.store.catalog import Catalog, ListInfo, open_catalog

if TYPE_CHECKING:
    from redflags.matching.screener import Screener


@dataclass
class Engine:
    """A loaded screening engine: the lists it uses and a ready screener."""

    catalog: Catalog
    lists: list[ListInfo]
    screener: Screener
    index_path: Path
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @property
    def list_versions(self) -> dict[str, str]:
        return {i.name: i.version_id for i in self.lists}

    def thread_screener(self) -> Screener:
        """A screener for the calling thread: screeners keep scratch state, the index is
        shared read-only between them."""
        screener: Screener | None = getattr(self._local, "screener", None)
        if screener is None:
            screener = type(self.screener)(self.screener.index)
            self._local.screener = screener
        return screener


def index_root(catalog: Catalog) -> Path:
    if catalog.origin == "store" and catalog.store_path is not None:
        return index_dir(catalog.store_path)
    return data_dir() / "bundle.index"


def load_engine(
    store: Path | str | None = None,
    lists: Iterable[str] | None = None,
    on_build: Callable[[str], None] | None = None,
) -> Engine:
    """Open the catalog, load (or build once and cache) the index, return a screener."""
    from redflags.errors import RedflagsError
    from redflags.matching.index import Index
    from redflags.matching.screener import Screener

    catalog = open_catalog(store_path(store))
    infos = catalog.lists()
    if not infos:
        raise RedflagsError(
            "no lists available: the store is empty and no bundled snapshot is installed"
        )
    wanted = list(lists) if lists else [i.name for i in infos]
    unknown = sorted(set(wanted) - {i.name for i in infos})
    if unknown:
        known = ", ".join(i.name for i in infos)
        raise RedflagsError(f"unknown list(s): {', '.join(unknown)}; available: {known}")
    used = [i for i in infos if i.name in set(wanted)]
    root = index_root(catalog)
    path = root / catalog.fingerprint(wanted)
    if not (path / "manifest.json").exists():
        if on_build:
            on_build(f"Building the matching index for {len(used)} lists (once per version)…")
        index = Index.build(catalog.iter_entities(wanted))
        tmp = root / f".building-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        index.save(tmp)
        try:
            tmp.rename(path)
        except OSError:  # another process built it first
            shutil.rmtree(tmp, ignore_errors=True)
        _prune_old_indexes(root, keep=path)
    index = Index.load(path)
    return Engine(catalog=catalog, lists=used, screener=Screener(index), index_path=path)


def _prune_old_indexes(root: Path, keep: Path, max_kept: int = 3) -> None:
    dirs = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in dirs[max_kept:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
