"""One OFAC record, from either official format, turned into FollowTheMoney entities.

The legacy CSV set and the classic XML say the same things in different shapes; both parsers
fill an :class:`OfacRecord` and call :func:`build_entities`, so one list yields the same ids
and properties whichever format it came in (diffs and cross-checks rely on that).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from followthemoney import model as ftm_model
from followthemoney import registry
from rigour.names import extract_org_types

from redflags.model import EntityBuilder, FtMEntity, hash_id, mention, related_provenance
from redflags.sources.base import ParseContext
from redflags.sources.ofac_remarks import (
    IDENT,
    LINK,
    NOTE,
    PROP,
    SANCTION,
    WALLET,
    Fact,
    country_code,
    parse_remarks,
)

AUTHORITY = "US Treasury OFAC"
ROLE_LINKED = "Linked To"

# rigour's generic org-type targets that mean "a company"; "ngo" and state institutions
# mean an Organization. Short ambiguous hits ("sp" for "EK", "fin" for "NA") are ignored.
_COMPANY_TYPES = frozenset({"llc", "jsc", "lp", "llp", "mil"})
_ORG_TYPES = frozenset({"ngo", "soe"})
_COMPANY_WORDS = re.compile(
    r"\b(?:COMPANY|CORPORATION|CORP|INC|INCORPORATED|LIMITED)\b|"
    r"\b(?:CO|CIA|C\.A|S\.C\.S|S\.A\.S|E\.I\.R\.L)\.(?=[\s,)]|$)",
    re.I,
)
_ORG_WORDS = re.compile(
    r"\b(?:MINISTRY|ARMY|BRIGADES?|FRONT|MOVEMENT|PARTY|MILITIA|FORCES?|CORPS|COMMITTEE|"
    r"COUNCIL|UNIVERSITY|INSTITUTE|FOUNDATION|ASSOCIATION|ORGANI[SZ]ATION|CHARITY|"
    r"CHARITABLE|SOCIETY|GOVERNMENT|DIRECTORATE|AGENCY|CARTEL|GANG)\b",
    re.I,
)
# Properties whose presence says the party is a company.
_COMPANY_PROPS = frozenset(
    {
        "isinCode",
        "uscCode",
        "registrationNumber",
        "ogrnCode",
        "ticker",
        "swiftBic",
        "bikCode",
        "dunsCode",
        "vatCode",
        "leiCode",
        "okpoCode",
    }
)
_TYPE_SCHEMA = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
# Where an identifier goes when its own property does not exist on the chosen schema.
_FALLBACK_PROPS = ("idNumber", "registrationNumber")


@dataclass
class OfacAlias:
    name: str
    kind: str = "aka"  # aka / fka / nka
    weak: bool = False


@dataclass
class OfacAddress:
    """An address; ``locality`` is the CSV's one "City/State/Province/Postal Code" cell."""

    uid: str | None = None
    street: str | None = None
    locality: str | None = None
    city: str | None = None
    state: str | None = None
    postal: str | None = None
    country: str | None = None
    remarks: str | None = None

    def full(self) -> str:
        """Spelled as the CSV spells it, so both formats give one Address id."""
        locality = self.locality
        if locality is None:
            place = ", ".join(p for p in (self.city, self.state) if p)
            locality = " ".join(p for p in (place, self.postal) if p) or None
        return ", ".join(p for p in (self.street, locality, self.country) if p)


@dataclass
class OfacRecord:
    """What one sdnEntry / ent_num says, before any FtM decisions."""

    uid: str
    name: str
    sdn_type: str  # individual / vessel / aircraft / entity
    programs: list[str] = field(default_factory=list)
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    call_sign: str | None = None
    vessel_type: str | None = None
    tonnage: str | None = None
    grt: str | None = None
    vessel_flag: str | None = None
    vessel_owner: str | None = None
    remarks: str | None = None
    aliases: list[OfacAlias] = field(default_factory=list)
    addresses: list[OfacAddress] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)


def main_id(uid: str) -> str:
    """The listed party's id: stable across list versions and formats."""
    return f"ofac-{uid.strip()}"


