"""EU Consolidated Financial Sanctions List (FSF XML, xmlFullSanctionsList_1_1).

Everything sits in attributes of namespaced elements under ``export/sanctionEntity``. Ids
come from the entry's ``logicalId``, which the Commission keeps across file versions.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from followthemoney import model as ftm_model
from lxml import etree

from redflags.errors import SourceError
from redflags.model import EntityBuilder, FtMEntity, hash_id
from redflags.sources.base import (
    ParseContext,
    iter_xml,
    local_child,
    local_children,
    root_attribute,
    xml_text,
)
from redflags.sources.party import provenance

NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"
AUTHORITY = "European Union"
SCHEMAS = {"person": "Person", "enterprise": "Organization"}
GENDERS = {"M": "male", "F": "female"}
# identificationTypeCode -> (schema of the document entity, property on the party)
ID_TYPES: dict[str, tuple[str, str]] = {
    "passport": ("Passport", "passportNumber"),
    "id": ("Identification", "idNumber"),
    "nationalid": ("Identification", "idNumber"),
    "ssn": ("Identification", "idNumber"),
    "regnumber": ("Identification", "registrationNumber"),
    "tax": ("Identification", "taxNumber"),
    "fiscalcode": ("Identification", "taxNumber"),
    "imo": ("Identification", "imoNumber"),
    "swiftbic": ("Identification", "swiftBic"),
}
# Flags on a document that a reviewer must see next to its number.
DOC_FLAGS = ("diplomatic", "knownExpired", "knownFalse", "reportedLost", "revokedByIssuer")


def list_date(path: Path) -> str | None:
    """The export's ``generationDate`` (ISO date), which the store keeps as the list date."""
    value = root_attribute(path, "generationDate")
    return value[:10] if value else None


