"""Cross-script sound keys: filler vowels of Kana and Hangul, bare-consonant Han syllables,
Hangul's closing ㅅ and family names, and Han names that keep their words apart."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redflags.matching import Matcher
from redflags.matching.features import prepare
from redflags.text import latinize
from redflags.text.phonetic import han_syllable_key, phonetic, phonetic_keys, sound_key


def _person(name: str) -> dict[str, object]:
    return {"schema": "Person", "properties": {"name": [name]}}


def test_filler_vowels_are_dropped() -> None:
    # ブラウン / 브라운 (Braun): the u of ブ and the eu of 브 only carry the consonant
    assert sound_key("buraun", "kana") == sound_key("braun")
    assert sound_key("beulaun", "hangul") == sound_key("blaun")
    # ...but a Latin spelling keeps its vowels
    assert sound_key("buraun") != sound_key("braun")


def test_latin_silent_letters_and_kh() -> None:
    assert sound_key("thorne") == sound_key("thorn")  # silent final e
    assert sound_key("brown") == sound_key("bron")  # w closing a vowel
    assert sound_key("khodorkovsky") == sound_key("hodorkovsky")  # Х as kh or h
    assert sound_key("nagisa") != sound_key("nagasa")  # vowels tell names apart


def test_han_bare_consonants_only_inside_a_word() -> None:
    assert han_syllable_key("si", False) == "s"  # 斯 closing "Jones"
    assert han_syllable_key("si", True) != "s"  # 斯 opening a word is a syllable
    assert han_syllable_key("lang", False) == "lan"  # 朗: closing -ng writes n


def test_hangul_closing_s_and_family_names() -> None:
    assert latinize("앳킨스") == "aetkinseu"  # Atkins: closing ㅅ is t
    assert latinize("김정은") == "gim jeongeun"  # family name + given name
    assert latinize("브룬지") == "beulunji"  # a foreign name is one word


def test_han_items_do_not_span_words() -> None:
    vocab = prepare(_person("罗伯特·布朗")).vocab
    assert "luobote" in vocab and "bulang" in vocab
    assert "tebu" not in vocab  # 特·布 belong to two words
    # a long word is an item as a whole
    assert "xiwaxitanpalamu" in prepare(_person("西瓦西坦帕拉姆·格林班克")).vocab


def test_sound_alike_scores_above_look_alike() -> None:
    m = Matcher()

    def score(a: str, b: str) -> float:
        return m.compare(_person(a), _person(b)).score

    assert score("ブラウン", "Brown") > score("ブラウン", "Brunner") + 0.3
    assert score("브라운", "Brown") > score("브라운", "Brunner") + 0.2
    assert score("앳킨스", "Atkins") > score("앳킨스", "Askins") + 0.2
    assert score("罗伯特·布朗", "Robert Brown") > score("罗伯特·布朗", "Roberta Bronson")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz'", min_size=1, max_size=14),
       st.sampled_from(["latin", "kana", "hangul", "cyrillic"]))
def test_sound_key_is_short_ascii(token: str, script: str) -> None:
    key = sound_key(token, script)
    assert key and key.isascii()
    assert len(key) <= 2 * len(token)  # x is ks
    assert not set(key) & set("iuy")  # vowels come in three classes: a, e, o


def test_abjad_names_keep_their_consonant_match() -> None:
    # no short vowels written: a vowel-keeping key must not pull these below the threshold
    m = Matcher()
    assert m.compare(_person("محمد علي"), _person("Mohamed Ali")).score >= 0.55
    assert m.compare(_person("משה"), _person("Moshe")).score >= 0.55


def test_hebrew_final_bet_reads_v() -> None:
    assert latinize("מקסימוב") == "mksimov"  # Maximov
    assert latinize("בתיה").startswith("b")


@given(st.text("abcdefghijklmnopqrstuvwxyzW0 -'", max_size=14))
def test_phonetic_keys_are_the_three_phonetic_calls(token: str) -> None:
    assert phonetic_keys(token) == (
        phonetic(token),
        phonetic(token, loose=True),
        phonetic(token, merge_jk=True),
    )
