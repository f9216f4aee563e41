"""Named comparison features between two prepared entities, each a number the model weighs.

Everything that only depends on one entity (tokens, weights, phonetic keys, normalised ids,
countries, dates) is computed once in ``prepare`` so a candidate index can cache it; the
per-pair work is two rapidfuzz ``cdist`` calls over the entities' token vocabularies plus a
greedy alignment over a handful of tokens.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from followthemoney import model as ftm_model
from followthemoney.types import registry
from rapidfuzz.distance import OSA, Levenshtein
from rapidfuzz.fuzz import token_set_ratio
from rapidfuzz.process import cdist

from redflags.countries import country_code
from redflags.text import (
    GENERIC,
    LEGAL_FORM,
    NAME,
    NUMBER,
    fold,
    latinize,
    legal_family,
    name_tokens,
    person_tokens,
    phonetic,
    place_words,
    simple_spelling,
    token_kind,
)
from redflags.text.hanja import READING_SCHEMATA, korean_readings
from redflags.text.phonetic import (
    TH,
    Z,
    han_readings,
    han_syllable_key,
    phonetic_keys,
    sound_key,
)
from redflags.text.pinyin import chinese_name_syllables, pinyin_split
from redflags.text.slavic import english_reading
from redflags.text.tokens import transliterated_reading
from redflags.text.translit import korean_name_syllables

# Below this a token pair is not an alignment at all (it would only add noise).
TOKEN_MIN_SIM = 0.55
# A name word joined to an org word ("gazprom bank") meets one word of the other name only
# when nearly the same ("gazprombank"): "joyson electronic" met "optoelectronics" at 0.76,
# by its org word, and Ningbo Joyson Electronic scored 0.88 against Ningbo NTU Optoelectronics
JOINED_MIN_SIM = 0.85
# A phonetic-key match counts a little less than the same letters.
PHONETIC_FACTOR = 0.9
# An organisation's name is spelled, not transliterated: two Latin company names that only
# sound alike ("PHARML" / "PROMOIL", "Lara" / "LRA") are weaker evidence than two spellings of
# a person's name.
ORG_PHONETIC_FACTOR = 0.75
# Between two Latin spellings a consonant skeleton is loose: it drops vowels and merges
# voicing, so "Timohy" ~ "Adam" (both "tm") and "Meale" ~ "Maulawi" ("ml"). A sound-alike
# there must start with the same sound and may not rise more than this above the letters'
# own similarity (real variants stay close in letters: Muhammad/Mohammed 0.75, Musa/Moussa
# 0.67; Meale/Maulawi 0.43).
PHONETIC_MARGIN = 0.3
# An acronym spelling the other name's initials is good but not letter-perfect evidence.
ACRONYM_SIM = 0.8
# ... unless it has three letters or fewer: most three-word names spell one, so against a
# list of tens of thousands of names a short acronym finds initials by chance ("CCC" ~ "Car
# Care Center", "ABC" ~ "Active Business Consult" for Chicago day-care centres). Against
# the final weights, 0.6 instead: "PLA" ~ "People's Liberation Army" falls below the
# threshold and nk_checks train F1 0.906 -> 0.896, for 0.1 point less screening FPR.
ACRONYM_SIM_SHORT = 0.7
ACRONYM_SHORT = 3
# Kind weights: a generic org word ("trading") or legal form ("ltd") says little about identity.
KIND_WEIGHT = {NAME: 1.0, GENERIC: 0.25, LEGAL_FORM: 0.08, NUMBER: 0.0}
# Identifier properties where one entity has one value: a different value is evidence against.
SINGLE_VALUED_IDS = frozenset({"leiCode", "imoNumber", "innCode", "ogrnCode", "uscCode",
                               "swiftBic", "dunsCode", "uniqueEntityId", "okpoCode"})
MIN_ID_LENGTH = 5
NAME_PROPS = ("name", "alias", "previousName", "abbreviation")
_NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
WEAK_NAME_PROPS = ("weakAlias",)
DATE_PROPS = ("birthDate", "incorporationDate")
MAX_NAMES = 40
# Han names: syllable runs up to this long are alignment items too (names this long only).
HAN_SPAN_MAX = 5
HAN_SPAN_TOKENS = 10
# ...and a whole word of a name whose words are marked ("西瓦西坦帕拉姆·格林班克")
HAN_SPAN_WORD_MAX = 8
# "bldg" ~ "building", "wstrn" ~ "western": a contraction keeps the first and last letters
# and some in between, in order (an organisation's keeps no vowel after its first letter:
# ``_initial_or_prefix``).
CONTRACTION_SIM = 0.7
VOWELS = frozenset("aeiouy")
# A word run together from others ("shellinternat"): at least this long, of parts this long;
# its last part may be misspelt down to this similarity ("saraleede" ~ "Sara Leed").
# PATSTAT F1 before refitting, test / train: 0.889 / 0.657 -> 0.933 / 0.668.
COMPOUND_MIN = 7
COMPOUND_PART_MIN = 3
COMPOUND_LAST_SIM = 0.75
COMPOUND_WEAK = 0.75
# Words joining a name to the father's name, whose order says who is whose son.
LINEAGE_WORDS = frozenset({"bin", "ibn", "bint", "binti", "ben", "bat", "ould", "walad"})
# A token pair this similar is as good as the same name (phonetic keys equal give 0.9).
WEAK_GAP = 0.88
# Words this long are "spelled out": shorter ones are initials, particles ("al", "bin")
# and syllables ("Pong"/"Pyong" is one romanisation away), where one letter is a typo.
SPELLED_MIN = 4
# Across scripts a word this far below XS_GAP_LEVEL (but aligned at all, >= TOKEN_MIN_SIM) is
# a look-alike of another name, not a loose transcription: full weight at XS_GAP_FULL below.
# The same-script near-miss terms are off across scripts (a transliteration is never
# letter-exact), and the linear weakest-link terms are too flat there: a full name with one
# part a look-alike at 0.55-0.65 still scored 0.65-0.85. Refitted, F1 test / train: Arabic
# 0.886/0.874 -> 0.925/0.891, Hebrew 0.851/0.856 -> 0.882/0.899, Russian 0.845/0.875 ->
# 0.851/0.904, Chinese 0.789/0.762 -> 0.800/0.774 (levels 0.75 and 0.8 tried: Russian and
# Katakana test fell below their old values).
XS_GAP_LEVEL = 0.7
XS_GAP_FULL = 0.15

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")

FEATURES = (
    "name_align",
    "name_weakest",
    "name_query_unmatched",
    "name_candidate_unmatched",
    "name_joined",
    "name_joined_phonetic",
    "name_joined_simple",
    "name_exact",
    "name_shorter_covered",
    "name_rare_match",
    "cross_script",
    "cross_script_align",
    "cross_script_phonetic",
    "cjk",
    "cjk_phonetic",
    "xs_han",
    "xs_han_phonetic",
    "xs_hangul",
    "xs_hangul_phonetic",
    "xs_kana",
    "xs_kana_phonetic",
    "xs_arabic",
    "xs_arabic_phonetic",
    "xs_hebrew",
    "xs_hebrew_phonetic",
    "xs_cyrillic",
    "xs_cyrillic_phonetic",
    "xs_other",
    "xs_other_phonetic",
    "native_mismatch",
    "name_single_token",
    "name_single_fuzzy",
    "name_generic_only",
    "name_both_unmatched",
    "name_max_unmatched",
    "name_weak_gap",
    "name_spelled_gap",
    "name_lineage_swap",
    "xs_han_gap",
    "xs_hangul_gap",
    "xs_kana_gap",
    "xs_arabic_gap",
    "xs_hebrew_gap",
    "xs_cyrillic_gap",
    "xs_other_gap",
    "legal_form_match",
    "legal_form_conflict",
    "number_match",
    "number_conflict",
    "identifier_match",
    "identifier_conflict",
    "country_match",
    "country_conflict",
    "date_match",
    "date_conflict",
    "address_match",
    "address_mismatch",
    "name_near_miss_alone",
    "name_parts_swap",
    "name_initials_only",
)
NAME_FEATURES = FEATURES[:FEATURES.index("legal_form_match")]


@lru_cache(maxsize=1)
def _idf() -> dict[str, float]:
    raw = resources.files("redflags.matching").joinpath("idf.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    table: dict[str, float] = data["idf"]
    return table


@lru_cache(maxsize=1)
def _idf_max() -> float:
    return max(_idf().values(), default=10.0)


def token_weight(token: str, kind: str) -> float:
    """IDF scaled to 0.15..1 and multiplied by the kind weight."""
    idf = _idf().get(token)
    top = _idf_max()
    rel = 1.0 if idf is None else max(0.15, min(1.0, idf / (0.7 * top)))
    return rel * KIND_WEIGHT[kind]


@dataclass(slots=True)
class PreparedName:
    """One name of an entity, tokenised and weighted."""

    text: str
    tokens: tuple[str, ...]
    kinds: tuple[str, ...]
    weights: tuple[float, ...]
    # alignment items: (vocab index, start token, end token) incl. adjacent-token merges
    items: tuple[tuple[int, int, int], ...]
    numbers: frozenset[str]
    legal: frozenset[str]
    # (child, parent) around "bin"/"ibn"/"bint": "Salman bin Muhammad" -> (salman, muhammad)
    lineage: frozenset[tuple[str, str]]
    joined: str
    joined_phonetic: str
    # Han names: the key of the pinyin read as an English spelling (foreign names in Han)
    joined_phonetic_alt: str
    joined_phonetic_loose: str
    joined_simple: str
    # loose key without r/l: Mandarin renders most r and l sounds by vowels or drops them
    joined_phonetic_nor: str
    # j merged with k: names that went through Arabic or Hebrew (ج is g in foreign names)
    joined_phonetic_jk: str
    # the name tokens' vowel-keeping sound keys run together (compared across scripts)
    joined_sound: str
    key: str
    # folded original without spaces: two names in the same non-Latin script compare on
    # their own letters too (高石 and 高市 share a pinyin reading, not a spelling)
    native: str
    # main non-Latin script of the name (han, hangul, kana, arabic, hebrew, cyrillic, other)
    script: str
    latin: bool
    han: bool
    cjk: bool
    semitic: bool
    total_weight: float = 0.0
    name_weight: float = 0.0
    name_count: int = 0
    # name tokens long enough to be a compound of others ("shellinternat")
    long_idx: tuple[int, ...] = ()
    # ...and the tokens long enough to be one of its parts
    part_tokens: tuple[str, ...] = ()
    # a weak alias (a list's "low quality" a.k.a.: a nickname, a bare given name) only
    # counts when the other side writes exactly it
    weak: bool = False
    # a person's name (its words are never abbreviations of longer ones)
    person: bool = False
    # a foreign name in Han: each word of two or more syllables as (start, end, vocab index
    # of the whole word's item)
    han_words: tuple[tuple[int, int, int], ...] = ()
    # the name as the compiled alignment reads it (``name_pack``)
    pack: bytes = b""
    pack_weights: bytes = b""
    # hyphenated words, as runs of token positions ("Pridmore-Smith", "Heung-min")
    hyphened: tuple[tuple[int, ...], ...] = ()
    # an organisation's name and org words run together, and its phonetic key ("" when it
    # has no org word): "Gazprom Bank" against GAZPROMBANK
    joined_wide: str = ""
    joined_phonetic_wide: str = ""


KIND_CODES = {NAME: 0, GENERIC: 1, LEGAL_FORM: 2, NUMBER: 3}


def name_pack(tokens: Sequence[str], kinds: Sequence[str],
              items: Sequence[tuple[int, int, int]], weights: Sequence[float]) -> tuple[bytes,
                                                                                       bytes]:
    """A name for the compiled alignment (``align``): one uint32 array (tokens, items, the
    items, each token's kind code, whether it is all letters, the end of its code points,
    the code points) and one float64 array (each token's weight, then the name words'
    total, summed as ``PreparedName.name_weight`` is)."""
    head = array("I", (len(tokens), len(items)))
    for item in items:
        head.extend(item)
    head.extend(KIND_CODES[k] for k in kinds)
    head.extend(t.isalpha() for t in tokens)
    head.extend(accumulate(map(len, tokens)))
    name_weight = sum(w for w, k in zip(weights, kinds, strict=True) if k == NAME)
    return (head.tobytes() + "".join(tokens).encode("utf-32-le"),
            array("d", (*weights, name_weight)).tobytes())


def token_codes(vocab: Sequence[str], phonetic: Sequence[str], sound: Sequence[str],
                latin: Sequence[bool], onsets: bytes) -> bytes:
    """An entity's tokens for the compiled similarity matrix (``tokensim``, whose
    bit-parallel distances take words of up to 64 letters), as one uint32 array: a header
    (tokens, letters of the tokens, of their phonetic keys, of their sound keys), each
    token's end, each phonetic key's end, each sound key's end, each token's onset, whether
    it comes from a name in Latin script, then the code points of the tokens, the phonetic
    keys and the sound keys (as ``_blend_sound`` compares them outside CJK, ``_th_as_t``).
    One buffer: each array handed to the kernel costs ~1 µs."""
    sound = _th_as_t(list(sound))
    chars, pchars, schars = "".join(vocab), "".join(phonetic), "".join(sound)
    head = array("I", (len(vocab), len(chars), len(pchars), len(schars)))
    head.extend(accumulate(map(len, vocab)))
    head.extend(accumulate(map(len, phonetic)))
    head.extend(accumulate(map(len, sound)))
    head.extend(onsets)
    head.extend(latin)
    return head.tobytes() + (chars + pchars + schars).encode("utf-32-le")


@dataclass(slots=True)
class PreparedEntity:
    """Everything about one entity the scorer needs, computed once."""

    schema: str
    names: list[PreparedName]
    vocab: list[str]
    vocab_phonetic: list[str]
    vocab_phonetic_loose: list[str]
    vocab_phonetic_jk: list[str]
    # loose keys with Han-derived items read as foreign sounds (pinyin -> English)
    vocab_phonetic_alt: list[str]
    # vowel-keeping sound keys, for items compared across scripts; whether each item comes
    # from a name in Latin script
    vocab_sound: list[str]
    vocab_latin: list[bool]
    cjk: bool
    han: bool
    semitic: bool
    # some name is not in Latin script: token pairs across scripts compare on sound keys too
    nonlatin: bool
    # ...and some other name is
    mixed: bool
    # each item's first sound (``_onset``), one byte an item, for Latin sound-alikes
    onsets: bytes
    countries: frozenset[str]
    dates: dict[str, frozenset[str]]
    identifiers: dict[str, frozenset[str]]
    all_ids: frozenset[str]
    addresses: tuple[str, ...]
    source: Mapping[str, Any] = field(repr=False, default_factory=dict)
    # a person's given and family names when the record states which is which (folded)
    given: frozenset[str] = frozenset()
    family: frozenset[str] = frozenset()
    # the entity with its names in Han read in Korean (金正恩 as 김정은), scored as another
    # reading of it: added to the names it would change how the written ones compare
    korean: PreparedEntity | None = None
    # a row of unknown type read as a person's (a place and no org word: "India Smith"),
    # read as an organisation's too: "Hikvision Europe" is scored so against a company
    as_org: PreparedEntity | None = None
    # an entity with no name in a CJK script, Arabic or Hebrew: its tokens and keys as code
    # points (``tokensim`` computes the similarity matrix of two such entities)
    codes: bytes | None = None


def _is_latin_text(text: str) -> bool:
    if text.isascii():  # a constant-time flag on str: most names end here
        return True
    letters = [c for c in text if c.isalpha()]
    return not letters or sum(1 for c in letters if c.isascii()) >= 0.5 * len(letters)


_SCRIPT_RANGES = (
    ("kana", 0x3040, 0x30FF), ("han", 0x3400, 0x9FFF), ("hangul", 0xAC00, 0xD7AF),
    ("arabic", 0x0600, 0x06FF), ("arabic", 0x0750, 0x077F), ("hebrew", 0x0590, 0x05FF),
    ("cyrillic", 0x0400, 0x052F),
)
SCRIPTS = ("han", "hangul", "kana", "arabic", "hebrew", "cyrillic", "other")


def main_script(text: str) -> str:
    """The script of most non-ASCII letters; Kana wins over Han (Japanese mixes both)."""
    if text.isascii():
        return "other"
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isascii() or not ch.isalpha():
            continue
        cp = ord(ch)
        name = next((n for n, lo, hi in _SCRIPT_RANGES if lo <= cp <= hi), "other")
        counts[name] = counts.get(name, 0) + 1
    if not counts:
        return "other"
    if "kana" in counts:
        return "kana"
    return max(sorted(counts), key=lambda n: counts[n])


def _has_han(text: str) -> bool:
    return not text.isascii() and any("\u3400" <= c <= "\u9fff" for c in text)


def has_cjk(text: str) -> bool:
    """Han, Kana or Hangul: scripts whose sound systems merge l and r."""
    return not text.isascii() and any(
        "\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af" for c in text
    )


@lru_cache(maxsize=32)
def _schema_props(schema: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(identifier props, country props, address props) of a schema."""
    sch = ftm_model.get(schema)
    if sch is None:
        return (), (), ()
    ids = tuple(n for n, p in sch.properties.items() if p.type.name == "identifier")
    countries = tuple(n for n, p in sch.properties.items() if p.type.name == "country")
    addresses = tuple(n for n, p in sch.properties.items() if p.type.name == "address")
    return ids, countries, addresses