def parse(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """Stream Person/Organization entities with their documents, addresses and sanction."""
    generated = list_date(path)
    count = 0
    for elem in iter_xml(path, "sanctionEntity"):
        count += 1
        if count == 1 and etree.QName(elem).namespace != NAMESPACE:
            found = etree.QName(elem).namespace
            raise SourceError(
                path, f"namespace {found!r} is not the FSF export's", line=elem.sourceline
            )
        yield from _parse_entry(path, ctx, elem, generated)
    if count == 0:
        raise SourceError(path, "no sanctionEntity elements: not an EU FSF export")


def _attr(elem: etree._Element, name: str) -> str | None:
    value = elem.get(name)
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _country(code: str | None) -> str | None:
    """ISO code, or None for the list's '00' (unknown) placeholder."""
    if not code or code == "00":
        return None
    return code.lower()


def _parse_entry(
    path: Path, ctx: ParseContext, elem: etree._Element, generated: str | None
) -> Iterator[FtMEntity]:
    logical_id = _attr(elem, "logicalId")
    if logical_id is None:
        raise SourceError(path, "sanctionEntity without logicalId", line=elem.sourceline)
    subject = local_child(elem, "subjectType")
    code = _attr(subject, "code") if subject is not None else None
    schema = SCHEMAS.get(code or "", "LegalEntity")
    entity_id = f"eu-fsf-{logical_id}"
    entity = EntityBuilder(schema, entity_id, ctx.list_name)
    is_person = schema == "Person"

    names = local_children(elem, "nameAlias")
    for alias in names:
        whole = _attr(alias, "wholeName")
        strong = (_attr(alias, "strong") or "true").lower() != "false"
        if not whole:
            continue
        if not strong:
            entity.add("weakAlias", whole)
        elif "name" not in entity.properties:
            entity.add("name", whole)
        else:
            entity.add("alias", whole)
        if is_person and strong:
            entity.add("firstName", _attr(alias, "firstName"))
            entity.add("middleName", _attr(alias, "middleName"))
            entity.add("lastName", _attr(alias, "lastName"))
            entity.add("title", _attr(alias, "title"))
            entity.add("position", _attr(alias, "function"))
            entity.add("gender", GENDERS.get(_attr(alias, "gender") or ""))
    if "name" not in entity.properties:
        raise SourceError(path, "entry has no name", line=elem.sourceline, record=logical_id)

    for cit in local_children(elem, "citizenship"):
        entity.add(
            "nationality" if is_person else "country", _country(_attr(cit, "countryIso2Code"))
        )
    if is_person:
        for birth in local_children(elem, "birthdate"):
            entity.add("birthDate", _birth_date(birth))
            entity.add("birthPlace", _attr(birth, "city") or _attr(birth, "place"))
            entity.add("birthCountry", _country(_attr(birth, "countryIso2Code")))
    entity.add("notes", [xml_text(r) for r in local_children(elem, "remark")])

    related: dict[str, EntityBuilder] = {}  # by id: a record may repeat an address
    for ident in local_children(elem, "identification"):
        doc = _identification(ctx, entity, ident)
        if doc is not None:
            related.setdefault(doc.id, doc)
    for addr in local_children(elem, "address"):
        address = _address(ctx, entity, addr)
        if address is not None:
            related.setdefault(address.id, address)

    regulations = local_children(elem, "regulation")
    programs = list(dict.fromkeys(p for r in regulations if (p := _attr(r, "programme"))))
    published = sorted(d for r in regulations if (d := _attr(r, "publicationDate")))
    listed_on = published[0] if published else None
    prov = provenance(ctx.list_name, list_version=generated, record_id=logical_id,
                      programs=programs, listed_on=listed_on, source_url=ctx.source_url)
    entity.set_provenance(**prov)

    sanction = EntityBuilder("Sanction", f"{entity_id}-sanction", ctx.list_name)
    sanction.add("entity", entity_id)
    sanction.add("authority", AUTHORITY)
    sanction.add("country", "eu")
    sanction.add("program", programs)
    sanction.add("authorityId", _attr(elem, "euReferenceNumber"))
    sanction.add("unscId", _attr(elem, "unitedNationId"))
    sanction.add("recordId", logical_id)
    sanction.add("reason", _attr(elem, "designationDetails"))
    sanction.add("listingDate", listed_on)
    sanction.add("startDate", [_attr(r, "entryIntoForceDate") for r in regulations[:1]])
    sanction.add("modifiedAt", published[-1:] or None)
    sanction.add("provisions", [_attr(r, "numberTitle") for r in regulations])
    urls = [xml_text(local_child(r, "publicationUrl")) for r in regulations]
    sanction.add("sourceUrl", [ctx.source_url, *urls])
    sanction.set_provenance(**prov)

    yield entity.to_dict()
    for item in related.values():
        item.set_provenance(**prov)
        yield item.to_dict()
    yield sanction.to_dict()


def _birth_date(birth: etree._Element) -> str | None:
    """The full date, else as much of year-month-day as the entry gives."""
    full = _attr(birth, "birthdate")
    if full:
        return full
    year = _attr(birth, "year")
    if not year:
        return None
    month = _attr(birth, "monthOfYear")
    day = _attr(birth, "dayOfMonth")
    if month and month.isdecimal():
        if day and day.isdecimal():
            return f"{year}-{int(month):02d}-{int(day):02d}"
        return f"{year}-{int(month):02d}"
    return year


def _identification(
    ctx: ParseContext, entity: EntityBuilder, ident: etree._Element
) -> EntityBuilder | None:
    number = _attr(ident, "number")
    latin = _attr(ident, "latinNumber")
    if not number and not latin:
        return None
    type_code = (_attr(ident, "identificationTypeCode") or "").lower()
    schema, prop = ID_TYPES.get(type_code, ("Identification", "idNumber"))
    holder_schema = ftm_model.get(entity.schema)
    if holder_schema is None or holder_schema.get(prop) is None:  # e.g. IMO on a Person
        schema, prop = "Identification", "idNumber"
    country = _country(_attr(ident, "countryIso2Code"))
    doc_id = hash_id("eu-fsf-id", entity.id, type_code, number, latin, country)
    doc = EntityBuilder(schema, doc_id, ctx.list_name)
    doc.add("holder", entity.id)
    doc.add("number", [number, latin])
    doc.add("type", _attr(ident, "identificationTypeDescription") or type_code or None)
    doc.add("country", country)
    doc.add("authority", _attr(ident, "issuedBy"))
    doc.add("startDate", _attr(ident, "issuedDate") or _attr(ident, "validFrom"))
    doc.add("endDate", _attr(ident, "validTo"))
    flags = [f for f in DOC_FLAGS if (_attr(ident, f) or "").lower() == "true"]
    remarks = [t for r in local_children(ident, "remark") if (t := xml_text(r))]
    summary = "; ".join([*flags, *remarks])
    doc.add("summary", summary or None)
    entity.add(prop, [number, latin])
    return doc


def _address(
    ctx: ParseContext, entity: EntityBuilder, addr: etree._Element
) -> EntityBuilder | None:
    country = _country(_attr(addr, "countryIso2Code"))
    entity.add("country", country)
    parts = [
        _attr(addr, "street"),
        _attr(addr, "poBox"),
        _attr(addr, "city"),
        _attr(addr, "region"),
        _attr(addr, "zipCode"),
        _attr(addr, "place"),
        _attr(addr, "countryDescription") if country else None,
    ]
    full = ", ".join(p for p in parts if p)
    if not full or full == _attr(addr, "countryDescription"):
        return None
    address = EntityBuilder("Address", hash_id("addr", entity.id, full), ctx.list_name)
    address.add("full", full)
    address.add("street", _attr(addr, "street"))
    address.add("postOfficeBox", _attr(addr, "poBox"))
    address.add("city", _attr(addr, "city"))
    address.add("region", _attr(addr, "region"))
    address.add("postalCode", _attr(addr, "zipCode"))
    address.add("country", country)
    address.add("remarks", [xml_text(r) for r in local_children(addr, "remark")])
    entity.add("address", full)
    entity.add("addressEntity", address.id)
    return address
