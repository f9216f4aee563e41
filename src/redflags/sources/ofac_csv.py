"""OFAC's legacy CSV set (sdn.csv + add/alt/sdn_comments, or the cons_* equivalents).

The primary file has one row per listed party; sibling files add addresses, aliases and the
overflow of long Remarks. All are read when present (the primary alone is enough: aliases
then come only from the Remarks). Files are a few MB, so records are gathered in memory
first: "Linked To: NAME" can then point at NAME's real id wherever it sits in the file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from redflags.errors import SourceError
from redflags.model import FtMEntity
from redflags.sources.base import ParseContext, null, read_csv_rows
from redflags.sources.ofac_build import (
    OfacAddress,
    OfacAlias,
    OfacRecord,
    build_entities,
    main_id,
    name_variants,
    split_programs,
)

# Bumped when the same files would yield different entities (the store records it).
PARSER_VERSION = "2"
PRIMARY_NAMES = ("sdn.csv", "cons_prim.csv")
# primary file -> (addresses, aliases, remarks overflow)
SIBLINGS = {
    "sdn.csv": ("add.csv", "alt.csv", "sdn_comments.csv"),
    "cons_prim.csv": ("cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
}
PRIMARY_COLUMNS = 12
ADDRESS_COLUMNS = 6
ALIAS_COLUMNS = 5
COMMENT_COLUMNS = 2
_TYPES = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}


def parse(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """Entities of one OFAC CSV set, given its primary file or the folder holding it."""
    primary = find_primary(path)
    addr_name, alt_name, comments_name = SIBLINGS.get(primary.name.lower(), SIBLINGS["sdn.csv"])
    folder = primary.parent
    comments = read_comments(_sibling(folder, comments_name))
    aliases = read_aliases(_sibling(folder, alt_name))
    addresses = read_addresses(_sibling(folder, addr_name))

    records = list(read_primary(primary, comments))
    names: dict[str, str] = {}
    for rec in records:
        for key in name_variants(rec.name)[:1]:
            names.setdefault(key, main_id(rec.uid))
    for rec in records:
        rec.aliases = aliases.get(rec.uid, [])
        rec.addresses = addresses.get(rec.uid, [])
        for alias in rec.aliases:
            names.setdefault(name_variants(alias.name)[0], main_id(rec.uid))

    emitted: set[str] = set()
    version = ctx.options.get("list_version")
    for rec in records:
        yield from build_entities(rec, ctx, names, emitted, version)


def find_primary(path: Path) -> Path:
    """The sdn.csv / cons_prim.csv named, or found in the folder named."""
    if path.is_dir():
        for name in PRIMARY_NAMES:
            found = _sibling(path, name)
            if found is not None:
                return found
        raise SourceError(path, "folder holds no sdn.csv or cons_prim.csv")
    if not path.exists():
        raise SourceError(path, "file does not exist")
    siblings = {name for names in SIBLINGS.values() for name in names}
    if path.name.lower() in siblings:  # given add.csv / alt.csv: read the whole set
        for name in PRIMARY_NAMES:
            found = _sibling(path.parent, name)
            if found is not None:
                return found
        raise SourceError(path, "a secondary OFAC file without its sdn.csv / cons_prim.csv")
    return path


def _sibling(folder: Path, name: str) -> Path | None:
    """A file in ``folder`` by case-insensitive name (OFAC serves SDN.CSV and sdn.csv)."""
    exact = folder / name
    if exact.is_file():
        return exact
    for child in folder.iterdir():
        if child.name.lower() == name and child.is_file():
            return child
    return None


def _rows(path: Path, columns: int) -> Iterator[tuple[int, list[str]]]:
    for line, row in read_csv_rows(path):
        if len(row) != columns:
            raise SourceError(
                path, f"expected {columns} columns, found {len(row)}", line=line, record=row[0]
            )
        ent_num = row[0].strip()
        if not ent_num.isdecimal():
            raise SourceError(path, f"ent_num is not a number: {ent_num!r}", line=line)
        yield line, row


def read_comments(path: Path | None) -> dict[str, str]:
    """ent_num -> the Remarks text OFAC cut off and moved to the comments file."""
    out: dict[str, str] = defaultdict(str)
    if path is None or path.stat().st_size == 0:
        return out
    for _line, row in _rows(path, COMMENT_COLUMNS):
        text = row[1]
        if null(text) is not None:
            out[row[0].strip()] += text
    return out


def read_aliases(path: Path | None) -> dict[str, list[OfacAlias]]:
    out: dict[str, list[OfacAlias]] = defaultdict(list)
    if path is None or path.stat().st_size == 0:
        return out
    for _line, row in _rows(path, ALIAS_COLUMNS):
        name = null(row[3])
        if name is None:
            continue
        kind = (null(row[2]) or "aka").lower().strip(".").replace(".", "")
        remarks = (null(row[4]) or "").lower()
        out[row[0].strip()].append(OfacAlias(name, kind, weak="weak" in remarks))
    return out


def read_addresses(path: Path | None) -> dict[str, list[OfacAddress]]:
    out: dict[str, list[OfacAddress]] = defaultdict(list)
    if path is None or path.stat().st_size == 0:
        return out
    for _line, row in _rows(path, ADDRESS_COLUMNS):
        address = OfacAddress(
            uid=null(row[1]),
            street=null(row[2]),
            locality=null(row[3]),
            country=null(row[4]),
            remarks=null(row[5]),
        )
        if address.full():
            out[row[0].strip()].append(address)
    return out


def read_primary(path: Path, comments: dict[str, str]) -> Iterator[OfacRecord]:
    seen: set[str] = set()
    for line, row in _rows(path, PRIMARY_COLUMNS):
        uid = row[0].strip()
        if uid in seen:
            raise SourceError(path, "ent_num appears twice", line=line, record=uid)
        seen.add(uid)
        name = null(row[1])
        if name is None:
            raise SourceError(path, "row has no name", line=line, record=uid)
        # The comments file continues the Remarks mid-word: join without a separator.
        remarks = ((null(row[11]) or "") + comments.get(uid, "")) or None
        yield OfacRecord(
            uid=uid,
            name=name,
            sdn_type=_TYPES.get((null(row[2]) or "").lower(), "entity"),
            programs=split_programs(null(row[3])),
            title=null(row[4]),
            call_sign=null(row[5]),
            vessel_type=null(row[6]),
            tonnage=null(row[7]),
            grt=null(row[8]),
            vessel_flag=null(row[9]),
            vessel_owner=null(row[10]),
            remarks=remarks,
        )