def split_programs(text: str | None) -> list[str]:
    """ "SDGT] [IRGC" (several programs in one CSV cell) -> ["SDGT", "IRGC"]."""
    if not text:
        return []
    out: list[str] = []
    for part in re.split(r"\]\s*\[|[\[\]]|;", text):
        p = part.strip()
        if p and p != "-0-" and p not in out:
            out.append(p)
    return out


def name_variants(name: str) -> list[str]:
    """Keys under which a "Linked To" name is looked up: exact, then with/without a final dot."""
    key = " ".join(name.split()).upper()
    variants = [key]
    if key.endswith("."):
        variants.append(key[:-1])
    else:
        variants.append(key + ".")
    return variants


def choose_schema(record: OfacRecord, facts: list[Fact]) -> str:
    """Person/Vessel/Airplane from the type; for others Company only on evidence."""
    schema = _TYPE_SCHEMA.get(record.sdn_type)
    if schema:
        return schema
    props = {f.prop for f in facts if f.kind in (PROP, IDENT)}
    if props & _COMPANY_PROPS:
        return "Company"
    for f in facts:
        if f.prop == "classification" and re.search(
            r"compan|enterprise|financial institution", f.value, re.I
        ):
            return "Company"
    names = [record.name, *(a.name for a in record.aliases)]
    organization = False
    for name in names:
        for _match, generic in extract_org_types(name.casefold(), generic=True):
            if generic in _COMPANY_TYPES:
                return "Company"
            if generic in _ORG_TYPES:
                organization = True
        if _COMPANY_WORDS.search(name):
            return "Company"
        if _ORG_WORDS.search(name):
            organization = True
    if any(f.prop == "classification" and "government" in f.value.lower() for f in facts):
        organization = True
    return "Organization" if organization else "LegalEntity"


@lru_cache(maxsize=1024)
def _has_prop(schema: str, prop: str) -> bool:
    sch = ftm_model.get(schema)
    return sch is not None and sch.get(prop) is not None


_NAME_PROPS = ("name", "alias", "weakAlias", "previousName")


def _known_name(b: EntityBuilder, value: str) -> bool:
    """A Remarks alias that only differs in case from a listed name adds nothing."""
    key = " ".join(value.split()).casefold()
    return any(
        " ".join(v.split()).casefold() == key for p in _NAME_PROPS for v in b.properties.get(p, ())
    )


@lru_cache(maxsize=1024)
def _type_of(schema: str, prop: str) -> str:
    sch = ftm_model.get(schema)
    p = sch.get(prop) if sch is not None else None
    return str(p.type.name) if p is not None else ""


def _add(b: EntityBuilder, prop: str, value: str | None, label: str = "") -> None:
    """Add a value, falling back to a generic identifier property or a note, never losing it."""
    if not value:
        return
    if prop in _NAME_PROPS and _known_name(b, value):
        return
    if _has_prop(b.schema, prop):
        # Dates and countries from the Remarks parser are already ISO dates / FtM codes;
        # re-cleaning them costs more than the whole rest of the parse.
        b.add(prop, value, clean=_type_of(b.schema, prop) not in ("date", "country"))
        return
    if prop.endswith(("Number", "Code", "Bic")) or prop == "mmsi":
        for alt in _FALLBACK_PROPS:
            if _has_prop(b.schema, alt):
                b.add(alt, value)
                return
    b.add("notes", f"{label or prop}: {value}")


