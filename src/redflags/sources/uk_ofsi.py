"""UK OFSI Consolidated List of Financial Sanctions Targets (ConList.xlsx / ConList.csv).

OFSI publishes one row per name variant, sorted by name, so rows of one party ("Group ID")
are scattered through the file: a party is only complete after a full pass. The list is a
few tens of thousands of rows, so rows are held grouped in memory (tens of MB) while the
entities themselves are yielded one party at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from redflags.errors import SourceError
from redflags.model import EntityBuilder, FtMEntity, hash_id
from redflags.sources.base import ParseContext, check_not_empty_or_html, read_csv_rows
from redflags.sources.party import provenance

AUTHORITY = "HM Treasury Office of Financial Sanctions Implementation"
REQUIRED_COLUMNS = ("Group ID", "Group Type", "Alias Type", "Name 6")
NAME_COLUMNS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")
ADDRESS_COLUMNS = ("Address 1", "Address 2", "Address 3", "Address 4", "Address 5", "Address 6")
SCHEMAS = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
# Labelled parts of "Other Information"; only these are split out, so a stray "(2022):"
# inside a statement of reasons never starts a new field.
INFO_KEYS = (
    "UK Sanctions List Ref",
    "UK Statement of Reasons",
    "UN Ref",
    "Gender",
    "Phone number",
    "Email address",
    "Type of entity",
    "Website",
    "Parent company",
    "Business Reg No",
    "Subsidiaries",
    "IMO number",
    "Flag of ship",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year built",
    "Current owners",
    "Previous flags",
    "Fax",
)
_INFO_RE = re.compile(r"\((" + "|".join(re.escape(k) for k in INFO_KEYS) + r")\):")
_NUMBERED = re.compile(r"\(\d{1,2}\)")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")
# A number-like token: at least five characters, at least one digit, no lower case.
_TOKEN = re.compile(r"(?<![\w/])(?=[A-Z0-9./-]*\d)[A-Z0-9][A-Z0-9./-]{3,}[A-Z0-9](?![\w/])")
_TAX_WORDS = re.compile(r"\b(inn|tin|tax|taxpayer|унн|инн)\b", re.IGNORECASE)
_SKIP_WORDS = re.compile(r"\b(kpp|oktmo|okpo|dated|license)\s*[:\-–]?\s*$", re.IGNORECASE)

Row = dict[str, str]


def list_date(path: Path) -> str | None:
    """The "Last Updated" date on the first row (ISO), which the store keeps as list date."""
    for _line, cells in _raw_rows(path, limit=1):
        return _last_updated(cells)
    return None


def _last_updated(cells: list[str]) -> str | None:
    if len(cells) > 1 and cells[0].strip().lower() == "last updated":
        return _iso_date(cells[1])
    return None


def parse(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """Stream one Person/Organization/Vessel per Group ID with its documents and sanction."""
    groups: dict[str, list[Row]] = {}
    lines: dict[str, int] = {}
    meta: dict[str, str] = {}
    for line, row in _rows(path, meta):
        gid = row.get("Group ID", "")
        if not gid:
            raise SourceError(path, "row without Group ID", line=line)
        groups.setdefault(gid, []).append(row)
        lines.setdefault(gid, line)
    if not groups:
        raise SourceError(path, "no list rows after the header")
    rows_total = sum(len(rows) for rows in groups.values())
    ctx.count("name-variant rows merged into their Group ID", rows_total - len(groups))
    for gid, rows in groups.items():
        yield from _parse_group(path, ctx, gid, rows, lines[gid], meta.get("list_date"))


def _raw_rows(path: Path, limit: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) from either the XLSX or the CSV layout, cells as stripped text."""
    check_not_empty_or_html(path)
    with open(path, "rb") as fh:
        is_xlsx = fh.read(4) == b"PK\x03\x04"
    if not is_xlsx:
        for count, (line, cells) in enumerate(read_csv_rows(path), start=1):
            yield line, [c.strip() for c in cells]
            if limit is not None and count >= limit:
                return
        return
    yield from _xlsx_rows(path, limit)


