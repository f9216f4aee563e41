"""The engine a running server answers with, swapped atomically when lists change.

Requests take a reference to the current engine at their start, so a swap never disturbs a
request in flight: it finishes on the old index, the next one uses the new.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from redflags.errors import RedflagsError
from redflags.screening.engine import Engine, load_engine, settle_heap
from redflags.store.catalog import open_catalog

log = logging.getLogger("redflags.api")


class NotReady(RedflagsError):
    """The index is still being built or loaded: the API answers 503 meanwhile."""


class EngineHolder:
    def __init__(
        self,
        loader: Callable[[], Engine],
        fingerprint: Callable[[], str],
        reload_interval: float = 5.0,
    ) -> None:
        self._loader = loader
        self._fingerprint = fingerprint
        self._interval = reload_interval
        self._engine: Engine | None = None
        self._loaded_fp: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.reloads = 0
        self.load_error: str | None = None

    @classmethod
    def for_store(cls, store: Path | None, reload_interval: float = 5.0) -> EngineHolder:
        def fingerprint() -> str:
            return open_catalog(store).fingerprint()

        return cls(lambda: load_engine(store), fingerprint, reload_interval)

    @property
    def engine(self) -> Engine:
        engine = self._engine
        if engine is None:
            raise NotReady(self.load_error or "the index is being built or loaded; retry shortly")
        return engine

    @property
    def ready(self) -> bool:
        return self._engine is not None

    def load(self) -> None:
        fp = self._fingerprint()
        engine = self._loader()
        # the compiled screening stages, before the first request rather than during it
        from redflags.matching.warm import load_kernels

        load_kernels()
        with self._lock:
            self._engine, self._loaded_fp = engine, fp
        settle_heap()

    def check_reload(self) -> bool:
        """Load a new engine when the lists changed; True when it swapped."""
        try:
            fp = self._fingerprint()
        except Exception as exc:  # store busy (an update is writing): try next round
            log.info("reload check skipped: %s", exc)
            return False
        if fp == self._loaded_fp:
            return False
        try:
            engine = self._loader()
        except Exception as exc:
            log.warning("reload failed, keeping the current lists: %s", exc)
            return False
        with self._lock:
            self._engine, self._loaded_fp = engine, fp
            self.reloads += 1
        log.info("switched to new list versions (%s)", fp)
        return True

    def start(self, load: bool = False) -> None:
        """Watch for new list versions in a background thread; ``load``: load the engine
        there first, so that the server listens at once (``/readyz`` answers 503 until it
        is ready): a first start built the index for minutes before it listened, and a
        liveness probe killed it mid-build, every time."""
        if self._thread is not None or (self._interval <= 0 and not load):
            return
        self._thread = threading.Thread(target=self._run, args=(load,), name="redflags-reload",
                                        daemon=True)
        self._thread.start()

    def _run(self, load: bool) -> None:
        if load:
            try:
                self.load()
            except Exception as exc:  # said by /readyz and every request, not a dead thread
                self.load_error = f"the lists could not be loaded: {exc}"
                log.error("%s", self.load_error)
                return
        if self._interval <= 0:
            return
        while not self._stop.wait(self._interval):
            self.check_reload()
            settle_heap()

    def stop(self) -> None:
        self._stop.set()

