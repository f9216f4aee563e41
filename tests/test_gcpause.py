"""The cyclic GC paused for a batch, and resumed only as it was."""

from __future__ import annotations

import gc

import pytest

from redflags.gcpause import paused_gc


def test_paused_then_resumed() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resumed_after_an_error() -> None:
    with pytest.raises(ValueError), paused_gc():
        raise ValueError("boom")
    assert gc.isenabled()


def test_left_off_if_the_caller_had_it_off() -> None:
    gc.disable()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_inactive_changes_nothing() -> None:
    with paused_gc(active=False):
        assert gc.isenabled()