def build_entities(
    record: OfacRecord,
    ctx: ParseContext,
    names: dict[str, str],
    emitted: set[str] | None = None,
    list_version: str | None = None,
) -> Iterator[FtMEntity]:
    """The main entity, its Sanction, addresses, identifications, wallets and links.

    ``names`` maps upper-cased listed names (and aliases) to entity ids of the same file, so
    "Linked To: X" points at X's real id; an unknown X becomes one LegalEntity stub, emitted
    once per parse; shared Address entities too (``emitted`` holds the ids already out).
    """
    dataset = ctx.list_name
    stubs = emitted if emitted is not None else set()
    facts = parse_remarks(record.remarks) + record.facts
    schema = choose_schema(record, facts)
    eid = main_id(record.uid)
    main = EntityBuilder(schema, eid, dataset)
    main.add("name", record.name)
    titles = [t.strip() for t in (record.title or "").split(";") if t.strip()]
    if schema == "Person":
        _person_names(main, record)
        main.add("position", titles)
    else:
        main.add("notes", titles)
    for alias in record.aliases:
        prop = {"fka": "previousName", "nka": "alias"}.get(alias.kind, "alias")
        if alias.weak:
            prop = "weakAlias" if alias.kind != "fka" else "previousName"
        main.add(prop, alias.name)
    if schema == "Vessel":
        main.add("callSign", record.call_sign)
        main.add("type", record.vessel_type)
        main.add("tonnage", _number(record.tonnage))
        main.add("grossRegisteredTonnage", _number(record.grt))
        main.add("flag", country_code(record.vessel_flag))
        # FtM's owner is an entity reference; OFAC gives only a text, kept as a note.
        if record.vessel_owner:
            main.add("notes", f"Vessel owner: {record.vessel_owner}")
    else:
        for label, value in (
            ("Call sign", record.call_sign),
            ("Vessel type", record.vessel_type),
            ("Vessel owner", record.vessel_owner),
        ):
            if value:
                main.add("notes", f"{label}: {value}")
    source_url = _clean_url(ctx.source_url)
    _put(main, "program", *record.programs)
    _put(main, "topics", "sanction")
    _put(main, "sourceUrl", source_url)

    provenance = {
        "list": dataset,
        "list_version": list_version,
        "record_id": record.uid,
        "programs": record.programs,
        "source_url": ctx.source_url,
    }
    sanction = EntityBuilder("Sanction", f"{eid}-sanction", dataset)
    sanction.properties.update(
        _props(
            entity=eid,
            authority=AUTHORITY,
            authorityId=record.uid,
            program=record.programs,
            sourceUrl=source_url,
            country="us",
        )
    )

    extra: list[FtMEntity] = []
    for fact in facts:
        if fact.kind == PROP:
            _add(main, fact.prop, fact.value, fact.label)
        elif fact.kind == IDENT:
            _add(main, fact.prop, fact.value, fact.label)
            extra.append(_identification(fact, eid, dataset))
        elif fact.kind == SANCTION:
            if fact.prop in ("listingDate", "startDate"):
                _put(sanction, fact.prop, fact.value)  # ISO already
            else:
                sanction.add(fact.prop, fact.value)
        elif fact.kind == WALLET:
            extra.append(_wallet(fact, eid, dataset))
        elif fact.kind == LINK:
            extra.extend(_link(fact, eid, dataset, names, stubs))
        elif fact.kind == NOTE and fact.value not in titles:  # Remarks repeat the title
            main.add("notes", fact.value)

    for address in record.addresses:
        addr = _address(address, eid, dataset)
        if addr is None:
            continue
        main.add("addressEntity", addr["id"])
        main.add("address", addr["properties"].get("full"))
        main.add("country", addr["properties"].get("country"))
        if addr["id"] not in stubs:
            stubs.add(addr["id"])
            extra.append(addr)

    listed_on = sanction.first("listingDate")
    main.set_provenance(**provenance, listed_on=listed_on)
    sanction.set_provenance(**provenance, listed_on=listed_on)
    yield main.to_dict()
    yield sanction.to_dict()
    seen: set[str] = set()
    for entity in extra:
        # An identifier or link the Remarks repeat (e.g. in an "alias passport" note) once.
        if entity["id"] in seen:
            continue
        seen.add(entity["id"])
        entity["provenance"] = related_provenance(entity, main.provenance)
        yield entity


# Entities whose every value is built here (ids, codes, ISO dates, parser output) skip the
# EntityBuilder: on the 2024 SDN list its ~250k add() calls for them were a third of the
# parse time (cProfile). Their property names are checked against FtM once, at import.
_DIRECT_PROPS = {
    "Sanction": ("entity", "authority", "authorityId", "program", "sourceUrl", "country"),
    "Identification": ("holder", "number", "type", "country", "startDate", "endDate"),
    "Passport": ("holder", "number", "type", "country", "startDate", "endDate"),
    "UnknownLink": ("subject", "object", "role"),
}
for _schema, _names in _DIRECT_PROPS.items():
    for _name in _names:
        if not _has_prop(_schema, _name):  # pragma: no cover - model drift
            raise RuntimeError(f"FollowTheMoney {_schema} lost property {_name}")


