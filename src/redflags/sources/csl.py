"""trade.gov Consolidated Screening List (CSV download and API JSON) to FtM entities.

The CSL merges eleven-odd Commerce, State and Treasury lists; each record keeps its sub-list
as a second dataset (``<list>.el``, ``<list>.sdn``...) so a hit says which list it came from.
The CSL's own ``_id`` is a hash that changes between releases for the non-OFAC lists, so ids
use OFAC's entity number where there is one, else a slug of the name and first country.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rigour.ids import IMO

from redflags.errors import SourceError
from redflags.model import EntityBuilder, FtMEntity, related_provenance
from redflags.sources.base import ParseContext, read_csv_rows, read_json
from redflags.sources.party import (
    IdRegistry,
    add_safe,
    country_code,
    country_codes,
    guess_schema,
    link_entities,
    make_address,
    make_sanction,
    name_key,
    parse_date,
    provenance,
    slug,
    split_citations,
    split_multi,
    upgrade_schema,
)

COLUMNS = (
    "_id", "source", "entity_number", "type", "programs", "name", "title", "addresses",
    "federal_register_notice", "start_date", "end_date", "standard_order",
    "license_requirement", "license_policy", "call_sign", "vessel_type", "gross_tonnage",
    "gross_registered_tonnage", "vessel_flag", "vessel_owner", "remarks", "source_list_url",
    "alt_names", "citizenships", "dates_of_birth", "nationalities", "places_of_birth",
    "source_information_url", "ids",
)  # fmt: skip
REQUIRED = ("source", "name")

# The `source` strings trade.gov uses -> short dataset code.
SOURCE_CODES: dict[str, str] = {
    "Entity List (EL) - Bureau of Industry and Security": "el",
    "Military End User (MEU) List - Bureau of Industry and Security": "meu",
    "Unverified List (UVL) - Bureau of Industry and Security": "uvl",
    "Denied Persons List (DPL) - Bureau of Industry and Security": "dpl",
    "Nonproliferation Sanctions (ISN) - State Department": "isn",
    "ITAR Debarred (DTC) - State Department": "dtc",
    "Specially Designated Nationals (SDN) - Treasury Department": "sdn",
    "Foreign Sanctions Evaders (FSE) - Treasury Department": "fse",
    "Sectoral Sanctions Identifications List (SSI) - Treasury Department": "ssi",
    "Palestinian Legislative Council List (PLC) - Treasury Department": "plc",
    "Capta List (CAP) - Treasury Department": "cap",
    "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department": (
        "cmic"
    ),
    "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department": "mbs",
}
_ABBREV = re.compile(r"\(([A-Za-z][A-Za-z\- ]{0,20})\)")

AUTHORITIES = {
    "Bureau of Industry and Security": "US Department of Commerce, Bureau of Industry and Security",
    "State Department": "US Department of State",
    "Treasury Department": "US Department of the Treasury, OFAC",
}

# CSL `ids` types -> FtM property. Types not here and not provisions end up in notes.
ID_PROPS: dict[str, str] = {
    "passport": "passportNumber",
    "diplomatic passport": "passportNumber",
    "british national overseas passport": "passportNumber",
    "travel document number": "passportNumber",
    "registration id": "registrationNumber",
    "registration number": "registrationNumber",
    "business registration document #": "registrationNumber",
    "business registration number": "registrationNumber",
    "certificate of incorporation number": "registrationNumber",
    "company number": "registrationNumber",
    "uk company number": "registrationNumber",
    "c.r. no.": "registrationNumber",
    "public registration number": "registrationNumber",
    "government gazette number": "registrationNumber",
    "le number": "registrationNumber",
    "registered charity no.": "registrationNumber",
    "tax id no.": "taxNumber",
    "nit #": "taxNumber",
    "r.f.c.": "taxNumber",
    "rfc": "taxNumber",
    "ruc #": "taxNumber",
    "us fein": "taxNumber",
    "c.u.i.t.": "taxNumber",
    "italian fiscal code": "taxNumber",
    "paraguayan tax identification number": "taxNumber",
    "v.a.t. number": "vatCode",
    "isin": "isinCode",
    "equity ticker": "ticker",
    "unified social credit code (uscc)": "uscCode",
    "swift/bic": "swiftBic",
    "website": "website",
    "email address": "email",
    "legal entity number": "leiCode",
    "bik (ru)": "bikCode",
    "ssn": "socialSecurityNumber",
    "vessel registration identification": "imoNumber",
    "mmsi": "mmsi",
    "issuer name": "alias",
    "target type": "classification",
    "organization type:": "classification",
    "nationality of registration": "jurisdiction",
    "nationality country": "nationality",
    "organization established date": "incorporationDate",
    "gender": "gender",
    "cedula no.": "idNumber",
    "national id no.": "idNumber",
    "d.n.i.": "idNumber",
    "c.u.r.p.": "idNumber",
    "electoral registry no.": "idNumber",
    "identification number": "idNumber",
    "credencial electoral": "idNumber",
    "kenyan id no.": "idNumber",
    "moroccan personal id no.": "idNumber",
    "bosnian personal id no.": "idNumber",
    "personal id card": "idNumber",
    "national foreign id number": "idNumber",
    "driver's license no.": "idNumber",
    "immigration no.": "idNumber",
    "public security and immigration no.": "idNumber",
}
# `ids` entries that are not identifiers but the terms of the sanction.
_PROVISION = re.compile(
    r"(directive|secondary sanctions|sanctions information|transactions prohibited|"
    r"caatsa|ifca determination|purchase/sales for divestment)",
    re.IGNORECASE,
)
_LISTING_DATE = re.compile(r"^listing date\b", re.IGNORECASE)
_EFFECTIVE_DATE = re.compile(r"^effective date\b", re.IGNORECASE)
_SUCCESSOR = re.compile(r";?\s*and any successor, sub-unit, or subsidiary thereof\s*$", re.I)


def parse_csv(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """Stream entities from ``consolidated.csv``.

    A header row repeated mid-file is skipped and counted (``ctx.stats``). A row with the
    wrong number of columns is an error naming its line, unless ``ctx.options["on_bad_row"]``
    is ``"skip"`` (then it is counted as ``bad_row``): a truncated download must not pass for
    a shorter list by default.
    """
    skip_bad = ctx.options.get("on_bad_row", "error") == "skip"
    # The file is read twice (ids and names first, for "Linked To"); counted on the second.
    index = _index((r for _, r in _csv_records(path, ctx, skip_bad, counting=False)))
    run = _Run(ctx, index)
    for line, rec in _csv_records(path, ctx, skip_bad, counting=True):
        yield from _record(path, run, rec, line=line)


def _csv_records(
    path: Path, ctx: ParseContext, skip_bad: bool, *, counting: bool
) -> Iterator[tuple[int, dict[str, Any]]]:
    rows = read_csv_rows(path)
    try:
        _line, header = next(rows)
    except StopIteration:
        raise SourceError(path, "file is empty") from None
    columns = [h.strip().lstrip("\ufeff").lower() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise SourceError(
            path,
            f"not a Consolidated Screening List CSV: no {', '.join(missing)} column "
            f"(headers: {', '.join(header[:12])})",
            line=1,
        )
    for line, row in rows:
        if [c.strip().lower() for c in row] == columns:
            if counting:
                ctx.count("duplicate_header")
            continue
        if len(row) != len(columns):
            if skip_bad:
                if counting:
                    ctx.count("bad_row")
                continue
            raise SourceError(
                path, f"row has {len(row)} columns, the header has {len(columns)}", line=line
            )
        yield line, _from_csv(dict(zip(columns, row, strict=True)))


def parse_json(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """Entities from the CSL API's JSON (``{"results": [...]}``, or a bare list of results)."""
    data = read_json(path)
    results = data.get("results") if isinstance(data, dict) else data
    if not isinstance(results, list):
        raise SourceError(path, 'no "results" list: not a Consolidated Screening List JSON')
    records: list[dict[str, Any]] = []
    for number, item in enumerate(results):
        if not isinstance(item, dict):
            raise SourceError(path, "result is not an object", record=str(number))
        records.append(_from_json(item))
    run = _Run(ctx, _index(records))
    for number, rec in enumerate(records):
        yield from _record(path, run, rec, index=number)


