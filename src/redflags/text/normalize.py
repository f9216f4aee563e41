"""Unicode folding: one spelling per visually-equal string, so look-alikes cannot evade matching.

NFKC and case-folding come from the standard library; the confusable skeleton uses a table
(data/confusables.json, from Unicode UTS #39) and only rewrites words that mix Latin with
another script: a real Cyrillic or Greek word is left alone for transliteration.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from redflags.text.tables import load_json

_WS = re.compile(r"\s+")
# Accents are the combining diacritics block (Latin, Greek, Cyrillic); marks on Kana
# (dakuten), Indic or Arabic letters carry meaning and stay for transliteration.
_MARKS = re.compile("[\u0300-\u036f]")


@lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    return {k: v for k, v in load_json("confusables.json").items() if not k.startswith("_")}


def _is_latin(ch: str) -> bool:
    return (ch.isascii() and ch.isalpha()) or "\u00c0" <= ch <= "\u024f"


def _deconfuse(word: str) -> str:
    if word.isascii():
        return word
    table = _confusables()
    has_latin = any(_is_latin(c) for c in word)
    if not has_latin or all(_is_latin(c) or not c.isalpha() for c in word):
        return word
    return "".join(table.get(c, c) for c in word)


# Hebrew writes the sounds it lacks (ch, j, zh, th) as a letter plus geresh: "צ'" is the "ch"
# of "Chambers", "ג'" the "j" of "Jasim". The geresh stays (as U+05F3) after those letters
# so transliteration can read the pair; typed as an apostrophe it would be dropped.
GERESH = "\u05f3"
_GERESH_AFTER = re.compile("([\u05d2\u05d6\u05e6\u05e5\u05ea])['’`ʼ\u05f3]")


@lru_cache(maxsize=65536)
def _char_class(ch: str) -> str:
    """Map one character to what survives folding: itself, a space, or nothing."""
    if ch == GERESH:
        return ch  # kept after the letters it modifies, dropped elsewhere (_fold_once)
    cat = unicodedata.category(ch)
    if cat[0] in "LN":
        return ch
    if cat[0] == "M":
        return ch
    if cat in ("Cf", "Cc", "Cs", "Co", "Cn") and not ch.isspace():
        return ""
    if ch in "'’`ʹʼ":
        return ""
    return " "


def _strip_marks(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFKD", text)))


class _CharMap(dict[int, str]):
    """str.translate table computed lazily per code point (C-speed once warm)."""

    def __missing__(self, cp: int) -> str:
        value = _char_class(chr(cp))
        self[cp] = value
        return value


_CHAR_MAP = _CharMap()


_STRAY_GERESH = re.compile("(?<![\u05d2\u05d6\u05e6\u05e5\u05ea])\u05f3")
# Persian writes a heh that closes a word part before a zero-width non-joiner ("خامنه‌ای",
# Khamenei; "نامه‌ها"): that heh is the vowel e, as Arabic's ae letter (U+06D5) is read. The
# non-joiner itself is a format character and goes like the others.
_PERSIAN_HEH_E = re.compile("\u0647\u200c")


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _strip_marks(text)
    geresh = GERESH in text or (("'" in text or "’" in text or "`" in text or "ʼ" in text)
                                and _GERESH_AFTER.search(text) is not None)
    if geresh:
        text = _STRAY_GERESH.sub("", _GERESH_AFTER.sub("\\1" + GERESH, text))
    if "\u200c" in text:
        text = _PERSIAN_HEH_E.sub("\u06d5", text)
    text = text.translate(_CHAR_MAP)
    words = [_deconfuse(w) for w in _WS.split(text) if w]
    return unicodedata.normalize("NFKC", " ".join(words)).casefold()


_ASCII_PUNCT = re.compile(r"[^a-z0-9\s]")
_ASCII_DROP = re.compile(r"['`]")


def _fold_ascii(text: str) -> str:
    text = _ASCII_DROP.sub("", text.lower())
    return " ".join(_ASCII_PUNCT.sub(" ", text).split())


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold a string for comparison: look-alike and accented spellings become one.

    Runs to a fixed point (usually one pass) so that ``fold(fold(x)) == fold(x)`` holds even
    for the odd code point whose NFKC/case-fold images interact.
    """
    if text.isascii() and text.isprintable():
        return _fold_ascii(text)
    prev = text
    for _ in range(4):
        cur = _fold_once(prev)
        if cur == prev:
            return cur
        prev = cur
    return prev