def _xlsx_rows(path: Path, limit: int | None) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # heavy; only the XLSX path needs it

    # A corrupt workbook surfaces from openpyxl as any of BadZipFile, KeyError, ParseError,
    # ValueError, TypeError, InvalidFileException... (found by fuzzing), so all are caught
    # and reported as the file's fault. The file object also spares openpyxl's check of the
    # file-name extension.
    with open(path, "rb") as fh:
        try:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:
            raise SourceError(path, f"not a readable XLSX workbook: {exc!r}") from None
        try:
            if not book.worksheets:
                raise SourceError(path, "XLSX workbook has no worksheet")
            rows = book.worksheets[0].iter_rows(values_only=True)
            line = 0
            while True:
                try:
                    cells = next(rows, None)
                except Exception as exc:
                    raise SourceError(
                        path, f"corrupt XLSX worksheet: {exc!r}", line=line + 1
                    ) from None
                if cells is None:
                    return
                line += 1
                yield line, [_cell_text(c) for c in cells]
                if limit is not None and line >= limit:
                    return
        finally:
            book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(path: Path, meta: dict[str, str]) -> Iterator[tuple[int, Row]]:
    """Data rows as {column: value}; the "Last Updated" date lands in ``meta``."""
    header: list[str] | None = None
    for line, cells in _raw_rows(path):
        if header is None:
            updated = _last_updated(cells)
            if updated:
                meta["list_date"] = updated
            if "Group ID" in cells:
                header = cells
                missing = [c for c in REQUIRED_COLUMNS if c not in header]
                if missing:
                    raise SourceError(path, f"missing columns: {', '.join(missing)}", line=line)
            elif line > 5:
                raise SourceError(path, "no header row with 'Group ID' in the first 5 rows")
            continue
        if not any(cells):
            continue
        yield line, {k: v for k, v in zip(header, cells, strict=False) if k and v}
    if header is None:
        raise SourceError(path, "no header row with 'Group ID' found")


def _iso_date(value: str | None) -> str | None:
    """OFSI dates are dd/mm/yyyy with '00' for unknown parts; keep only what is known."""
    if not value:
        return None
    value = value.strip()
    m = _DATE.match(value)
    if m:
        day, month, year = (int(g) for g in m.groups())
        if year == 0:
            return None
        if month == 0:
            return f"{year:04d}"
        if day == 0:
            return f"{year:04d}-{month:02d}"
        return f"{year:04d}-{month:02d}-{day:02d}"
    m = _MONTH_YEAR.match(value)
    if m:
        month, year = int(m.group(1)), int(m.group(2))
        return f"{year:04d}-{month:02d}" if month else f"{year:04d}"
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        return value
    return None


def split_numbered(value: str | None) -> list[str]:
    """'(1) A-333602 (2) M110522' -> ['A-333602', 'M110522']; '-' placeholders dropped."""
    if not value:
        return []
    parts = _NUMBERED.split(value) if value.lstrip().startswith("(1)") else [value]
    out = []
    for part in parts:
        text = " ".join(part.split()).strip(" .,;")
        if text and text != "-":
            out.append(text)
    return out


def parse_other_information(text: str | None) -> dict[str, str]:
    """Split '(Key):value (Key2):value2' into a dict of the known keys."""
    if not text:
        return {}
    found = list(_INFO_RE.finditer(text))
    out: dict[str, str] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        value = " ".join(text[m.end() : end].split()).strip(" .")
        if value:
            out[m.group(1)] = value
    return out


def business_numbers(text: str) -> list[tuple[str, str]]:
    """(property, number) pairs from free text like '(1) OGRN: 1027739143717 (2) INN: 77...'.

    A number is a tax number when the words just before it say so (INN/TIN/tax), else a
    registration number; KPP/OKTMO codes and dates are not identifiers of the party.
    """
    out: list[tuple[str, str]] = []
    for part in split_numbered(text) or [text]:
        last = 0
        for m in _TOKEN.finditer(part):
            before = part[last : m.start()]
            last = m.end()
            token = m.group(0).strip(".-/")
            if _SKIP_WORDS.search(before) or re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", token):
                continue
            if len(token) < 5:
                continue
            if "legal entity identifier" in before.lower() or "lei" in before.lower().split():
                out.append(("leiCode", token))
            elif _TAX_WORDS.search(before):
                out.append(("taxNumber", token))
            else:
                out.append(("registrationNumber", token))
    return out