@dataclass
class _Run:
    """What one parse shares across records: ids and names from the first pass."""

    ctx: ParseContext
    index: tuple[list[str], dict[str, str]]
    position: int = 0
    emitted: set[str] = field(default_factory=set)



def _index(records: Iterable[dict[str, Any]]) -> tuple[list[str], dict[str, str]]:
    """Every record's id, in file order, and upper-cased names and aliases -> id."""
    ids = IdRegistry()
    order: list[str] = []
    names: dict[str, str] = {}
    for rec in records:
        name = _clean_name(rec)
        code = source_code(_str(rec.get("source")) or "") if rec.get("source") else "unknown"
        number = _str(rec.get("entity_number"))
        first_country = next(
            (c for c in (_address_country(a) for a in rec["addresses"]) if c), None
        )
        base = f"csl-{code}-{slug(number)}" if number else f"csl-{code}-{slug(name, first_country)}"
        entity_id = ids.claim(base, _str(rec.get("_id")), name, rec["addresses"])
        order.append(entity_id)
        for label in [name, *rec["alt_names"]]:
            if label:
                names.setdefault(name_key(label), entity_id)
    return order, names


def _clean_name(rec: dict[str, Any]) -> str:
    raw = _str(rec.get("name")) or ""
    return _SUCCESSOR.sub("", raw).strip() or raw


