"""UN Security Council Consolidated List (XML) to FollowTheMoney entities.

The official file (scsanctions.un.org consolidated.xml) holds INDIVIDUAL and ENTITY records;
ids come from the list's own REFERENCE_NUMBER (e.g. ``QDi.001``), which the UN never reuses,
so successive versions diff cleanly by id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from redflags.errors import SourceError
from redflags.model import EntityBuilder, FtMEntity, hash_id, make_id
from redflags.sources.base import (
    ParseContext,
    iter_xml,
    local_children,
    root_attribute,
    xml_text,
)
from redflags.sources.party import provenance

AUTHORITY = "United Nations Security Council"
# Aliases the UN itself rates "Low" quality are too vague to name a party on their own.
WEAK_QUALITIES = frozenset({"low"})
FORMER_QUALITIES = frozenset({"f.k.a.", "fka"})
# A BETWEEN range wider than this is not a birth year but an age guess; keep its ends only.
MAX_YEAR_SPAN = 15
MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_MONTH_YEAR = re.compile(r"^\s*([A-Za-z]{3,9})\.?\s+(\d{4})\s*$")
_DOC_PREFIX = re.compile(r"^.*\b(?:no\.?|number|passport|card|n°|#)\s*:?\s*", re.IGNORECASE)
_PAREN = re.compile(r"\([^)]*\)")
_IMO = re.compile(r"\bIMO(?:\s+number)?\s*:?\s*(\d{7})\b", re.IGNORECASE)


def list_date(path: Path) -> str | None:
    """The ``dateGenerated`` of the file (ISO date), which the store keeps as the list date."""
    value = root_attribute(path, "dateGenerated")
    return value[:10] if value else None


def parse(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """Stream Person/Organization entities with their addresses, documents and sanctions."""
    generated = list_date(path)
    count = 0
    for elem in iter_xml(path, ("INDIVIDUAL", "ENTITY")):
        count += 1
        yield from _parse_record(path, ctx, elem, generated)
    if count == 0:
        raise SourceError(path, "no INDIVIDUAL or ENTITY records: not a UN consolidated list")


def _values(elem: etree._Element, name: str) -> list[str]:
    """Texts of ``<NAME><VALUE>..</VALUE></NAME>`` groups (NATIONALITY, TITLE...)."""
    out: list[str] = []
    for group in local_children(elem, name):
        for v in local_children(group, "VALUE"):
            text = xml_text(v)
            if text:
                out.append(text)
    return out


def _text(elem: etree._Element, name: str) -> str | None:
    child = elem.find(name)
    return xml_text(child)


def _parse_record(
    path: Path, ctx: ParseContext, elem: etree._Element, generated: str | None
) -> Iterator[FtMEntity]:
    is_person = elem.tag == "INDIVIDUAL"
    ref = _text(elem, "REFERENCE_NUMBER")
    data_id = _text(elem, "DATAID")
    key = ref or data_id
    if key is None:
        raise SourceError(
            path, f"{elem.tag} without REFERENCE_NUMBER or DATAID", line=elem.sourceline
        )
    entity_id = "un-" + make_id(key)
    entity = EntityBuilder("Person" if is_person else "Organization", entity_id, ctx.list_name)

    parts = [_text(elem, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    name = " ".join(p for p in parts if p)
    if not name:
        raise SourceError(path, "record has no name", line=elem.sourceline, record=key)
    entity.add("name", name)
    if is_person:
        entity.add("firstName", parts[0])
        entity.add("secondName", parts[1])
        entity.add("title", _values(elem, "TITLE"))
        entity.add("position", _values(elem, "DESIGNATION"))
        entity.add("nationality", _values(elem, "NATIONALITY"))
        gender = (_text(elem, "GENDER") or "").lower()
        if gender in {"male", "female"}:
            entity.add("gender", gender)
    entity.add("alias", _text(elem, "NAME_ORIGINAL_SCRIPT"))
    comments = _text(elem, "COMMENTS1")
    entity.add("notes", comments)
    if comments and not is_person:
        entity.add("imoNumber", [f"IMO{m}" for m in _IMO.findall(comments)])

    alias_tag = "INDIVIDUAL_ALIAS" if is_person else "ENTITY_ALIAS"
    for alias in elem.iter(alias_tag):
        _add_alias(entity, alias)

    if is_person:
        for dob in elem.iter("INDIVIDUAL_DATE_OF_BIRTH"):
            entity.add("birthDate", _birth_dates(dob))
        for pob in elem.iter("INDIVIDUAL_PLACE_OF_BIRTH"):
            place = _join(pob, ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY"))
            entity.add("birthPlace", place)
            entity.add("birthCountry", _text(pob, "COUNTRY"))

    related: dict[str, EntityBuilder] = {}  # by id: a record may repeat an address
    addr_tag = "INDIVIDUAL_ADDRESS" if is_person else "ENTITY_ADDRESS"
    for addr in elem.iter(addr_tag):
        address = _address(ctx, entity, addr)
        if address is not None:
            related.setdefault(address.id, address)
    if is_person:
        for doc in elem.iter("INDIVIDUAL_DOCUMENT"):
            ident = _document(ctx, entity, doc)
            if ident is not None:
                related.setdefault(ident.id, ident)

    program = _text(elem, "UN_LIST_TYPE")
    listed_on = _text(elem, "LISTED_ON")
    prov = provenance(ctx.list_name, list_version=generated, record_id=key,
                      programs=[program] if program else [], listed_on=listed_on,
                      source_url=ctx.source_url)
    entity.set_provenance(**prov)

    sanction = EntityBuilder("Sanction", f"{entity_id}-sanction", ctx.list_name)
    sanction.add("entity", entity_id)
    sanction.add("authority", AUTHORITY)
    sanction.add("program", program)
    sanction.add("unscId", ref)
    sanction.add("recordId", data_id)
    sanction.add("listingDate", listed_on)
    updated = sorted(_values(elem, "LAST_DAY_UPDATED"))
    sanction.add("modifiedAt", updated[-1:] or None)
    sanction.add("sourceUrl", ctx.source_url)
    sanction.set_provenance(**prov)

    yield entity.to_dict()
    for item in related.values():
        item.set_provenance(**prov)
        yield item.to_dict()
    yield sanction.to_dict()


def _add_alias(entity: EntityBuilder, alias: etree._Element) -> None:
    name = _text(alias, "ALIAS_NAME")
    quality = (_text(alias, "QUALITY") or "").lower()
    if name:
        if quality in WEAK_QUALITIES:
            entity.add("weakAlias", name)
        elif quality in FORMER_QUALITIES:
            entity.add("previousName", name)
        else:
            entity.add("alias", name)
    # Some aliases carry the birth data used with that name (e.g. on a false passport).
    if entity.schema == "Person":
        entity.add("birthDate", _text(alias, "DATE_OF_BIRTH"))
        entity.add("birthPlace", _text(alias, "CITY_OF_BIRTH"))
        entity.add("birthCountry", _text(alias, "COUNTRY_OF_BIRTH"))


def _birth_dates(dob: etree._Element) -> list[str]:
    """All dates a DOB element allows: exact date, year, a short year range, or a 'Mon. YYYY'
    note; the matcher compares dates by prefix, so a year is a useful partial date."""
    date = _text(dob, "DATE")
    year = _text(dob, "YEAR")
    if date:
        return [date]
    note = _text(dob, "NOTE") or ""
    if year:
        month = MONTHS.get(note.strip(" .").lower())
        return [f"{year}-{month:02d}" if month else year]
    start, end = _text(dob, "FROM_YEAR"), _text(dob, "TO_YEAR")
    if start and end and start.isdecimal() and end.isdecimal():
        lo, hi = int(start), int(end)
        if 0 <= hi - lo <= MAX_YEAR_SPAN:
            return [str(y) for y in range(lo, hi + 1)]
        return [start, end]
    m = _MONTH_YEAR.match(note)
    if m and m.group(1).lower() in MONTHS:
        return [f"{m.group(2)}-{MONTHS[m.group(1).lower()]:02d}"]
    return [v for v in (start, end) if v]


def _join(elem: etree._Element, tags: tuple[str, ...]) -> str | None:
    parts = [_text(elem, t) for t in tags]
    text = ", ".join(p for p in parts if p)
    return text or None


def _address(
    ctx: ParseContext, entity: EntityBuilder, addr: etree._Element
) -> EntityBuilder | None:
    country = _text(addr, "COUNTRY")
    entity.add("country", country)
    full = _join(addr, ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"))
    if full is None or full == country:
        return None  # a country alone is a property, not an address
    # One Address per party (holder id in the hash) so no two records share an entity.
    address = EntityBuilder("Address", hash_id("addr", entity.id, full), ctx.list_name)
    address.add("full", full)
    address.add("street", _text(addr, "STREET"))
    address.add("city", _text(addr, "CITY"))
    address.add("state", _text(addr, "STATE_PROVINCE"))
    address.add("postalCode", _text(addr, "ZIP_CODE"))
    address.add("country", country)
    address.add("remarks", _text(addr, "NOTE"))
    entity.add("address", full)
    entity.add("addressEntity", address.id)
    return address


def clean_document_number(raw: str) -> str:
    """The number out of free text like 'Libyan passport No. 513519' or '563210184 (Expires
    18 Jun. 2018)': identifiers match exactly, so surrounding words would defeat them."""
    text = " ".join(_PAREN.sub(" ", raw).split())
    text = _DOC_PREFIX.sub("", text).strip(" .,;:")
    return text or " ".join(raw.split())