def _distinct(rows: Iterable[Row], column: str) -> list[str]:
    """A column's distinct values across a group's rows: a party with 400 name variants
    repeats the same DOB 400 times, and cleaning it once is what keeps parsing fast."""
    return list(dict.fromkeys(v for r in rows if (v := r.get(column))))


def _ref(value: str | None) -> str | None:
    """The reference itself out of '(UN Ref):TAe.010. Pakistan National Tax Number...'."""
    if not value:
        return None
    return value.split()[0].rstrip(".;,") or None


def _full_name(row: Row) -> str:
    return " ".join(row[c] for c in NAME_COLUMNS if row.get(c))


def _parse_group(
    path: Path,
    ctx: ParseContext,
    gid: str,
    rows: list[Row],
    line: int,
    generated: str | None,
) -> Iterator[FtMEntity]:
    group_type = rows[0].get("Group Type", "").lower()
    schema = SCHEMAS.get(group_type)
    if schema is None:
        raise SourceError(path, f"unknown Group Type {group_type!r}", line=line, record=gid)
    entity_id = f"gb-ofsi-{gid}"
    entity = EntityBuilder(schema, entity_id, ctx.list_name)
    is_person = schema == "Person"

    primary = [r for r in rows if r.get("Alias Type", "").lower() == "primary name"]
    if not primary:  # two groups in the 2025-04 list have only "Primary name variation" rows
        primary = [rows[0]]
    for row in primary:
        entity.add("name", _full_name(row))
        if is_person:
            entity.add("firstName", row.get("Name 1"))
            entity.add("lastName", row.get("Name 6"))
    for row in rows:
        if row in primary:
            continue
        kind = row.get("Alias Type", "").lower()
        quality = row.get("Alias Quality", "").lower()
        if kind == "fka":
            prop = "previousName"
        elif quality.startswith("low"):
            prop = "weakAlias"
        else:
            prop = "alias"
        entity.add(prop, _full_name(row))
    entity.add("alias", _distinct(rows, "Name Non-Latin Script"))

    info = parse_other_information(rows[0].get("Other Information"))
    entity.add("notes", rows[0].get("Other Information"))
    related: list[EntityBuilder] = []
    if is_person:
        entity.add("title", _distinct(rows, "Title"))
        entity.add("birthDate", [_iso_date(v) for v in _distinct(rows, "DOB")])
        for col, prop in (
            ("Town of Birth", "birthPlace"),
            ("Country of Birth", "birthCountry"),
            ("Nationality", "nationality"),
            ("Position", "position"),
        ):
            for value in _distinct(rows, col):
                entity.add(prop, split_numbered(value))
        gender = info.get("Gender", "").lower()
        if gender in {"male", "female"}:
            entity.add("gender", gender)
        related.extend(_documents(ctx, entity, rows))
    if schema != "Vessel":
        entity.add("phone", split_numbered(info.get("Phone number")))
        entity.add("email", split_numbered(info.get("Email address")))
        entity.add("website", split_numbered(info.get("Website")))
    if schema == "Organization":
        entity.add("legalForm", info.get("Type of entity"))
        for prop, number in business_numbers(info.get("Business Reg No", "")):
            entity.add(prop, number)
    if schema == "Vessel":
        imo = re.sub(r"\D", "", info.get("IMO number", ""))
        entity.add("imoNumber", f"IMO{imo}" if len(imo) == 7 else None)
        entity.add("flag", info.get("Flag of ship"))
        entity.add("pastFlags", split_numbered(info.get("Previous flags")))
        entity.add("type", info.get("Type of ship"))
        entity.add("tonnage", info.get("Tonnage of ship"))
        entity.add("buildDate", info.get("Year built"))
    else:
        related.extend(_addresses(ctx, entity, rows))

    programs = sorted({r["Regime"] for r in rows if r.get("Regime")})
    listed_on = min((d for v in _distinct(rows, "Listed On") if (d := _iso_date(v))), default=None)
    prov = provenance(ctx.list_name, list_version=generated, record_id=gid,
                      programs=programs, listed_on=listed_on, source_url=ctx.source_url)
    entity.set_provenance(**prov)

    sanction = EntityBuilder("Sanction", f"{entity_id}-sanction", ctx.list_name)
    sanction.add("entity", entity_id)
    sanction.add("authority", AUTHORITY)
    sanction.add("country", "gb")
    sanction.add("program", programs)
    sanction.add("authorityId", _ref(info.get("UK Sanctions List Ref")))
    sanction.add("unscId", _ref(info.get("UN Ref")))
    sanction.add("recordId", gid)
    sanction.add("reason", info.get("UK Statement of Reasons"))
    sanction.add("listingDate", listed_on)
    designated = _distinct(rows, "UK Sanctions List Date Designated")
    sanction.add("startDate", [_iso_date(v) for v in designated])
    updated = sorted({d for v in _distinct(rows, "Last Updated") if (d := _iso_date(v))})
    sanction.add("modifiedAt", updated[-1:] or None)
    sanction.add("sourceUrl", ctx.source_url)
    sanction.set_provenance(**prov)

    yield entity.to_dict()
    for item in related:
        item.set_provenance(**prov)
        yield item.to_dict()
    yield sanction.to_dict()


