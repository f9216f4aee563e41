"""OFAC's classic XML (sdn.xml / consolidated.xml, namespace tempuri.org/sdnList.xsd).

The XML holds in separate elements (idList, dateOfBirthList...) what the CSV packs into the
Remarks. Each such element is spelled back into the Remarks item OFAC prints for it
("Passport A123 (Iraq) issued ..."), so both formats go through the same item parser and
yield the same properties and the same ids (``ofac-<uid>``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from redflags.errors import SourceError
from redflags.model import FtMEntity
from redflags.sources.base import (
    ParseContext,
    iter_xml,
    local_child,
    local_children,
    sniff_head,
    xml_text,
)
from redflags.sources.ofac_build import (
    OfacAddress,
    OfacAlias,
    OfacRecord,
    build_entities,
    main_id,
    name_variants,
)
from redflags.sources.ofac_remarks import Fact, parse_date, parse_item, parse_remarks

PARSER_VERSION = "2"
_PUBLISH_DATE = re.compile(rb"<(?:\w+:)?Publish_Date>\s*([^<]+?)\s*<")
_TYPES = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}
_ALIAS_KINDS = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "nka"}


def parse(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """Entities of one classic OFAC XML file."""
    records: list[OfacRecord] = []
    version = ctx.options.get("list_version")
    for elem in iter_xml(path, ("sdnEntry", "publshInformation")):
        if etree.QName(elem).localname == "publshInformation":
            published = xml_text(local_child(elem, "Publish_Date"))
            if version is None and published:
                version = parse_date(published) or published
            continue
        records.append(read_entry(path, elem))
    names: dict[str, str] = {}
    for rec in records:
        names.setdefault(name_variants(rec.name)[0], main_id(rec.uid))
    for rec in records:
        for alias in rec.aliases:
            names.setdefault(name_variants(alias.name)[0], main_id(rec.uid))
    emitted: set[str] = set()
    for rec in records:
        yield from build_entities(rec, ctx, names, emitted, version)


def list_date(path: Path) -> str | None:
    """The list's Publish_Date (ISO), read from the file's head without parsing it all."""
    m = _PUBLISH_DATE.search(sniff_head(path, 8192))
    return parse_date(m.group(1).decode("ascii", "replace")) if m else None


def _text(elem: etree._Element, name: str) -> str | None:
    return xml_text(local_child(elem, name))


def _list(elem: etree._Element, list_name: str, item_name: str) -> list[etree._Element]:
    container = local_child(elem, list_name)
    return [] if container is None else local_children(container, item_name)


def person_name(last: str | None, first: str | None) -> str:
    """The CSV's spelling of a name: "LAST, First" (or just the one part present)."""
    return ", ".join(p for p in (last, first) if p)


def read_entry(path: Path, elem: etree._Element) -> OfacRecord:
    uid = _text(elem, "uid")
    if uid is None or not uid.isdecimal():
        line = elem.sourceline if isinstance(elem.sourceline, int) else None
        raise SourceError(path, f"sdnEntry without a numeric uid: {uid!r}", line=line)
    last, first = _text(elem, "lastName"), _text(elem, "firstName")
    name = person_name(last, first)
    if not name:
        raise SourceError(path, "sdnEntry has no name", line=elem.sourceline, record=uid)
    record = OfacRecord(
        uid=uid,
        name=name,
        sdn_type=_TYPES.get((_text(elem, "sdnType") or "").lower(), "entity"),
        programs=[p for p in (xml_text(e) for e in _list(elem, "programList", "program")) if p],
        first_name=first,
        last_name=last,
        title=_text(elem, "title"),
        remarks=_text(elem, "remarks"),
    )
    vessel = local_child(elem, "vesselInfo")
    if vessel is not None:
        record.call_sign = _text(vessel, "callSign")
        record.vessel_type = _text(vessel, "vesselType")
        record.vessel_flag = _text(vessel, "vesselFlag")
        record.vessel_owner = _text(vessel, "vesselOwner")
        record.tonnage = _text(vessel, "tonnage")
        record.grt = _text(vessel, "grossRegisteredTonnage")
    for aka in _list(elem, "akaList", "aka"):
        alias = person_name(_text(aka, "lastName"), _text(aka, "firstName"))
        if not alias:
            continue
        kind = _ALIAS_KINDS.get((_text(aka, "type") or "").lower(), "aka")
        weak = (_text(aka, "category") or "").lower() == "weak"
        record.aliases.append(OfacAlias(alias, kind, weak))
    for addr in _list(elem, "addressList", "address"):
        street = ", ".join(s for s in (_text(addr, f"address{i}") for i in (1, 2, 3)) if s)
        address = OfacAddress(
            uid=_text(addr, "uid"),
            street=street or None,
            city=_text(addr, "city"),
            state=_text(addr, "stateOrProvince"),
            postal=_text(addr, "postalCode"),
            country=_text(addr, "country"),
        )
        if address.full():
            record.addresses.append(address)
    record.facts = list(_facts(elem))
    return record


def _facts(elem: etree._Element) -> Iterator[Fact]:
    """Spell each structured element as the Remarks item the CSV prints, then parse it."""
    for item in _list(elem, "idList", "id"):
        id_type, number = _text(item, "idType"), _text(item, "idNumber")
        if not id_type or not number:
            continue
        text = f"{id_type} {number}"
        country = _text(item, "idCountry")
        if country:
            text += f" ({country})"
        issued, expires = _text(item, "issueDate"), _text(item, "expirationDate")
        if issued:
            text += f" issued {issued}"
        if expires:
            text += f" expires {expires}"
        # An idNumber may hold "; " like the CSV's Remarks: split it the same way.
        yield from parse_remarks(text)
    for item in _list(elem, "dateOfBirthList", "dateOfBirthItem"):
        dob = _text(item, "dateOfBirth")
        if dob:
            yield from parse_item(f"DOB {dob}")
    for item in _list(elem, "placeOfBirthList", "placeOfBirthItem"):
        pob = _text(item, "placeOfBirth")
        if pob:
            yield from parse_item(f"POB {pob}")
    for item in _list(elem, "nationalityList", "nationality"):
        country = _text(item, "country")
        if country:
            yield from parse_item(f"nationality {country}")
    for item in _list(elem, "citizenshipList", "citizenship"):
        country = _text(item, "country")
        if country:
            yield from parse_item(f"citizen {country}")
