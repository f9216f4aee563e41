"""What an entity is found by: the index keys of its names and identifiers.

The same functions key the index at build time and a query at screening time, so the two
always agree (``name_keys``, ``entity_keys``). A key is a short string ("t:" a token, "p:" its
phonetic code, "j:" the sorted joined name, "g:" a 3-gram...) hashed to 64 bits with blake2b.
``_Keyer`` produces exactly ``name_keys``' hashes for a whole build, word by word from caches:
names rarely repeat, their words do (tests/test_index_build.py checks the two agree).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
from followthemoney import model as ftm_model

from redflags.text.hanja import READING_SCHEMATA, korean_readings
from redflags.text.slavic import english_reading
from redflags.text.tokens import transliterated_reading
from redflags.text.translit import is_latin

log = logging.getLogger(__name__)

# Relative weight of each key kind in the candidate vote (multiplied by the key's IDF).
KIND_WEIGHTS: dict[str, float] = {
    "t": 1.0,  # a name token, or two/all tokens joined ("xi jinping" -> "xijinping")
    "p": 0.5,  # phonetic code of a name token
    "j": 2.0,  # all name tokens sorted and joined: exact or reordered name
    "q": 1.5,  # phonetic codes sorted and joined: one-edit or transliteration-variant name
    "g": 0.3,  # character 3-gram of the space-less name: typos, split/joined, other scripts
    "d": 0.4,  # a token or a one-letter deletion of it, for short names only
}
# An identifier hit must always make the candidate list, whatever the names say.
IDENTIFIER_WEIGHT = 100.0
# Token kinds that say little about who an entity is.
TOKEN_KIND_WEIGHTS = {"legal_form": 0.1, "generic": 0.3, "number": 0.7, "name": 1.0}
MIN_IDENTIFIER_LENGTH = 4

# --------------------------------------------------------------------------------------------
# Text: redflags.text when it is installed, else a documented stand-in with the same contract.
# --------------------------------------------------------------------------------------------


def _text_functions() -> tuple[
    Callable[[str], list[str]], Callable[[str], str], Callable[[str], str], str
]:
    try:
        from redflags import text as rtext

        tokens_fn: Callable[[str], list[str]] = rtext.name_tokens
        kind_fn: Callable[[str], str] = rtext.token_kind
        phon_fn: Callable[[str], str] = rtext.phonetic
        version = str(getattr(rtext, "__version__", getattr(rtext, "VERSION", "1")))
        return tokens_fn, kind_fn, phon_fn, f"redflags.text:{version}"
    except (ImportError, AttributeError):
        return _fallback_tokens, _fallback_kind, _fallback_phonetic, "fallback:1"


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _fallback_tokens(name: str) -> list[str]:
    from anyascii import anyascii

    return _NON_ALNUM.sub(" ", anyascii(name).lower()).split()


def _fallback_kind(token: str) -> str:
    return "number" if any(c.isdigit() for c in token) else "name"


def _fallback_phonetic(token: str) -> str:
    from rigour.text.phonetics import metaphone

    return str(metaphone(token))


_name_tokens, _token_kind, _phonetic, TEXT_VERSION = _text_functions()


@lru_cache(maxsize=1 << 18)
def _kind(token: str) -> str:
    return _token_kind(token)


@lru_cache(maxsize=1 << 18)
def _token_info(token: str) -> tuple[str, str]:
    """(kind, phonetic) of a token; tokens repeat a lot, names rarely do."""
    kind = _kind(token)
    phon = _phonetic(token) if kind == "name" and len(token) > 1 and token.isalpha() else ""
    return kind, phon


@lru_cache(maxsize=1 << 16)
def _deletions(token: str) -> tuple[str, ...]:
    """The token and its one-letter deletions (SymSpell): any one edit leaves one in common."""
    if not 2 <= len(token) <= 8:
        return ()
    if len(token) == 2:
        return ("d:" + token,)
    return ("d:" + token, *{"d:" + token[:i] + token[i + 1 :] for i in range(len(token))})


_WEAK_KINDS = frozenset({"legal_form", "generic"})


def name_keys(name: str) -> set[str]:
    """The index keys of one name; the same function serves build and query, so they agree."""
    tokens = _name_tokens(name)
    if not tokens:
        return set()
    infos = [_token_info(tok) for tok in tokens]
    keys = ["t:" + tok for tok in tokens]
    core = [tok for tok, info in zip(tokens, infos, strict=True) if info[0] not in _WEAK_KINDS]
    if not core:
        core = tokens
    phons = sorted(info[1] for info in infos if info[1])
    keys.extend(["p:" + phon for phon in phons])
    keys.extend(["t:" + a + b for a, b in pairwise(core)])
    if 2 < len(core) <= 5:
        keys.append("t:" + "".join(core))
    keys.append("j:" + "".join(sorted(core)))
    if len(phons) > 1:
        keys.append("q:" + " ".join(phons))
    if len(core) == 1:
        # an acronym or a one-word name shares no 3-gram with its typo ("CALG" / "CAGL").
        keys.extend(_deletions(core[0]))
    flat = "".join(core)
    if len(flat) < 3:
        keys.append("g:" + flat)
    keys.extend(["g:" + flat[i : i + 3] for i in range(len(flat) - 2)])
    return set(keys)


def weak_token(token: str) -> bool:
    """A legal form, org word or title: says little about who an entity is."""
    return _kind(token) in _WEAK_KINDS


def join_keys(name: str, reading: bool = False) -> set[str]:
    """Keys a query adds to find a listed name that writes two of its words as one: each
    pair of neighbouring words joined, an org word included ("Gazprom Bank" ~ GAZPROMBANK:
    the index keys pairs of name words only), and the pair's phonetic code ("نصر الله" nsr
    allh ~ NASRALLAH, which no key of the query's own words reaches), with the name's
    phonetic key so joined. A listed name's every word has its t: and p: keys, and its
    name its q: key, so these need nothing more in the index."""
    tokens = _name_tokens(name)
    infos = [_token_info(tok) for tok in tokens]
    # two name words joined only in another script's reading ("nasr allah"): two Latin name
    # words joined met one-word listed names by chance ("Dean Nel" ~ DANIEL, "Tayla Bayon" ~
    # TALIBAN: 100,000 generated supplier rows, 45 more with a hit)
    # (``reading``: the name is the Latin reading of a name in another script: حزب الله read
    # "hzb allh" is HIZBALLAH, which no list entry nor key of the two words reached)
    names_too = reading or (not name.isascii() and not is_latin(name))
    out: set[str] = set()
    for i, (a, b) in enumerate(pairwise(tokens)):
        kinds = (infos[i][0], infos[i + 1][0])
        if "legal_form" in kinds or "number" in kinds or (
                kinds[0] in _WEAK_KINDS and kinds[1] in _WEAK_KINDS) or (
                kinds == ("name", "name") and not names_too):
            continue
        joined = a + b
        out.add("t:" + joined)
        if joined.isalpha() and kinds == ("name", "name"):
            phon = _phonetic(joined)
            out.add("p:" + phon)
            # ...and the whole name's phonetic key with the pair joined ("q:nsrl sn")
            others = [info[1] for k, info in enumerate(infos) if k not in (i, i + 1) and info[1]]
            if others:
                out.add("q:" + " ".join(sorted([*others, phon])))
    return out


def identifier_key(value: str) -> str | None:
    """Identifiers compare as upper-case alphanumerics: 'RU 7707-083893' = 'ru7707083893'."""
    norm = "".join(c for c in value.upper() if c.isalnum())
    if len(norm) < MIN_IDENTIFIER_LENGTH:
        return None
    return "i:" + norm


def _blake(key: str) -> int:
    """A stable 64-bit hash (Python's hash() changes per process)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


# queries repeat keys (common tokens, 3-grams): a cache hit costs a tenth of a hash.
key_hash = lru_cache(maxsize=1 << 18)(_blake)


def _hash_keys(keys: Iterable[str]) -> npt.NDArray[np.uint64]:
    # (map, not a generator: a query hashes ~30 keys, and the generator's frames cost as
    # much as the cached hashes)
    return np.array(list(map(key_hash, keys)), dtype=np.uint64)


# --------------------------------------------------------------------------------------------
# The same keys for the build, as hashes, with the per-token work done once per token.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TextRules:
    """What the build's shortcuts need to know about redflags.text (see _Keyer)."""

    multi: frozenset[str]  # first words of multi-word or positional phrases ("co ltd", "sl")
    edge: frozenset[str]  # phrases read only at the name's start or end ("pt", "too")
    tens: frozenset[str]  # "forty" of "forty four" -> 44
    table_words: frozenset[str]  # legal forms and org words: not of the "name" kind
    replace: Callable[[str], str]  # the phrase table applied to folded words
    latinize: Callable[[str], str]
    fold: Callable[[str], str]


def _text_rules() -> _TextRules | None:
    """What makes redflags.text tokenisation depend on a word's neighbours, and which words
    are not names. None when the text layer does not expose them (the fallback tokeniser,
    or a refactor): then the build tokenises whole names and asks token_kind every time."""
    try:
        from redflags.text import fold, latinize
        from redflags.text import tokens as rtokens

        tables = rtokens._tables()
        return _TextRules(
            # a one-word phrase that counts only at an edge of the name ("PT", "SL") depends
            # on its neighbours as much as the first word of a longer phrase
            multi=frozenset(
                w
                for w, ph in tables.by_first.items()
                if any(len(p.words) > 1 or p.position != rtokens.ANYWHERE for p in ph)
            ),
            edge=frozenset(
                w
                for w, ph in tables.by_first.items()
                if any(p.position == rtokens.AT_EDGE for p in ph)
            ),
            tens=frozenset(rtokens._tens_words()),
            table_words=frozenset(tables.legal_family) | frozenset(tables.generic),
            replace=rtokens._replace_phrases,
            latinize=latinize,
            fold=fold,
        )
    except (ImportError, AttributeError):
        return None


# Names made of these only fold to their lower-cased words (redflags.text.fold's ASCII path
# maps the punctuation to spaces): no fold call, no cache entry, for most names of a registry.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9 ,.\-]+")
_PUNCT_TO_SPACE = str.maketrans(",.-", "   ")


_Postings = tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32], npt.NDArray[np.float32]]