def _addresses(
    ctx: ParseContext, entity: EntityBuilder, rows: Iterable[Row]
) -> list[EntityBuilder]:
    out: dict[str, EntityBuilder] = {}
    columns = (*ADDRESS_COLUMNS, "Post/Zip Code", "Country")
    seen: set[tuple[str | None, ...]] = set()
    for row in rows:
        parts = tuple(row.get(c) for c in columns)
        if parts in seen:
            continue
        seen.add(parts)
        country = row.get("Country")
        entity.add("country", country)
        full = ", ".join(p for p in parts if p)
        if not full or full == country:
            continue
        addr_id = hash_id("addr", entity.id, full)
        if addr_id in out:
            continue
        address = EntityBuilder("Address", addr_id, ctx.list_name)
        address.add("full", full)
        address.add("street", row.get("Address 1"))
        address.add("street2", row.get("Address 2"))
        address.add("postalCode", row.get("Post/Zip Code"))
        address.add("country", country)
        entity.add("address", full)
        entity.add("addressEntity", addr_id)
        out[addr_id] = address
    return list(out.values())


def _documents(
    ctx: ParseContext, entity: EntityBuilder, rows: Iterable[Row]
) -> list[EntityBuilder]:
    """Passport and national-id numbers, paired with their '(n)' details by position."""
    out: dict[str, EntityBuilder] = {}
    specs = (
        ("Passport", "passportNumber", "Passport Number", "Passport Details"),
        (
            "Identification",
            "idNumber",
            "National Identification Number",
            "National Identification Details",
        ),
    )
    seen: set[tuple[str | None, ...]] = set()
    for row in rows:
        key = tuple(row.get(spec[2]) for spec in specs) + tuple(row.get(spec[3]) for spec in specs)
        if key in seen:
            continue
        seen.add(key)
        for schema, prop, num_col, det_col in specs:
            numbers = split_numbered(row.get(num_col))
            details = split_numbered(row.get(det_col))
            if len(details) != len(numbers):
                details = [row.get(det_col, "")] * len(numbers)
            for number, detail in zip(numbers, details, strict=True):
                doc_id = hash_id("gb-ofsi-id", entity.id, schema, number)
                entity.add(prop, number)
                if doc_id in out:
                    continue
                ident = EntityBuilder(schema, doc_id, ctx.list_name)
                ident.add("holder", entity.id)
                ident.add("number", number)
                ident.add("type", "Passport" if schema == "Passport" else "National identification")
                ident.add("summary", detail or None)
                out[doc_id] = ident
    return list(out.values())
