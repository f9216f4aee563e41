"""Spellings the tokens must read as one: Hebrew letters with a geresh, doubled vav and yod,
Katakana's long a for an English r, numbers written as words."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redflags.text import fold, latinize, name_tokens, phonetic


def test_hebrew_geresh_letters() -> None:
    # typed as an apostrophe or as the Hebrew geresh, the pair reads as one sound
    assert latinize("צ'יימברס") == latinize("צ׳יימברס") == "cheimbrs"
    assert latinize("ג'ורג'") == "jorj"
    assert latinize("ז'אני").startswith("zh")
    # a geresh after a letter it does not modify is dropped, like an apostrophe
    assert latinize("ח׳ אבג") == "h abg"
    assert phonetic(latinize("צ'ינצ'ייה")) == phonetic("chincheia")


def test_hebrew_double_vav_and_yod() -> None:
    assert latinize("סוויטריבאי") == "svitribai"  # Savitribai
    assert latinize("וייל") == "veil"  # Weill
    assert latinize("קוזה") == "koza"  # single vav stays a vowel


@given(st.text(alphabet="אבגדהוזחטיכלמנסעפצקרשת'׳ ", max_size=12))
def test_fold_with_geresh_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


def test_katakana_long_a_is_an_r() -> None:
    assert latinize("キッシンジャー") == "kishinjar"  # Kissinger
    assert phonetic(latinize("ゲスナー"), loose=True) == phonetic("gesner", loose=True)
    # other long vowels add nothing
    assert latinize("ホーソーン") == "hoson"


def test_numbers_written_as_words() -> None:
    assert name_tokens("Three Percenters") == name_tokens("3 Percenters")
    assert name_tokens("Brigade Forty-Four") == name_tokens("Brigade 44") == ["brigade", "44"]
    assert name_tokens("Brigade Forty 4") == ["brigade", "44"]
    assert name_tokens("Twenty First Century") == ["21", "century"]
    # "one" is a brand word far more often than a count
    assert name_tokens("One Hope United")[0] == "one"


def test_loose_key_reads_w_before_a_vowel_as_v() -> None:
    assert phonetic("wagner", loose=True) == phonetic(latinize("ヴァグナー"), loose=True)
    assert phonetic("william", loose=True) == phonetic(latinize("ウィリアム"), loose=True)
    # the strict key (Latin against Latin) keeps w a vowel-like letter; a final w is silent
    assert phonetic("wagner") != phonetic("vagner")
    assert phonetic("matthew", loose=True) == phonetic("mattheu", loose=True)
