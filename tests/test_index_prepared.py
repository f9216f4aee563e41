"""Prepared candidates stored in the index: same results, never read when stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redflags.matching import Matcher
from redflags.matching.index import Index
from redflags.matching.screener import Screener
from tests.test_index import ENTITIES

QUERIES = [
    {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}},
    {"schema": "Company", "properties": {"name": ["Melli Bank"]}},
    {"schema": "Person", "properties": {"name": ["Xi Jinping"]}},
    {"schema": "Organization", "properties": {"name": ["Abu Sayyaf"]}},
]


def _ranked(index: Index) -> list[list[tuple[str, float, str | None]]]:
    screener = Screener(index)
    return [
        [(h.entity["id"], h.score, h.result.matched_name) for h in screener.screen(q)]
        for q in QUERIES
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_stored_prepared_entities_give_the_same_results(tmp_path: Path, workers: int) -> None:
    plain = Index.build(ENTITIES)
    stored = Index.build(ENTITIES, prepared=True, workers=workers)
    stored.save(tmp_path / "idx")
    loaded = Index.load(tmp_path / "idx")
    assert loaded.manifest["prepared"]
    for row in range(len(loaded)):
        blob = loaded.prepared_blob(row)
        assert blob is not None
    assert _ranked(loaded) == _ranked(plain)
    assert any(hits for hits in _ranked(loaded))


def test_a_blob_from_other_code_is_never_read(tmp_path: Path) -> None:
    stored = Index.build(ENTITIES, prepared=True)
    stored.save(tmp_path / "idx")
    loaded = Index.load(tmp_path / "idx")
    loaded.manifest["prepared"] = "0000000000000000"  # as if features.py had changed since
    assert loaded.prepared_blob(0) is None
    assert _ranked(loaded) == _ranked(Index.build(ENTITIES))


def test_an_index_without_them_prepares_on_demand() -> None:
    index = Index.build(ENTITIES)
    assert index.prepared_blob(0) is None
    assert index.manifest["prepared"] is None
    assert Screener(index, Matcher()).screen(QUERIES[0])[0].entity["id"] == "p1"


def test_engine_cache_is_stale_when_the_scorer_code_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redflags.matching import prepared
    from redflags.screening import engine

    path = tmp_path / "idx"
    Index.build(ENTITIES, prepared=True).save(path)
    (path / engine.ENGINE_CACHE).write_text(json.dumps(engine._engine_cache_record()))
    sources = Index.load(path).manifest["sources"]
    assert engine._engine_cache_current(path)
    assert Index.is_current(path, sources, prepared=True)
    monkeypatch.setattr(prepared, "fingerprint", lambda: "another-release")
    # the engine's check (in load_engine) asks the index for current prepared candidates
    assert not Index.is_current(path, sources, prepared=True)
