"""The candidate index: columnar arrays built once per list version, memory-mapped at start.

Every matchable entity's names become keys (tokens, phonetic codes, joined tokens, character
3-grams of the space-less latinized name) and its identifiers become normalised keys. Keys are
hashed to 64 bits and kept as one sorted array with CSR posting lists of entity rows, so a query
is a handful of ``searchsorted`` calls and a weighted vote, never a scan. Entities stay as JSON
in an Arrow column and are decoded only when a candidate is shown; an index of lists also
keeps each entity prepared for the scorer (``build(prepared=True)``, see prepared.py).

Design notes (measured on the 2-core dev machine, see bench/speed.py):
- keys are hashed with blake2b (~0.8 µs a key, only for distinct keys at build time) rather
  than kept as strings: a sorted uint64 array memory-maps and loads in microseconds, where a
  Python dict of millions of strings takes seconds to rebuild on every start;
- the vote (in screener.py) uses ``np.bincount`` on small indexes and ``np.add.at`` on a
  per-screener scratch array on large ones, where allocating ``minlength=N`` costs ~0.5 ms;
- the build keeps (hash, row) pairs per chunk of entities, not one vocabulary dict: the dict
  took peak RSS past 2 GB for one million entities;
- the build does not call ``name_keys`` per name: names rarely repeat but their words do, so
  ``_Keyer`` tokenises word by word from a cache, hashes each token's keys once and cuts
  3-grams with numpy (same keys, checked by tests/test_index_build.py). A 100k-entity
  synthetic build with 2 workers went from ~26 s to ~10 s of CPU (same machine, same time);
  ``build(workers=N)`` spreads what is left over processes.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import itertools
import json
import logging
import multiprocessing
import os
import re
import shutil
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from followthemoney import model as ftm_model

from redflags.errors import RedflagsError

log = logging.getLogger(__name__)

try:  # orjson is ~5x faster at decoding entity JSON; json is the stdlib fallback.
    import orjson

    def _loads(data: bytes | memoryview) -> Any:
        return orjson.loads(data)

    def _dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)

except ImportError:  # pragma: no cover - depends on the environment

    def _loads(data: bytes | memoryview) -> Any:
        return json.loads(bytes(data))

    def _dumps(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


FORMAT = "redflags-index"
FORMAT_VERSION = 3

# Only things a screening can hit; Sanction, Address, Identification, links... are evidence.
MATCHABLE_SCHEMATA = frozenset(
    {"Person", "Company", "Organization", "LegalEntity", "Vessel", "Airplane", "PublicBody"}
)

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
    return np.fromiter((key_hash(k) for k in keys), dtype=np.uint64)


# --------------------------------------------------------------------------------------------
# The same keys for the build, as hashes, with the per-token work done once per token.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TextRules:
    """What the build's shortcuts need to know about redflags.text (see _Keyer)."""

    multi: frozenset[str]  # first words of multi-word phrases ("co" of "co ltd")
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
            multi=frozenset(
                w for w, ph in tables.by_first.items() if any(len(p.words) > 1 for p in ph)
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
        self.t_weight.append(_key_weight("t:" + token))
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
        """``_key_weight`` of keys spanning tokens (t:, j:, q:). Joined tokens rarely repeat,
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


def entity_keys(entity: Mapping[str, Any]) -> set[str]:
    keys: set[str] = set()
    for name in entity_names(entity):
        keys |= name_keys(name)
    keys.update(entity_identifiers(entity))
    return keys


def name_norm(name: str) -> str:
    """The latinized, token-joined form the screener's quick pre-score compares."""
    return " ".join(_name_tokens(name))


# --------------------------------------------------------------------------------------------
# The index.
# --------------------------------------------------------------------------------------------


class Index:
    """A read-only, memory-mappable candidate index over one set of list versions."""

    def __init__(self, arrays: dict[str, Any], manifest: dict[str, Any], path: Path | None) -> None:
        self.manifest = manifest
        self.path = path
        self.key_hashes: npt.NDArray[np.uint64] = arrays["key_hashes"]
        self.key_offsets: npt.NDArray[np.int64] = arrays["key_offsets"]
        self.key_weights: npt.NDArray[np.float32] = arrays["key_weights"]
        self.postings: npt.NDArray[np.int32] = arrays["postings"]
        self.schema_codes: npt.NDArray[np.uint8] = arrays["schema_codes"]
        self.dataset_masks: npt.NDArray[np.uint64] = arrays["dataset_masks"]
        self.id_hashes: npt.NDArray[np.uint64] = arrays["id_hashes"]
        self.id_rows: npt.NDArray[np.int32] = arrays["id_rows"]
        self.name_offsets: npt.NDArray[np.int64] = arrays["name_offsets"]
        self.entities_table: pa.Table = arrays["entities"]
        self.names_table: pa.Table = arrays["names"]
        self.schemata: list[str] = list(manifest["schemata"])
        self.datasets: list[str] = list(manifest["datasets"])
        self._json = _one_chunk(self.entities_table.column("json"))
        self._ids = _one_chunk(self.entities_table.column("id"))
        self._norms = _one_chunk(self.names_table.column("norm"))
        # zero-copy views of the JSON column: decoding one entity is one slice and one loads.
        bufs = self._json.buffers()
        self._json_offsets = np.frombuffer(bufs[1], dtype=np.int64)[
            self._json.offset : self._json.offset + len(self._json) + 1
        ]
        self._json_data = bufs[2]
        nbufs = self._norms.buffers()
        self._norm_offsets = np.frombuffer(nbufs[1], dtype=np.int32)[
            self._norms.offset : self._norms.offset + len(self._norms) + 1
        ]
        self._norm_data = memoryview(nbufs[2]) if nbufs[2] is not None else memoryview(b"")
        self._compat = self._schema_compat()
        self._prepared_data: Any = None
        self._prepared_offsets: npt.NDArray[np.int64] | None = None
        self._prepared_checked = False
        if "prepared" in self.entities_table.column_names and manifest.get("prepared"):
            col = _one_chunk(self.entities_table.column("prepared"))
            pbufs = col.buffers()
            self._prepared_offsets = np.frombuffer(pbufs[1], dtype=np.int64)[
                col.offset : col.offset + len(col) + 1
            ]
            self._prepared_data = pbufs[2]
        self._row_masks: dict[tuple[str, frozenset[str]], npt.NDArray[np.bool_] | None] = {}

    # ---- building ---------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        entities: Iterable[Mapping[str, Any]],
        *,
        sources: Mapping[str, str] | None = None,
        workers: int = 1,
        prepared: bool = False,
    ) -> Index:
        """Index the matchable entities; ``sources`` (list version -> checksum) goes in the
        manifest so a later start can tell a stale index from a current one. ``workers`` > 1
        computes the keys in that many processes (worth it from ~50k entities).
        ``prepared`` also stores each entity prepared for the Matcher (see prepared.py):
        ~1.8 KB and ~0.5 ms of build an entity, for lists, not for million-row registries."""
        started = time.perf_counter()
        with _no_gc(not prepared):
            builder = _Builder(prepared)
            if workers <= 1:
                for entity in entities:
                    builder.add(entity)
            else:
                _build_parallel(entities, builder, workers)
            return builder.finish(dict(sources or {}), started)

    # ---- persistence ------------------------------------------------------------------------

    _NPY = (
        "key_hashes",
        "key_offsets",
        "key_weights",
        "postings",
        "schema_codes",
        "dataset_masks",
        "id_hashes",
        "id_rows",
        "name_offsets",
    )
    _ARROW = ("entities", "names")

    def save(self, directory: Path) -> None:
        """Write next to the store; the old index stays in place until the new one is whole."""
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = directory.with_name(f".{directory.name}.tmp-{os.getpid()}")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        for name in self._NPY:
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(getattr(self, name)))
        for name, table in (("entities", self.entities_table), ("names", self.names_table)):
            with (
                pa.OSFile(str(tmp / f"{name}.arrow"), "wb") as sink,
                pa.ipc.new_file(sink, table.schema) as writer,
            ):
                writer.write_table(table)
        (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=1), encoding="utf-8")
        old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        if old.exists():
            shutil.rmtree(old)
        self.path = directory

    @classmethod
    def load(cls, directory: Path) -> Index:
        """Memory-map a saved index: nothing is copied or decoded until a query touches it."""
        directory = Path(directory)
        manifest = read_manifest(directory)
        if manifest is None:
            raise RedflagsError(f"no index at {directory} (manifest.json missing or unreadable)")
        if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
            raise RedflagsError(f"index at {directory} has an unknown format; rebuild it")
        arrays: dict[str, Any] = {}
        for name in cls._NPY:
            # a plain ndarray view of the map: np.memmap's subclass hooks cost ~10 µs per
            # operation, and a query does hundreds of small ones.
            arrays[name] = np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r"))
        for name in cls._ARROW:
            source = pa.memory_map(str(directory / f"{name}.arrow"), "r")
            arrays[name] = pa.ipc.open_file(source).read_all()
        return cls(arrays, manifest, directory)

    @classmethod
    def is_current(
        cls, directory: Path, sources: Mapping[str, str], *, prepared: bool = False
    ) -> bool:
        """True when the saved index was built from exactly these list versions and by this
        code's key format (and, with ``prepared``, holds candidates prepared by this code's
        scorer: stale ones are never read, so they would only cost speed); anything else
        means rebuild."""
        manifest = read_manifest(Path(directory))
        if prepared and manifest is not None:
            from redflags.matching import prepared as prep

            if manifest.get("prepared") != prep.fingerprint():
                return False
        return (
            manifest is not None
            and manifest.get("format") == FORMAT
            and manifest.get("format_version") == FORMAT_VERSION
            and manifest.get("text") == TEXT_VERSION
            and manifest.get("sources") == dict(sources)
        )

    @classmethod
    def load_or_build(
        cls,
        directory: Path,
        sources: Mapping[str, str],
        entities: Callable[[], Iterable[Mapping[str, Any]]],
        *,
        prepared: bool = False,
    ) -> Index:
        """Load the saved index, or rebuild and save it when the lists (or, with
        ``prepared``, the scorer's code) changed since."""
        if cls.is_current(directory, sources, prepared=prepared):
            return cls.load(directory)
        index = cls.build(entities(), sources=sources, prepared=prepared)
        index.save(directory)
        return index

    def __reduce__(self) -> tuple[Any, tuple[Path]]:
        """Pickles as its directory, so Spark or a process pool ships a path, not the arrays;
        each worker memory-maps the same files."""
        if self.path is None:
            raise TypeError("save the index before sending it to another process")
        return (Index.load, (self.path,))

    # ---- access -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.schema_codes)

    def entity(self, i: int) -> dict[str, Any]:
        """The full FtM dict of row ``i``, decoded on demand."""
        if not 0 <= i < len(self):
            raise IndexError(i)
        start, end = int(self._json_offsets[i]), int(self._json_offsets[i + 1])
        data: dict[str, Any] = _loads(memoryview(self._json_data)[start:end])
        return data

    def prepared_blob(self, i: int) -> memoryview | None:
        """Row ``i`` as prepared for the Matcher at build time, when the index holds it and
        it was made by this code (see prepared.py); else None (prepare it from the entity)."""
        if self._prepared_offsets is None:
            return None
        if not self._prepared_checked:  # once per index, not once per candidate
            from redflags.matching import prepared as prep

            self._prepared_checked = True
            if self.manifest.get("prepared") != prep.fingerprint():
                self._prepared_offsets = None
                return None
        start, end = int(self._prepared_offsets[i]), int(self._prepared_offsets[i + 1])
        return memoryview(self._prepared_data)[start:end]

    def entity_id(self, i: int) -> str:
        return str(self._ids[i].as_py())

    def row_of(self, entity_id: str) -> int | None:
        h = np.uint64(key_hash(entity_id))
        pos = int(np.searchsorted(self.id_hashes, h))
        while pos < len(self.id_hashes) and self.id_hashes[pos] == h:
            row = int(self.id_rows[pos])
            if self.entity_id(row) == entity_id:
                return row
            pos += 1
        return None

    def get(self, entity_id: str) -> dict[str, Any] | None:
        row = self.row_of(entity_id)
        return None if row is None else self.entity(row)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for i in range(len(self)):
            yield self.entity(i)

    def names_of(self, rows: npt.NDArray[np.int32]) -> tuple[list[str], npt.NDArray[np.int64]]:
        """Normalised names of many rows at once, with each name's position in ``rows``."""
        starts = self.name_offsets[rows]
        counts = self.name_offsets[rows + 1] - starts
        owner = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
        total = int(counts.sum())
        first = np.repeat(starts - np.cumsum(counts) + counts, counts)
        idx = first + np.arange(total, dtype=np.int64)
        data = self._norm_data
        # slicing the Arrow buffers directly: a few times faster than take().to_pylist()
        norms = [
            str(data[a:b], "utf-8")
            for a, b in zip(
                self._norm_offsets[idx].tolist(), self._norm_offsets[idx + 1].tolist(), strict=True
            )
        ]
        return norms, owner

    # ---- candidate generation ---------------------------------------------------------------

    def lookup(self, keys: Iterable[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Positions of the keys present in the index and their posting-list lengths."""
        hashes = _hash_keys(keys)
        if len(hashes) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        pos = np.searchsorted(self.key_hashes, hashes)
        inside = pos < len(self.key_hashes)
        pos, hashes = pos[inside], hashes[inside]
        # keys are distinct, so are their hashes (64 bits): no np.unique needed
        pos = np.sort(pos[self.key_hashes[pos] == hashes])
        lengths = self.key_offsets[pos + 1] - self.key_offsets[pos]
        return pos.astype(np.int64), lengths.astype(np.int64)

    def schema_filter(self, schema: str | None) -> npt.NDArray[np.bool_] | None:
        """Which schema codes a query of ``schema`` may hit (None: any)."""
        if not schema:
            return None
        return self._compat.get(schema)

    def row_mask(
        self, schema: str | None, datasets: Iterable[str] | None = None
    ) -> npt.NDArray[np.bool_] | None:
        """Which rows a query of ``schema`` restricted to ``datasets`` may hit, as one boolean
        array over all rows (None: every row); cached, since queries repeat a few schemas."""
        ds = frozenset(datasets or ())
        key = (schema or "", ds)
        found = self._row_masks.get(key, False)
        if found is not False:
            return found  # type: ignore[return-value]
        mask: npt.NDArray[np.bool_] | None = None
        schema_ok = self.schema_filter(schema)
        if schema_ok is not None and not schema_ok.all():
            mask = schema_ok[self.schema_codes]
        if ds:
            bits = np.uint64(self.dataset_mask(ds))
            in_lists = (self.dataset_masks & bits) != 0
            mask = in_lists if mask is None else mask & in_lists
        if len(self._row_masks) >= 32:
            self._row_masks.clear()
        self._row_masks[key] = mask
        return mask

    def dataset_mask(self, datasets: Iterable[str]) -> int:
        mask = 0
        for ds in datasets:
            if ds in self.datasets:
                mask |= 1 << self.datasets.index(ds)
        return mask

    def _schema_compat(self) -> dict[str, npt.NDArray[np.bool_]]:
        out: dict[str, npt.NDArray[np.bool_]] = {}
        for q in ftm_model.schemata.values():
            if not q.matchable:
                continue
            ok = []
            for name in self.schemata:
                cand = ftm_model.get(name)
                ok.append(cand is not None and (q.can_match(cand) or cand.can_match(q)))
            out[q.name] = np.array(ok, dtype=np.bool_)
        return out


def _one_chunk(column: pa.ChunkedArray) -> pa.Array:
    """The column as one array; a saved table has one chunk, so this stays zero-copy."""
    if column.num_chunks == 1:
        return column.chunk(0)
    return column.combine_chunks()


def _key_weight(key: str) -> float:
    kind = key[0]
    if kind == "i":
        return IDENTIFIER_WEIGHT
    weight = KIND_WEIGHTS.get(kind, 0.3)
    if kind == "t" and " " not in key:
        weight *= TOKEN_KIND_WEIGHTS.get(_kind(key[2:]), 1.0)
    return weight


class _Builder:
    """Accumulates entities in chunks so memory stays near the size of the final arrays.

    Keys go straight to 64-bit hashes (see _Keyer) and only (hash, row, weight) triples are
    kept, sorted and de-duplicated per chunk; a single vocabulary dict for one million
    entities (~5M distinct keys) pushed peak RSS past 2 GB before the arrays were even sorted.
    """

    CHUNK = 50_000
    BATCH = 10_000  # entities sent to a worker at a time (smaller: better balance, more IPC)
    WARM = 20_000  # entities keyed before forking the workers (see _build_parallel)
    WARM_PREPARED = 2_500  # the same when also preparing them (~0.5 ms each)

    def __init__(self, prepared: bool = False) -> None:
        self.prepare: Callable[[Mapping[str, Any]], bytes] | None = None
        if prepared:
            from redflags.matching import prepared as prep

            self.prepare = prep.dump
        self.keyer = _keyer()
        self.rows = 0
        self.schemata: dict[str, int] = {}
        self.datasets: dict[str, int] = {}
        self.schema_codes = array("B")
        self.dataset_masks = array("Q")
        self.name_counts = array("q", [0])
        self.hash_parts: list[npt.NDArray[np.uint64]] = []
        self.row_parts: list[npt.NDArray[np.int32]] = []
        self.weight_parts: list[npt.NDArray[np.float32]] = []
        self.id_hash_parts: list[npt.NDArray[np.uint64]] = []
        self.columns: dict[str, list[pa.Array]] = {
            "id": [],
            "countries": [],
            "json": [],
            "prepared": [],
            "name": [],
            "norm": [],
        }
        self._reset()

    def _reset(self) -> None:
        self.first_row = self.rows
        self.tokens: list[tuple[str, ...]] = []  # of every name, in row order
        self.name_rows = array("i")
        self.identifiers: list[str] = []
        self.identifier_rows = array("i")
        self.ids: list[str] = []
        self.countries: list[list[str]] = []
        self.json: list[bytes] = []
        self.prepared: list[bytes] = []
        self.names: list[str] = []
        self.norms: list[str] = []

    def add(self, entity: Mapping[str, Any], json_blob: bytes | None = None) -> None:
        """Index one entity (``json_blob``: its JSON when the caller has it already)."""
        schema = str(entity.get("schema", ""))
        if schema not in MATCHABLE_SCHEMATA:
            return
        names = entity_names(entity)
        tokens = [self.keyer.tokens(name) for name in names]
        identifiers = entity_identifiers(entity)
        if not identifiers and not any(tokens):
            return  # no key at all: nothing could ever find it
        row = self.rows
        self.tokens.extend(tokens)
        self.name_rows.extend([row] * len(names))
        if identifiers:
            self.identifiers.extend(identifiers)
            self.identifier_rows.extend([row] * len(identifiers))
        self.names.extend(names)
        self.norms.extend([" ".join(toks) for toks in tokens])
        self.name_counts.append(self.name_counts[-1] + len(names))
        self.schema_codes.append(self.schemata.setdefault(schema, len(self.schemata)))
        mask = 0
        for ds in entity_datasets(entity):
            code = self.datasets.setdefault(ds, len(self.datasets))
            if code < 64:
                mask |= 1 << code
        self.dataset_masks.append(mask)
        self.ids.append(str(entity.get("id", "")))
        self.json.append(_dumps(entity) if json_blob is None else json_blob)
        if self.prepare is not None:
            self.prepared.append(self.prepare(entity))
        props = entity.get("properties") or {}
        self.countries.append(sorted({c for p in _COUNTRY_PROPS for c in props.get(p) or ()}))
        self.rows += 1
        if len(self.ids) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self.ids:
            return
        name_rows = np.frombuffer(self.name_rows, dtype=np.int32)
        hashes, rows, weights = self.keyer.keys(self.tokens, name_rows)
        id_rows = np.frombuffer(self.identifier_rows, dtype=np.int32)
        hashes, rows, weights = _sorted_postings(
            np.concatenate([hashes, _blake_many(self.identifiers)]),
            np.concatenate([rows, id_rows]),
            np.concatenate([weights, np.full(len(id_rows), IDENTIFIER_WEIGHT, np.float32)]),
        )
        self.hash_parts.append(hashes)
        self.row_parts.append(rows)
        self.weight_parts.append(weights)
        self.id_hash_parts.append(_blake_many(self.ids))
        cols = self.columns
        cols["id"].append(pa.array(self.ids, type=pa.string()))
        cols["countries"].append(pa.array(self.countries, type=pa.list_(pa.string())))
        cols["json"].append(pa.array(self.json, type=pa.large_binary()))
        if self.prepare is not None:
            cols["prepared"].append(pa.array(self.prepared, type=pa.large_binary()))
        cols["name"].append(pa.array(self.names, type=pa.string()))
        cols["norm"].append(pa.array(self.norms, type=pa.string()))
        self._reset()

    def __getstate__(self) -> dict[str, Any]:
        """A worker's part travels without the keyer (its caches stay in the worker)."""
        state = self.__dict__.copy()
        del state["keyer"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.keyer = _keyer()

    def merge(self, part: _Builder) -> None:
        """Append a worker's entities, renumbering rows, schema codes and dataset bits."""
        part._flush()
        offset = np.int32(self.rows)
        self.hash_parts.extend(part.hash_parts)
        self.row_parts.extend(rows + offset for rows in part.row_parts)
        self.weight_parts.extend(part.weight_parts)
        self.id_hash_parts.extend(part.id_hash_parts)
        for name, arrays in part.columns.items():
            self.columns[name].extend(arrays)
        base = self.name_counts[-1]
        self.name_counts.extend([base + c for c in part.name_counts[1:]])
        schema_map = np.array(
            [self.schemata.setdefault(name, len(self.schemata)) for name in part.schemata],
            dtype=np.uint8,
        )
        local_codes = np.frombuffer(part.schema_codes, dtype=np.uint8)
        self.schema_codes.extend(schema_map[local_codes].tolist() if len(schema_map) else [])
        local = np.frombuffer(part.dataset_masks, dtype=np.uint64)
        remapped = np.zeros_like(local)
        one = np.uint64(1)
        for bit, name in enumerate(part.datasets):
            code = self.datasets.setdefault(name, len(self.datasets))
            if bit < 64 and code < 64:
                remapped |= ((local >> np.uint64(bit)) & one) << np.uint64(code)
        self.dataset_masks.extend(remapped.tolist())
        self.rows += part.rows

    def finish(self, sources: dict[str, str], started: float) -> Index:
        self._flush()
        n = self.rows
        if n == 0:
            raise RedflagsError("no matchable entity to index (Person, Company, Vessel...)")
        if len(self.datasets) > 64:
            raise RedflagsError(f"an index holds at most 64 datasets, got {len(self.datasets)}")
        # each chunk is sorted by hash already and holds rows of its own: a stable sort of
        # the concatenation merges the runs and keeps rows ascending inside each key.
        if len(self.hash_parts) == 1:
            sorted_hashes, postings = self.hash_parts[0], self.row_parts[0]
            sorted_weights = self.weight_parts[0]
        else:
            occ_hashes = np.concatenate(self.hash_parts)
            self.hash_parts.clear()
            order = np.argsort(occ_hashes, kind="stable")
            sorted_hashes = occ_hashes[order]
            del occ_hashes
            postings = np.concatenate(self.row_parts)[order]
            self.row_parts.clear()
            sorted_weights = np.concatenate(self.weight_parts)[order]
            del order
        self.hash_parts, self.row_parts, self.weight_parts = [], [], []
        starts = np.flatnonzero(sorted_hashes[1:] != sorted_hashes[:-1]) + 1
        key_offsets = np.concatenate(([0], starts, [len(sorted_hashes)])).astype(np.int64)
        key_hashes = sorted_hashes[key_offsets[:-1]]
        kind_w = sorted_weights[key_offsets[:-1]].astype(np.float64)
        del sorted_hashes, sorted_weights, starts
        df = np.diff(key_offsets)
        idf = np.log1p(n / df)
        key_weights = np.where(kind_w >= IDENTIFIER_WEIGHT, kind_w, kind_w * idf)

        cols = {name: pa.concat_arrays(parts) for name, parts in self.columns.items() if parts}
        self.columns.clear()
        id_h = np.concatenate(self.id_hash_parts)
        id_order = np.argsort(id_h, kind="stable")
        entity_cols = {"id": cols["id"], "countries": cols["countries"], "json": cols["json"]}
        fingerprint = None
        if "prepared" in cols and len(cols["prepared"]) == n:
            from redflags.matching import prepared as prep

            entity_cols["prepared"] = cols["prepared"]
            fingerprint = prep.fingerprint()
        entities_table = pa.table(entity_cols)
        names_table = pa.table({"name": cols["name"], "norm": cols["norm"]})
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "text": TEXT_VERSION,
            "entities": n,
            "names": len(cols["name"]),
            "keys": len(key_hashes),
            "postings": len(postings),
            "schemata": list(self.schemata),
            "datasets": list(self.datasets),
            "sources": sources,
            "prepared": fingerprint,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.perf_counter() - started, 3),
        }
        arrays: dict[str, Any] = {
            "key_hashes": key_hashes,
            "key_offsets": key_offsets,
            "key_weights": key_weights.astype(np.float32),
            "postings": postings,
            "schema_codes": np.frombuffer(self.schema_codes, dtype=np.uint8).copy(),
            "dataset_masks": np.frombuffer(self.dataset_masks, dtype=np.uint64).copy(),
            "id_hashes": id_h[id_order],
            "id_rows": id_order.astype(np.int32),
            "name_offsets": np.frombuffer(self.name_counts, dtype=np.int64).copy(),
            "entities": entities_table,
            "names": names_table,
        }
        return Index(arrays, manifest, None)


_COUNTRY_PROPS = ("country", "nationality", "jurisdiction", "flag")


_POSITION_BITS = 24


def _sort_order(hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """``np.argsort(hashes, kind="stable")``, ~3x faster on the build's chunks.

    An argsort of a million random uint64 is dominated by moving the index with the values;
    instead the top 40 bits of each hash and its position share one uint64, and a plain
    value sort orders them (by hash, then by position: stable). Two different hashes that
    share their top 40 bits may come out of order: that is checked, and then (a few chunks
    in a hundred) the chunk is sorted the slow way.
    """
    n = len(hashes)
    if n >= 1 << _POSITION_BITS:
        return np.argsort(hashes, kind="stable")
    packed = (hashes >> np.uint64(_POSITION_BITS)) << np.uint64(_POSITION_BITS)
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    order = (packed & np.uint64((1 << _POSITION_BITS) - 1)).astype(np.int64)
    ordered = hashes[order]
    if n > 1 and not bool((ordered[1:] >= ordered[:-1]).all()):
        return np.argsort(hashes, kind="stable")
    return order


def _sorted_postings(
    hashes: npt.NDArray[np.uint64], rows: npt.NDArray[np.int32], weights: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """Sort one chunk's (hash, row, weight) triples by hash, rows ascending inside a hash,
    and drop the repeats of a key within an entity.

    ``rows`` comes as a few ascending runs (one per key kind): after the stable sort by
    hash, rows are ascending inside a hash unless one key came from two runs (token "abc"
    of one name, tokens "ab" "c" joined in another): those few keys are re-sorted by row.
    """
    order = _sort_order(hashes)
    hashes, rows, weights = hashes[order], rows[order], weights[order]
    same = hashes[1:] == hashes[:-1]
    unsorted = np.flatnonzero(same & (rows[1:] < rows[:-1]))
    if len(unsorted):
        bounds = np.concatenate(([0], np.flatnonzero(~same) + 1, [len(hashes)]))
        groups = np.unique(np.searchsorted(bounds, unsorted, side="right") - 1)
        for lo, hi in zip(bounds[groups].tolist(), bounds[groups + 1].tolist(), strict=True):
            fix = lo + np.argsort(rows[lo:hi], kind="stable")
            rows[lo:hi], weights[lo:hi] = rows[fix], weights[fix]
    keep = np.ones(len(hashes), dtype=np.bool_)
    keep[1:] = (hashes[1:] != hashes[:-1]) | (rows[1:] != rows[:-1])
    return hashes[keep], rows[keep], weights[keep]


_KEYERS = threading.local()


def _keyer() -> _Keyer:
    """One keyer per thread (its caches are not locked; a server may build in a background
    thread), kept so it serves every batch a pool worker receives (a forked worker inherits
    the forking thread's, warm); it starts afresh when its caches outgrow a vocabulary."""
    keyer: _Keyer | None = getattr(_KEYERS, "keyer", None)
    if keyer is None or keyer.size() > _Keyer.MAX_ENTRIES:
        keyer = _KEYERS.keyer = _Keyer()
    return keyer


def _build_parallel(entities: Iterable[Mapping[str, Any]], builder: _Builder, workers: int) -> None:
    """Key the entities in ``workers`` processes and merge their parts into ``builder``.

    Keying is Python (~40 µs an entity); forked workers start with the text tables already
    loaded. Entities travel as their JSON (the column stores it anyway; cheaper than
    pickling the dicts, and the workers' parts carry no Python objects but Arrow and numpy
    arrays). Order is kept (imap), so the index is the same as a single-process build.
    """
    methods = multiprocessing.get_all_start_methods()
    fork = "fork" in methods
    rest = iter(entities)
    if fork:
        # the first entities are keyed here, so the workers fork with the word, token and
        # text caches warm instead of each filling its own (~40 µs a new word); fewer when
        # they are also prepared (~0.5 ms each), which would keep the workers waiting
        warm = _Builder.WARM if builder.prepare is None else _Builder.WARM_PREPARED
        for entity in itertools.islice(rest, warm):
            builder.add(entity)
        builder._flush()
    ctx = multiprocessing.get_context("fork" if fork else None)
    with ctx.Pool(workers) as pool:
        part_fn = functools.partial(_build_part, prepared=builder.prepare is not None)
        for part in pool.imap(part_fn, _batches(rest, _Builder.BATCH)):
            builder.merge(part)


def _build_part(blobs: list[bytes], prepared: bool = False) -> _Builder:
    with _no_gc(not prepared):
        part = _Builder(prepared)
        for blob in blobs:
            part.add(_loads(blob), blob)
        part._flush()
    return part


@contextlib.contextmanager
def _no_gc(active: bool = True) -> Iterator[None]:
    """The cyclic GC off while keying: the keys make no cycles, but the build allocates
    millions of tuples and lists, and every full collection walks all live objects, the
    caller's entities included (measured: a 100k-entity build from a list took 8.9 s of
    CPU with the GC, 5.5 s without). Not while preparing entities for the Matcher
    (``prepared``): that code is not ours to vouch for, and costs far more than the GC."""
    enabled = gc.isenabled()
    if not active:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _batches(entities: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[bytes]]:
    """The matchable entities as JSON, ``size`` at a time, for the pool workers."""
    batch: list[bytes] = []
    for entity in entities:
        if entity.get("schema") in MATCHABLE_SCHEMATA:
            batch.append(_dumps(entity))
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def read_manifest(directory: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


__all__ = [
    "MATCHABLE_SCHEMATA",
    "TEXT_VERSION",
    "Index",
    "entity_datasets",
    "entity_identifiers",
    "entity_keys",
    "entity_names",
    "identifier_key",
    "name_keys",
    "name_norm",
]
