"""The cyclic garbage collector paused while a batch builds many long-lived objects.

Every full collection walks every live object. A batch that builds millions of objects
that make no reference cycles (index keys, an ownership graph, a batch's screening results)
triggers full collections again and again, each longer than the last: an index build from
a list took 8.9 s of CPU with the collector and 5.5 s without, a 1M-edge ownership graph
73 s and a fraction of it, and one full collection in the middle of a 1,603-query
``screen_many`` took 0.4-1.1 s of its 2-3 s. Reference counting still frees everything
at once; whatever cyclic garbage the batch leaves is collected once the collector resumes.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc(active: bool = True) -> Iterator[None]:
    """The cyclic collector off for the block (``active=False``: left as it is); it resumes
    only if it was on."""
    if not active:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


__all__ = ["paused_gc"]
