"""The DuckDB store: every import is a list version; swaps are atomic; versions can be diffed.

An import runs in one transaction: the new version's entities are written, checked (a new
version that loses more than ``max_shrink`` of the previous one's entities, and at least
``MIN_SUSPICIOUS_SHRINK`` of them, is refused), and only then made current. A new version
whose list date is before the current one's is refused before anything is written; ``force``
overrides both checks. A failure or a
killed process leaves the previous version current: DuckDB discards the uncommitted
transaction when the file is next opened.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import import_module
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from redflags import __version__
from redflags.errors import RedflagsError, SourceError, StoreError
from redflags.model import FtMEntity, caption
from redflags.sources import FORMATS, ParseContext, get_parser

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS versions (
    version_id VARCHAR PRIMARY KEY,
    list VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    source_url VARCHAR,
    source_path VARCHAR,
    checksum VARCHAR NOT NULL,
    fetched_at TIMESTAMP,
    imported_at TIMESTAMP NOT NULL,
    list_date VARCHAR,
    parser_version VARCHAR NOT NULL,
    entity_count INTEGER NOT NULL,
    counts VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS entities (
    version_id VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    schema VARCHAR NOT NULL,
    caption VARCHAR,
    hash VARCHAR NOT NULL,
    data VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS current_versions (
    list VARCHAR PRIMARY KEY,
    version_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS http_cache (
    url VARCHAR PRIMARY KEY,
    etag VARCHAR,
    last_modified VARCHAR,
    checked_at TIMESTAMP
);
"""

DEFAULT_MAX_SHRINK = 0.2
# A new version that removes fewer entities than this is never a suspicious shrink, whatever
# the share: the guard is there for a truncated or broken file, which loses hundreds or
# thousands of entities of a real list, not for turnover. A party is 2-4 entities (itself,
# its Sanction, addresses, ids), so 10 is 2-5 parties: replacing one row of a user's 4-row
# list (2 of 8 entities, "25 %") was refused. The smallest official list (FCC covered, 30
# entities) still has a loss of a third of it checked against the share.
MIN_SUSPICIOUS_SHRINK = 10
# DuckDB lets one process hold the file at a time; another command (an update while a
# server reloads, two imports) waits this long for it before giving up with a clear error.
LOCK_TIMEOUT = 120.0
CURRENT_SUFFIX = ".lists.json"
DEFAULT_KEEP_VERSIONS = 3
_CHUNK = 20_000

ProgressFn = Callable[[int], None]


@dataclass
class ImportReport:
    list: str
    version_id: str | None
    previous_version_id: str | None
    entity_count: int
    counts: dict[str, int]
    unchanged: bool = False
    added: int = 0
    removed: int = 0
    changed: int = 0
    list_date: str | None = None
    # what the parser skipped or merged while reading (``ParseContext.stats``: reason ->
    # count), so the user can reconcile the file's rows with the entities stored
    parse_stats: dict[str, int] = field(default_factory=dict)


@dataclass
class VersionDiff:
    old: str
    new: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def checksum_paths(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode("utf-8"))
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def import_checksum(paths: Iterable[Path], fmt: str, options: dict[str, str] | None) -> str:
    """What an import read and how: the files, and the parser and options that read them. A
    re-import of the same file with another column mapping was "the same file" and kept the
    old mapping's version; a new parser version re-reads an unchanged download."""
    how = json.dumps([fmt, parser_version(fmt), sorted((options or {}).items())])
    return hashlib.sha256((checksum_paths(paths) + how).encode("utf-8")).hexdigest()


