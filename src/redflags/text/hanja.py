"""Korean readings of names written in Han characters (Hanja).

Korean names appear in Han in Chinese- and Japanese-language sources (金正恩 is how Chinese
media write Kim Jong Un), and pypinyin reads them in Mandarin ("jin zheng en"), which no
Korean spelling resembles. Read in Korean they become 김정은, and the Hangul path of the
transliteration does the rest. Only short all-Han names get this reading: a Korean personal
name is two to four syllables.
"""

from __future__ import annotations

from functools import lru_cache

from redflags.text.tables import load_json

# The FtM schemata whose names may be a Korean person's (a file row of unknown type is a
# LegalEntity); a company's Han name is read in Mandarin only.
READING_SCHEMATA = frozenset({"Person", "LegalEntity"})
# The commonest Korean surnames in Han (the 2015 census's top hundred or so, with a few
# variant forms): a name read in Korean must start with one, or a foreign name transcribed
# into Han (皮尔洛 Pirlo, 保羅 Paulo) would gain a Korean reading too.
SURNAMES = frozenset(
    "金李朴崔鄭姜趙尹張林韓吳徐申權黃安宋全洪柳高文梁孫裵白許劉南沈盧河丁成車具禹朱任田閔兪"
    "俞羅辛池陳嚴元蔡千方孔玄咸卞廉楊邊呂秋魯都蘇愼慎石宣薛馬吉周延房魏表明奇潘王琴玉陸印孟"
    "諸卓秦芮智慶龍鞠余殷片程奉夫魚睦董曺曹丘景太卜牟承葉康邢賓晉杜史郭鄭錢"
)
# two-character surnames (皇甫, 南宮, 鮮于, 諸葛, 司空, 獨孤, 東方)
SURNAMES_2 = frozenset({"皇甫", "南宮", "鮮于", "諸葛", "司空", "獨孤", "東方"})
MIN_SYLLABLES = 2
MAX_SYLLABLES = 4
_SEPARATORS = str.maketrans("", "", " \u00b7\u30fb\u2027")

_HANGUL_BASE = 0xAC00
_NIEUN, _RIEUL, _IEUNG = 2, 5, 11
# medial vowels that begin with an i/y sound (ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ ㅣ)
_Y_VOWELS = frozenset({2, 3, 6, 7, 12, 17, 20})


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    readings: dict[str, str] = load_json("han_hangul.json")["readings"]
    return {char: value.split()[0] for char, value in readings.items()}


def _initial_rule(syllable: str) -> str:
    """South Korea's initial sound rule (두음법칙) on a name's first syllable: 李 is 리 (Ri)
    in the North and 이 (Lee) in the South, 林 림/임, 盧 로/노."""
    code = ord(syllable) - _HANGUL_BASE
    initial, rest = divmod(code, 21 * 28)
    medial = rest // 28
    if initial == _RIEUL:
        initial = _IEUNG if medial in _Y_VOWELS else _NIEUN
    elif initial == _NIEUN and medial in _Y_VOWELS:
        initial = _IEUNG
    else:
        return syllable
    return chr(_HANGUL_BASE + initial * 21 * 28 + rest)


@lru_cache(maxsize=16_384)
def korean_readings(name: str) -> tuple[str, ...]:
    """The Hangul readings of a short name written wholly in Han that starts with a Korean
    surname: the name as the North writes it and, when the initial sound rule changes it, as
    the South does; empty for anything else."""
    chars = name.translate(_SEPARATORS)
    if not MIN_SYLLABLES <= len(chars) <= MAX_SYLLABLES:
        return ()
    if chars[0] not in SURNAMES and chars[:2] not in SURNAMES_2:
        return ()
    table = _table()
    syllables = [table.get(ch) for ch in chars]
    if any(s is None for s in syllables):
        return ()
    read = "".join(s for s in syllables if s)
    south = _initial_rule(read[0]) + read[1:]
    return (read, south) if south != read else (read,)


__all__ = ["READING_SCHEMATA", "korean_readings"]
