"""fold() and latinize(): idempotent, total, and blind to look-alike characters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from redflags.text import fold, latinize

CYR_LOOKALIKES = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у"}


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_fold_is_idempotent_and_total(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_latinize_never_raises_and_is_ascii(text: str) -> None:
    out = latinize(text)
    assert out.isascii()
    assert out == out.lower()


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=30),
       st.data())
def test_homoglyphs_fold_to_the_plain_latin(text: str, data: st.DataObject) -> None:
    # disguise some letters of words that keep at least one Latin letter (a mixed word)
    words = []
    for word in text.split():
        chars = list(word)
        idx = [i for i, c in enumerate(chars) if c in CYR_LOOKALIKES]
        if len(idx) < len(chars):
            for i in data.draw(st.lists(st.sampled_from(idx), unique=True)) if idx else []:
                chars[i] = CYR_LOOKALIKES[chars[i]]
        words.append("".join(chars))
    assert fold(" ".join(words)) == fold(text)


def test_fold_examples() -> None:
    assert fold("Hikvisiоn") == "hikvision"  # Cyrillic о
    assert fold("Société Générale, S.A.") == "societe generale s a"
    assert fold("O'Brien") == "obrien"
    assert fold("Ｆｕｌｌ　Ｗｉｄｔｈ") == "full width"
    assert fold("Путин") == "путин"  # a genuine Cyrillic word is not "de-confused"


def test_latinize_scripts() -> None:
    assert latinize("习近平") == "xi jin ping"
    assert latinize("习近平", han_joined=True) == "xijinping"
    assert latinize("Владимир Путин") == "vladimir putin"
    assert latinize("محمد بن سلمان") == "mhmd bn slman"
    assert latinize("ウラジーミル・プーチン") == "urajimiru puchin"
    assert latinize("김정은") == "gim jeongeun"
    assert latinize("Ελληνική") == "elliniki"
    assert latinize("בנימין נתניהו") == "bnimin ntniho"
