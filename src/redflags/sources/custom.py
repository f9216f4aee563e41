"""A user's own blocklist (CSV, TSV, JSON, JSON lines) with a column mapping, to FtM entities.

The mapping comes from ``ctx.options`` (``name`` required; ``alias``, ``schema`` or
``default_schema``, ``country``, ``id``, ``birth_date``, ``registration_number``, ``lei``,
``isin``, ``program``, ``listed_on``, ``notes``; ``format`` and ``delimiter`` override the
guess from the file name). Without a mapping, common header names are recognised.

A blank row (every cell empty: the trailing ",,," lines a spreadsheet leaves) is skipped and
counted in ``ctx.stats``, as a screening file's are; a row with cells but no name is an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from redflags.errors import SourceError
from redflags.model import EntityBuilder, FtMEntity
from redflags.sources.base import ParseContext, check_not_empty_or_html, open_text, read_csv_rows
from redflags.sources.party import (
    IdRegistry,
    add_safe,
    country_codes,
    guess_schema,
    make_sanction,
    parse_date,
    provenance,
    slug,
    split_multi,
    upgrade_schema,
)

FIELDS = (
    "name", "alias", "schema", "country", "id", "birth_date", "registration_number", "lei",
    "isin", "program", "listed_on", "notes",
)  # fmt: skip

# Header names recognised without a mapping (compared case-insensitively, spaces/_/- equal).
HEADER_GUESSES: dict[str, tuple[str, ...]] = {
    "name": ("name", "entity name", "entity", "full name", "company", "company name",
             "organisation", "organization", "party", "party name", "legal name", "caption",
             "business", "business name", "business enterprise", "enterprise",
             # what a screening file's name column is called too (screening.columns)
             "supplier", "supplier name", "vendor", "vendor name", "customer",
             "customer name", "counterparty", "counterparty name"),
    "alias": ("alias", "aliases", "aka", "alt names", "alternative names", "other names"),
    "schema": ("schema", "type", "entity type", "kind", "party type"),
    "country": ("country", "countries", "country code", "nationality", "jurisdiction"),
    "id": ("id", "identifier", "record id", "reference", "ref", "uid", "key"),
    "birth_date": ("birth date", "date of birth", "dob", "birthdate"),
    "registration_number": ("registration number", "company number", "reg no",
                            "registration no", "registration"),
    "lei": ("lei", "lei code"),
    "isin": ("isin", "isin code"),
    "program": ("program", "programme", "programs", "list", "reason"),
    "listed_on": ("listed on", "listing date", "date listed", "added", "date added"),
    "notes": ("notes", "note", "comment", "comments", "remarks"),
}  # fmt: skip

PROPS = {
    "birth_date": "birthDate",
    "registration_number": "registrationNumber",
    "lei": "leiCode",
    "isin": "isinCode",
    "notes": "notes",
}


# what ``-o KEY=VALUE`` may set besides the column of each field
SETTINGS = ("format", "delimiter", "default_schema", "list_date")

# ``ctx.stats`` reason for the rows skipped as blank
BLANK_ROWS = "blank rows skipped"


def parse(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """Stream one entity (plus its Sanction) per row of the user's file."""
    unknown = sorted(k for k in ctx.options if k not in FIELDS and k not in SETTINGS)
    if unknown:  # a misspelt key ("nmae") was ignored, and the file read another way
        raise SourceError(path, f"unknown option(s) {', '.join(unknown)}: a column of "
                          f"{', '.join(FIELDS)}, or one of {', '.join(SETTINGS)}")
    fmt = ctx.options.get("format") or _guess_format(path)
    if fmt in ("csv", "tsv"):
        rows = _csv_rows(path, ctx, "\t" if fmt == "tsv" else None)
    elif fmt == "json":
        rows = _json_rows(path)
    elif fmt == "jsonl":
        rows = _jsonl_rows(path)
    else:
        raise SourceError(path, f"unknown user-list format {fmt!r} (csv, tsv, json, jsonl)")
    ids = IdRegistry()
    # JSON records need not share their keys, so a mapping is resolved per key set.
    mappings: dict[tuple[str, ...], dict[str, str]] = {}
    for line, row in rows:
        if _is_blank(row):
            ctx.count(BLANK_ROWS)
            continue
        keys = tuple(row.keys())
        mapping = mappings.get(keys)
        if mapping is None:
            mapping = mappings[keys] = resolve_mapping(path, ctx, list(keys))
        yield from _row(path, ctx, mapping, ids, line, row)


def resolve_mapping(path: Path, ctx: ParseContext, headers: list[str]) -> dict[str, str]:
    """Field -> header: from ``ctx.options`` where given, else by recognising the headers."""
    by_norm = {_norm(h): h for h in headers}
    mapping: dict[str, str] = {}
    for fld in FIELDS:
        wanted = ctx.options.get(fld)
        if wanted:
            header = by_norm.get(_norm(wanted))
            if header is None:
                raise SourceError(
                    path,
                    f"mapped column {wanted!r} (for {fld}) not found; headers: "
                    + ", ".join(headers),
                )
            mapping[fld] = header
            continue
        for guess in HEADER_GUESSES.get(fld, ()):
            header = by_norm.get(_norm(guess))
            if header is not None and header not in mapping.values():
                mapping[fld] = header
                break
    if "name" not in mapping:
        raise SourceError(
            path,
            "no name column: map one with the 'name' option; headers found: "
            + (", ".join(headers) or "(none)"),
        )
    return mapping


