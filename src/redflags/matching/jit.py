"""Where the compiled kernels are cached, decided before numba needs it.

numba caches compiled code next to the module (``__pycache__``), else in the user's cache
directory; with neither writable (a read-only install run by a user without a home: a
container with a read-only root file system) ``@njit(cache=True)`` raised at import and
screening could not start. Then the cache goes to a directory of its own under the system's
temporary directory, and with nothing writable at all the kernels compile in each process
(~15 s) instead of failing.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from numba.core import config
from numba.misc.appdirs import AppDirs

log = logging.getLogger(__name__)


def writable(path: Path) -> bool:
    """Whether a file can be created in ``path`` (made if missing): permissions alone do not
    say it on a read-only file system, or for root."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".probe-{uuid.uuid4().hex}"
        probe.touch()
        probe.unlink()
    except OSError:
        return False
    return True


def cache_dir(numba_defaults: Iterable[Path], fallback: Path) -> tuple[bool, str | None]:
    """(whether to cache, the cache directory to set or None for numba's own choice)."""
    if getattr(config, "CACHE_DIR", ""):  # NUMBA_CACHE_DIR: the user's choice
        return True, None
    if any(writable(p) for p in numba_defaults):
        return True, None
    if writable(fallback):
        return True, str(fallback)
    return False, None


def _configure() -> bool:
    here = Path(__file__).resolve().parent / "__pycache__"
    dirs: Any = AppDirs(appname="numba", appauthor=False)  # type: ignore[no-untyped-call]
    user = Path(dirs.user_cache_dir)
    uid = os.getuid() if hasattr(os, "getuid") else 0
    fallback = Path(tempfile.gettempdir()) / f"redflags-numba-{uid}"
    cache, directory = cache_dir((here, user), fallback)
    if directory is not None:
        setattr(config, "CACHE_DIR", directory)  # noqa: B010 (numba's config has no stubs)
    if not cache:
        log.warning("no writable directory for numba's cache (the package directory, %s, "
                    "%s): the kernels compile in each process; set NUMBA_CACHE_DIR", user,
                    fallback)
    return cache


# whether the kernels' ``@njit`` may cache (and where is set in numba's config)
CACHE = _configure()

__all__ = ["CACHE", "cache_dir", "writable"]
