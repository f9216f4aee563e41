"""Entries naming the same party on different lists come back together."""

from __future__ import annotations

from pathlib import Path

import pytest

from redflags.model import EntityBuilder, FtMEntity
from redflags.screening.engine import load_engine
from redflags.screening.siblings import expand
from redflags.store import Store


def company(ident: str, lst: str, name: str, alias: str | None = None) -> FtMEntity:
    b = EntityBuilder("Company", ident, lst)
    b.add("name", name)
    b.add("alias", alias)
    b.add("country", "cn")
    b.set_provenance(list=lst)
    return b.to_dict()


def person(ident: str, lst: str, name: str, born: str) -> FtMEntity:
    b = EntityBuilder("Person", ident, lst)
    b.add("name", name)
    b.add("birthDate", born)
    b.set_provenance(list=lst)
    return b.to_dict()


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REDFLAGS_HOME", str(tmp_path / "home"))
    path = tmp_path / "s.duckdb"
    with Store(path) as st:
        st.import_entities("el", "ftm", [
            company("el-1", "el", "Hangzhou Hikvision Digital Technology Co., Ltd.", "Hikvision"),
            person("el-2", "el", "Mohammed Al Rahman", "1970-01-01"),
        ], checksum="a")
        st.import_entities("fcc", "ftm", [
            company("fcc-1", "fcc", "Hangzhou Hikvision Digital Technology Company"),
            person("fcc-2", "fcc", "Mohammed Al Rahman", "1985-05-05"),
        ], checksum="b")
    return path


def test_same_party_on_another_list_is_returned(store: Path) -> None:
    engine = load_engine(store)
    hits = engine.screen({"schema": "Company", "properties": {"name": ["Hikvision"]}})
    by_id = {h.entity["id"]: h for h in hits if h.match}
    assert {"el-1", "fcc-1"} <= set(by_id)
    assert engine.siblings["el-1"] == ["fcc-1"]


def test_expand_adds_the_sibling_with_its_reason(store: Path) -> None:
    engine = load_engine(store)
    hits = engine.thread_screener().screen(
        {"schema": "Company", "properties": {"name": ["Hikvision"]}}, exclude_ids={"fcc-1"}
    )
    assert [h.entity["id"] for h in hits if h.match] == ["el-1"]
    expanded = expand(hits, engine.siblings, engine.screener.index.get)
    sibling = next(h for h in expanded if h.entity["id"] == "fcc-1")
    assert sibling.match and sibling.score == hits[0].score
    assert "same_party" in sibling.result.explanations
    assert sibling.evidence == [{"kind": "same_party", "via": "el-1"}]


def test_people_with_other_birth_dates_are_not_grouped(store: Path) -> None:
    engine = load_engine(store)
    assert "el-2" not in engine.siblings and "fcc-2" not in engine.siblings


def test_a_sibling_comes_right_after_the_hit_that_brought_it() -> None:
    # appended at the end, a 0.96 sibling sat below a 0.50 non-match and an API's limit
    # cut it off
    from redflags.matching.types import MatchResult, ScreeningHit

    def hit(ident: str, score: float) -> ScreeningHit:
        entity = company(ident, "el", ident)
        return ScreeningHit(entity, score, score >= 0.55, MatchResult(score, {}, "a", "1"))

    entities = {"fcc-1": company("fcc-1", "fcc", "Hikvision")}
    out = expand([hit("el-1", 0.96), hit("other", 0.5)], {"el-1": ["fcc-1"]}, entities.get)
    assert [h.entity["id"] for h in out] == ["el-1", "fcc-1", "other"]
    assert out[1].score == 0.96