def source_code(source: str) -> str:
    """Short dataset code of a CSL ``source`` string ("Entity List (EL) - ..." -> "el")."""
    text = " ".join(source.split())
    code = SOURCE_CODES.get(text)
    if code:
        return code
    m = _ABBREV.search(text)
    if m:
        abbrev = m.group(1).lower().replace(" list", "")
        return slug(abbrev.removeprefix("ns-")).replace("-", "_")
    return slug(text.split(" - ")[0]).replace("-", "_")


def _from_csv(record: dict[str, Any]) -> dict[str, Any]:
    """CSV fields to the JSON shape: ';'-separated lists become lists."""
    out = dict(record)
    for key in (
        "programs",
        "alt_names",
        "citizenships",
        "dates_of_birth",
        "nationalities",
        "places_of_birth",
    ):
        out[key] = split_multi(record.get(key))
    out["addresses"] = [{"address": a} for a in split_multi(record.get("addresses"))]
    out["ids"] = [_id_from_text(p) for p in split_multi(record.get("ids"))]
    return out


def _id_from_text(text: str) -> dict[str, str | None]:
    """ "Passport, 836238033, KP" -> {type, number, country}; free text stays whole."""
    kind, _, rest = text.partition(",")
    parts = [p.strip() for p in rest.split(",")]
    number = rest.strip()
    country = None
    if _PROVISION.search(kind) is None and len(parts) >= 2 and re.fullmatch(r"[A-Z]{2}", parts[1]):
        number, country = parts[0], parts[1]
    return {"type": kind.strip(), "number": number, "country": country}