def has_name_header(path: Path) -> bool:
    """Whether a CSV or TSV file's first line names a column this format recognises as the
    name: ``import`` then needs no --format for a user's own list."""
    try:
        with open_text(path) as fh:
            head = fh.readline()
    except (OSError, UnicodeDecodeError, SourceError):
        return False
    delimiter = "\t" if _guess_format(path) == "tsv" else _sniff_delimiter(path)
    headers = {_norm(h.strip().strip('"')) for h in head.split(delimiter)}
    return any(_norm(g) in headers for g in HEADER_GUESSES["name"])


def _norm(header: str) -> str:
    return " ".join(header.replace("_", " ").replace("-", " ").lower().split())


def _guess_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".jsonl", ".ndjson", ".jsonlines")):
        return "jsonl"
    if name.endswith(".json"):
        with open(path, "rb") as fh:
            head = fh.read(4096).lstrip(b"\xef\xbb\xbf \r\n\t")
        # A ".json" of one object per line is common enough to sniff for.
        if head.startswith(b"{") and b"}\n{" in head.replace(b"\r\n", b"\n"):
            return "jsonl"
        return "json"
    if name.endswith((".tsv", ".tab")):
        return "tsv"
    return "csv"


def _csv_rows(
    path: Path, ctx: ParseContext, delimiter: str | None
) -> Iterator[tuple[int, dict[str, str]]]:
    if delimiter is None:
        delimiter = ctx.options.get("delimiter") or _sniff_delimiter(path)
    rows = read_csv_rows(path, delimiter=delimiter)
    try:
        _line, header = next(rows)
    except StopIteration:
        raise SourceError(path, "file is empty") from None
    header = [h.strip() for h in header]
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            # blank, whatever its width (a hand-edited ",," under five columns): parse()
            # skips it, so its cell count is no error
            yield line, dict.fromkeys(header, "")
            continue
        if len(row) != len(header):
            raise SourceError(
                path, f"row has {len(row)} columns, the header has {len(header)}", line=line
            )
        yield line, dict(zip(header, row, strict=True))


def _sniff_delimiter(path: Path) -> str:
    with open_text(path) as fh:
        head = fh.readline()
    counts = {d: head.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _json_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    check_not_empty_or_html(path)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"invalid or truncated JSON: {exc.msg}", line=exc.lineno) from None
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text: {exc.reason}") from None
    if isinstance(data, dict):
        for key in ("entities", "results", "data", "items", "rows"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        raise SourceError(path, "expected a JSON list of records (or {entities: [...]})")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise SourceError(path, "record is not an object", record=str(index))
        yield index + 1, item


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open_text(path, ("utf-8-sig",)) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SourceError(path, f"invalid JSON: {exc.msg}", line=number) from None
            if not isinstance(item, dict):
                raise SourceError(path, "line is not a JSON object", line=number)
            yield number, item


def _is_blank(row: Mapping[str, Any]) -> bool:
    """Every cell empty (or null, or an empty list in JSON): a spreadsheet's leftover row,
    not a party without a name."""
    for value in row.values():
        if isinstance(value, list):
            if any(v is not None and str(v).strip() for v in value):
                return False
        elif value is not None and str(value).strip():
            return False
    return True


def _values(row: Mapping[str, Any], header: str | None) -> list[str]:
    if header is None:
        return []
    value = row.get(header)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return split_multi(str(value))


def _value(row: Mapping[str, Any], header: str | None) -> str | None:
    if header is None:
        return None
    value = row.get(header)
    if value is None or isinstance(value, (list, dict)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _row(
    path: Path,
    ctx: ParseContext,
    mapping: dict[str, str],
    ids: IdRegistry,
    line: int,
    row: Mapping[str, Any],
) -> Iterator[FtMEntity]:
    name = _value(row, mapping["name"])
    if name is None:
        raise SourceError(path, f"row has no name (column {mapping['name']!r})", line=line)
    declared = _value(row, mapping.get("schema")) or ctx.options.get("default_schema")
    schema = guess_schema(declared, name)
    if _values(row, mapping.get("isin")):
        schema = upgrade_schema(schema, ["isinCode"])
    countries = country_codes(_values(row, mapping.get("country")))
    record_id = _value(row, mapping.get("id"))
    prefix = slug(ctx.list_name)
    base = f"{prefix}-{slug(record_id)}" if record_id else f"{prefix}-{slug(name, *countries[:1])}"
    entity = EntityBuilder(schema, ids.claim(base, name, line))
    entity.datasets = [ctx.list_name]
    entity.add("name", name)
    entity.add("alias", _values(row, mapping.get("alias")))
    add_safe(entity, "country", countries)
    for fld, prop in PROPS.items():
        values = (
            _values(row, mapping.get(fld))
            if fld != "notes"
            else [v for v in [_value(row, mapping.get(fld))] if v]
        )
        if prop == "birthDate":
            values = [d for d in (parse_date(v) for v in values) if d]
        add_safe(entity, prop, values, fld)
    programs = _values(row, mapping.get("program"))
    listed_on = parse_date(_value(row, mapping.get("listed_on")))
    entity.set_provenance(
        **provenance(
            ctx.list_name,
            list_version=ctx.options.get("list_date"),
            record_id=record_id or f"line {line}",
            programs=programs,
            listed_on=listed_on,
            source_url=ctx.source_url,
        )
    )
    sanction = make_sanction(
        entity,
        authority=ctx.publisher or ctx.list_name,
        programs=programs,
        listing_date=listed_on,
        source_url=ctx.source_url,
        record_id=record_id,
    )
    yield entity.to_dict()
    yield sanction.to_dict()


__all__ = ["BLANK_ROWS", "FIELDS", "SETTINGS", "parse", "resolve_mapping"]
