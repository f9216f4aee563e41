"""The candidate index: columnar arrays built once per list version, memory-mapped at start.

Every matchable entity's names become keys (tokens, phonetic codes, joined tokens, character
3-grams of the space-less latinized name) and its identifiers become normalised keys (keys.py
makes them, the same way for a build and a query). Keys are
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
  ``keys._Keyer`` tokenises word by word from a cache, hashes each token's keys once and cuts
  3-grams with numpy (same keys, checked by tests/test_index_build.py). A 100k-entity
  synthetic build with 2 workers went from ~26 s to ~10 s of CPU (same machine, same time);
  ``build(workers=N)`` spreads what is left over processes.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import multiprocessing
import os
import shutil
import time
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from followthemoney import model as ftm_model

from redflags.errors import RedflagsError
from redflags.gcpause import paused_gc
from redflags.matching.keys import (
    IDENTIFIER_WEIGHT,
    TEXT_VERSION,
    _blake_many,
    _hash_keys,
    _keyer,
    entity_datasets,
    entity_identifiers,
    entity_names,
    key_hash,
)

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
FORMAT_VERSION = 4

# Only things a screening can hit; Sanction, Address, Identification, links... are evidence.
MATCHABLE_SCHEMATA = frozenset(
    {"Person", "Company", "Organization", "LegalEntity", "Vessel", "Airplane", "PublicBody"}
)



# --------------------------------------------------------------------------------------------
# The index.
# --------------------------------------------------------------------------------------------


class NameBytes(NamedTuple):
    """The index's normalised names as compiled code reads them: name ``p`` is
    ``data[ends[p]:ends[p + 1]]``, its words sorted ``sorted_data[sorted_ends[p]:...]``."""

    data: npt.NDArray[np.uint8]
    ends: npt.NDArray[np.int32]
    sorted_data: npt.NDArray[np.uint8]
    sorted_ends: npt.NDArray[np.int64]


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
        norm_data, norm_ends = _string_bytes(self._norms)
        # the same names for compiled code (the pre-score), with their words sorted too
        self.sorted_names: npt.NDArray[np.uint8] = arrays["sorted_names"]
        self.sorted_name_ends: npt.NDArray[np.int64] = arrays["sorted_name_ends"]
        self.name_bytes = NameBytes(
            norm_data, norm_ends, self.sorted_names, self.sorted_name_ends
        )
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
        with paused_gc(not prepared):  # preparing costs far more than the GC
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
        "sorted_names",
        "sorted_name_ends",
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

    # ---- candidate generation ---------------------------------------------------------------

    def lookup(
        self, keys: Collection[str], absent: list[str] | None = None
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Positions of the keys present in the index and their posting-list lengths; the
        keys it does not hold are appended to ``absent`` when a list is given."""
        hashes = _hash_keys(keys)
        if len(hashes) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        pos = np.searchsorted(self.key_hashes, hashes)
        found = pos < len(self.key_hashes)
        found[found] = self.key_hashes[pos[found]] == hashes[found]
        if absent is not None and not found.all():
            absent.extend(k for k, f in zip(keys, found.tolist(), strict=True) if not f)
        # keys are distinct, so are their hashes (64 bits): no np.unique needed
        pos = np.sort(pos[found])
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


def _string_bytes(column: pa.Array) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int32]]:
    """A string column's bytes and the offsets of its values, as zero-copy numpy views."""
    bufs = column.buffers()
    start, stop = column.offset, column.offset + len(column) + 1
    offsets = np.frombuffer(bufs[1], dtype=np.int32)[start:stop]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return data, offsets


def _one_chunk(column: pa.ChunkedArray) -> pa.Array:
    """The column as one array; a saved table has one chunk, so this stays zero-copy."""
    if column.num_chunks == 1:
        return column.chunk(0)
    return column.combine_chunks()


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
        # compiled (numba): imported by a build, not by every process that loads an index
        from redflags.matching.prescore import sorted_forms

        norms = _string_bytes(_one_chunk(names_table["norm"]))
        sorted_names, sorted_name_ends = sorted_forms(*norms)
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
            "sorted_names": sorted_names,
            "sorted_name_ends": sorted_name_ends,
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
    with paused_gc(not prepared):  # preparing costs far more than the GC
        part = _Builder(prepared)
        for blob in blobs:
            part.add(_loads(blob), blob)
        part._flush()
    return part


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


__all__ = ["FORMAT", "FORMAT_VERSION", "MATCHABLE_SCHEMATA", "Index", "NameBytes", "read_manifest"]