def _document(
    ctx: ParseContext, entity: EntityBuilder, doc: etree._Element
) -> EntityBuilder | None:
    raw = _text(doc, "NUMBER")
    if not raw:
        return None
    number = clean_document_number(raw)
    kinds = [k for k in (_text(doc, "TYPE_OF_DOCUMENT"), _text(doc, "TYPE_OF_DOCUMENT2")) if k]
    kind = " / ".join(kinds)
    country = _text(doc, "ISSUING_COUNTRY") or _text(doc, "COUNTRY_OF_ISSUE")
    lowered = (kind + " " + raw).lower()
    is_passport = any(w in lowered for w in ("passport", "passeport", "pasaporte"))
    schema = "Passport" if is_passport else "Identification"
    ident = EntityBuilder(schema, hash_id("un-id", entity.id, kind, number, country), ctx.list_name)
    ident.add("holder", entity.id)
    ident.add("number", number)
    ident.add("type", kind or None)
    ident.add("country", country)
    ident.add("startDate", _text(doc, "DATE_OF_ISSUE"))
    ident.add("authority", _text(doc, "CITY_OF_ISSUE"))
    notes = [n for n in (_text(doc, "NOTE"), raw if raw != number else None) if n]
    ident.add("summary", "; ".join(notes) or None)
    entity.add("passportNumber" if is_passport else "idNumber", number)
    return ident