def _from_json(item: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: item.get(k) for k in COLUMNS}
    out["_id"] = item.get("_id") or item.get("id")
    for key in (
        "programs",
        "alt_names",
        "citizenships",
        "dates_of_birth",
        "nationalities",
        "places_of_birth",
    ):
        out[key] = _as_list(item.get(key))
    addresses: list[dict[str, str | None]] = []
    for addr in item.get("addresses") or []:
        if isinstance(addr, str):
            addresses.append({"address": addr})
        elif isinstance(addr, Mapping):
            addresses.append(
                {
                    k: _str(addr.get(k))
                    for k in ("address", "city", "state", "postal_code", "country")
                }
            )
    out["addresses"] = addresses
    idents: list[dict[str, str | None]] = []
    for ident in item.get("ids") or []:
        if isinstance(ident, str):
            idents.append(_id_from_text(ident))
        elif isinstance(ident, Mapping):
            idents.append(
                {
                    "type": _str(ident.get("type")) or "",
                    "number": _str(ident.get("number")),
                    "country": _str(ident.get("country")),
                }
            )
    out["ids"] = idents
    for key in COLUMNS:
        if key not in ("addresses", "ids") and not isinstance(out.get(key), list):
            out[key] = _str(out.get(key))
    return out


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return split_multi(value)
    if isinstance(value, Sequence):
        return [s for s in (_str(v) for v in value) if s]
    return [str(value)]


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _record(
    path: Path,
    run: _Run,
    rec: dict[str, Any],
    *,
    line: int | None = None,
    index: int | None = None,
) -> Iterator[FtMEntity]:
    ctx = run.ctx
    raw_name = _str(rec.get("name"))
    if raw_name is None:
        record = None if index is None else str(index)
        raise SourceError(path, "record has no name", line=line, record=record)
    source = _str(rec.get("source")) or ""
    code = source_code(source) if source else "unknown"
    name = _clean_name(rec)

    idents = [i for i in rec["ids"] if i.get("number")]
    id_props = [ID_PROPS.get(i["type"].lower()) for i in idents]
    schema = guess_schema(_str(rec.get("type")), name)
    schema = upgrade_schema(schema, [p for p in id_props if p and p != "gender"])

    number = _str(rec.get("entity_number"))
    addresses = rec["addresses"]
    entity_id = run.index[0][run.position]
    run.position += 1

    entity = EntityBuilder(schema, entity_id)
    entity.datasets = [ctx.list_name, f"{ctx.list_name}.{code}"]
    entity.add("name", name)
    if name != raw_name:
        entity.add("notes", raw_name)
    entity.add("alias", rec["alt_names"])
    entity.add("topics", "sanction")
    remarks = _str(rec.get("remarks"))
    if code != "dpl":  # the DPL's "remarks" are its last action ("FR NOTICE ADDED")
        add_safe(entity, "notes", remarks)

    if schema == "Person":
        entity.add("position", _str(rec.get("title")))
        entity.add("citizenship", country_codes(rec["citizenships"]))
        entity.add("nationality", country_codes(rec["nationalities"]))
        entity.add("birthDate", [parse_date(d) for d in rec["dates_of_birth"]])
        entity.add("birthPlace", rec["places_of_birth"])
    else:
        add_safe(entity, "notes", _str(rec.get("title")), "Title")
        add_safe(entity, "country", country_codes(rec["citizenships"] + rec["nationalities"]))
    if schema == "Vessel":
        entity.add("callSign", _str(rec.get("call_sign")))
        entity.add("type", _str(rec.get("vessel_type")))
        entity.add("tonnage", _str(rec.get("gross_tonnage")))
        entity.add("grossRegisteredTonnage", _str(rec.get("gross_registered_tonnage")))
        entity.add("flag", country_code(_str(rec.get("vessel_flag"))))
    owner = _str(rec.get("vessel_owner"))
    add_safe(entity, "notes", f"Vessel owner: {owner}" if owner else None)

    listing_dates: list[str] = []
    start_dates: list[str | None] = [_str(rec.get("start_date"))]
    provisions: list[str] = []
    for ident, prop in zip(idents, id_props, strict=True):
        kind, value = ident["type"], ident["number"]
        if _LISTING_DATE.match(kind):
            listing_dates.append(value)
        elif _EFFECTIVE_DATE.match(kind):
            start_dates.append(value)
        elif _PROVISION.search(kind):
            provisions.append(f"{kind.rstrip(' -:')}: {value}")
        elif prop == "gender":
            if value.lower() in ("male", "female"):
                add_safe(entity, "gender", value.lower())
        elif prop == "incorporationDate":
            add_safe(entity, prop, parse_date(value), kind)
        elif prop in ("jurisdiction", "nationality"):
            add_safe(entity, prop, country_code(value), kind)
        elif prop is not None:
            add_safe(entity, prop, _clean_number(prop, value), kind)
        else:
            add_safe(entity, "notes", f"{kind.rstrip(' -:')}: {value}")

    related: list[EntityBuilder] = []
    for addr in addresses:
        address = _address(entity.datasets, addr)
        if address is None:
            country = _address_country(addr)
            add_safe(entity, "country", country)
            continue
        add_safe(entity, "country", address.first("country"))
        add_safe(entity, "address", address.first("full"))
        add_safe(entity, "addressEntity", address.id)
        if address.id not in run.emitted:
            run.emitted.add(address.id)
            related.append(address)
    for target_name in linked_to(remarks):
        related.extend(link_entities(entity, target_name, run.index[1], run.emitted, "csl"))

    programs = rec["programs"]
    citations = split_citations(_str(rec.get("federal_register_notice")))
    start = parse_date(_str(rec.get("start_date")))
    source_url = _str(rec.get("source_information_url")) or _str(rec.get("source_list_url"))
    entity.set_provenance(
        **provenance(
            ctx.list_name,
            list_version=ctx.options.get("list_date"),
            record_id=_str(rec.get("_id")) or number,
            programs=programs,
            listed_on=start or (parse_date(listing_dates[0]) if listing_dates else None),
            source_url=source_url or ctx.source_url,
            citations=citations,
        )
    )
    agency = source.split(" - ")[-1].strip() if " - " in source else None
    sanction = make_sanction(
        entity,
        authority=AUTHORITIES.get(agency or "", agency),
        programs=programs or ([source.split(" - ")[0]] if source else []),
        start_date=start_dates,
        end_date=_str(rec.get("end_date")),
        listing_date=listing_dates,
        citations=citations,
        reason=_str(rec.get("license_requirement")),
        provisions=[_str(rec.get("license_policy")), *provisions],
        source_url=source_url,
        record_id=_str(rec.get("_id")),
        description="; ".join(
            d
            for d in (
                _standard_order(_str(rec.get("standard_order"))),
                remarks if code == "dpl" else None,
            )
            if d
        )
        or None,
        country="us",
    )
    sanction.add("programId", code)
    for item in related:
        item.provenance = related_provenance(item.to_dict(), entity.provenance)
    yield entity.to_dict()
    yield sanction.to_dict()
    for item in related:
        yield item.to_dict()