def _props(**values: str | list[str] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for prop, value in values.items():
        if isinstance(value, list):
            if value:
                out[prop] = list(value)
        elif value:
            out[prop] = [value]
    return out


def _put(b: EntityBuilder, prop: str, *values: str | None) -> None:
    """Add values that are already clean (ids, codes, ISO dates, parser output).

    EntityBuilder.add re-normalises and re-cleans every value; on the 2024 SDN list the
    ~250k such calls for values built here cost ~1 s of a ~3 s parse (cProfile). The
    property is still checked against the FtM schema.
    """
    if not _has_prop(b.schema, prop):
        raise ValueError(f"schema {b.schema} has no property {prop!r}")
    bucket = b.properties.get(prop)
    for value in values:
        if not value:
            continue
        if bucket is None:
            bucket = b.properties[prop] = []
        if value not in bucket:
            bucket.append(value)


@lru_cache(maxsize=64)
def _clean_url(url: str | None) -> str | None:
    """Cleaned once per list, not once per entity (rigour's URL cleaning is slow-ish)."""
    if not url:
        return None
    cleaned = registry.url.clean(url)
    return str(cleaned) if cleaned else None


def _person_names(b: EntityBuilder, record: OfacRecord) -> None:
    """OFAC writes persons "LAST, First"; keep that in name and fill the parts."""
    last, first = record.last_name, record.first_name
    if last is None and first is None and "," in record.name:
        last, _, first = record.name.partition(",")
    b.add("lastName", last.strip() if last else None)
    b.add("firstName", first.strip() if first else None)


def _number(text: str | None) -> str | None:
    if not text:
        return None
    return text.replace(",", "").strip() or None


def _identification(fact: Fact, holder: str, dataset: str) -> FtMEntity:
    return {
        "id": hash_id("ofac-id", holder, fact.label, fact.value),
        "schema": "Passport" if fact.prop == "passportNumber" else "Identification",
        "properties": _props(
            holder=holder,
            number=fact.value,
            type=fact.label or fact.prop,
            country=fact.country,
            startDate=fact.issued,
            endDate=fact.expires,
        ),
        "datasets": [dataset],
    }


def _wallet(fact: Fact, holder: str, dataset: str) -> FtMEntity:
    wallet_id = hash_id("ofac-wallet", holder, fact.label, fact.value)
    b = EntityBuilder("CryptoWallet", wallet_id, dataset)
    b.add("holder", holder)
    b.add("publicKey", fact.value)
    b.add("currencySymbol", fact.label)
    return b.to_dict()


def _link(
    fact: Fact, subject: str, dataset: str, names: dict[str, str], stubs: set[str]
) -> Iterator[FtMEntity]:
    target = None
    for key in name_variants(fact.value):
        target = names.get(key)
        if target:
            break
    if target is None:
        target = hash_id("ofac-party", " ".join(fact.value.split()).upper().rstrip("."))
        if target not in stubs:
            stubs.add(target)
            stub = EntityBuilder("LegalEntity", target, dataset)
            stub.add("name", fact.value)
            yield mention(stub.to_dict())
    if target == subject:
        return
    yield {
        "id": hash_id("ofac-link", subject, fact.label, target),
        "schema": "UnknownLink",
        "properties": _props(subject=subject, object=target, role=fact.label or ROLE_LINKED),
        "datasets": [dataset],
    }


def _address(address: OfacAddress, holder: str, dataset: str) -> FtMEntity | None:
    full = address.full()
    if not full:
        return None
    # The CSV cannot hold double quotes (OFAC turns them into single ones): key without them.
    key = " ".join(full.replace('"', "'").split()).upper()
    b = EntityBuilder("Address", hash_id("ofac-addr", key), dataset)
    b.add("full", full)
    b.add("street", address.street)
    b.add("city", address.city)
    b.add("region", address.state)
    b.add("postalCode", address.postal)
    b.add("country", country_code(address.country))
    if address.remarks:
        b.add("remarks", address.remarks)
    return b.to_dict()