def input_files(path: Path, fmt: str) -> list[Path]:
    """The files an import reads, so the checksum covers sibling files (OFAC add/alt...)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file())
    if fmt == "ofac-csv":
        return sorted(p for p in path.parent.iterdir() if p.suffix.lower() == ".csv")
    return [path]


def parser_version(fmt: str) -> str:
    module = import_module(FORMATS[fmt].split(":")[0])
    return f"redflags {__version__}/{fmt} {getattr(module, 'PARSER_VERSION', '1')}"


def list_date_of(fmt: str, path: Path) -> str | None:
    module = import_module(FORMATS[fmt].split(":")[0])
    fn = getattr(module, "list_date", None)
    if fn is None:
        return None
    try:
        value = fn(path)
    except (OSError, ValueError, SourceError):
        return None
    return str(value) if value else None


class Store:
    """One DuckDB file holding every list version; open it, use it, close it."""

    def __init__(
        self, path: Path, read_only: bool = False, lock_timeout: float = LOCK_TIMEOUT
    ) -> None:
        self.path = path
        if read_only and not path.exists():
            raise StoreError(f"no store at {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.con = _connect(path, read_only, lock_timeout)
        if not read_only:
            self.con.execute(SCHEMA_SQL)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------
    def is_empty(self) -> bool:
        row = self.con.execute("SELECT count(*) FROM current_versions").fetchone()
        return not row or row[0] == 0

    def current_versions(self) -> list[dict[str, Any]]:
        rows = self.con.execute(
            """SELECT v.* FROM versions v JOIN current_versions c USING (version_id)
               ORDER BY v.list"""
        ).fetchall()
        cols = [d[0] for d in self.con.description or []]
        return [dict(zip(cols, row, strict=True)) for row in rows]

    def versions(self, list_name: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM versions"
        params: list[Any] = []
        if list_name:
            sql += " WHERE list = ?"
            params.append(list_name)
        rows = self.con.execute(sql + " ORDER BY list, imported_at", params).fetchall()
        cols = [d[0] for d in self.con.description or []]
        return [dict(zip(cols, row, strict=True)) for row in rows]

    def current_version(self, list_name: str) -> str | None:
        row = self.con.execute(
            "SELECT version_id FROM current_versions WHERE list = ?", [list_name]
        ).fetchone()
        return str(row[0]) if row else None

    def iter_entities(
        self, lists: Iterable[str] | None = None, version_ids: Iterable[str] | None = None
    ) -> Iterator[FtMEntity]:
        """Stream current entities (or those of given versions) as FtM dicts."""
        if version_ids is None:
            cur = {v["list"]: v["version_id"] for v in self.current_versions()}
            wanted = set(lists) if lists is not None else set(cur)
            version_ids = [vid for name, vid in cur.items() if name in wanted]
        ids = list(version_ids)
        if not ids:
            return
        cursor = self.con.cursor()
        try:
            cursor.execute(
                "SELECT version_id, data FROM entities WHERE version_id IN (SELECT unnest(?))"
                " ORDER BY id",
                [ids],
            )
            while True:
                batch = cursor.fetchmany(5000)
                if not batch:
                    break
                for version_id, data in batch:
                    yield _with_version(data, version_id)
        finally:
            cursor.close()

    def get_entity(self, entity_id: str) -> FtMEntity | None:
        row = self.con.execute(
            """SELECT e.version_id, e.data FROM entities e
               JOIN current_versions c USING (version_id) WHERE e.id = ? LIMIT 1""",
            [entity_id],
        ).fetchone()
        return _with_version(row[1], row[0]) if row else None

    def diff(self, old: str, new: str) -> VersionDiff:
        """Added, removed and changed entities between two versions, by stable id."""
        for vid in (old, new):
            if not self.con.execute("SELECT 1 FROM versions WHERE version_id=?", [vid]).fetchone():
                raise StoreError(f"unknown version {vid!r}")
        result = VersionDiff(old=old, new=new)
        rows = self.con.execute(
            """
            WITH a AS (SELECT id, hash FROM entities WHERE version_id = ?),
                 b AS (SELECT id, hash FROM entities WHERE version_id = ?)
            SELECT coalesce(a.id, b.id) AS id,
                   CASE WHEN a.id IS NULL THEN 'added'
                        WHEN b.id IS NULL THEN 'removed'
                        ELSE 'changed' END AS kind
            FROM a FULL OUTER JOIN b ON a.id = b.id
            WHERE a.id IS NULL OR b.id IS NULL OR a.hash <> b.hash
            ORDER BY id
            """,
            [old, new],
        ).fetchall()
        for entity_id, kind in rows:
            getattr(result, kind).append(entity_id)
        return result

    def write_current(self) -> None:
        """Publish the current versions next to the store (atomic rename), so readers such
        as a running server can tell that lists changed without opening the database, which
        would lock out the next update."""
        rows = [
            {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
            for row in self.current_versions()
        ]
        target = current_path(self.path)
        tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"versions": rows}, default=str), encoding="utf-8")
        os.replace(tmp, target)

    def confirm_fetched(self, list_name: str, fetched_at: datetime) -> None:
        """`redflags update` found the current version at its URL again (same file, or a
        304): its ``fetched_at`` moves to now. A list without its own date ages from that
        day, and a list checked this morning and found unchanged is not weeks old."""
        current = self.current_version(list_name)
        if current is None:
            return
        self.con.execute(
            "UPDATE versions SET fetched_at = ? WHERE version_id = ?", [fetched_at, current]
        )
        self.write_current()

    # -- http cache (conditional GET) --------------------------------------------------------
    def http_validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.con.execute(
            "SELECT etag, last_modified FROM http_cache WHERE url = ?", [url]
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_http_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.con.execute(
            """INSERT OR REPLACE INTO http_cache VALUES (?, ?, ?, ?)""",
            [url, etag, last_modified, datetime.now(UTC).replace(tzinfo=None)],
        )

    # -- writing ---------------------------------------------------------------------------
    def import_file(
        self,
        list_name: str,
        fmt: str,
        path: Path,
        *,
        source_url: str | None = None,
        fetched_at: datetime | None = None,
        force: bool = False,
        max_shrink: float = DEFAULT_MAX_SHRINK,
        options: dict[str, str] | None = None,
        progress: ProgressFn | None = None,
        keep_versions: int = DEFAULT_KEEP_VERSIONS,
        list_date: str | None = None,
    ) -> ImportReport:
        """Parse ``path`` and store it as the new current version of ``list_name``;
        ``list_date`` (ISO) is the list's date where the file does not say it."""
        parser = get_parser(fmt)
        if not path.exists():
            raise SourceError(path, "file does not exist")
        checksum = import_checksum(input_files(path, fmt), fmt, options)
        ctx = ParseContext(list_name=list_name, source_url=source_url, options=options or {})
        report = self.import_entities(
            list_name,
            fmt,
            parser(path, ctx),
            checksum=checksum,
            source_url=source_url,
            source_path=str(path),
            fetched_at=fetched_at,
            list_date=list_date_of(fmt, path) or list_date,
            parser_version=parser_version(fmt),
            force=force,
            max_shrink=max_shrink,
            progress=progress,
            keep_versions=keep_versions,
            error_path=path,
        )
        report.parse_stats = dict(ctx.stats)
        return report

    def import_entities(
        self,
        list_name: str,
        fmt: str,
        entities: Iterable[FtMEntity],
        *,
        checksum: str,
        source_url: str | None = None,
        source_path: str | None = None,
        fetched_at: datetime | None = None,
        list_date: str | None = None,
        parser_version: str = f"redflags {__version__}",
        force: bool = False,
        max_shrink: float = DEFAULT_MAX_SHRINK,
        progress: ProgressFn | None = None,
        keep_versions: int = DEFAULT_KEEP_VERSIONS,
        error_path: Path | str = "<entities>",
    ) -> ImportReport:
        """Write a stream of entities as a new version, atomically (see module docstring)."""
        previous = self.current_version(list_name)
        if previous and not force:
            row = self.con.execute(
                "SELECT checksum, entity_count, counts, list_date FROM versions"
                " WHERE version_id = ?",
                [previous],
            ).fetchone()
            # the same file is the same version, unless it now comes with a list date the
            # current version lacks or contradicts ("import it again with --list-date")
            if row and row[0] == checksum and list_date in (None, row[3]):
                return ImportReport(
                    list_name, previous, previous, int(row[1]), json.loads(row[2]),
                    unchanged=True, list_date=row[3],
                )
            if row and _is_older(list_date, row[3]):
                raise StoreError(
                    f"refused: the new version of {list_name} is dated {list_date}, older than "
                    f"the current version's {row[3]}; the current version is kept. Use --force "
                    "to go back to the older list."
                )
        now = datetime.now(UTC).replace(tzinfo=None)
        version_id = f"{list_name}@{now:%Y%m%dT%H%M%S%f}-{checksum[:8]}"
        counts: dict[str, int] = {}
        total = 0
        self.con.execute("BEGIN TRANSACTION")
        try:
            for chunk in _chunks(entities, _CHUNK):
                table = _arrow_chunk(chunk, version_id, counts)
                self.con.register("_chunk", table)
                self.con.execute("INSERT INTO entities SELECT * FROM _chunk")
                self.con.unregister("_chunk")
                total += len(chunk)
                if progress:
                    progress(total)
            if total == 0:
                raise SourceError(error_path, "no entities found in file")
            dupes = self.con.execute(
                """SELECT id, count(*) c FROM entities WHERE version_id = ?
                   GROUP BY id HAVING c > 1 LIMIT 3""",
                [version_id],
            ).fetchall()
            if dupes:
                ids = ", ".join(str(d[0]) for d in dupes)
                raise SourceError(error_path, f"entity ids are not unique (e.g. {ids})")
            self.con.execute(
                "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    version_id, list_name, fmt, source_url, source_path, checksum, fetched_at,
                    now, list_date, parser_version, total, json.dumps(counts),
                ],
            )
            report = ImportReport(list_name, version_id, previous, total, counts)
            report.list_date = list_date
            if previous:
                diff = self.diff(previous, version_id)
                report.added, report.removed = len(diff.added), len(diff.removed)
                report.changed = len(diff.changed)
                prev_count = self._count(previous)
                if not force and _suspicious_shrink(report.removed, prev_count, max_shrink):
                    row = self.con.execute(
                        "SELECT format FROM versions WHERE version_id = ?", [previous]
                    ).fetchone()
                    why = (
                        f" The current version came in another format ({row[0]}, e.g. the "
                        f"bundled snapshot), whose ids differ from {fmt}'s: check the counts "
                        "and use --force to switch."
                        if row and row[0] != fmt
                        else " Use --force if the shrink is genuine."
                    )
                    raise StoreError(
                        f"refused: the new version of {list_name} loses {report.removed} of "
                        f"{prev_count} entities ({report.removed / prev_count:.0%} > "
                        f"{max_shrink:.0%}); the current version is kept.{why}"
                    )
            self.con.execute(
                "INSERT OR REPLACE INTO current_versions VALUES (?, ?)", [list_name, version_id]
            )
            self._prune(list_name, keep_versions)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.write_current()
        return report

    def seed_from_bundle(self, progress: ProgressFn | None = None) -> list[ImportReport]:
        """Copy the bundled snapshot into an empty store, so that importing one list never
        hides the others; later updates replace these versions list by list."""
        from redflags.store import bundle

        reports: list[ImportReport] = []
        man = bundle.manifest()
        for entry in man.get("lists", []):
            if self.current_version(entry["list"]):
                continue
            reports.append(
                self.import_entities(
                    entry["list"],
                    "ftm",
                    bundle.iter_list(entry),
                    checksum=str(entry["sha256"]),
                    source_url=entry.get("source_url"),
                    source_path=f"bundled:{entry['file']}",
                    list_date=entry.get("list_date"),
                    parser_version=str(entry.get("parser_version", "bundle")),
                    progress=progress,
                )
            )
        return reports

    def _count(self, version_id: str) -> int:
        row = self.con.execute(
            "SELECT entity_count FROM versions WHERE version_id = ?", [version_id]
        ).fetchone()
        return int(row[0]) if row else 0

    def _prune(self, list_name: str, keep: int) -> None:
        old = self.con.execute(
            """SELECT version_id FROM versions WHERE list = ?
               ORDER BY imported_at DESC OFFSET ?""",
            [list_name, max(keep, 1)],
        ).fetchall()
        for (vid,) in old:
            self.con.execute("DELETE FROM entities WHERE version_id = ?", [vid])
            self.con.execute("DELETE FROM versions WHERE version_id = ?", [vid])

    def remove_list(self, list_name: str) -> None:
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DELETE FROM current_versions WHERE list = ?", [list_name])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.write_current()


