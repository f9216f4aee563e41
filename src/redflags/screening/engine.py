"""Loads what screening needs (catalog, cached matching index, ownership layer, screener).

The index is cached on disk keyed by the exact list versions in use, so a new process starts
in well under a second and a list update triggers exactly one rebuild.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redflags.config import data_dir, index_dir, store_path
from redflags.errors import RedflagsError
from redflags.model import mentioned
from redflags.screening.siblings import expand
from redflags.store.catalog import Catalog, ListInfo, open_catalog

if TYPE_CHECKING:
    from redflags.matching.screener import Screener
    from redflags.matching.types import ScreeningHit
    from redflags.ownership.rules import Rule
    from redflags.screening.exposure import OwnershipLayer

OWNERSHIP_DIR = "ownership"
# Bumped when what _build writes next to the index changes (siblings, ownership layer...).
ENGINE_CACHE = "engine.json"
ENGINE_CACHE_VERSION = 6


@dataclass
class Engine:
    """A loaded screening engine: the lists it uses, a screener, and the ownership layer."""

    catalog: Catalog
    lists: list[ListInfo]
    screener: Screener
    index_path: Path
    ownership: OwnershipLayer | None = None
    siblings: dict[str, list[str]] = field(default_factory=dict)
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @property
    def list_versions(self) -> dict[str, str]:
        return {i.name: i.version_id for i in self.lists}

    def thread_screener(self) -> Screener:
        """A screener for the calling thread: screeners keep scratch state, the index is
        shared read-only between them."""
        screener: Screener | None = getattr(self._local, "screener", None)
        if screener is None:
            screener = type(self.screener)(self.screener.index, self.screener.matcher)
            self._local.screener = screener
        return screener

    def node_screener(self) -> Screener | None:
        if self.ownership is None or self.ownership.node_index is None:
            return None
        screener: Screener | None = getattr(self._local, "node_screener", None)
        if screener is None:
            screener = type(self.screener)(self.ownership.node_index, self.screener.matcher)
            self._local.node_screener = screener
        return screener

    def screen(
        self,
        query: Mapping[str, Any],
        *,
        threshold: float | None = None,
        limit: int = 10,
        datasets: set[str] | None = None,
        exclude_ids: set[str] | None = None,
        rules: list[Rule] | None = None,
        derived: bool = True,
        cutoff: float = 0.0,
    ) -> list[ScreeningHit]:
        """Direct list hits and derived hits through owners and links (up to ``limit`` of
        each), ranked by score; hits of either kind scoring below ``cutoff`` are left out."""
        from redflags.matching import DEFAULT_THRESHOLD

        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        hits = self.thread_screener().screen(
            query,
            threshold=threshold,
            limit=limit,
            datasets=datasets,
            exclude_ids=exclude_ids,
            cutoff=cutoff,
            named=True,
        )
        # a party a list only names is no direct hit, only where derived hits start
        named = [h for h in hits if mentioned(h.entity)]
        if named:
            hits = [h for h in hits if not mentioned(h.entity)]
        if self.siblings:
            hits = expand(
                hits,
                self.siblings,
                self.screener.index.get,
                datasets=datasets,
                exclude_ids=exclude_ids,
            )
        if not derived or self.ownership is None:
            return hits
        extra = self.ownership.derived(
            query,
            hits,
            self.screener.index,
            self.node_screener(),
            threshold=threshold,
            datasets=datasets,
            rules=rules,
            named=named,
        )
        if exclude_ids:
            extra = [h for h in extra if h.entity["id"] not in exclude_ids]
        if cutoff > 0:
            extra = [h for h in extra if h.score >= cutoff]
        if not extra:
            return hits
        # one ranking: a caller reading the first result read a direct non-match at 0.25
        # ahead of the derived hits at 0.96 ("Syrianair"); ties keep direct hits first
        return sorted(hits + extra[:limit], key=lambda h: -h.score)


def index_root(catalog: Catalog) -> Path:
    if catalog.origin == "store" and catalog.store_path is not None:
        return index_dir(catalog.store_path)
    return data_dir() / "bundle.index"


def load_engine(
    store: Path | str | None = None,
    lists: Iterable[str] | None = None,
    on_build: Callable[[str], None] | None = None,
) -> Engine:
    """Open the catalog, load (or build once and cache) the index, return the engine."""
    from redflags.matching.index import Index
    from redflags.matching.screener import Screener
    from redflags.screening import siblings as same_party
    from redflags.screening.exposure import OwnershipLayer

    catalog = open_catalog(store_path(store))
    infos = catalog.lists()
    if not infos:
        raise RedflagsError(
            "no lists available: the store is empty and no bundled snapshot is installed"
        )
    wanted = list(lists) if lists else [i.name for i in infos]
    unknown = sorted(set(wanted) - {i.name for i in infos})
    if unknown:
        from redflags.sources.registry import LISTS

        known = ", ".join(i.name for i in infos)
        absent = [n for n in unknown if n in LISTS]
        if absent:
            raise RedflagsError(
                f"not loaded yet: {', '.join(absent)}; run `redflags update {' '.join(absent)}` "
                f"(or `redflags import FILE --list NAME`); loaded: {known}")
        raise RedflagsError(f"unknown list(s): {', '.join(unknown)}; available: {known}")
    used = [i for i in infos if i.name in set(wanted)]
    sources = {i.name: i.version_id for i in used}
    root = index_root(catalog)
    path = root / catalog.fingerprint(wanted)
    if not Index.is_current(path, sources, prepared=True) or not _engine_cache_current(path):
        if on_build:
            on_build(f"Building the matching index for {len(used)} lists (once per version)…")
        _build(catalog, used, sources, root, path)
        _give_back_memory()
    index = Index.load(path)
    ownership = OwnershipLayer.load(path / OWNERSHIP_DIR)
    screened = [i for i in used if i.kind != "ownership"]
    return Engine(
        catalog=catalog,
        lists=screened,
        screener=Screener(index),
        index_path=path,
        ownership=ownership,
        siblings=same_party.load(path),
    )


def _build(
    catalog: Catalog, used: list[ListInfo], sources: dict[str, str], root: Path, path: Path
) -> None:
    from redflags.matching.index import Index
    from redflags.screening import siblings as same_party
    from redflags.screening.exposure import LinkCollector, OwnershipLayer
    from redflags.sources.enrichment import enrich

    sanctions = [i.name for i in used if i.kind != "ownership"]
    ownership = [i.name for i in used if i.kind == "ownership"]
    collector = LinkCollector()
    groups = same_party.SiblingCollector()
    listed = enrich(catalog.iter_entities(sanctions))
    # Keying and preparing entities is pure Python: two processes halve a first start. Only
    # fork from a single-threaded process (the CLI); a server rebuilding in its background
    # thread builds in-process, since forking a threaded process can deadlock the child.
    workers = min(2, os.cpu_count() or 1) if threading.active_count() == 1 else 1
    index = Index.build(
        groups.watch(collector.watch(listed)), sources=sources, prepared=True, workers=workers
    )
    tmp = root / f".building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    index.save(tmp)
    siblings = groups.siblings()
    same_party.save(tmp, siblings)
    (tmp / ENGINE_CACHE).write_text(json.dumps(_engine_cache_record()))
    own_entities = list(catalog.iter_entities(ownership)) if ownership else []
    layer = OwnershipLayer.build(collector, own_entities, Index.load(tmp), siblings)
    if layer is not None:
        layer.save(tmp / OWNERSHIP_DIR)
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)
    try:
        tmp.rename(path)
    except OSError:  # another process built it first
        shutil.rmtree(tmp, ignore_errors=True)
    _prune_old_indexes(root, keep=path)


def _give_back_memory() -> None:
    """Return what the build freed to the operating system. The build's garbage is freed,
    but the C allocator keeps the pages for reuse, so a job that built its index first
    screened with ~500 MB more resident in its parent: the first 100,000-row job after an
    install or an upgrade peaked at 1,522-1,527 MB (PSS of the tree) against ~1,055 MB with
    the index already built. ``malloc_trim`` is glibc's; elsewhere nothing happens."""
    gc.collect()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim.argtypes = [ctypes.c_size_t]
    trim(0)


