"""A Chinese person's name as syllables: written in Han, or in pinyin in Latin letters.

A Chinese given name is one or two syllables, each a choice of its own: 王华伟 (Wang Huawei)
is not WANG Wei, though "wang hua wei" holds every letter of "wang wei" in order and scored
0.93 against it. Read as syllables, the names differ in number (three against two). The
syllables of a Latin word are found against the set of pinyin syllables (pypinyin's table,
tones dropped), fewest first: "huawei" is hua wei, "xian" is one syllable.
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

from pypinyin import lazy_pinyin

# The commonest Chinese family names (about four in five Chinese bear one), simplified and
# traditional: a name of two or three Han characters opening with one is read as a
# Chinese person's name, not as a foreign name written in Han (罗伯特 is Robert).
_FAMILY = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤习温薄"
    "張劉陳楊黃趙吳孫馬鄭謝許韓馮鄧蔣葉蘇呂盧鍾譚陸賈韋鄒孟閆顧龔萬錢嚴湯溫羅"
)


@cache
def _syllables() -> frozenset[str]:
    from pypinyin.pinyin_dict import pinyin_dict

    out: set[str] = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = "".join(ch for ch in unicodedata.normalize("NFD", reading)
                            if not unicodedata.combining(ch))
            out.add(plain.replace("ü", "v"))
    return frozenset(s for s in out if s.isascii() and s.isalpha())


@lru_cache(maxsize=16384)
def pinyin_split(word: str) -> tuple[str, ...] | None:
    """A lower-case Latin word as pinyin syllables, the fewest that spell it; None when no
    run of syllables does (the word is not pinyin: "hsi", "smith")."""
    valid = _syllables()
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            if head is not None and word[start:end] in valid and (
                    best[end] is None or len(head) + 1 < len(best[end] or ())):
                best[end] = (*head, word[start:end])
    return best[n]


@lru_cache(maxsize=16384)
def chinese_name_syllables(text: str) -> tuple[str, ...] | None:
    """A Chinese person's name in Han (two or three characters, a common family name first)
    as its pinyin syllables; None for any other text."""
    run = "".join(text.split())
    if not 2 <= len(run) <= 3 or run[0] not in _FAMILY or not all(
            0x4E00 <= ord(ch) <= 0x9FFF for ch in run):
        return None
    return tuple(lazy_pinyin(run))


__all__ = ["chinese_name_syllables", "pinyin_split"]
