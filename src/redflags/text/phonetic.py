"""A phonetic key that survives transliteration: a consonant skeleton with merged classes.

Metaphone (rigour) encodes English spelling rules, but names that reach us through Arabic,
Hebrew, Kana, Hangul or pinyin differ mostly in vowels, in voicing (g/k, b/p, d/t) and in
l/r; this key drops vowels and merges exactly those classes.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Digraphs first, so "sh"/"ch"/"kh"/"ph"/"th" become one sound before letters are classed.
_DIGRAPHS = [
    ("tsch", "j"), ("sch", "s"), ("tch", "j"), ("dzh", "j"), ("zh", "j"), ("dj", "j"),
    ("ch", "j"), ("sh", "s"), ("kh", "k"), ("gh", "k"), ("ph", "b"), ("th", "t"), ("ck", "k"),
    ("cz", "j"), ("sz", "s"),  # Polish: Mechlowicz ~ Мехлович
    ("ce", "se"), ("ci", "si"), ("cy", "si"),  # soft c: Lucienne ~ Люсьенн
    ("ts", "s"), ("tz", "s"), ("dz", "s"), ("ks", "s"), ("x", "ks"), ("qu", "k"),
]
_CLASSES = str.maketrans({
    "b": "b", "p": "b", "f": "b", "v": "b",
    "c": "k", "k": "k", "q": "k", "g": "k",
    "d": "t", "t": "t",
    "s": "s", "z": "s",
    "j": "j",
    "l": "l", "r": "r",
    "m": "m", "n": "n",
    # vowels and h, w, y separate consonants (so "mama" and "mhmd" keep two m's)
    "a": "_", "e": "_", "i": "_", "o": "_", "u": "_", "y": "_", "h": "_", "w": "_",
})
_REPEAT = re.compile(r"(.)\1+")
_W_VOWEL = re.compile(r"w(?=[aeiouy])")


@lru_cache(maxsize=65536)
def phonetic(token: str, loose: bool = False, merge_jk: bool = False) -> str:
    """Consonant skeleton of a latinized token ("mohammed", "muhammad", "mhmd" all give "mmt").

    ``loose=True`` also merges l and r, for names that went through Chinese, Japanese or
    Korean, which do not tell them apart (strict keys keep "meier" apart from "meili").
    A loose key also reads a w before a vowel as v: German W is ヴ in Katakana ("Wagner" ~
    "ヴァグナー"), and Katakana/Hangul/pinyin write the English w as w themselves ("ウィ" -> wi);
    measured on the Katakana pairs (F1 test / train, refitted): 0.831 / 0.805 -> 0.842 / 0.818.
    ``merge_jk=True`` merges j with k/g, for names that went through Arabic or Hebrew: ج is
    g in Egypt and in foreign names, English "ch" is often kh (Aleichem ~ עליכם).
    Digits are kept (they are identity), a token with no consonant keys on its first letter.
    """
    t = token.lower()
    if not t:
        return ""
    if t[0] == "x":
        t = "s" + t[1:]  # a name's initial x is a sibilant: Xavier, Xerxes, pinyin Xi
    if loose and "w" in t:
        t = _W_VOWEL.sub("v", t)
    for a, b in _DIGRAPHS:
        t = t.replace(a, b)
    key = _REPEAT.sub(r"\1", t.translate(_CLASSES))
    key = "".join(c for c in key if c.isalnum())
    if loose:
        key = _REPEAT.sub(r"\1", key.replace("l", "r"))
    if merge_jk:
        key = _REPEAT.sub(r"\1", key.replace("j", "k"))
    return key or token[:1]


_SIMPLE = str.maketrans({"w": "v", "y": "i", "j": "i", "c": "k", "q": "k", "z": "s", "x": "s",
                         "h": None, "'": None})


@lru_cache(maxsize=65536)
def simple_spelling(token: str) -> str:
    """A spelling with the vowels kept but the usual transliteration choices merged.

    Between the raw letters (too strict across scripts: "Meyer"/"мейер" -> "meier") and the
    consonant skeleton (too loose: "Meyer"/"Meili"): y/i/j, w/v, c/k/q, z/s, kh/h/ch/sh...
    """
    t = token.lower()
    for a, b in _DIGRAPHS:
        t = t.replace(a, b)
    return _REPEAT.sub(r"\1", t.translate(_SIMPLE)) or token[:1]
