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
  took peak RSS past 2 GB for one million entities. Keying is pure Python (~100-200 µs an
  entity, a third of it in redflags.text), so ``build(workers=N)`` spreads it over processes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from followthemoney import model as ftm_model

from redflags.errors import RedflagsError

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
        computes the keys in that many processes (worth it from ~100k entities).
        ``prepared`` also stores each entity prepared for the Matcher (see prepared.py):
        ~1.8 KB and ~0.5 ms of build an entity, for lists, not for million-row registries."""
        started = time.perf_counter()
        builder = _Builder(prepared)
        if workers <= 1:
            for entity in entities:
                builder.add(entity)
        else:
            # keying is pure Python (~150 µs an entity): spread it over processes; forked
            # workers start with the text tables already loaded. Order is kept (imap), so
            # the index is the same as a single-process build.
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
            with ctx.Pool(workers) as pool:
                part_fn = functools.partial(_build_part, prepared=prepared)
                for part in pool.imap(part_fn, _batches(entities, _Builder.BATCH)):
                    builder.merge(part)
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
    def is_current(cls, directory: Path, sources: Mapping[str, str]) -> bool:
        """True when the saved index was built from exactly these list versions and by this
        code's key format; anything else means rebuild."""
        manifest = read_manifest(Path(directory))
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
    ) -> Index:
        """Load the saved index, or rebuild and save it when the lists changed since."""
        if cls.is_current(directory, sources):
            return cls.load(directory)
        index = cls.build(entities(), sources=sources)
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

    Each chunk's distinct keys are hashed when the chunk closes and only (hash, row) pairs
    are kept: a single vocabulary dict for one million entities (~5M distinct keys) pushed
    peak RSS past 2 GB before the arrays were even sorted.
    """

    CHUNK = 50_000
    BATCH = 2_500  # entities sent to a worker at a time (smaller: better balance, more IPC)

    def __init__(self, prepared: bool = False) -> None:
        self.prepare: Callable[[Mapping[str, Any]], bytes] | None = None
        if prepared:
            from redflags.matching import prepared as prep

            self.prepare = prep.dump
        self.rows = 0
        self.schemata: dict[str, int] = {}
        self.datasets: dict[str, int] = {}
        self.schema_codes = array("B")
        self.dataset_masks = array("Q")
        self.name_counts = array("q", [0])
        self.hash_parts: list[npt.NDArray[np.uint64]] = []
        self.row_parts: list[npt.NDArray[np.int32]] = []
        self.vocab_hashes: list[npt.NDArray[np.uint64]] = []
        self.vocab_weights: list[npt.NDArray[np.float32]] = []
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
        self.vocab: dict[str, int] = {}
        self.key_ids = array("i")
        self.key_rows = array("i")
        self.ids: list[str] = []
        self.countries: list[list[str]] = []
        self.json: list[bytes] = []
        self.prepared: list[bytes] = []
        self.names: list[str] = []
        self.norms: list[str] = []

    def add(self, entity: Mapping[str, Any]) -> None:
        schema = str(entity.get("schema", ""))
        if schema not in MATCHABLE_SCHEMATA:
            return
        names = entity_names(entity)
        keys: set[str] = set()
        for name in names:
            keys |= name_keys(name)
        keys.update(entity_identifiers(entity))
        if not keys:
            return
        vocab = self.vocab
        self.key_ids.extend([vocab.setdefault(key, len(vocab)) for key in keys])
        self.key_rows.extend([self.rows] * len(keys))
        self.names.extend(names)
        self.norms.extend(name_norm(name) for name in names)
        self.name_counts.append(self.name_counts[-1] + len(names))
        self.schema_codes.append(self.schemata.setdefault(schema, len(self.schemata)))
        mask = 0
        for ds in entity_datasets(entity):
            code = self.datasets.setdefault(ds, len(self.datasets))
            if code < 64:
                mask |= 1 << code
        self.dataset_masks.append(mask)
        self.ids.append(str(entity.get("id", "")))
        self.json.append(_dumps(entity))
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
        keys = list(self.vocab)  # insertion order is key-id order
        hashes = np.fromiter((_blake(k) for k in keys), dtype=np.uint64, count=len(keys))
        weights = np.fromiter((_key_weight(k) for k in keys), dtype=np.float32, count=len(keys))
        self.hash_parts.append(hashes[np.frombuffer(self.key_ids, dtype=np.int32)])
        self.row_parts.append(np.frombuffer(self.key_rows, dtype=np.int32).copy())
        self.vocab_hashes.append(hashes)
        self.vocab_weights.append(weights)
        cols = self.columns
        cols["id"].append(pa.array(self.ids, type=pa.string()))
        cols["countries"].append(pa.array(self.countries, type=pa.list_(pa.string())))
        cols["json"].append(pa.array(self.json, type=pa.large_binary()))
        if self.prepare is not None:
            cols["prepared"].append(pa.array(self.prepared, type=pa.large_binary()))
        cols["name"].append(pa.array(self.names, type=pa.string()))
        cols["norm"].append(pa.array(self.norms, type=pa.string()))
        self._reset()

    def merge(self, part: _Builder) -> None:
        """Append a worker's entities, renumbering rows, schema codes and dataset bits."""
        part._flush()
        offset = np.int32(self.rows)
        self.hash_parts.extend(part.hash_parts)
        self.row_parts.extend(rows + offset for rows in part.row_parts)
        self.vocab_hashes.extend(part.vocab_hashes)
        self.vocab_weights.extend(part.vocab_weights)
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
        occ_hashes = np.concatenate(self.hash_parts)
        occ_rows = np.concatenate(self.row_parts)
        self.hash_parts.clear()
        self.row_parts.clear()
        # postings grouped by key hash, rows ascending inside each key (stable sort).
        order = np.argsort(occ_hashes, kind="stable")
        postings = occ_rows[order]
        del occ_rows
        sorted_hashes = occ_hashes[order]
        del occ_hashes, order
        starts = np.flatnonzero(sorted_hashes[1:] != sorted_hashes[:-1]) + 1
        key_offsets = np.concatenate(([0], starts, [len(sorted_hashes)])).astype(np.int64)
        key_hashes = sorted_hashes[key_offsets[:-1]]
        del sorted_hashes
        kind_w = np.zeros(len(key_hashes), dtype=np.float64)
        for hashes, weights in zip(self.vocab_hashes, self.vocab_weights, strict=True):
            kind_w[np.searchsorted(key_hashes, hashes)] = weights
        df = np.diff(key_offsets)
        idf = np.log1p(n / df)
        key_weights = np.where(kind_w >= IDENTIFIER_WEIGHT, kind_w, kind_w * idf)

        cols = {name: pa.concat_arrays(parts) for name, parts in self.columns.items() if parts}
        self.columns.clear()
        ids = cols["id"].to_pylist()
        id_h = np.fromiter((_blake(i) for i in ids), dtype=np.uint64, count=len(ids))
        del ids
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


def _build_part(entities: list[Mapping[str, Any]], prepared: bool = False) -> _Builder:
    part = _Builder(prepared)
    for entity in entities:
        part.add(entity)
    part._flush()
    return part


def _batches(entities: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    for entity in entities:
        if entity.get("schema") in MATCHABLE_SCHEMATA:
            batch.append(entity)
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