def _norm_id(value: str) -> str:
    return _NON_ALNUM.sub("", value).upper()


def _clean_country(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    code = registry.country.clean(value)
    return str(code) if code else value.lower()


def _person_full_names(props: Mapping[str, Sequence[str]]) -> list[str]:
    """Full names composed of a person's name parts; a part alone is no name: the UN list
    gives "KIM" as the first name of "KIM CHOL SAM", which then matched any Kim at 0.74."""
    firsts = list(props.get("firstName", []))[:3]
    lasts = list(props.get("lastName", []))[:3]
    middles = list(props.get("middleName", []))[:1] + list(props.get("fatherName", []))[:1]
    out: list[str] = []
    for last in lasts or [""]:
        for first in firsts or [""]:
            parts = [p for p in (first, *middles, last) if p]
            if len(parts) >= 2:
                out.append(" ".join(parts))
    return out


def _prepare_name(text: str, vocab: dict[str, int], pvocab: list[str],
                  lvocab: list[str], jvocab: list[str], avocab: list[str],
                  svocab: list[str], latvocab: list[bool],
                  person: bool = False) -> PreparedName | None:
    tokens_all = person_tokens(text) if person else \
        name_tokens(_GLUED_FORM.sub(_unglue_form, text))
    if not tokens_all:
        return None
    if not person:
        tokens_all = _join_initials(tokens_all)
        if len(set(tokens_all)) < len(tokens_all) and not has_cjk(text):
            tokens_all = _once(tokens_all)
    han = _has_han(text)
    # pinyin syllables are name sounds, never the legal form or org word they spell in
    # Latin ("萨米" -> "sa mi" is not an S.A.)
    syllables = frozenset(latinize(text).split()) if han else frozenset()
    kinds_all = [NAME if t in syllables and not t.isdigit() else token_kind(t)
                 for t in tokens_all]
    places = place_words()
    if person:  # a person's name has no legal form nor place ("Sa", "India" are name parts)
        kinds_all = [NAME if k == LEGAL_FORM or (k == GENERIC and t in places) else k
                     for t, k in zip(tokens_all, kinds_all, strict=True)]
    else:
        # a place that opens an organisation's name, follows "of" or "in", or is all there is
        # besides org words, is part of who it is ("Japan Synthetic Rubber", "Central Bank
        # of Iran", "Al-Qaida in Iraq", "Russia Bank"); after the name it says where ("ZTE
        # USA", "VTB Bank (Europe)", "Bank Melli Iran")
        lead = 0
        while lead < len(tokens_all) and tokens_all[lead] in places:
            kinds_all[lead] = NAME
            lead += 1
        for i in range(max(lead, 1), len(tokens_all)):
            if tokens_all[i] in places and tokens_all[i - 1] in _PLACE_OF:
                kinds_all[i] = NAME
        if NAME not in kinds_all:
            kinds_all = [NAME if t in places else k
                         for t, k in zip(tokens_all, kinds_all, strict=True)]
    numbers = frozenset(t for t, k in zip(tokens_all, kinds_all, strict=True) if k == NUMBER)
    legal = frozenset() if person else \
        frozenset(f for t in tokens_all if (f := legal_family(t)) is not None)
    pairs = [(t, k) for t, k in zip(tokens_all, kinds_all, strict=True) if k != NUMBER]
    tokens = tuple(t for t, _ in pairs)
    kinds = tuple(k for _, k in pairs)
    weights = tuple(token_weight(t, k) for t, k in pairs)
    items: list[tuple[int, int, int]] = []
    latin = _is_latin_text(text)
    script = main_script(text)
    sound_script = "latin" if latin else script

    # a foreign name in Han writes its words apart ("罗伯特·布朗"): which word each syllable
    # belongs to, so that no item spans two words
    part_of = _han_parts(text, len(tokens)) if han and not latin and \
        len(tokens) == len(tokens_all) else None
    # sound keys per token; an item of several tokens joins theirs
    sounds = [han_syllable_key(t, i == 0 or (part_of is not None and part_of[i] != part_of[i - 1]),
                               _next_syllable(tokens, i, part_of, syllables))
              if han and not latin and t in syllables else sound_key(t, sound_script)
              for i, t in enumerate(tokens)]

    def add(s: str, start: int, end: int) -> None:
        idx = vocab.get(s)
        if idx is None:
            idx = vocab[s] = len(vocab)
            strict, loose, merged = phonetic_keys(s)
            pvocab.append(strict)
            lvocab.append(loose)
            jvocab.append(merged)
            avocab.append(phonetic(_pinyin_english(s), loose=True) if han else loose)
            svocab.append(sounds[start] if end == start + 1 else "".join(sounds[start:end]))
            latvocab.append(latin)
        items.append((idx, start, end))

    for i, t in enumerate(tokens):
        add(t, i, i + 1)
    if len(tokens) <= 12:
        for i in range(len(tokens) - 1):
            if kinds[i] != LEGAL_FORM and kinds[i + 1] != LEGAL_FORM and \
                    (part_of is None or part_of[i] == part_of[i + 1]):
                add(tokens[i] + tokens[i + 1], i, i + 2)
    if part_of is not None:
        # each word's syllable runs, and the whole word however long
        for n in range(3, min(len(tokens), HAN_SPAN_WORD_MAX) + 1):
            for i in range(len(tokens) - n + 1):
                if part_of[i] == part_of[i + n - 1] and all(k == NAME for k in kinds[i:i + n]) \
                        and (n <= HAN_SPAN_MAX or ((i == 0 or part_of[i - 1] != part_of[i]) and (
                            i + n == len(tokens) or part_of[i + n] != part_of[i]))):
                    add("".join(tokens[i:i + n]), i, i + n)
    elif han and len(tokens) <= HAN_SPAN_TOKENS:
        # a foreign name in Han is one syllable per character: "jie ke si" ~ "Jacks"
        for n in range(3, min(len(tokens), HAN_SPAN_MAX) + 1):
            for i in range(len(tokens) - n + 1):
                if all(k == NAME for k in kinds[i:i + n]):
                    add("".join(tokens[i:i + n]), i, i + n)
        # ...and a longer one whole: 阿卜杜勒阿齐兹 a bu du le a qi zi is one word (Abdulaziz)
        if len(tokens) > HAN_SPAN_MAX and all(k == NAME for k in kinds):
            add("".join(tokens), 0, len(tokens))
    han_words: tuple[tuple[int, int, int], ...] = ()
    if han and not latin:
        spans = _word_spans(part_of) if part_of is not None else \
            [(0, len(tokens))] if len(tokens) <= HAN_SPAN_TOKENS else []
        whole = {(start, end): idx for idx, start, end in items}
        # words of name syllables only: "航空工业" is the org words "aviation industry"
        han_words = tuple((start, end, whole[start, end]) for start, end in spans
                          if end - start >= 2 and (start, end) in whole and all(
                              t in syllables and k == NAME
                              for t, k in zip(tokens[start:end], kinds[start:end], strict=True)))
    name_toks = [t for t, k in pairs if k == NAME]
    joined = "".join(name_toks) or "".join(tokens)
    jp = "".join(phonetic(t) for t in name_toks)
    # a foreign name written in Han, read back in pinyin: j/q/x are palatal k/ch/s sounds.
    jp_loose = "".join(phonetic(t, loose=True) for t in name_toks)
    jp_alt = "".join(phonetic(_pinyin_english(t), loose=True) for t in name_toks) \
        if han else jp_loose
    pack, pack_weights = name_pack(tokens, kinds, items, weights)
    wide = "".join(t for t, k in pairs if k != LEGAL_FORM) \
        if not person and name_toks and GENERIC in kinds and not han else ""
    return PreparedName(
        text=text,
        tokens=tokens,
        kinds=kinds,
        weights=weights,
        items=tuple(items),
        numbers=numbers,
        legal=legal,
        lineage=frozenset((tokens[i - 1], tokens[i + 1]) for i in range(1, len(tokens) - 1)
                          if tokens[i] in LINEAGE_WORDS and tokens[i - 1] != tokens[i + 1]),
        joined=joined,
        joined_phonetic=jp,
        joined_phonetic_alt=jp_alt,
        joined_phonetic_loose=jp_loose,
        joined_simple="".join(simple_spelling(t) for t in name_toks),
        joined_phonetic_nor=(jp_alt if han else jp_loose).replace("r", ""),
        joined_phonetic_jk="".join(phonetic(t, merge_jk=True) for t in name_toks),
        joined_sound="".join(k for k, kind in zip(sounds, kinds, strict=True) if kind == NAME),
        # an organisation's words count too: "BAE Systems" is not "BAE Industries" word for
        # word (a person's are titles: "Sheikh Mohammed" is "Mohammed")
        key=" ".join(sorted(name_toks if person or not name_toks else
                            (t for t, k in pairs if k != LEGAL_FORM))),
        native=fold(text).replace(" ", ""),
        script=script,
        latin=latin,
        han=han,
        cjk=has_cjk(text),
        semitic=script in ("arabic", "hebrew"),
        total_weight=sum(weights),
        name_weight=sum(w for w, k in zip(weights, kinds, strict=True) if k == NAME),
        name_count=sum(1 for k in kinds if k == NAME),
        long_idx=tuple(i for i, (t, k) in enumerate(pairs)
                       if k == NAME and len(t) >= COMPOUND_MIN),
        part_tokens=tuple(t for t in tokens if len(t) >= COMPOUND_PART_MIN),
        person=person,
        han_words=han_words,
        pack=pack,
        pack_weights=pack_weights,
        hyphened=_hyphened(text, tokens, person) if _HYPHEN.search(text) else (),
        joined_wide=wide,
        joined_phonetic_wide="".join(phonetic(t) for t, k in pairs if k != LEGAL_FORM)
        if wide else "",
    )


# the words before a place that make it part of an organisation's name ("of" stands for
# the, de, der... in the org-word table)
_PLACE_OF = frozenset({"of", "in"})
# "SiemensAG", "BayerGmbH": a legal form run on to the name in capitals (a name written in
# camel case elsewhere, "PetroChina", still meets its one-word spelling as an adjacent pair)
_GLUED_FORM = re.compile(r"(?<=[a-z])([A-Z][A-Za-z]{1,3})\b")


def _unglue_form(m: re.Match[str]) -> str:
    tail = m.group(1)
    return " " + tail if any(legal_family(t) for t in name_tokens(tail)) else tail


def _join_initials(tokens: list[str]) -> list[str]:
    """An organisation's run of single letters is one acronym: "A.B.C. Company" is "ABC
    Company", and "C.B.A." is another name, not the same letters in another order (as
    loose words they align in any order and even make the names' keys equal)."""
    if sum(1 for t in tokens if len(t) == 1) < 2:
        return tokens
    out: list[str] = []
    run = ""
    for t in [*tokens, ""]:
        if len(t) == 1 and "a" <= t <= "z":
            run += t
            continue
        if run:
            out.append(run)
            run = ""
        if t:
            out.append(t)
    return out


_PINYIN_EN = [("zh", "j"), ("x", "s"), ("q", "ch"), ("ji", "gi"), ("c", "ts"), ("w", "v")]


_HAN_WORD_SEP = re.compile(r"[·・•‧\s]+")


def _han_parts(text: str, count: int) -> list[int] | None:
    """Index of the word each of a Han name's ``count`` tokens belongs to (None: one word,
    or the words do not split the tokens cleanly)."""
    words = [w for w in _HAN_WORD_SEP.split(text) if w]
    if len(words) < 2:
        return None
    sizes = [len(name_tokens(w)) for w in words]
    if sum(sizes) != count:
        return None
    return [k for k, n in enumerate(sizes) for _ in range(n)]


def _next_syllable(tokens: tuple[str, ...], i: int, part_of: list[int] | None,
                   syllables: frozenset[str]) -> str:
    """The Han syllable after token ``i`` in the same word ("" if none)."""
    if i + 1 >= len(tokens) or tokens[i + 1] not in syllables or (
            part_of is not None and part_of[i + 1] != part_of[i]):
        return ""
    return tokens[i + 1]


def _word_spans(part_of: list[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(part_of) + 1):
        if i == len(part_of) or part_of[i] != part_of[start]:
            spans.append((start, i))
            start = i
    return spans


def _pinyin_english(token: str) -> str:
    """Pinyin read as the foreign sound it stands for: "yi wan nuo wa" ~ "Ivanova"."""
    if token.startswith("y"):
        token = token[1:] or token  # pinyin y- only marks a syllable starting with i/u
    for a, b in _PINYIN_EN:
        token = token.replace(a, b)
    return token


_Vocabs = tuple[dict[str, int], list[str], list[str], list[str], list[str], list[str],
                list[bool]]


def _prepare_names(texts: list[str], weak_texts: set[str], person: bool) -> tuple[
        list[PreparedName], _Vocabs]:
    """An entity's names, read as a person's or not, and the vocabularies they share."""
    vocabs: _Vocabs = ({}, [], [], [], [], [], [])
    names: list[PreparedName] = []
    seen: set[str] = set()
    for text in texts:
        if not isinstance(text, str) or text in seen or len(names) >= MAX_NAMES:
            continue
        seen.add(text)
        prepared = _prepare_name(text, *vocabs, person)
        if prepared is not None:
            prepared.weak = text in weak_texts
            names.append(prepared)
    return names, vocabs


def prepare(entity: Mapping[str, Any]) -> PreparedEntity:
    """Precompute an entity's comparison data (cache this for list entities)."""
    schema = str(entity.get("schema") or "LegalEntity")
    props: Mapping[str, Sequence[str]] = entity.get("properties") or {}
    texts: list[str] = []
    for prop in NAME_PROPS:
        texts.extend(props.get(prop, []))
    if schema in ("Person",) or props.get("firstName") or props.get("lastName"):
        texts.extend(_person_full_names(props))
    if schema in READING_SCHEMATA:
        # "Sergej Lawrow" is also read "sergey lavrov" (text.slavic): another name of it
        texts.extend(r for r in (english_reading(t) for t in list(texts) if isinstance(t, str))
                     if r and r not in texts)
    if schema != "Person":
        # بانک ملی ایران is also read "bank mli iran" (BANK MELLI IRAN), its org word as the
        # lists transliterate it (text.tokens)
        texts.extend(r for r in (transliterated_reading(t) for t in list(texts)
                                 if isinstance(t, str)) if r and r not in texts)
    strong = set(texts)
    weak_texts = {t for prop in WEAK_NAME_PROPS for t in props.get(prop, []) if t not in strong}
    if schema == "Person":
        weak_texts |= _moniker_aliases(props)
    for prop in WEAK_NAME_PROPS:
        texts.extend(props.get(prop, []))
    names, vocabs = _prepare_names(texts, weak_texts, schema == "Person")
    id_props, country_props, address_props = _schema_props(schema)
    as_org = None
    if schema == "LegalEntity":
        if _org_named(names):
            schema = "Organization"
        elif any(t in place_words() for n in names for t in n.tokens):
            # no legal form, no org word: maybe a person's name, whose places are names
            # ("India Smith" read as an org's "smith" scored 0.83 against John SMITH); an
            # organisation's against organisations ("Hikvision Europe" 0.66 -> 0.81)
            names, vocabs = _prepare_names(texts, weak_texts, True)
            as_org = prepare({**entity, "schema": "Organization"})
    vocab, pvocab, lvocab, jvocab, avocab, svocab, latvocab = vocabs
    identifiers: dict[str, frozenset[str]] = {}
    for prop in id_props:  # ~30 of them: asking each for its values cost 60 µs a query
        raw = props.get(prop)
        if not raw:
            continue
        values = frozenset(v for v in (_norm_id(x) for x in raw) if len(v) >= MIN_ID_LENGTH)
        if values:
            identifiers[prop] = values
    countries = frozenset(c for c in (_clean_country(v) for p in country_props
                                      for v in props.get(p, [])) if c)
    dates = {p: frozenset(v.strip()[:10] for v in props.get(p, []) if v.strip()[:4].isdigit())
             for p in DATE_PROPS if props.get(p)}
    # an "address" that is a country's name says nothing a country does not (the BIS list
    # gives "Germany"): against a town it read as a mismatch, -2.7 logits
    addresses = tuple(fold(a) for p in address_props for a in props.get(p, [])[:3]
                      if a and country_code(a) is None)
    given = frozenset(f for v in props.get("firstName", []) if (f := fold(v).strip()))
    family = frozenset(f for v in props.get("lastName", []) if (f := fold(v).strip()))
    compiled = not any(n.cjk or n.semitic for n in names) and \
        max(map(len, vocab), default=0) <= 64 and max(map(len, pvocab), default=0) <= 64 and \
        max(map(len, svocab), default=0) <= 64
    onsets = "".join(_onset(t) for t in vocab).encode("ascii", "replace")
    return PreparedEntity(
        schema=schema,
        names=names,
        vocab=list(vocab),
        vocab_phonetic=pvocab,
        vocab_phonetic_loose=lvocab,
        vocab_phonetic_jk=jvocab,
        vocab_phonetic_alt=avocab,
        vocab_sound=svocab,
        vocab_latin=latvocab,
        cjk=any(n.cjk for n in names),
        han=any(n.han for n in names),
        semitic=any(n.semitic for n in names),
        nonlatin=not all(latvocab),
        mixed=any(latvocab) and not all(latvocab),
        onsets=onsets,
        countries=countries,
        dates={k: v for k, v in dates.items() if v},
        identifiers=identifiers,
        all_ids=frozenset(v for vs in identifiers.values() for v in vs),
        addresses=addresses,
        given=given,
        family=family,
        korean=_korean_reading(entity, schema, texts),
        as_org=as_org,
        codes=token_codes(list(vocab), pvocab, svocab, latvocab, onsets)
        if compiled and vocab else None,
    )


def _moniker_aliases(props: Mapping[str, Sequence[str]]) -> set[str]:
    """A person's a.k.a. of a single word ("BENTLEY", "BEN", "ABBAS") is a nickname or a
    moniker: weak, as OFAC marks such a.k.a.s, compared only where the other side writes it
    exactly. The UK list gives them as plain a.k.a.s (211 on 120 of its people; the UN list
    46 on 30), and "Ben Smith" or "Ronald Bentley" scored 0.87 against the cyber-criminal Vitaliy
    KOVALEV a.k.a. "BEN", "BENTLEY". A one-word name of the person's own (``name``: "FAIZ")
    stays strong: some people are listed by one name only; so does a one-word a.k.a. in a
    script other than Latin and Cyrillic, often a whole name written without spaces (리송진
    Ri Song Jin, أمجدعباس Amjad Abbas)."""
    own = set(props.get("name", []))
    return {t for prop in ("alias", "previousName") for t in props.get(prop, [])
            if isinstance(t, str) and t not in own
            and (_is_latin_text(t) or main_script(t) == "cyrillic")
            and len(name_tokens(t)) == 1}


def _korean_reading(entity: Mapping[str, Any], schema: str,
                    texts: list[str]) -> PreparedEntity | None:
    """The entity once more, its names read in Korean (everything else as it is)."""
    if schema not in READING_SCHEMATA:
        return None
    readings = list(dict.fromkeys(r for t in texts for r in korean_readings(t)))
    if not readings:
        return None
    props = {k: v for k, v in (entity.get("properties") or {}).items()
             if k not in NAME_PROPS and k not in WEAK_NAME_PROPS and k not in _NAME_PARTS}
    props["name"] = readings
    return prepare({"schema": schema, "properties": props})


# --------------------------------------------------------------------------- names


@dataclass(slots=True)
class NameComparison:
    """The name features of one query-name / candidate-name pair."""

    query: PreparedName
    candidate: PreparedName
    values: dict[str, float]


def _is_contraction(short: str, long: str) -> bool:
    if len(short) < 3 or len(long) < len(short) + 3 or short[0] != long[0] or \
            short[-1] != long[-1] or not short.isalpha():
        return False
    pos = 1
    for ch in short[1:-1]:
        pos = long.find(ch, pos, len(long) - 1) + 1
        if pos == 0:
            return False
    return True


def _initial_or_prefix(a: str, b: str, person: bool = False) -> float:
    """Credit for "j" ~ "john" (initial), "konink" ~ "koninklijke" (abbreviation) and
    "bldg" ~ "building" (contraction). A person's word is not cut short: "Lind" is
    another surname than "Lindemann", "Alex" another name than "Alexandra" (in the bench
    pairs the rule found no true person pair and three false ones). An organisation's
    contraction is a consonant skeleton ("mfg", "intl"): a short word with a vowel after its
    first letter is a word of its own ("New Sun" is not "New Sullivan", which scored 0.92;
    of 28 labelled pairs with a contraction, the 3 true ones were people's names)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) == 1 and long.startswith(short):
        return 0.7
    if len(short) >= 4 and long.startswith(short):
        return 0.0 if person else 0.8
    if (person or not any(ch in VOWELS for ch in short[1:])) and _is_contraction(short, long):
        return CONTRACTION_SIM
    return 0.0


def _match_acronyms(a: PreparedName, b: PreparedName, a_used: list[bool], b_used: list[bool],
                    a_cov: list[float], b_cov: list[float]) -> None:
    """"PLA" ~ "People's Liberation Army", "jc" ~ "Jean Claude": a short unmatched token
    spelling the initials of a run of unmatched tokens on the other side."""
    for i, tok in enumerate(a.tokens):
        if a_used[i] or not 2 <= len(tok) <= 6 or not tok.isalpha():
            continue
        n = len(tok)
        for start in range(len(b.tokens) - n + 1):
            span = range(start, start + n)
            if any(b_used[j] for j in span):
                continue
            if "".join(b.tokens[j][0] for j in span) == tok:
                sim = ACRONYM_SIM_SHORT if n <= ACRONYM_SHORT else ACRONYM_SIM
                a_used[i] = True
                a_cov[i] = sim
                for j in span:
                    b_used[j] = True
                    b_cov[j] = sim
                break


def _match_compounds(a: PreparedName, b: PreparedName, a_used: list[bool], b_used: list[bool],
                     a_cov: list[float], b_cov: list[float]) -> None:
    """"SHELLINTERNAT" ~ "Internat ... Shell", "GISTBROCADES" ~ "Brocades Delft Gist": a long
    word written as two or more words of the other name run together, in any order
    (registers drop spaces and reorder words). The words are peeled off the front of the
    compound exactly, longest first; the last piece may be a misspelling (sim >=
    COMPOUND_LAST_SIM) or an abbreviation of the word it stands for. Tokens the greedy pass
    left unmatched or only weakly aligned (below COMPOUND_WEAK: "internat" ~ "shellinternat"
    shares letters, not a word) take part."""
    b_tokens = b.tokens
    for i in a.long_idx:
        tok = a.tokens[i]
        # str.startswith over a tuple: one C call rules out nearly every pair
        if a_cov[i] >= COMPOUND_WEAK or not tok.startswith(b.part_tokens):
            continue
        heads = tuple(t for t, v in zip(b_tokens, b_cov, strict=True)
                      if v < COMPOUND_WEAK and len(t) >= COMPOUND_PART_MIN)
        if len(heads) < 2 or not tok.startswith(heads):
            continue
        free = [j for j, t in enumerate(b_tokens) if b_cov[j] < COMPOUND_WEAK
                and len(t) >= COMPOUND_PART_MIN]
        rest, parts = tok, []
        while rest:
            opts = [j for j in free if j not in parts and rest.startswith(b_tokens[j])]
            if not opts:
                break
            j = max(opts, key=lambda k: len(b_tokens[k]))
            parts.append(j)
            rest = rest[len(b_tokens[j]):]
        last_sim = 1.0
        if rest and len(rest) < COMPOUND_PART_MIN:
            last_sim, rest = 1.0 - len(rest) / len(tok), ""  # "philipss": a stray letter
        elif rest:
            best_j, best_s = -1, 0.0
            for j in free:
                if j in parts:
                    continue
                other = b_tokens[j]
                s = Levenshtein.normalized_similarity(rest, other)
                if s < COMPOUND_LAST_SIM and len(rest) >= 4 and len(other) >= 4 and (
                        rest.startswith(other) or other.startswith(rest)):
                    s = COMPOUND_LAST_SIM
                if s > best_s:
                    best_j, best_s = j, s
            if best_s >= COMPOUND_LAST_SIM:
                parts.append(best_j)
                last_sim, rest = best_s, ""
        if len(parts) < 2 or rest or last_sim <= a_cov[i]:
            continue
        a_used[i] = True
        a_cov[i] = last_sim
        for k, j in enumerate(parts):
            b_used[j] = True
            b_cov[j] = max(b_cov[j], last_sim if k == len(parts) - 1 else 1.0)


def _compounds(q: PreparedName, c: PreparedName, q_used: list[bool], c_used: list[bool],
               q_cov: list[float], c_cov: list[float]) -> None:
    if q.long_idx:
        _match_compounds(q, c, q_used, c_used, q_cov, c_cov)
    if c.long_idx:
        _match_compounds(c, q, c_used, q_used, c_cov, q_cov)


_HYPHEN = re.compile(r"\w[-\u2010\u2011\u2013](?=\w)")
_WORD_SEP = re.compile(r"[\s,;/()]+")
# parts of a hyphenated name a spelling may drop or write apart: articles, "son of"
_PARTICLES = LINEAGE_WORDS | {"abd", "abu", "van", "von", "der", "den", "del", "della", "dos",
                              "das", "les", "las", "los"}
# a part of a hyphenated name is written by the other name at this similarity, and left
# out below TOKEN_MIN_SIM
HYPHEN_PART_SIM = 0.85


def _hyphened(text: str, tokens: tuple[str, ...],
              person: bool) -> tuple[tuple[int, ...], ...]:
    """Where each hyphenated word of a name lies among its tokens (where found as they are:
    a word whose tokens the name's reading changed is left out)."""
    groups: list[tuple[int, ...]] = []
    start = 0
    for word in _WORD_SEP.split(text):
        if not _HYPHEN.search(word):
            continue
        parts = tuple(person_tokens(word) if person else name_tokens(word))
        n = len(parts)
        if n < 2:
            continue
        for i in range(start, len(tokens) - n + 1):
            if tokens[i:i + n] == parts:
                groups.append(tuple(range(i, i + n)))
                start = i + n
                break
    return tuple(groups)


def _hyphen_share(a: PreparedName, b: PreparedName, cell: Callable[[int, int], float],
                  a_is_query: bool) -> float:
    """The share of a hyphenated name's letters that the other name writes, where it writes
    one part and not another: "Smith" is 5 of the 13 letters of "Pridmore-Smith", "Min" 3 of
    the 8 of "Heung-min". A double-barrelled surname or a hyphenated given name is one name;
    its last part alone is another person's (John Smith scored 0.94 against John B.
    PRIDMORE-SMITH). Org words and particles may go ("al-Baghdadi"). 1.0 where no such
    word is split."""
    share = 1.0
    # (a name's first items are its tokens, in order: ``_prepare_name``)
    b_idx = [b.items[j][0] for j in range(len(b.tokens))]
    for group in a.hyphened:
        written = left = 0
        total = 0
        for i in group:
            ai = a.items[i][0]
            best = max((cell(ai, bj) if a_is_query else cell(bj, ai) for bj in b_idx),
                       default=0.0)
            tok = a.tokens[i]
            total += len(tok)
            if best >= HYPHEN_PART_SIM:
                written += len(tok)
            elif best < TOKEN_MIN_SIM and len(tok) > 2 and tok not in _PARTICLES and \
                    a.kinds[i] == NAME:
                left += 1
        if written and left:
            share = min(share, written / total)
    return share


def _glued(a: PreparedName, b: PreparedName) -> bool:
    """Whether an org word of ``a`` is written inside ``b``'s name words ("bank" in
    GAZPROMBANK), so that ``a``'s name and org words run together may be ``b``'s name.
    Joined so wherever ``a`` has an org word, they lengthened chance likenesses: "new
    horizon organization" ~ "new horizons washington park" 0.40 -> 0.52."""
    return bool(a.joined_wide) and any(
        k == GENERIC and t not in _CONNECTORS and t in b.joined and t not in b.tokens
        for t, k in zip(a.tokens, a.kinds, strict=True))


# org words that join other words; their letters are in half the names ("of" in "sofia")
_CONNECTORS = frozenset({"of", "and", "no"})


def _mixed(kinds: tuple[str, ...], start: int, end: int) -> bool:
    """Whether an item joins a name word and another kind of word (``JOINED_MIN_SIM``)."""
    return end - start > 1 and NAME in kinds[start:end] and \
        any(k != NAME for k in kinds[start:end])


def _align(q: PreparedName, c: PreparedName, sims: list[list[float]],
           matches: list[tuple[int, int, int, int]] | None = None) -> tuple[
        list[float], list[float]]:
    """Greedy best-first alignment; returns the per-token coverage of both names (and
    appends the aligned spans (qs, qe, cs, ce) to ``matches`` if given)."""
    q_cov = [0.0] * len(q.tokens)
    c_cov = [0.0] * len(c.tokens)
    if not q.items or not c.items or not sims:
        return q_cov, c_cov  # a name of numbers only: nothing to align
    # a merged item must beat the parts it covers: prefer 1-1 on ties
    c_items = c.items
    q_mixed = [_mixed(q.kinds, qs, qe) for _, qs, qe in q.items]
    c_mixed = [_mixed(c.kinds, cs, ce) for _, cs, ce in c_items]
    cands = [
        (s - 0.001 * ((qe - qs) + (ce - cs)), s, qs, qe, cs, ce)
        for (qi, qs, qe), qm in zip(q.items, q_mixed, strict=True)
        for row in (sims[qi],)
        for (ci, cs, ce), cm in zip(c_items, c_mixed, strict=True)
        if (s := row[ci]) >= TOKEN_MIN_SIM and (s >= JOINED_MIN_SIM or not (qm or cm))
    ]
    cands.sort(reverse=True)
    q_used = [False] * len(q.tokens)
    c_used = [False] * len(c.tokens)
    q_left, c_left = len(q.tokens), len(c.tokens)
    for _, s, qs, qe, cs, ce in cands:
        if qe - qs == 1 and ce - cs == 1:  # most items are single tokens
            if q_used[qs] or c_used[cs]:
                continue
            q_used[qs] = c_used[cs] = True
            q_cov[qs] = c_cov[cs] = s
            q_left -= 1
            c_left -= 1
            if matches is not None:
                matches.append((qs, qe, cs, ce))
        else:
            if any(q_used[qs:qe]) or any(c_used[cs:ce]):
                continue
            for i in range(qs, qe):
                q_used[i] = True
                q_cov[i] = s
            for j in range(cs, ce):
                c_used[j] = True
                c_cov[j] = s
            q_left -= qe - qs
            c_left -= ce - cs
            if matches is not None:
                matches.append((qs, qe, cs, ce))
        if not q_left or not c_left:  # every later item overlaps a used token
            _compounds(q, c, q_used, c_used, q_cov, c_cov)
            return q_cov, c_cov
    _match_acronyms(q, c, q_used, c_used, q_cov, c_cov)
    _match_acronyms(c, q, c_used, q_used, c_cov, q_cov)
    _compounds(q, c, q_used, c_used, q_cov, c_cov)
    # second pass: initials and abbreviations among what is left (a syllable of a word
    # written in Han is neither: 阿什比 a shi bi is not "A." for Amby)
    person = q.person or c.person
    q_syl = {i for s, e, _ in q.han_words for i in range(s, e)} if q.han_words else ()
    c_syl = {j for s, e, _ in c.han_words for j in range(s, e)} if c.han_words else ()
    for i, qt in enumerate(q.tokens):
        if q_used[i] or q.kinds[i] != NAME or i in q_syl:
            continue
        for j, ct in enumerate(c.tokens):
            if c_used[j] or c.kinds[j] != NAME or j in c_syl:
                continue
            s = _initial_or_prefix(qt, ct, person)
            if s > 0:
                q_used[i] = c_used[j] = True
                q_cov[i] = c_cov[j] = s
                break
    return q_cov, c_cov


def _side(name: PreparedName, cov: list[float]) -> tuple[float, float, float, float, bool,
                                                        float]:
    """One pass over a name's coverage: (weighted coverage, unmatched share of the name
    tokens' weight, weakest name token, best-covered rare name token, whether a name or
    org-word token is left over, weakest name word of SPELLED_MIN+ letters)."""
    covered = 0.0
    missing = 0.0
    weakest = 1.0
    spelled = 1.0
    rare = 0.0
    extra = False
    for t, w, k, v in zip(name.tokens, name.weights, name.kinds, cov, strict=True):
        covered += w * v
        if k == NAME:
            if v <= 0:
                missing += w
                extra = True
            weakest = min(weakest, v)
            if v < spelled and len(t) >= SPELLED_MIN:
                spelled = v
            if v >= 0.8:
                rare = max(rare, w * v)
        elif k == GENERIC and v <= 0:
            extra = True
    unmatched = missing / name.name_weight if name.name_weight > 0 else 0.0
    return covered, unmatched, weakest, rare, extra, spelled


def _whole_han_words(h: PreparedName, o: PreparedName, sims: list[list[float]],
                     matches: list[tuple[int, int, int, int]], h_cov: list[float],
                     o_cov: list[float], h_is_candidate: bool) -> None:
    """A word of a foreign name in Han that one Latin word matched only in part ("格爾達"
    ge er da ~ "Gere" on ge er) is compared whole: a syllable left over is a sound the
    Latin name lacks (Gerda is not Gere), where a vowel variant only lowers the match."""
    spans = [(m[2], m[3], m[0], m[1]) for m in matches] if h_is_candidate else matches
    for start, end, idx in h.han_words:
        cov = h_cov[start:end]
        if min(cov) > 0 or max(cov) <= 0:
            continue
        # the one Latin word matched inside this word, and nowhere else
        other = {(os_, oe) for hs, he, os_, oe in spans if hs < end and he > start}
        if len(other) != 1:
            continue
        os_, oe = other.pop()
        if oe - os_ != 1 or any((hs < start or he > end) and (ms, me) == (os_, oe)
                                for hs, he, ms, me in spans):
            continue
        oi = next(i for i, s, e in o.items if s == os_ and e == oe)
        whole = sims[oi][idx] if h_is_candidate else sims[idx][oi]
        # only ever lowers a match: the syllables left over stay unmatched
        for i in range(start, end):
            h_cov[i] = min(h_cov[i], whole)
        o_cov[os_] = min(o_cov[os_], whole)


def _python_sides(q: PreparedName, c: PreparedName, sims: list[list[float]]) -> tuple[
        float, float, float, float, bool, float, float, float, float, float, bool, float]:
    if q.han_words and c.latin:
        matches: list[tuple[int, int, int, int]] = []
        q_cov, c_cov = _align(q, c, sims, matches)
        _whole_han_words(q, c, sims, matches, q_cov, c_cov, False)
    elif c.han_words and q.latin:
        matches = []
        q_cov, c_cov = _align(q, c, sims, matches)
        _whole_han_words(c, q, sims, matches, c_cov, q_cov, True)
    else:
        q_cov, c_cov = _align(q, c, sims)
    return (*_side(q, q_cov), *_side(c, c_cov))


@cache
def _align_kernel() -> Any:
    """The compiled alignment, imported at the first comparison (as ``_tokensim``)."""
    from redflags.matching import align

    return align


def compare_names(q: PreparedName, c: PreparedName, sims: list[list[float]] | None,
                  loose: bool = False,
                  array: npt.NDArray[np.float64] | None = None) -> NameComparison:
    """The name features of one name pair; ``array`` is the similarity matrix as the
    compiled matrix made it, if it did: then the names are aligned by the compiled kernel
    (``align``), and ``sims`` (the same as lists) may be None."""
    sides = None
    if array is not None and q.pack and c.pack and not (q.han_words or c.han_words):
        sides = _align_kernel().aligned_sides(array, q.pack, q.pack_weights, c.pack,
                                              c.pack_weights, q.person or c.person)
    if sides is None:
        if sims is None:
            assert array is not None
            sims = cast(list[list[float]], array.tolist())
        sides = _python_sides(q, c, sims)
    (q_sum, q_unm, q_weak, q_rare, q_extra, q_spelled,
     c_sum, c_unm, c_weak, c_rare, c_extra, c_spelled) = sides
    total = q.total_weight + c.total_weight
    align = (q_sum + c_sum) / total if total > 0 else 0.0
    # the weakest link on the side with fewer name tokens (the other side's extras are
    # the "unmatched" features)
    if q.name_count and c.name_count:
        weakest = q_weak if q.name_count <= c.name_count else c_weak
    else:
        weakest = 0.0
    single = q.name_count == 1 or c.name_count == 1
    xs = 1.0 if q.latin != c.latin else 0.0
    sim = Levenshtein.normalized_similarity
    if xs and (q.person or c.person) and (given := _given_syllables_match(q, c)) is not None:
        weakest = min(weakest, given)
    if (q.hyphened or c.hyphened) and (q.person or c.person) and not xs and weakest > 0.0:
        grid: Any = sims if sims is not None else array

        def cell(i: int, j: int) -> float:
            return float(grid[i][j])

        weakest = min(weakest, _hyphen_share(q, c, cell, True), _hyphen_share(c, q, cell, False))
    if loose:
        jp = sim(q.joined_phonetic_loose, c.joined_phonetic_loose)
        if q.han or c.han:
            jp = max(jp, sim(q.joined_phonetic_alt, c.joined_phonetic_alt))
    else:
        jp = sim(q.joined_phonetic, c.joined_phonetic)
        if q.semitic or c.semitic:
            jp = max(jp, sim(q.joined_phonetic_jk, c.joined_phonetic_jk))
    joined = sim(q.joined, c.joined)
    if (q.joined_wide or c.joined_wide) and not loose:
        # one side's org word may be written into the other's name ("Gazprom Bank" ~
        # GAZPROMBANK): its name and org words run together against the other's name
        for a, b in ((q, c), (c, q)):
            if _glued(a, b):
                joined = max(joined, sim(a.joined_wide, b.joined))
                jp = max(jp, sim(a.joined_phonetic_wide, b.joined_phonetic))
    cjk_jp = 0.0
    if loose:
        cjk_jp = jp
        if q.han or c.han:
            cjk_jp = max(jp, sim(q.joined_phonetic_nor, c.joined_phonetic_nor))
    values = {
        "name_align": align,
        "name_weakest": weakest,
        "name_query_unmatched": q_unm,
        "name_candidate_unmatched": c_unm,
        "name_joined": joined,
        "name_joined_phonetic": jp,
        "name_joined_simple": sim(q.joined_simple, c.joined_simple),
        "name_exact": 1.0 if q.key and q.key == c.key else 0.0,
        "name_shorter_covered": 1.0 - min(q_unm, c_unm),
        "name_rare_match": max(q_rare, c_rare),
        "cross_script": xs,
        "cross_script_align": xs * align,
        "cross_script_phonetic": xs * jp,
        "cjk": 1.0 if loose else 0.0,
        "cjk_phonetic": cjk_jp,
        "native_mismatch": 0.0 if (q.latin or c.latin) else 1.0 - sim(q.native, c.native),
        # a lone given name or surname is weak evidence however well it matches
        "name_single_token": 1.0 if single else 0.0,
        # ...and a lone word that only nearly matches is weaker still: screening "BAYER"
        # against 25,000 listed names finds a "BAJER S.R.L." (the sound-alike or one-edit
        # neighbour of a short name), where a name of several words must miss on each
        # (within one script: a transliteration is never letter-exact)
        "name_single_fuzzy": 1.0 - weakest if single and weakest > 0 and not xs else 0.0,
        "name_generic_only": 1.0 if (q.name_count == 0 or c.name_count == 0) else 0.0,
        # "Shell Oil" vs "Shell Research": each side says something the other does not
        # (sister companies, namesakes); one side's extras alone are often an address
        "name_both_unmatched": 1.0 if (q_extra and c_extra) else 0.0,
        "name_max_unmatched": max(q_unm, c_unm),
        # how far the weakest aligned token falls short of a sound-alike: "Bertelsen" is
        # not "Bergersen" however well the other tokens agree (a hinge, so the model can
        # punish near misses harder than the linear weakest-link term does)
        "name_weak_gap": max(0.0, WEAK_GAP - weakest) if q.name_count and c.name_count
        else 0.0,
        # the same for words spelled out in full on at least one side: "V. Putin" is an
        # initial and "Xal-Assad" a typo in a particle, not a near miss; "Navros" for
        # "Lavrov" is one
        # (same script only: across scripts the weakest-link terms of the script apply)
        "name_spelled_gap": max(0.0, WEAK_GAP - max(q_spelled, c_spelled))
        if q.name_count and c.name_count and not xs else 0.0,
        # "Muhammad bin Salman" is the father of "Salman bin Muhammad", not the same man
        "name_lineage_swap": 1.0 if q.lineage and c.lineage and any(
            (b, a) in c.lineage for a, b in q.lineage) else 0.0,
    }
    if values["name_lineage_swap"]:
        values["name_exact"] = 0.0  # same words, not the same name
    if xs:
        # each script loses different sounds on the way (Han the most): its own level and
        # slope for the sound-alike evidence
        script = c.script if q.latin else q.script
        values[f"xs_{script}"] = 1.0
        values[f"xs_{script}_phonetic"] = max(jp, cjk_jp, _joined_sound_sim(q, c, script))
        # ...and its own level below which a word is another name ("시에라" Sierra ~ "Cikra"
        # 0.70): each script transcribes a name more or less loosely
        if weakest > 0:
            values[f"xs_{script}_gap"] = min(1.0, max(0.0, XS_GAP_LEVEL - weakest) / XS_GAP_FULL)
    return NameComparison(q, c, values)


# Romanisations of one Korean syllable differ (Revised, McCune-Reischauer, the DPRK's own):
# 정 jeong / jong / chong, 은 eun / un, 국 guk / kuk / gug. Read alike before comparing.
_KO_ROMAN = (("eo", "o"), ("eu", "u"), ("ae", "e"), ("ch", "j"), ("k", "g"), ("t", "d"),
             ("p", "b"), ("r", "l"), ("sh", "s"))
# Below this a given-name syllable is another syllable ("gug" / "un"), not another spelling.
SYLLABLE_MIN = 0.5
# A Chinese given name of another number of syllables than the other name's ("王华伟"
# wang hua wei / "WANG Wei"): another name, counted as a syllable this far apart.
SYLLABLE_COUNT_MISMATCH = 0.3


@lru_cache(maxsize=4096)
def _ko_roman(syllable: str) -> str:
    for a, b in _KO_ROMAN:
        syllable = syllable.replace(a, b)
    return syllable


def _given_gap(given: Sequence[str], readings: Iterable[Sequence[str] | None]) -> float | None:
    """The given name's syllables against the other name's readings of them (one for each
    place its family name may stand; None: that reading has no syllables to compare): the
    best reading's worst syllable, a reading of another length counting
    ``SYLLABLE_COUNT_MISMATCH``; None when no reading has a syllable that differs."""
    sim = Levenshtein.normalized_similarity
    best = max(min(sim(a, b) for a, b in zip(given, r, strict=True))
               if r is not None and len(r) == len(given) else SYLLABLE_COUNT_MISMATCH
               for r in readings)
    return best if best < SYLLABLE_MIN else None


def _given_syllables_match(q: PreparedName, c: PreparedName) -> float | None:
    """How well a Korean's or a Chinese person's given name in Hangul or Han meets a Latin
    name that writes it syllable by syllable: the worst syllable if one is another
    syllable (or the count differs), else None (also when the rule does not apply).
    Matched as one word, "jonggug" ~ "jongun" looked like a spelling variant: 김종국 scored
    0.90 against KIM Jong Un, 王华伟 0.93 against WANG Wei. The family name is compared as
    any name word is (it has spellings of its own: Lee, Yi, Ri); it may stand first ("KIM
    Jong Un") or last ("Jong Un Kim")."""
    native, latin = (q, c) if c.latin else (c, q)
    words = latin.tokens
    korean = korean_name_syllables(native.text)
    if korean is not None:
        if len(words) != 3:
            return None
        return _given_gap([_ko_roman(s) for s in korean[1:]],
                          ([_ko_roman(w) for w in given] for given in (words[1:], words[:2])))
    chinese = chinese_name_syllables(native.text)
    if chinese is None or len(words) < 2:
        return None
    parts = [pinyin_split(t) for t in words]  # a Latin word as pinyin syllables
    if any(p is None for p in parts):
        return None  # not pinyin (Wade-Giles "Hsi", a Western name): no syllables to count
    split = [p for p in parts if p is not None]
    return _given_gap(chinese[1:], (
        [s for w in given for s in w] if len(family) == 1 else None
        for family, given in ((split[0], split[1:]), (split[-1], split[:-1]))))


def _joined_sound_sim(q: PreparedName, c: PreparedName, script: str) -> float:
    """The two names' sound keys run together, compared as ``_blend_sound`` compares tokens
    (Latin side also without its closing r against Han and Hangul). Better evidence than the
    consonant skeletons alone: AUC of xs_*_phonetic, train / test, Chinese 0.766 / 0.803 ->
    0.797 / 0.811, Korean 0.809 / 0.813 -> 0.836 / 0.820, Russian 0.936 / 0.848 -> 0.953 /
    0.879 (Katakana, Arabic, Hebrew up by 0.001-0.015)."""
    a, b = (q.joined_sound, c.joined_sound) if c.latin else (c.joined_sound, q.joined_sound)
    sim = Levenshtein.normalized_similarity
    if script == "hangul":
        a = _hangul_merge(a)
        return max(sim(a, _hangul_merge(b)),
                   sim(a, _hangul_closing_r([b])[0]))
    if script == "han":
        a = _cjk_merge(a)
        lat = c if c.latin else q
        best = max(sim(a, _cjk_merge(b)), sim(a, _without_closing_r([b], _cjk_merge)[0]))
        # ...and in each of the Latin words' readings (``han_readings``)
        for r in range(HAN_READINGS):
            alt = "".join(han_readings(t)[r] for t, k in zip(lat.tokens, lat.kinds, strict=True)
                          if k == NAME)
            if alt != b:
                best = max(best, sim(a, _cjk_merge(alt)))
        return best
    if script == "kana":
        return sim(_cjk_merge(a), _cjk_merge(b))
    return sim(a, b.replace(TH, "t").replace(Z, "s"))


SHORT_TOKEN = 3
# One typo in a word of this many letters is as good as a sound-alike ("Pulin" ~ "Putin"),
# where a normalised similarity would rate it by length (0.8 here, 0.9 in a long word).
TYPO_MIN_LEN = 4
TYPO_SIM = 0.9
TYPO_LOW = 1.0 - 1.0 / TYPO_MIN_LEN  # one edit in the shortest such word
TYPO_SCAN_CELLS = 48  # larger matrices: numpy finds the cells to check
# An organisation's name is spelled, not typed from hearing: between two company names one
# letter apart in a short word is another word as often as a typo ("Tanner" / "Tanker",
# "Clark" / "Clara", "Cook" / "Aook"), so only longer words get the typo lift.
TYPO_MIN_LEN_ORG = 7


def _lift_typos(rows: list[list[float]], a: list[str], b: list[str],
                sims: npt.NDArray[np.floating[Any]], min_len: int = TYPO_MIN_LEN,
                a_on: bytes = b"", b_on: bytes = b"") -> None:
    """Raise token pairs one edit apart (both TYPO_MIN_LEN+ letters) to TYPO_SIM.

    A Python scan of the finished rows on small matrices: on the typical 3x5 matrix each
    numpy operation costs ~1.5 us and four of them added 30 % to ``score_prepared``. A
    listed entity with many aliases has hundreds of cells, where the scan cost 1.2x on a
    whole screening query (bench.ab_screen); there numpy finds the few cells to check.
    """
    osa = OSA.distance
    cells: Iterable[tuple[int, int]]
    if sims.size > TYPO_SCAN_CELLS:
        # compared as float64, as the scan compares the listed values (the matrix is
        # float32: a sound-alike's 0.9 is just below the float64 0.9 and gets lifted)
        low, high = np.float64(TYPO_LOW), np.float64(TYPO_SIM)
        ii, jj = np.nonzero((sims >= low) & (sims < high))
        cells = zip(ii.tolist(), jj.tolist(), strict=True)
    else:
        cells = ((i, j) for i, row in enumerate(rows) for j, x in enumerate(row)
                 if TYPO_LOW <= x < TYPO_SIM)
    for i, j in cells:
        s, t = a[i], b[j]
        if len(s) >= min_len and len(t) >= min_len and osa(s, t, score_cutoff=1) == 1 \
                and (not a_on or _same_start(s, t, a_on[i], b_on[j])):
            rows[i][j] = TYPO_SIM


def _same_start(a: str, b: str, a_onset: int, b_onset: int) -> bool:
    """Whether a slip one edit apart keeps the word's start: the same first letter or first
    sound ("Chirri" / "Cirri"), or its first two letters swapped ("oNah" / "Noah"). Another
    first letter makes another name far more often than a slip: "Jong" / "Song" / "Hong",
    "Kim" / "Lim", so "Kim Jong Un" ~ "KIM, Song Hun" scored 0.94."""
    return a[0] == b[0] or a_onset == b_onset or (len(a) == len(b) and a[:2] == b[1::-1])


@cache
def _tokensim() -> Any:
    """The compiled matrix (numba), imported at the first comparison: a job's parent process
    imports this module but never compares, and numba costs it ~115 MB."""
    from redflags.matching import tokensim

    return tokensim


def similarity_matrix(q: PreparedEntity, c: PreparedEntity) -> list[list[float]]:
    """Token similarity for every query x candidate vocabulary item (letters or sound)."""
    sims, array = similarity_arrays(q, c)
    if sims is None:
        assert array is not None
        return cast(list[list[float]], array.tolist())
    return sims


def similarity_arrays(q: PreparedEntity, c: PreparedEntity, as_list: bool = True,
                      q_use: bytes | None = None, c_use: bytes | None = None) -> tuple[
        list[list[float]] | None, npt.NDArray[np.float64] | None]:
    """``similarity_matrix``, and the same as an array when the compiled matrix made it
    (the compiled alignment reads that). ``as_list=False``: no list when there is the
    array (the Matcher aligns from the array; the list is made only for a pair the kernel
    hands back, ~2 %, instead of for every pair). ``q_use`` / ``c_use``: the compiled
    matrix fills only the rows / columns of these vocabulary items (``vocab_use``)."""
    if not q.vocab or not c.vocab:
        return [], None
    orgs = q.schema != "Person" and c.schema != "Person"
    if q.codes is not None and c.codes is not None:  # no CJK, Arabic, Hebrew: compiled
        compiled: npt.NDArray[np.float64] = _tokensim().latin_matrix(
            q.codes, c.codes, factor=ORG_PHONETIC_FACTOR if orgs else PHONETIC_FACTOR,
            margin=PHONETIC_MARGIN, short_len=SHORT_TOKEN, orgs=orgs, typo_low=TYPO_LOW,
            typo_sim=TYPO_SIM, typo_min_len=TYPO_MIN_LEN_ORG if orgs else TYPO_MIN_LEN,
            q_use=q_use, c_use=c_use)
        matrix: list[list[float]] | None = compiled.tolist() if as_list else None
        return matrix, compiled
    latin = not (q.cjk or c.cjk or q.semitic or c.semitic)
    # a swapped pair of letters is one slip of the keyboard ("Marcon"), not two edits
    lev = cdist(q.vocab, c.vocab, scorer=OSA.normalized_similarity if latin
                else Levenshtein.normalized_similarity)
    # An organisation's name in Han is Chinese words, not a foreign name's sounds: its
    # syllables meet a Latin name by their pinyin letters only. Their sound keys are a
    # consonant or two ("hai", "hui" and "he" all read H), and they made 海尔集团公司 (Haier
    # Group) score 0.86 against ZALA Aero Group and Ray Hui, above its own Haier Group
    # Corporation (0.76). On 108 Han names of bundled organisations against their Latin
    # names, and 1,308 shortlisted other entities: negatives over the threshold 12.4 -> 7.9 %,
    # recall 0.37 -> 0.31 (names whose Latin is a translation, matched by accident of sound).
    han_org = orgs and (q.han or c.han)
    if han_org:
        pho = np.zeros_like(lev)
    elif q.cjk or c.cjk:
        pho = cdist(q.vocab_phonetic_loose, c.vocab_phonetic_loose,
                    scorer=Levenshtein.normalized_similarity)
        if q.han or c.han:
            alt = cdist(q.vocab_phonetic_alt, c.vocab_phonetic_alt,
                        scorer=Levenshtein.normalized_similarity)
            np.maximum(pho, alt, out=pho)
    elif q.semitic or c.semitic:
        pho = cdist(q.vocab_phonetic_jk, c.vocab_phonetic_jk,
                    scorer=Levenshtein.normalized_similarity)
    else:
        pho = cdist(q.vocab_phonetic, c.vocab_phonetic,
                    scorer=Levenshtein.normalized_similarity)
    np.multiply(pho, ORG_PHONETIC_FACTOR if orgs and latin else PHONETIC_FACTOR, out=pho)
    _spelled_sound(q, c, lev, pho)
    np.maximum(lev, pho, out=lev)
    if (q.nonlatin or c.nonlatin) and not han_org:
        _blend_sound(q, c, lev)
    # Between two short tokens one edit is another word ("DSM"/"FSM", "US"/"ISS"): screening
    # a short name against every listed name would otherwise find such neighbours for most
    # abbreviations. Short tokens align only when equal.
    # Only for organisation names in Latin script: people's short names ("Li", "Ann") and
    # transliterated syllables do vary by one letter between spellings of one name.
    if orgs and latin:
        q_short = np.fromiter((len(t) <= SHORT_TOKEN for t in q.vocab), bool, len(q.vocab))
        c_short = np.fromiter((len(t) <= SHORT_TOKEN for t in c.vocab), bool, len(c.vocab))
        if q_short.any() or c_short.any():
            # a short token against a longer one too ("RIL" / "Reilly", "ETT" / "Dett"): an
            # abbreviation is found by the acronym and prefix rules, not by letters in common
            # (a longer word that starts with the short one stays: "Tot" / "Tots")
            short = np.logical_or.outer(q_short, c_short) & (lev < 1.0)
            for i, j in zip(*np.nonzero(short), strict=True):
                a, b = q.vocab[i], c.vocab[j]
                if not (a.startswith(b) or b.startswith(a)):
                    lev[i, j] = 0.0
    out: list[list[float]] = lev.tolist()
    if latin:
        _lift_typos(out, q.vocab, c.vocab, lev, TYPO_MIN_LEN_ORG if orgs else TYPO_MIN_LEN,
                    q.onsets, c.onsets)
    return out, None


def _once(tokens: list[str]) -> list[str]:
    """An organisation's name said twice, once: a file row "Wayman Day Care Center - Wayman
    Day Care" let its second "care" cover the "car" of "CAR CARE CENTER" (0.84), and
    "UNILEVER UNILEVER" scored 0.66 against UNILEVER. Only a repeat of the name's first two
    words or more (or of a one-word name) is dropped: a word said twice inside a name
    ("Korea South-South Cooperation", "Academy of Medical Sciences, Institute of Medical
    Equipment") is part of it."""
    n = len(tokens)
    if n == 2:
        return tokens[:1] if tokens[0] == tokens[1] else tokens
    for i in range(2, n - 1):
        if tokens[i] == tokens[0] and tokens[i + 1] == tokens[1]:
            run = 2
            while i + run < n and run < i and tokens[i + run] == tokens[run]:
                run += 1
            return tokens[:i] + tokens[i + run:]
    return tokens


def vocab_use(entity: PreparedEntity, names: Iterable[PreparedName]) -> bytes | None:
    """Which of the entity's vocabulary items these names use (one byte an item), for
    ``similarity_arrays``; None when they use them all."""
    use = bytearray(len(entity.vocab))
    for name in names:
        for idx, _, _ in name.items:
            use[idx] = 1
    return None if all(use) else bytes(use)


def _spelled_sound(q: PreparedEntity, c: PreparedEntity, lev: npt.NDArray[np.floating[Any]],
                   pho: npt.NDArray[np.floating[Any]]) -> None:
    """Sound-alike credit between two Latin spellings: only for tokens that start with the
    same sound, and at most PHONETIC_MARGIN above their letters' similarity (see there).
    Token by token: an entity with an alias in another script keeps it for its Latin names.
    (A cap on ``pho``, not a mask of the cells it raises: four numpy calls, ~5 us a pair.)"""
    q_on = np.frombuffer(q.onsets, np.uint8)
    c_on = np.frombuffer(c.onsets, np.uint8)
    cap = np.where(q_on[:, None] == c_on[None, :], lev + PHONETIC_MARGIN, lev)
    if q.nonlatin or c.nonlatin:
        latin = np.logical_and.outer(np.array(q.vocab_latin, bool),
                                     np.array(c.vocab_latin, bool))
        cap[~latin] = np.inf
    np.minimum(pho, cap, out=pho)


@lru_cache(maxsize=65536)
def _onset(token: str) -> str:
    """The first sound of a Latin token, in the classes of ``phonetic`` (a vowel, h, w or y
    is one class: "Yusuf" ~ "Iosif", "Wladimir" keeps its typo route to "Vladimir")."""
    if not token or token[0] in "aeiouyhw":
        return "_"
    return phonetic(token)[:1]


_CLOSING_R = re.compile(r"r(?![aeo])")
# (str.replace, not str.translate: 0.1 us a key against 0.5 us, and every key of a pair)


def _cjk_merge(key: str) -> str:
    """CJK scripts do not tell l from r, and write a th inside a name as s."""
    return key.replace("l", "r").replace(TH, "s").replace(Z, "s")


def _hangul_merge(key: str) -> str:
    """...and Hangul has no f or v: ㅍ p writes f, ㅂ b writes v."""
    return key.replace("l", "r").replace("f", "b").replace(TH, "s").replace(Z, "c")


def _without_closing_r(keys: list[str], merge: Callable[[str], str]) -> list[str]:
    return [merge(_CLOSING_R.sub("", k)) if "r" in k else merge(k) for k in keys]


def _han_closing_r(keys: list[str]) -> list[str]:
    """Latin keys without their closing r, then the same without a final -er (Chinese pairs,
    token AUC of name_weakest train / test: 0.830 / 0.837 -> 0.830 / 0.844)."""
    nor = _without_closing_r(keys, _cjk_merge)
    return nor + [_cjk_merge(_CLOSING_R.sub("", k[:-2])) if len(k) > 3 and
                  k.endswith("er") else n for k, n in zip(keys, nor, strict=True)]


HAN_READINGS = 3  # len(han_readings(...))


def _han_latin_keys(e: PreparedEntity) -> list[str]:
    """The Latin side's keys against a Han name, in blocks of ``len(e.vocab)``: without a
    closing r, without a final -er (``_han_closing_r``), then each of ``han_readings``."""
    out = _han_closing_r(e.vocab_sound)
    for r in range(HAN_READINGS):
        out += [_cjk_merge(han_readings(v)[r]) if lat else _cjk_merge(k)
                for v, k, lat in zip(e.vocab, e.vocab_sound, e.vocab_latin, strict=True)]
    return out


# Hangul writes an English er/ir/ur/or before a consonant or at the end as ㅓ eo: 허버트
# Herbert, 싱어 Singer, 터너 Turner, 테일러 Taylor (but ar as ㅏ: 파커 Parker). Korean pairs
# refitted, F1 test / train: 0.759 / 0.779 -> 0.778 / 0.783 ([aeo]r: 0.785 / 0.783, but
# 파커 then matched Packer better than Parker)
_CLOSING_VR = re.compile(r"[eo]r(?![aeo])")


def _hangul_closing_r(keys: list[str]) -> list[str]:
    return [_hangul_merge(_CLOSING_R.sub("", _CLOSING_VR.sub("eo", k))) if "r" in k
            else _hangul_merge(k) for k in keys]


def _th_as_t(keys: list[str]) -> list[str]:
    return [k.replace(TH, "t").replace(Z, "s") if TH in k or Z in k else k for k in keys]


def _blend_sound(q: PreparedEntity, c: PreparedEntity, sims: np.ndarray) -> None:
    """Token pairs across scripts: the mean of the letter/consonant similarity and the
    vowel-keeping sound key's (see ``sound_key``), which ranks the right spelling better."""
    across: np.ndarray | None = None
    if q.mixed or c.mixed:
        across = np.not_equal.outer(np.array(q.vocab_latin, bool), np.array(c.vocab_latin, bool))
        if not across.any():
            return
    elif q.nonlatin == c.nonlatin:
        return  # both in Latin script, or both in others
    q_hangul = q.cjk and any(n.script == "hangul" for n in q.names)
    c_hangul = c.cjk and any(n.script == "hangul" for n in c.names)
    if q_hangul or c_hangul:
        # Hangul has no f or v: ㅍ p writes f, ㅂ b writes v (and l is r); ㅈ j writes z too,
        # but merging it with s cost more (Boruc ~ 보러스) than it gained (Zakaria ~ 자카리아)
        q_keys = [_hangul_merge(k) for k in q.vocab_sound]
        c_keys = [_hangul_merge(k) for k in c.vocab_sound]
    elif q.cjk or c.cjk:
        # CJK scripts do not tell l from r (merged here: rare pairs, every query prepared)
        q_keys = [_cjk_merge(k) for k in q.vocab_sound]
        c_keys = [_cjk_merge(k) for k in c.vocab_sound]
    else:
        q_keys, c_keys = _th_as_t(q.vocab_sound), _th_as_t(c.vocab_sound)
    snd = cdist(q_keys, c_keys, scorer=Levenshtein.normalized_similarity)
    if q_hangul != c_hangul:
        # Korean drops an English r after a vowel too: 싱어 ~ Singer, 보머 ~ Bomer
        if q_hangul:
            nor = cdist(q_keys, _hangul_closing_r(c.vocab_sound),
                        scorer=Levenshtein.normalized_similarity)
        else:
            nor = cdist(_hangul_closing_r(q.vocab_sound), c_keys,
                        scorer=Levenshtein.normalized_similarity)
        np.maximum(snd, nor, out=snd)
    elif q.han != c.han:
        # Mandarin drops a syllable-closing r: 罗伯特 luo bo te ~ Robert, 卡特 ka te ~ Carter
        # (token AUC on the Chinese pairs, train / test: 0.881 / 0.865 -> 0.886 / 0.873),
        # and often a final -er whole: 贝克 bei ke Baker, 斯特拉克 Straker (one call for both)
        if q.han:
            nor = cdist(q_keys, _han_latin_keys(c), scorer=Levenshtein.normalized_similarity)
            np.maximum(snd, nor.reshape(len(q_keys), -1, len(c_keys)).max(axis=1), out=snd)
        else:
            nor = cdist(_han_latin_keys(q), c_keys, scorer=Levenshtein.normalized_similarity)
            np.maximum(snd, nor.reshape(-1, len(q_keys), len(c_keys)).max(axis=0), out=snd)
    semitic = q.semitic or c.semitic
    if across is None and not semitic:  # the usual case: every pair is across scripts
        sims += snd
        sims *= 0.5
        return
    mean = (sims + snd) * 0.5
    if semitic:
        # Arabic and Hebrew do not write short vowels ("mhmd" ~ "Mohamed"): their sound key
        # may raise a similarity, never lower it (the mean lost محمد علي ~ Mohamed Ali,
        # 0.76 -> 0.41, and משה ~ Moshe, 0.86 -> 0.64)
        np.maximum(mean, sims, out=mean)
    if across is None:
        sims[:] = mean
    else:
        sims[across] = mean[across]


# --------------------------------------------------------------------------- other features


def legal_features(q: PreparedName, c: PreparedName) -> tuple[float, float]:
    """(match, conflict) of the two names' legal-form families."""
    qf, cf = q.legal - {"any"}, c.legal - {"any"}
    if not qf or not cf:
        return 0.0, 0.0
    return (1.0, 0.0) if qf & cf else (0.0, 1.0)


def number_features(q: PreparedName, c: PreparedName) -> tuple[float, float]:
    """(match, conflict) of the numbers in two names. Two places after an organisation's
    name with none in common are the same kind of conflict as "Plant 1" / "Plant 2": sister
    companies ("Bowne Global Solutions (Sweden) AB" / "(Finland) AB"), not one company; a
    place on one side only is a branch or subsidiary, no conflict."""
    if place_conflict(q, c):
        return 0.0, 1.0
    if not q.numbers and not c.numbers:
        return 0.0, 0.0
    if q.numbers == c.numbers:
        return 1.0, 0.0
    if q.numbers and c.numbers and not (q.numbers & c.numbers):
        return 0.0, 1.0
    return 0.0, 0.5


def name_places(name: PreparedName) -> frozenset[str]:
    """The places that say where an organisation is (org words of the places table)."""
    if name.person:
        return frozenset()
    places = place_words()
    return frozenset(t for t, k in zip(name.tokens, name.kinds, strict=True)
                     if k == GENERIC and t in places)


def place_conflict(q: PreparedName, c: PreparedName) -> bool:
    """Two countries, none in common. A region conflicts with nothing: "VTB Bank (Europe)"
    was "VTB Bank (Deutschland)", and Europe holds Germany."""
    q_places = name_places(q)
    if not q_places:
        return False
    c_places = name_places(c)
    if not c_places or q_places & c_places:
        return False
    q_codes = {code for p in q_places if (code := country_code(p)) is not None}
    c_codes = {code for p in c_places if (code := country_code(p)) is not None}
    return bool(q_codes) and bool(c_codes) and not (q_codes & c_codes)


def identifier_features(q: PreparedEntity, c: PreparedEntity) -> tuple[float, float, str]:
    if not q.all_ids or not c.all_ids:
        return 0.0, 0.0, ""
    common = q.all_ids & c.all_ids
    if common:
        return 1.0, 0.0, sorted(common)[0]
    for prop in SINGLE_VALUED_IDS:
        if prop in q.identifiers and prop in c.identifiers:
            return 0.0, 1.0, prop
    return 0.0, 0.0, ""


def country_features(q: PreparedEntity, c: PreparedEntity) -> tuple[float, float]:
    if not q.countries or not c.countries:
        return 0.0, 0.0
    return (1.0, 0.0) if q.countries & c.countries else (0.0, 1.0)


YEAR_ONLY_DATE = 0.3


def _date_pair(a: str, b: str) -> float:
    """1 exact, 0.7 agree at the coarser precision (0.3 on the year alone), 0.5 likely typo,
    <0 conflict."""
    if a == b:
        return 1.0
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        # one adult in ~50 shares a given birth year: of the labelled pairs that agree on the
        # year alone none is true (20 are false), and at 0.7 (+2.3 logits for people) a year
        # carried "Finn ربانی" ~ Maher Rebhi OBEID, names 0.68 alike, to 0.90
        return YEAR_ONLY_DATE if n == 4 else 0.7
    if len(a) == len(b) == 10:
        if a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
            return 0.7  # day and month swapped
        if Levenshtein.distance(a, b) == 1:
            return 0.5
        if a[:4] == b[:4]:
            return -0.5
    try:
        gap = abs(int(a[:4]) - int(b[:4]))
    except ValueError:
        return 0.0
    # a year off is a common slip; fifteen years off is another person
    return -min(1.0, 0.3 + 0.15 * gap)


def date_features(q: PreparedEntity, c: PreparedEntity) -> tuple[float, float, str]:
    best: float | None = None
    prop_used = ""
    for prop, qvals in q.dates.items():
        cvals = c.dates.get(prop)
        if not cvals:
            continue
        for a in qvals:
            for b in cvals:
                v = _date_pair(a, b)
                if best is None or v > best:
                    best, prop_used = v, prop
    if best is None:
        return 0.0, 0.0, ""
    return (max(best, 0.0), max(-best, 0.0), prop_used)


# Words an address needs to say where someone lives rather than which town: "London" alone
# is shared by most of a city's records (Splink's "Alfie" born 1997 and "Alfie" born 2005
# both live in London, and the address outweighed the conflicting dates at 0.98).
ADDRESS_SPECIFIC_WORDS = 3


def address_features(q: PreparedEntity, c: PreparedEntity) -> tuple[float, float]:
    """(match, mismatch) of the closest pair of addresses; a match counts by how specific the
    shorter address of the pair is (a town alone a third of a street address)."""
    if not q.addresses or not c.addresses:
        return 0.0, 0.0
    best, a, b = max((token_set_ratio(a, b) / 100.0, a, b)
                     for a in q.addresses for b in c.addresses)
    words = min(len(a.split()), len(b.split()))
    return best * min(1.0, words / ADDRESS_SPECIFIC_WORDS), 1.0 - best


# An address this close counts as corroborating a name (FEBRL's typo'd copies of one
# address score 0.8-1.0; two addresses in one town share words and score ~0.5).
ADDRESS_CORROBORATES = 0.8
# A spelled-out word this far below the sound-alike level (WEAK_GAP) is a different word:
# "Navros"/"Lavrov" (0.21 short), "Morillo"/"Morales" (0.21); a typo falls 0.0-0.08 short.
NEAR_MISS_FULL = 0.2


def initials_only(q: PreparedName, c: PreparedName) -> float:
    """1 when one name is nothing but initials ("N.N.") and the other spells a word: the
    letters fit thousands of names, however well they align."""
    def bare(n: PreparedName) -> bool:
        return n.name_count > 0 and all(len(t) == 1 for t, k in zip(n.tokens, n.kinds,
                                                                    strict=True) if k == NAME)
    qb, cb = bare(q), bare(c)
    return 1.0 if qb != cb and (q.name_count if cb else c.name_count) > 0 else 0.0


def parts_swapped(q: PreparedEntity, c: PreparedEntity) -> bool:
    """Both records say which name is the given name and which the family name, and one
    has them the other way round: "Hans, Friedrich" is not "Friedrich, Hans"."""
    return bool(q.given and c.given and q.given & c.family and q.family & c.given
                and not q.given & c.given)


def _comparable_records(q: PreparedEntity, c: PreparedEntity) -> bool:
    """Whether the two records hold anything besides names to compare."""
    return bool((q.dates and c.dates) or (q.addresses and c.addresses)
                or (q.all_ids and c.all_ids))


def evidence_features(q: PreparedEntity, c: PreparedEntity, values: dict[str, float]) -> None:
    """Fill the entity-level features (identifiers, countries, dates, addresses) of
    ``values``, and what the name features mean given them.

    A name that nearly matches is a typo when a birth date, identifier or address agrees
    (FEBRL, Splink: such pairs are 95 % true) and a different person when nothing else is
    known (nomenklatura's checks and name bench, screening: ~30 % true): the linear
    weakest-link terms cannot tell the two apart, so the near miss is a feature of its own
    when nothing corroborates the name. Same script only: a transliteration is never
    letter-exact.
    """
    values["identifier_match"], values["identifier_conflict"], _ = identifier_features(q, c)
    values["country_match"], values["country_conflict"] = country_features(q, c)
    values["date_match"], values["date_conflict"], _ = date_features(q, c)
    values["address_match"], values["address_mismatch"] = address_features(q, c)
    gap = values.get("name_spelled_gap", 0.0)
    swapped = parts_swapped(q, c)
    if gap > 0 or swapped:
        address = values["address_match"]
        support = max(values["date_match"], values["identifier_match"],
                      address if address >= ADDRESS_CORROBORATES else 0.0)
        if gap > 0:
            values["name_near_miss_alone"] = min(1.0, gap / NEAR_MISS_FULL) * (1.0 - support)
        if swapped and not support and not _comparable_records(q, c):
            # swapped fields are a clerk's slip in records that also hold a date or an
            # address (FEBRL, Splink: 105 such pairs, all true, some with the dates a
            # month apart); with nothing but the names, the same words in other roles
            values["name_parts_swap"] = 1.0
            values["name_exact"] = 0.0


# Org words that do not make a name an organisation's: particles, honorifics, and words
# people's names and titles carry too (and places: ``text.place_words``).
NOT_ORG_WORDS = frozenset({"of", "and", "no", "title", "china", "national", "state", "federal",
                           "general"})


def _org_named(names: list[PreparedName]) -> bool:
    """A name with a legal form or an org word is an organisation's: a LegalEntity query
    "Samsung Electronics" (a file row of unknown type) matched a listed Mr Samsaeng at 0.69."""
    places = place_words()
    return any(k == LEGAL_FORM or (k == GENERIC and t not in NOT_ORG_WORDS and t not in places)
               for n in names for t, k in zip(n.tokens, n.kinds, strict=True))


@lru_cache(maxsize=1024)
def schemas_compatible(a: str, b: str) -> bool:
    sa, sb = ftm_model.get(a), ftm_model.get(b)
    if sa is None or sb is None:
        return True
    return bool(sa.can_match(sb) or sb.can_match(sa))


def clean_logit(x: float) -> float:
    return max(-30.0, min(30.0, x))


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-clean_logit(x)))


__all__ = [
    "FEATURES",
    "NAME_FEATURES",
    "NameComparison",
    "PreparedEntity",
    "PreparedName",
    "address_features",
    "compare_names",
    "country_features",
    "date_features",
    "evidence_features",
    "has_cjk",
    "identifier_features",
    "initials_only",
    "legal_features",
    "main_script",
    "number_features",
    "parts_swapped",
    "prepare",
    "schemas_compatible",
    "similarity_arrays",
    "similarity_matrix",
]
