"""After building its index, the engine gives the build's freed memory back to the system
(glibc's malloc_trim), and does nothing where there is no such call."""

from __future__ import annotations

import ctypes
import gc
from types import SimpleNamespace
from typing import Any

import pytest

from redflags.screening import engine


def test_trims_the_c_heap(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def malloc_trim(pad: int) -> int:
        calls.append(pad)
        return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda name: SimpleNamespace(malloc_trim=malloc_trim))
    engine._give_back_memory()
    assert calls == [0]
    assert gc.isenabled()


def test_no_malloc_trim_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> Any:
        raise OSError(f"no {name}")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    engine._give_back_memory()  # macOS, musl: nothing to trim, nothing raised

    monkeypatch.setattr(ctypes, "CDLL", lambda name: object())  # a libc without it
    engine._give_back_memory()
