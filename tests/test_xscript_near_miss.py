"""Cross-script names: a look-alike word is not a loose transcription of the same name."""

from __future__ import annotations

from typing import Any

import pytest

from redflags.matching import DEFAULT_THRESHOLD, Matcher
from redflags.matching.features import (
    SCRIPTS,
    XS_GAP_LEVEL,
    prepare,
    similarity_matrix,
)
from redflags.text.phonetic import sound_key


def _person(name: str) -> dict[str, Any]:
    return {"id": name, "schema": "Person", "properties": {"name": [name]}}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher()


def _features(a: str, b: str, matcher: Matcher) -> dict[str, float]:
    return matcher.features(prepare(_person(a)), prepare(_person(b)))[0]


def _token_sim(a: str, b: str) -> float:
    q, c = prepare(_person(a)), prepare(_person(b))
    return max(max(row) for row in similarity_matrix(q, c))


def test_han_word_is_compared_whole(matcher: Matcher) -> None:
    # ge er da: "Gere" matched ge+er and left da over; the whole word is Gerda
    assert matcher.compare(_person("格爾達"), _person("Gere")).score < DEFAULT_THRESHOLD
    assert matcher.compare(_person("格爾達"), _person("Gerda")).score > 0.9


def test_han_words_cover_each_word_of_a_foreign_name() -> None:
    name = prepare(_person("米兰·昆德拉")).names[0]
    assert [(s, e) for s, e, _ in name.han_words] == [(0, 2), (2, 5)]
    assert prepare(_person("Milan Kundera")).names[0].han_words == ()


def test_han_words_hold_name_syllables_only() -> None:
    org = {"id": "o", "schema": "Company", "properties": {"name": ["航空工业"]}}
    assert prepare(org).names[0].han_words == ()


def test_a_han_syllable_is_not_an_initial(matcher: Matcher) -> None:
    # a shi bi: the lone syllable "a" once counted as the initial of "Amby"
    assert matcher.compare(_person("米兰·阿什比"), _person("Milan Amby")).score < DEFAULT_THRESHOLD
    assert matcher.compare(_person("米兰·阿什比"), _person("Milan Ashby")).score > 0.85


def test_whole_word_keeps_chinese_names_of_chinese_people(matcher: Matcher) -> None:
    assert matcher.compare(_person("习近平"), _person("Xi Jinping")).score > 0.9


def test_gap_feature_only_in_the_near_miss_band(matcher: Matcher) -> None:
    good = _features("블라디미르 푸틴", "Vladimir Putin", matcher)
    assert all(good[f"xs_{s}_gap"] == 0.0 for s in SCRIPTS)
    # nothing aligned at all is the unmatched features' business, not a near miss
    none = _features("블라디미르", "Xochitl", matcher)
    assert none["name_weakest"] == 0.0
    assert none["xs_hangul_gap"] == 0.0


def test_gap_feature_grows_below_its_level(matcher: Matcher) -> None:
    vals = _features("格爾達", "Gere", matcher)
    assert 0.0 < vals["name_weakest"] < XS_GAP_LEVEL
    assert vals["xs_han_gap"] > 0.0
    assert all(vals[f"xs_{s}_gap"] == 0.0 for s in SCRIPTS if s != "han")


def test_gap_feature_is_off_within_one_script(matcher: Matcher) -> None:
    vals = _features("Gerda Muller", "Gere Muller", matcher)
    assert all(vals[f"xs_{s}_gap"] == 0.0 for s in SCRIPTS)


@pytest.mark.parametrize(("hangul", "latin"), [
    ("싱어", "Singer"),  # English r after a vowel is not written
    ("데이비스", "Davies"),  # v is ㅂ b
    ("실비우", "Silviu"),
    ("애너벨", "Annabel"),  # ㅐ ae is the a of "cat"
])
def test_hangul_loanword_conventions(hangul: str, latin: str) -> None:
    assert _token_sim(hangul, latin) >= 0.8


def test_hangul_sound_key_reads_ae_as_a() -> None:
    assert sound_key("laendeu", "hangul") == sound_key("land", "latin")


def test_hangul_does_not_merge_hard_c_with_s() -> None:
    assert _token_sim("보러스", "Boruc") < _token_sim("보러스", "Boras")