def _suspicious_shrink(removed: int, previous: int, max_shrink: float) -> bool:
    """A loss that looks like a broken file rather than a list's turnover: at least
    ``MIN_SUSPICIOUS_SHRINK`` entities, and more than ``max_shrink`` of the previous ones."""
    if removed < MIN_SUSPICIOUS_SHRINK or not previous:
        return False
    return removed / previous > max_shrink


def _is_older(new: str | None, current: str | None) -> bool:
    """Whether a new version's list date is before the current one's: importing an old file
    by hand silently rolled a list back (un_sc of 2025-11-20 over the bundled 2026-02-27).
    Unknown or unreadable dates are never older, so undated files import as before."""
    if not new or not current:
        return False
    try:
        return date.fromisoformat(new[:10]) < date.fromisoformat(current[:10])
    except ValueError:
        return False


def current_path(store: Path) -> Path:
    return store.with_name(store.name + CURRENT_SUFFIX)


def _connect(path: Path, read_only: bool, lock_timeout: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + lock_timeout
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            locked = "lock" in str(exc).lower()
            if not locked or time.monotonic() >= deadline:
                hint = " (another redflags process is using it)" if locked else ""
                raise StoreError(f"cannot open store {path}{hint}: {exc}") from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _with_version(data: str, version_id: str) -> FtMEntity:
    entity: FtMEntity = orjson.loads(data)
    prov = entity.get("provenance")
    entity["provenance"] = {**prov, "list_version": version_id} if prov else {
        "list_version": version_id
    }
    return entity


def _chunks(entities: Iterable[FtMEntity], size: int) -> Iterator[list[FtMEntity]]:
    chunk: list[FtMEntity] = []
    for entity in entities:
        chunk.append(entity)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# A user's list without an id column cites a row by its line ("line 2727"): kept for the
# reviewer, left out of the hash, or one row removed near the top of a 1,500-row list made
# every row below it "changed" in `redflags diff` and the import's counts.
_LINE_RECORD = re.compile(r"^line \d+$")


def _hashed(entity: FtMEntity, data: bytes) -> bytes:
    prov = entity.get("provenance")
    if prov and _LINE_RECORD.match(str(prov.get("record_id", ""))):
        rest = {k: v for k, v in prov.items() if k != "record_id"}
        return orjson.dumps({**entity, "provenance": rest}, option=orjson.OPT_SORT_KEYS)
    return data


def _arrow_chunk(chunk: list[FtMEntity], version_id: str, counts: dict[str, int]) -> pa.Table:
    ids: list[str] = []
    schemas: list[str] = []
    captions: list[str] = []
    hashes: list[str] = []
    datas: list[str] = []
    for entity in chunk:
        if not entity.get("id") or not entity.get("schema"):
            raise RedflagsError(f"parser produced an entity without id or schema: {entity!r:.200}")
        schema = entity["schema"]
        counts[schema] = counts.get(schema, 0) + 1
        ids.append(entity["id"])
        schemas.append(schema)
        captions.append(caption(entity))
        prov = entity.get("provenance")
        if prov and "list_version" in prov:  # the version is a column, added back on read
            entity["provenance"] = {k: v for k, v in prov.items() if k != "list_version"}  # type: ignore[typeddict-item]
        # One serialisation serves as stored data and as the hash that diffs compare
        # (orjson: ~6x faster than json.dumps on the SDN list, measured).
        data = orjson.dumps(entity, option=orjson.OPT_SORT_KEYS)
        hashes.append(hashlib.sha1(_hashed(entity, data)).hexdigest())
        datas.append(data.decode("utf-8"))
    n = len(ids)
    return pa.table(
        {
            "version_id": pa.array([version_id] * n, pa.string()),
            "id": pa.array(ids, pa.string()),
            "schema": pa.array(schemas, pa.string()),
            "caption": pa.array(captions, pa.string()),
            "hash": pa.array(hashes, pa.string()),
            "data": pa.array(datas, pa.string()),
        }
    )
