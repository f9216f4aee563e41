"""Korean readings of names written in Han (Hanja): 金正恩 is Kim Jong Un, not "Jin Zhengen"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redflags.matching import DEFAULT_THRESHOLD, Matcher
from redflags.matching.index import Index
from redflags.matching.keys import entity_names
from redflags.matching.screener import Screener
from redflags.text.hanja import korean_readings


@pytest.mark.parametrize(
    ("name", "readings"),
    [
        ("金正恩", ("김정은",)),  # 金 is 김 in names (Unihan: KS X 1001 and the name list), not 금
        ("金妍兒", ("김연아",)),  # 兒 is 아; the name-only reading 예 comes second
        ("李明博", ("리명박", "이명박")),  # the North keeps the initial ㄹ, the South drops it
        ("盧武鉉", ("로무현", "노무현")),
        ("潘基文", ("반기문",)),
        ("金 正恩", ("김정은",)),  # separators between the surname and the given name
        ("金", ()),  # one syllable is no personal name
        ("中華人民共和國", ()),  # too long for a personal name
        ("Kim Jong Un", ()),
        ("김정은", ()),  # already Hangul
        ("金正x", ()),
    ],
)
def test_korean_readings(name: str, readings: tuple[str, ...]) -> None:
    assert korean_readings(name) == readings


@given(st.text(max_size=6))
def test_readings_are_hangul_syllables_one_per_character(text: str) -> None:
    for reading in korean_readings(text):
        assert all(0xAC00 <= ord(ch) <= 0xD7A3 for ch in reading)
        assert len(reading) == len(text.translate(str.maketrans("", "", " ·・‧")))


def person(name: str, schema: str = "Person") -> dict[str, object]:
    return {"id": name, "schema": schema, "properties": {"name": [name]}}


def test_a_korean_name_in_han_matches_its_latin_spelling() -> None:
    matcher = Matcher()
    assert matcher.compare(person("金正恩"), person("KIM Jong Un")).score >= DEFAULT_THRESHOLD
    assert matcher.compare(person("李明博"), person("Lee Myung-bak")).score >= DEFAULT_THRESHOLD
    # a Chinese name keeps its Mandarin reading
    assert matcher.compare(person("習近平"), person("Xi Jinping")).score >= DEFAULT_THRESHOLD
    # read in Korean, the Han spelling scores exactly as the Hangul one does
    for other in ("KIM Yo Jong", "KIM Jong Il", "PAK Pong Ju"):
        assert matcher.compare(person("金正恩"), person(other)).score == pytest.approx(
            matcher.compare(person("김정은"), person(other)).score, abs=0.02)
    assert matcher.compare(person("金正恩"), person("Xi Jinping")).score < 0.2


def test_only_personal_names_are_read_in_korean() -> None:
    assert "김정은" in entity_names(person("金正恩"))
    assert "김정은" in entity_names(person("金正恩", "LegalEntity"))
    assert entity_names(person("金正恩", "Company")) == ["金正恩"]


def test_screening_finds_the_listed_spelling() -> None:
    listed = [
        {"id": "kju", "schema": "Person", "properties": {"name": ["KIM Jong Un"]},
         "datasets": ["un_sc"]},
        {"id": "xi", "schema": "Person", "properties": {"name": ["XI Jinping"]},
         "datasets": ["x"]},
    ]
    hits = Screener(Index.build(listed)).screen(person("金正恩"))
    assert hits and hits[0].entity["id"] == "kju" and hits[0].match