def _blake_many(keys: list[str]) -> npt.NDArray[np.uint64]:
    """``_blake`` of many keys: the digests joined and read as one little-endian array."""
    b2 = hashlib.blake2b
    digests = b"".join([b2(k.encode("utf-8"), digest_size=8).digest() for k in keys])
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


_GRAM_SYMBOLS = "?abcdefghijklmnopqrstuvwxyz0123456789"  # "?": any other byte
_GRAM_BASE = len(_GRAM_SYMBOLS)
_GRAM_SYMBOL_CODES = np.zeros(256, dtype=np.uint8)
_GRAM_SYMBOL_CODES[np.frombuffer(_GRAM_SYMBOLS[1:].encode("ascii"), np.uint8)] = np.arange(
    1, _GRAM_BASE, dtype=np.uint8
)


class _Keyer:
    """``name_keys`` for the build: the same keys, as (hash, row, weight) arrays per chunk.

    Real names repeat their words enormously (1M synthetic entities: 1.2M distinct names,
    ~40k distinct tokens, ~20k distinct 3-grams), but ``name_tokens`` and ``name_keys`` are
    cached per whole name, so a build missed every cache: ~35 µs to tokenise and ~30 µs to
    key a name. Here a name is tokenised word by word from a per-word cache whenever no word
    can change its neighbours' tokens; each token's own keys (t:, p:, deletions) are hashed
    once per token and gathered with numpy; 3-grams are cut and hashed with numpy over a
    whole chunk; what is left per name is a few joins and a blake2b for each key that spans
    tokens. tests/test_index_build.py checks tokens and keys against ``name_tokens`` and
    ``name_keys`` on real names; one name in CHECK_EVERY is also re-checked in every build.
    """

    CHECK_EVERY = 512  # re-tokenise one fast-path name in this many the slow way
    MAX_ENTRIES = 2_000_000  # cached words, tokens and grams (~300 MB) before starting afresh

    def __init__(self) -> None:
        self.rules = _text_rules() if TEXT_VERSION.startswith("redflags.text") else None
        self.words: dict[str, tuple[str, ...] | None] = {}
        self.seen = 0
        # per distinct token: its id, the hashes and weights of its t: and p: keys
        self.token_ids: dict[str, int] = {}
        self.t_hash = array("Q")
        self.t_weight = array("f")
        self.p_hash = array("Q")  # 0: the token has no phonetic key
        self.weak: set[str] = set()
        self.phonetic: dict[str, str] = {}
        self.deletions: dict[str, tuple[int, ...]] = {}
        self.gram_table = np.zeros(_GRAM_BASE**3, dtype=np.uint64)  # see _gram_keys
        self.gram_known = np.zeros(_GRAM_BASE**3, dtype=np.bool_)

    def size(self) -> int:
        return len(self.words) + len(self.token_ids) + len(self.deletions)

    # ---- tokens -----------------------------------------------------------------------------

    def _word(self, word: str) -> tuple[str, ...] | None:
        """A folded word's tokens, or None if the word may depend on its neighbours."""
        assert self.rules is not None
        rules = self.rules
        out: tuple[str, ...] | None = None
        if word not in rules.multi and word not in rules.tens:
            # a word may latinize to several ("习近平forty" -> xi jin ping forty)
            latin = rules.latinize(rules.replace(word)).split()
            if not any(w in rules.tens for w in latin):
                out = tuple(_name_tokens(word))
        self.words[word] = out
        return out

    def tokens(self, name: str) -> tuple[str, ...]:
        """``name_tokens(name)``: word by word from the cache up to the first word that may
        depend on the next ones ("co" of "co ltd"), the rest of the name as one string (a
        legal-form tail like "co ltd" repeats, so name_tokens' own cache answers it)."""
        if self.rules is None:
            return tuple(_name_tokens(name))
        if _PLAIN_NAME.fullmatch(name):
            words = name.lower().translate(_PUNCT_TO_SPACE).split()
        else:
            words = self.rules.fold(name).split()
        out: list[str] = []
        cache = self.words
        for i, word in enumerate(words):
            toks = cache[word] if word in cache else self._word(word)
            if toks is None:
                if i and word in self.rules.edge:
                    # read alone, the rest of the name would start with it: a phrase read
                    # only at an edge ("PT", "TOO") must see the whole name
                    out = list(_name_tokens(" ".join(words)))
                else:
                    out.extend(_name_tokens(" ".join(words[i:])))
                break
            out.extend(toks)
        self.seen += 1
        if self.seen % self.CHECK_EVERY == 0:
            out = self._check(name, out)
        return tuple(out)

    def _check(self, name: str, tokens: list[str]) -> list[str]:
        """The tokens of ``name`` the slow way; a disagreement turns the word cache off."""
        slow = list(_name_tokens(name))
        if slow != tokens:
            log.warning(
                "index build: word-by-word tokens of %r differ from name_tokens (%s != %s); "
                "the text layer changed, tokenising whole names from now on",
                name,
                tokens,
                slow,
            )
            self.rules = None
        return slow

    # ---- keys -------------------------------------------------------------------------------

    def _add_token(self, token: str) -> None:
        kind, phon = _token_info(token)
        self.token_ids[token] = len(self.t_hash)
        self.t_hash.append(_blake("t:" + token))
        self.t_weight.append(key_weight("t:" + token))
        self.p_hash.append(_blake("p:" + phon) if phon else 0)
        if phon:
            self.phonetic[token] = phon
        if kind in _WEAK_KINDS:
            self.weak.add(token)

    def _deletion_hashes(self, token: str) -> tuple[int, ...]:
        found = self.deletions.get(token)
        if found is None:
            found = self.deletions[token] = tuple(_blake(k) for k in _deletions(token))
        return found

    def keys(self, names: list[tuple[str, ...]], rows: npt.NDArray[np.int32]) -> _Postings:
        """The keys of tokenised names (``rows[i]`` owns ``names[i]``) as unsorted (hash,
        row, weight) arrays; a key may repeat for a row (the build drops repeats)."""
        ids = self.token_ids
        tokens = [tok for toks in names for tok in toks]
        for tok in set(tokens).difference(ids):
            self._add_token(tok)
        tok_ids = np.array([ids[tok] for tok in tokens], dtype=np.int64)
        counts = np.fromiter(map(len, names), dtype=np.int64, count=len(names))
        tok_rows = np.repeat(rows, counts)
        t_hash = np.frombuffer(self.t_hash, dtype=np.uint64)[tok_ids]
        t_weight = np.frombuffer(self.t_weight, dtype=np.float32)[tok_ids]
        p_hash = np.frombuffer(self.p_hash, dtype=np.uint64)[tok_ids]
        has_p = p_hash != 0
        out_h = [t_hash, p_hash[has_p]]
        out_r = [tok_rows, tok_rows[has_p]]
        out_w = [t_weight, np.full(int(has_p.sum()), KIND_WEIGHTS["p"], dtype=np.float32)]

        # the keys that span tokens, name by name (most names have two tokens: no sort)
        weak, phonetic_of = self.weak, self.phonetic.get
        plain = weak.isdisjoint
        composite: list[str] = []
        add, add_all = composite.append, composite.extend
        comp_counts = array("q")
        flats: list[str] = []
        single: list[int] = []  # names of one core token: they get deletion keys
        for i, toks in enumerate(names):
            if not toks:
                comp_counts.append(0)
                flats.append("")
                continue
            core = toks if plain(toks) else (tuple(t for t in toks if t not in weak) or toks)
            before = len(composite)
            if len(core) == 2:
                a, b = core
                flat = a + b
                add("t:" + flat)
                add("j:" + (flat if a <= b else b + a))
            elif len(core) == 1:
                flat = core[0]
                add("j:" + flat)
                single.append(i)
            else:
                flat = "".join(core)
                add_all(["t:" + a + b for a, b in pairwise(core)])
                if len(core) <= 5:
                    add("t:" + flat)
                add("j:" + "".join(sorted(core)))
            phons = [p for p in map(phonetic_of, toks) if p]
            if len(phons) > 1:
                phons.sort()
                add("q:" + " ".join(phons))
            comp_counts.append(len(composite) - before)
            flats.append(flat)
        del_hashes = array("Q")
        del_counts = array("q")
        for i in single:
            dels = self._deletion_hashes(flats[i])
            del_hashes.extend(dels)
            del_counts.append(len(dels))
        out_h.append(_blake_many(composite))
        out_r.append(np.repeat(rows, np.frombuffer(comp_counts, dtype=np.int64)))
        out_w.append(self._composite_weights(composite))
        out_h.append(np.frombuffer(del_hashes, dtype=np.uint64))
        out_r.append(np.repeat(rows[single], np.frombuffer(del_counts, dtype=np.int64)))
        out_w.append(np.full(len(del_hashes), KIND_WEIGHTS["d"], dtype=np.float32))
        gram_h, gram_r = self._gram_keys(flats, rows)
        out_h.append(gram_h)
        out_r.append(gram_r)
        out_w.append(np.full(len(gram_h), KIND_WEIGHTS["g"], dtype=np.float32))
        return np.concatenate(out_h), np.concatenate(out_r), np.concatenate(out_w)

    def _composite_weights(self, keys: list[str]) -> npt.NDArray[np.float32]:
        """``key_weight`` of keys spanning tokens (t:, j:, q:). Joined tokens rarely repeat,
        so the token-kind cache would only lose the query side's entries; a joined string
        of letters that is no legal form or org word is of the "name" kind (token_kind)."""
        kind_weights, token_weights, kind_of = KIND_WEIGHTS, TOKEN_KIND_WEIGHTS, _token_kind
        t_weight = kind_weights["t"]
        table = self.rules.table_words if self.rules is not None else None
        out = []
        for key in keys:
            if key[0] != "t" or " " in key:
                out.append(kind_weights.get(key[0], 0.3))
                continue
            joined = key[2:]
            if table is not None and joined.isalpha() and joined not in table:
                out.append(t_weight * token_weights["name"])
            else:
                out.append(t_weight * token_weights.get(kind_of(joined), 1.0))
        return np.array(out, dtype=np.float32)

    def _gram_keys(
        self, flats: list[str], rows: npt.NDArray[np.int32]
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]:
        """The g: keys (3-grams of each space-less name, or the name if shorter), cut from
        one byte buffer with numpy; a name that is not ASCII is cut in Python."""
        lengths = np.fromiter(map(len, flats), dtype=np.int64, count=len(flats))
        ascii_ok = np.fromiter((f.isascii() for f in flats), dtype=np.bool_, count=len(flats))
        long_ok = ascii_ok & (lengths >= 3)
        out_h: list[npt.NDArray[np.uint64]] = []
        out_r: list[npt.NDArray[np.int32]] = []
        if long_ok.any():
            keep = np.flatnonzero(long_ok)
            data = np.frombuffer("".join([flats[i] for i in keep]).encode("ascii"), np.uint8)
            lens = lengths[keep]
            n_grams = lens - 2
            ends = np.cumsum(lens)
            total = int(n_grams.sum())
            # first byte of each gram: the name's start, then one step per gram
            first = np.repeat(ends - lens - (np.cumsum(n_grams) - n_grams), n_grams)
            pos = first + np.arange(total, dtype=np.int64)
            # tokens are latinized: a gram of [a-z0-9] is a number below 37**3, its hash
            # one lookup in a table filled as grams are first met
            sym = _GRAM_SYMBOL_CODES[data].astype(np.int32)
            x, y, z = sym[pos], sym[pos + 1], sym[pos + 2]
            codes = (x * _GRAM_BASE + y) * _GRAM_BASE + z
            valid = (x > 0) & (y > 0) & (z > 0)
            if not valid.all():
                codes[~valid] = 0
            new = np.unique(codes[valid & ~self.gram_known[codes]])
            for code in new.tolist():
                gram = (
                    _GRAM_SYMBOLS[code // _GRAM_BASE**2]
                    + _GRAM_SYMBOLS[code // _GRAM_BASE % _GRAM_BASE]
                    + _GRAM_SYMBOLS[code % _GRAM_BASE]
                )
                self.gram_table[code] = _blake("g:" + gram)
            self.gram_known[new] = True
            hashes = self.gram_table[codes]
            gram_rows = np.repeat(rows[keep], n_grams)
            if not valid.all():  # other ASCII (the text layer never makes it, so far)
                odd = np.flatnonzero(~valid)
                hashes[odd] = _blake_many(
                    ["g:" + data[i : i + 3].tobytes().decode("ascii") for i in pos[odd].tolist()]
                )
            out_h.append(hashes)
            out_r.append(gram_rows)
        rest = np.flatnonzero(~long_ok & (lengths > 0))
        if len(rest):
            keys: list[str] = []
            rest_counts = array("q")
            for i in rest.tolist():
                flat = flats[i]
                cut = [flat] if len(flat) < 3 else [flat[j : j + 3] for j in range(len(flat) - 2)]
                keys.extend(["g:" + g for g in cut])
                rest_counts.append(len(cut))
            out_h.append(_blake_many(keys))
            out_r.append(np.repeat(rows[rest], np.frombuffer(rest_counts, dtype=np.int64)))
        if not out_h:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32)
        return np.concatenate(out_h), np.concatenate(out_r)


# --------------------------------------------------------------------------------------------
# What an entity contributes: names and identifiers, read through the FtM model.
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _schema_props(schema: str) -> tuple[tuple[str, ...], frozenset[str]]:
    sch = ftm_model.get(schema)
    if sch is None:
        return ("name", "alias", "weakAlias", "previousName"), frozenset()
    names = tuple(n for n, p in sch.properties.items() if p.type.name == "name")
    ids = frozenset(n for n, p in sch.properties.items() if p.type.name == "identifier")
    return names, ids


def entity_names(entity: Mapping[str, Any]) -> list[str]:
    """Every name an entity goes by, first the main one; persons fall back to name parts."""
    props: Mapping[str, list[str]] = entity.get("properties") or {}
    name_props, _ = _schema_props(str(entity.get("schema", "")))
    out: list[str] = []
    for prop in ("name", *name_props):
        for value in props.get(prop) or ():
            if value and value not in out:
                out.append(value)
    if not out:
        parts = [
            v
            for prop in ("firstName", "secondName", "middleName", "fatherName", "lastName")
            for v in (props.get(prop) or ())[:1]
        ]
        if parts:
            out.append(" ".join(parts))
    if entity.get("schema") in READING_SCHEMATA:
        out.extend(r for name in list(out) for r in korean_readings(name) if r not in out)
        out.extend(r for r in map(english_reading, list(out)) if r and r not in out)
    if entity.get("schema") != "Person":
        out.extend(r for r in map(transliterated_reading, list(out)) if r and r not in out)
    return out


def entity_identifiers(entity: Mapping[str, Any]) -> list[str]:
    props: Mapping[str, list[str]] = entity.get("properties") or {}
    _, id_props = _schema_props(str(entity.get("schema", "")))
    out: list[str] = []
    for prop, values in props.items():
        if prop in id_props:
            for value in values:
                key = identifier_key(value)
                if key is not None and key not in out:
                    out.append(key)
    return out


def entity_datasets(entity: Mapping[str, Any]) -> list[str]:
    """The lists an entity belongs to: its FtM datasets and its provenance list."""
    out = [str(d) for d in entity.get("datasets") or ()]
    prov = entity.get("provenance") or {}
    lst = prov.get("list") if isinstance(prov, Mapping) else None
    if lst and lst not in out:
        out.append(str(lst))
    return out


def entity_keys(entity: Mapping[str, Any], names: Iterable[str] | None = None) -> set[str]:
    """``names``: the entity's ``entity_names``, where the caller has them already."""
    keys: set[str] = set()
    for name in entity_names(entity) if names is None else names:
        keys |= name_keys(name)
    keys.update(entity_identifiers(entity))
    return keys


def name_norm(name: str) -> str:
    """The latinized, token-joined form the screener's quick pre-score compares."""
    return " ".join(_name_tokens(name))


@lru_cache(maxsize=1 << 16)
def key_weight(key: str) -> float:
    """A key's weight in the vote before its rarity (IDF) is applied."""
    kind = key[0]
    if kind == "i":
        return IDENTIFIER_WEIGHT
    weight = KIND_WEIGHTS.get(kind, 0.3)
    if kind == "t" and " " not in key:
        weight *= TOKEN_KIND_WEIGHTS.get(_kind(key[2:]), 1.0)
    return weight

_KEYERS = threading.local()


def _keyer() -> _Keyer:
    """One keyer per thread (its caches are not locked; a server may build in a background
    thread), kept so it serves every batch a pool worker receives (a forked worker inherits
    the forking thread's, warm); it starts afresh when its caches outgrow a vocabulary."""
    keyer: _Keyer | None = getattr(_KEYERS, "keyer", None)
    if keyer is None or keyer.size() > _Keyer.MAX_ENTRIES:
        keyer = _KEYERS.keyer = _Keyer()
    return keyer


__all__ = [
    "IDENTIFIER_WEIGHT",
    "KIND_WEIGHTS",
    "TEXT_VERSION",
    "entity_datasets",
    "entity_identifiers",
    "entity_keys",
    "entity_names",
    "identifier_key",
    "join_keys",
    "key_hash",
    "name_keys",
    "name_norm",
    "weak_token",
]