def _standard_order(value: str | None) -> str | None:
    if value is None:
        return None
    return "Standard order" if value.upper() == "Y" else "Non-standard order"


def _clean_number(prop: str, value: str) -> str:
    if prop == "imoNumber" and IMO.is_valid(value):
        return IMO.normalize(value) or value  # "IMO 7406784" -> "IMO7406784", as OFAC's XML
    return value


def _address_country(addr: Mapping[str, str | None]) -> str | None:
    country = addr.get("country")
    if country:
        return country_code(country)
    text = addr.get("address") or ""
    tail = text.rsplit(",", 1)[-1].strip()
    return country_code(tail) if re.fullmatch(r"[A-Z]{2}", tail) else None


def _address(datasets: list[str], addr: Mapping[str, str | None]) -> EntityBuilder | None:
    """An Address from a CSV "street, city, CC" string or an API address object."""
    text = addr.get("address")
    country = _address_country(addr)
    parts = [text, addr.get("city"), addr.get("state"), addr.get("postal_code")]
    if addr.get("country") and text and not text.rstrip().endswith(addr.get("country") or ""):
        parts.append(addr.get("country"))
    full = ", ".join(p for p in parts if p)
    if not full or full.strip().upper() == (country or "").upper():
        return None  # a bare country code is a property, not an address
    return make_address(
        datasets,
        full,
        country=country,
        city=addr.get("city"),
        state=addr.get("state"),
        postal_code=addr.get("postal_code"),
    )


def linked_to(remarks: str | None) -> list[str]:
    """Names in OFAC's "(Linked To: X)" remarks, which the CSL copies for SDN/SSI records."""
    out: list[str] = []
    for part in (remarks or "").split(";"):
        text = part.strip()
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1]
        elif text.startswith("("):
            text = text[1:]
        text = text.strip()
        if not text.lower().startswith("linked to:"):
            continue
        target = text.split(":", 1)[1].strip()
        if target.count(")") > target.count("("):
            target = target[: target.rfind(")")]
        if target.strip(" ."):
            out.append(target.strip())
    return out