def _engine_cache_current(path: Path) -> bool:
    """The cache beside the index is this code's (the index's prepared candidates are
    checked by ``Index.is_current(prepared=True)``)."""
    try:
        data = json.loads((path / ENGINE_CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(data == _engine_cache_record())


def _engine_cache_record() -> dict[str, Any]:
    """What a cached index was built with beyond its lists: this code's cache version and
    the native-script names it added (``sources/data/native_names.yml``: an index built
    before an entry was added would not find the company by its Chinese name)."""
    from redflags.sources.enrichment import table_digest

    return {"version": ENGINE_CACHE_VERSION, "enrichment": table_digest()}


def _prune_old_indexes(root: Path, keep: Path, max_kept: int = 3) -> None:
    dirs = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in dirs[max_kept:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def settle_heap() -> None:
    """Move what is alive now (the engine, its caches of prepared candidates) out of the
    collector's reach, after collecting the young cyclic garbage. Long-running screening
    processes (API workers, job workers) call it now and then.

    A warm process holds millions of long-lived objects; a full collection over them took
    up to 170 ms (measured), stalling every request queued on an API worker (the /match
    p99 went from 144 ms to 31 ms). Frozen objects are still freed by reference counting
    when a cache drops them.
    """
    gc.collect(1)
    gc.freeze()
