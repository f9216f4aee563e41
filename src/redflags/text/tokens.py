"""Name tokens: latinized words with legal forms and organisation terms made language-neutral.

"Co., Ltd." / "Company Limited" / "有限公司" all become the tokens ``co ltd``; "завод" and
"工厂" become ``plant``. The tables (data/legal_forms.yml, data/org_terms.yml) are matched
as phrases on the folded text *before* transliteration, so native-script phrases (and
Han text, which has no spaces) are recognised whole; the rest is then latinized.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

from redflags.text.normalize import fold
from redflags.text.tables import load_yaml
from redflags.text.translit import latinize

LEGAL_FORM = "legal_form"
GENERIC = "generic"
NUMBER = "number"
NAME = "name"

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


_MAX_STEM_SUFFIX = 4
# A word this long one typo (or swap) away from a legal form or org word is that word
# misspelt ("Techology", "Reserach"); two typos from this length on.
_FUZZY_MIN = 8
_FUZZY_TWO = 11
# ...and inside a phrase whose first word matched, a word this long ("Compnay").
_PHRASE_FUZZY_MIN = 6


# Where in a name a short, ambiguous spelling of a legal form counts as one: Spain's "SL"
# ends a name ("Panazeate SL") but opens "SL Green Realty"; Indonesia's "PT" opens one
# ("PT Bank Mandiri") or ends a list's entry ("Kuantum Tekno Kreatif, PT"), and is a word in
# the middle ("Ansell PT Services").
ANYWHERE, AT_END, AT_EDGE = "anywhere", "end", "edge"
_POSITIONS = {"variants": ANYWHERE, "variants_at_end": AT_END, "variants_at_edge": AT_EDGE}


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    stem: bool  # the last word may carry a few more letters (inflection)
    canonical: str
    position: str = ANYWHERE


class _Tables:
    """Phrase tables indexed for a word-by-word scan (a big regex alternation was ~70 ms per
    name; this scan is a few µs)."""

    def __init__(self) -> None:
        legal = load_yaml("legal_forms.yml")["forms"]
        org_terms = load_yaml("org_terms.yml")
        self.legal_family: dict[str, str] = {}
        self.generic: set[str] = set()
        entries: list[tuple[str, str, str]] = []
        self.legal_forms = frozenset(legal)  # canonical spellings ("jsc", "pvt ltd")
        # countries and regions: org words in an organisation's name only
        self.places = frozenset(org_terms["places"])
        self.place_words = frozenset(w for c in self.places for w in c.split())
        # what a person's name is read without (see ``replace``)
        self.not_personal = self.legal_forms | self.places
        for canonical, spec in legal.items():
            for tok in canonical.split():
                self.legal_family.setdefault(tok, spec["family"])
            for key, position in _POSITIONS.items():
                entries.extend((str(v), canonical, position) for v in spec.get(key, ()))
        for canonical, variants in org_terms["terms"].items():
            self.generic.update(canonical.split())
            entries.extend((str(v), canonical, ANYWHERE) for v in variants)
        # lists write Russian forms and words in Latin letters as often as in Cyrillic
        # ("OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU", "ZAVOD"): each Cyrillic spelling
        # is also read as it is transliterated. Not the places ("Rossii" is "of Russia").
        entries.extend((latin, canonical, position) for raw, canonical, position in list(entries)
                       for latin in _cyrillic_in_latin(raw))
        for canonical, variants in org_terms["places"].items():
            self.generic.update(canonical.split())
            entries.extend((str(v), canonical, ANYWHERE) for v in variants)
        # "co" belongs to any family: a bare "co" never signals a different legal form.
        self.legal_family["co"] = "any"
        # org words proper: what ``transliterated_reading`` leaves as written
        self.terms = frozenset(org_terms["terms"]) - self.legal_forms
        self.by_first: dict[str, list[_Phrase]] = {}
        self.stems: dict[str, list[_Phrase]] = {}
        self.cjk: dict[str, str] = {}
        seen: set[tuple[tuple[str, ...], bool]] = set()
        for raw, canonical, position in entries:
            stem = raw.endswith("*")
            words = tuple(fold(raw.rstrip("*")).split())
            if not words or (words, stem) in seen:
                continue
            seen.add((words, stem))
            if _CJK.search(words[0]):
                self.cjk.setdefault("".join(words), canonical)
                continue
            phrase = _Phrase(words, stem, canonical, position)
            if stem and len(words) == 1:
                self.stems.setdefault(words[0][:3], []).append(phrase)
            else:
                self.by_first.setdefault(words[0], []).append(phrase)
        # each Han phrase in traditional characters too (data/han_traditional.yml)
        hant = str.maketrans(load_yaml("han_traditional.yml")["chars"])
        for key, canonical in list(self.cjk.items()):
            self.cjk.setdefault(key.translate(hant), canonical)
        for plist in (*self.by_first.values(), *self.stems.values()):
            plist.sort(key=lambda p: (-len(p.words), -len(p.words[-1])))
        self.cjk_max = max((len(k) for k in self.cjk), default=0)
        # long one-word Latin spellings, for recognising misspelt ones ("maatscappij")
        self.fuzzy: dict[str, str] = {}
        for raw, canonical, _ in entries:
            word = fold(raw)
            if len(word) >= _FUZZY_MIN and word.isalpha() and word.isascii() and \
                    " " not in canonical and not raw.endswith("*"):
                self.fuzzy.setdefault(word, canonical)
        # by first letter: typos rarely hit it, and 10 words are searched instead of 160
        self.fuzzy_by_first: dict[str, list[str]] = {}
        for word in sorted(self.fuzzy):
            self.fuzzy_by_first.setdefault(word[0], []).append(word)

    def _matches(self, phrase: _Phrase, words: list[str], i: int) -> bool:
        n = len(phrase.words)
        if i + n > len(words):
            return False
        if phrase.position != ANYWHERE and i + n != len(words) and (
                phrase.position == AT_END or i > 0):
            return False
        for k, pw in enumerate(phrase.words):
            w = words[i + k]
            if k == n - 1 and phrase.stem:
                if not (w.startswith(pw) and len(w) - len(pw) <= _MAX_STEM_SUFFIX):
                    return False
            elif w != pw and not (k and _misspelt(w, pw)):
                return False
        return True

    def _cjk(self, word: str, legal: bool = True) -> str:
        out: list[str] = []
        i = 0
        while i < len(word):
            for n in range(min(self.cjk_max, len(word) - i), 0, -1):
                canonical = self.cjk.get(word[i:i + n])
                if canonical is not None and (legal or canonical not in self.places) and (
                        canonical not in self.places or self._place_fits(word, i, i + n)):
                    out.append(f" {canonical} ")
                    i += n
                    break
            else:
                out.append(word[i])
                i += 1
        return "".join(out)

    def _place_fits(self, word: str, start: int, end: int) -> bool:
        """Han runs its words together, and a place's two characters often end one word and
        start the next: 完美国际 (Perfect World International) holds 美国 "USA", 广东亚华 holds
        东亚 "East Asia", 湖南非凡 南非 "South Africa". A place is read only where it opens
        the run, closes it, or another table phrase follows it (华为德国有限公司)."""
        if start == 0 or end == len(word):
            return True
        return any(word[end:end + n] in self.cjk
                   for n in range(min(self.cjk_max, len(word) - end), 0, -1))

    def replace(self, folded: str, legal: bool = True, terms: bool = True) -> str:
        """Phrases of the tables -> their canonical word; ``legal=False`` (a person's name)
        leaves legal forms and places as written: "Ao", "Sa", "Ab", "India", "Holland" are
        name parts there; ``terms=False`` leaves org words in Arabic script as written
        (``transliterated_reading``)."""
        words = folded.split()
        out: list[str] = []
        i = 0
        while i < len(words):
            w = words[i]
            if self.cjk and not w.isascii() and _CJK.search(w):
                out.append(self._cjk(w, legal))
                i += 1
                continue
            for phrase in self.by_first.get(w, ()):
                if (legal or phrase.canonical not in self.not_personal) and \
                        (terms or not self._abjad_term(phrase)) and \
                        self._matches(phrase, words, i):
                    out.append(phrase.canonical)
                    i += len(phrase.words)
                    break
            else:
                for phrase in self.stems.get(w[:3], ()):
                    if (legal or phrase.canonical not in self.not_personal) and \
                            (terms or not self._abjad_term(phrase)) and \
                            self._matches(phrase, words, i):
                        out.append(phrase.canonical)
                        break
                else:
                    out.append(w)
                i += 1
        return " ".join(out)

    def _abjad_term(self, phrase: _Phrase) -> bool:
        return phrase.canonical in self.terms and _ABJAD.match(phrase.words[0]) is not None


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ABJAD = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Other romanisations of a transliterated word's ending or letters: "aktsionernoye",
# "ogranichennoy", "obschestvo" (the bundled lists' second spellings after BGN/PCGN's).
_LATIN_ALTERNATES = ((re.compile(r"oe$"), "oye"), (re.compile(r"ie$"), "iye"),
                     (re.compile(r"(?<=[aeiou])i$"), "y"), (re.compile(r"shch"), "sch"))
# a transliterated word shorter than this is another word in Latin ("farm", "dom", "at", "i")
_LATIN_MIN = 5


def _cyrillic_in_latin(raw: str) -> list[str]:
    """The Latin spellings of a table's Cyrillic phrase: as ``latinize`` writes it, and with
    the common other endings, word by word (at most a few dozen)."""
    if not _CYRILLIC.search(raw):
        return []
    stem = "*" if raw.endswith("*") else ""
    words = latinize(raw.rstrip("*")).split()
    if not words or (len(words) == 1 and len(words[0]) < _LATIN_MIN):
        return []
    options = [[w] for w in words]
    for k, w in enumerate(words):
        if stem and k == len(words) - 1:
            continue  # a stem's ending is free already
        for pattern, repl in _LATIN_ALTERNATES:
            alt = pattern.sub(repl, w)
            if alt not in options[k]:
                options[k].append(alt)
    out = [""]
    for opts in options:
        out = [f"{head} {w}".strip() for head in out for w in opts]
    return [o + stem for o in out]


def _misspelt(word: str, phrase_word: str) -> bool:
    """A long word of a phrase one typo off, after the phrase's first word matched exactly:
    "PUBLICHNOE AKTSIOERNOE OBSCHESTVO", "LIMITED LIABINITY COMPANY" (a phrase read as name
    words buried the one name word of the entry under four misspelt ones)."""
    return len(phrase_word) >= _PHRASE_FUZZY_MIN and abs(len(word) - len(phrase_word)) <= 1 and \
        OSA.distance(word, phrase_word, score_cutoff=1) <= 1


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    return _Tables()


def _replace_phrases(folded: str, legal: bool = True) -> str:
    return _tables().replace(folded, legal)


@lru_cache(maxsize=1)
def _numbers() -> dict[str, str]:
    """Ordinal and cardinal words and Roman numerals -> the digit (data/numbers.yml)."""
    table = load_yaml("numbers.yml")
    return {str(v): str(digit) for section in ("ordinals", "roman", "cardinals")
            for digit, variants in table[section].items() for v in variants}


@lru_cache(maxsize=1)
def _tens_words() -> frozenset[str]:
    """Cardinal words for 20, 30 ... 90: with a unit after them they make one number."""
    table = load_yaml("numbers.yml")["cardinals"]
    return frozenset(str(v) for digit, variants in table.items()
                     if int(digit) >= 20 for v in variants)


def _join_tens(words: list[str], toks: list[str]) -> list[str]:
    """"forty four" / "forty 4" / "twenty first" -> "44" / "44" / "21"."""
    tens = _tens_words()
    out: list[str] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if words[i] in tens and i + 1 < len(toks) and len(toks[i + 1]) == 1 and \
                toks[i + 1].isdigit() and toks[i + 1] != "0":
            out.append(t[0] + toks[i + 1])
            i += 2
            continue
        out.append(t)
        i += 1
    return out


# Digits typed for the letters they look like ("Ig0r Sech1n"): only inside a word of letters,
# so codes ("A320", "3M", "MiG-29") keep their digits.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g"})
_LEET_WORD = re.compile(r"[a-z]+[0134579][a-z0134579]*[a-z]")


@lru_cache(maxsize=65536)
def _fuzzy_term(tok: str) -> str:
    """The canonical org word or legal form ``tok`` misspells, else ``tok`` itself."""
    tables = _tables()
    if len(tok) < _FUZZY_MIN or tok in tables.legal_family or tok in tables.generic:
        return tok
    words = tables.fuzzy_by_first.get(tok[0])
    if not words:
        return tok
    limit = 2 if len(tok) >= _FUZZY_TWO else 1
    hit = extractOne(tok, words, scorer=OSA.distance, score_cutoff=limit)
    return tables.fuzzy[hit[0]] if hit is not None else tok


def _token(tok: str, numbers: dict[str, str], legal: bool = True) -> str:
    digit = numbers.get(tok)
    if digit is not None:
        return digit
    if not tok.isalpha() and not tok.isdigit() and _LEET_WORD.fullmatch(tok) and \
            sum(c.isalpha() for c in tok) >= 3:
        tok = tok.translate(_LEET)
    if len(tok) >= _FUZZY_MIN:
        term = _fuzzy_term(tok)
        return term if legal or term not in _tables().places else tok
    return tok


@lru_cache(maxsize=65536)
def _name_tokens(name: str, legal: bool = True) -> tuple[str, ...]:
    replaced = _replace_phrases(fold(name), legal)
    numbers = _numbers()
    words = latinize(replaced).split()
    toks = [_token(t, numbers, legal) for t in words]
    if len(toks) > 1 and any(w in _tens_words() for w in words):
        toks = _join_tens(words, toks)
    return tuple(toks)


def name_tokens(name: str) -> list[str]:
    """Latinized tokens of a name, legal forms and org terms canonicalised to English."""
    return list(_name_tokens(name))


def person_tokens(name: str) -> list[str]:
    """``name_tokens`` of a person's name: its words are never a legal form ("Ao Wen",
    "Sa Li", "Ag Hamid" as "jsc wen", "sa li", "ag hamid" matched "Li Wen", "Wu Li", "Ali
    Hamid" on the other word alone, and "jsc" no longer met 敖文 read "ao wen"), nor a
    place ("India", "Holland")."""
    return list(_name_tokens(name, False))


@lru_cache(maxsize=16384)
def transliterated_reading(name: str) -> str | None:
    """An organisation's name in Arabic script with its org words transliterated instead of
    translated, or None when it has none. The lists write such names in Latin letters as
    they sound: بانک ملی ایران is BANK MELLI IRAN, not "bank national iran"; حزب الله is
    HIZBALLAH, not "party allah". Legal forms and places are still read in English
    (شركة is "co", ایران "iran"): lists translate those."""
    folded = fold(name)
    if _ABJAD.search(folded) is None:
        return None
    tables = _tables()
    kept = tables.replace(folded, terms=False)
    if kept == tables.replace(folded):
        return None
    reading = latinize(kept)
    return reading if _name_tokens(reading) != _name_tokens(name) else None


def place_words() -> frozenset[str]:
    """The words of the places table (countries, regions) as ``name_tokens`` gives them."""
    return _tables().place_words


def token_kind(token: str) -> str:
    """Say whether a token identifies (``name``) or just describes (the other kinds)."""
    if token.isdigit():
        return NUMBER
    tables = _tables()
    if token in tables.legal_family:
        return LEGAL_FORM
    if token in tables.generic:
        return GENERIC
    if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
        return NUMBER if len(token) <= 4 else NAME
    return NAME


def legal_family(token: str) -> str | None:
    """The family of a legal-form token ("limited", "stock", ...), None if not a legal form."""
    return _tables().legal_family.get(token)
