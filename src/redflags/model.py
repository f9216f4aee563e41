"""FollowTheMoney-shaped entities with provenance, built and validated against the FtM model.

Entities travel as plain dicts (``{"id", "schema", "properties", "datasets", "provenance"}``)
so that OpenSanctions data, Aleph exports and yente clients work unchanged; the builder keeps
them valid by checking every property against the followthemoney schema.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypedDict, cast

if TYPE_CHECKING:
    from followthemoney.model import Model

# Properties the FtM model has but this product must never fill: it screens against public
# lists and never profiles people by ethnicity, religion or appearance.
FORBIDDEN_PROPERTIES = frozenset(
    {"ethnicity", "religion", "eyeColor", "hairColor", "height", "weight", "appearance", "images"}
)

# Types whose values go through followthemoney's cleaning (dates to ISO, countries to codes).
_CLEANED_TYPES = frozenset({"date", "country", "url", "email", "iban", "number"})

MAX_VALUE_LENGTH = 65_536


@lru_cache(maxsize=1)
def _ftm() -> Model:
    """The FtM model, loaded on first use: importing followthemoney costs ~1 s, which every
    command (even `redflags --help`) paid when this module imported it at the top."""
    from followthemoney import model

    return model


class Provenance(TypedDict, total=False):
    list: str
    list_version: str
    record_id: str
    programs: list[str]
    listed_on: str
    source_url: str
    # Federal Register (or gazette) citations of the listing, e.g. "84 FR 54004, 10/9/19".
    citations: list[str]
    # aliases redflags added (names in the entity's own script), and where they come from
    enriched_aliases: list[str]
    enrichment_source: str
    # the record that names this party without listing it ("Linked To: X" where X has no
    # entry of its own): the party is not listed, so it is no direct hit (see ``mentioned``)
    mentioned_by: str


class FtMEntity(TypedDict, total=False):
    id: str
    schema: str
    properties: dict[str, list[str]]
    datasets: list[str]
    referents: list[str]
    provenance: Provenance
    caption: str


def make_id(*parts: object) -> str:
    """A stable id from a list's own record key, so versions can be diffed by id."""
    text = ".".join(str(p) for p in parts if p is not None and str(p) != "")
    return text.lower().replace(" ", "-")


def hash_id(prefix: str, *parts: object) -> str:
    """A stable id for things a list does not number (addresses, identifications)."""
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}-{digest}"


@lru_cache(maxsize=4096)
def _prop(schema: str, prop: str) -> Any:
    sch = _ftm().get(schema)
    if sch is None:
        raise ValueError(f"unknown FollowTheMoney schema: {schema!r}")
    p = sch.get(prop)
    if p is None:
        raise ValueError(f"schema {schema} has no property {prop!r}")
    return p


@lru_cache(maxsize=4096)
def _cleaner(schema: str, prop: str) -> str | None:
    """The FtM type name whose cleaning a property's values need, or None."""
    name: str = _prop(schema, prop).type.name
    return name if name in _CLEANED_TYPES else None


@lru_cache(maxsize=65536)
def _clean(type_name: str, value: str) -> str | None:
    # followthemoney's cleaners cost ~100 µs a call (measured on the SDN list); list values
    # repeat (countries, dates), so a cache makes them nearly free.
    if type_name == "country":
        from redflags.countries import country_code

        return country_code(value)
    from followthemoney.types import registry

    cleaned = registry.get(type_name).clean(value)
    return None if cleaned is None else str(cleaned)


def schema_exists(schema: str) -> bool:
    return _ftm().get(schema) is not None


def is_a(schema: str, parent: str) -> bool:
    """True when ``schema`` is ``parent`` or extends it (e.g. Company is a LegalEntity)."""
    sch = _ftm().get(schema)
    return sch is not None and sch.is_a(parent)


class EntityBuilder:
    """Collects property values for one entity, cleaning and de-duplicating them."""

    __slots__ = ("datasets", "id", "properties", "provenance", "schema")

    def __init__(self, schema: str, entity_id: str, dataset: str | None = None) -> None:
        if _ftm().get(schema) is None:
            raise ValueError(f"unknown FollowTheMoney schema: {schema!r}")
        self.schema = schema
        self.id = entity_id
        self.properties: dict[str, list[str]] = {}
        self.datasets: list[str] = [dataset] if dataset else []
        self.provenance: Provenance = {}

    def add(self, prop: str, values: str | Iterable[str | None] | None, clean: bool = True) -> None:
        """Add one or more values; blanks are skipped, cleaned values de-duplicated."""
        if values is None:
            return
        if prop in FORBIDDEN_PROPERTIES:
            raise ValueError(f"property {prop!r} is never recorded by redflags")
        type_name = _cleaner(self.schema, prop) if clean else None
        if not clean:
            _prop(self.schema, prop)  # still refuse unknown properties
        bucket = self.properties.get(prop)
        for raw in (values,) if isinstance(values, str) else values:
            if raw is None:
                continue
            value = " ".join(str(raw).split())
            if not value:
                continue
            if len(value) > MAX_VALUE_LENGTH:
                value = value[:MAX_VALUE_LENGTH]
            if type_name is not None:
                cleaned = _clean(type_name, value)
                if cleaned is None:
                    continue
                value = cleaned
            if bucket is None:
                bucket = self.properties[prop] = []
            if value not in bucket:
                bucket.append(value)

    def set_provenance(self, **values: Any) -> None:
        for key, value in values.items():
            if value is None or value == [] or value == "":
                continue
            self.provenance[key] = value  # type: ignore[literal-required]

    def first(self, prop: str) -> str | None:
        vals = self.properties.get(prop)
        return vals[0] if vals else None

    def to_dict(self) -> FtMEntity:
        entity: FtMEntity = {
            "id": self.id,
            "schema": self.schema,
            "properties": self.properties,
            "datasets": self.datasets,
        }
        if self.provenance:
            entity["provenance"] = self.provenance
        return entity


# What a party a record only names keeps of the record's provenance: the list and its
# version, not the record's id, programmes or listing date (they are the record's own).
_MENTION_KEYS = ("list", "list_version", "source_url")


def mention(entity: FtMEntity) -> FtMEntity:
    """Mark a party that a list's record names but does not list ("Linked To: X"); the
    record's provenance is set later by ``related_provenance``."""
    entity["provenance"] = {"mentioned_by": ""}
    return entity


def mentioned(entity: FtMEntity | dict[str, Any]) -> bool:
    """Whether the entity is a party a list names without listing it. Such a party was a
    direct hit presented as listed: "Linked To: OPEN JOINT-STOCK COMPANY ROSNEFT OIL
    COMPANY" on Rosneft Trading's SDN record read as Rosneft on the SDN list, with Rosneft
    Trading's programmes."""
    prov = entity.get("provenance")
    return isinstance(prov, dict) and "mentioned_by" in prov


def related_provenance(entity: FtMEntity | dict[str, Any], record: Provenance) -> Provenance:
    """The provenance of an entity a record brings (address, link, named party): the
    record's own, or for a party it only names, the list's and the record's id as the one
    that mentions it."""
    if not mentioned(entity):
        return cast(Provenance, dict(record))
    out = cast(Provenance, {k: v for k, v in record.items() if k in _MENTION_KEYS})
    out["mentioned_by"] = str(record.get("record_id") or "")
    return out


def merge(first: FtMEntity, other: FtMEntity) -> FtMEntity | None:
    """One entity of two records of one party under one id (OFAC gives VTB Bank one id on
    its SDN and its sectoral list): FtM's merge of properties and schema, both lists'
    datasets, the first record's provenance (a party a list only names yields to a list
    that lists it). None when FtM has no schema for both (they are not one party)."""
    from followthemoney.exc import InvalidData

    if mentioned(first) and not mentioned(other):
        first, other = other, first
    proxy = _ftm().get_proxy(_core(first))
    try:
        proxy.merge(_ftm().get_proxy(_core(other)))
    except InvalidData:
        return None
    out = cast(FtMEntity, proxy.to_dict())
    out.pop("caption", None)
    out["datasets"] = sorted({*first.get("datasets", []), *other.get("datasets", [])})
    if "provenance" in first:
        out["provenance"] = first["provenance"]
    return out


def _core(entity: FtMEntity) -> dict[str, Any]:
    """What FtM reads of an entity (it keeps any other key as context, which it cannot
    merge when a value is a dict, as provenance is)."""
    return {"id": entity["id"], "schema": entity["schema"], "properties": entity["properties"]}


def caption(entity: FtMEntity | dict[str, Any]) -> str:
    """The label a person reads: the first name-like property, else the id."""
    props = entity.get("properties", {})
    for prop in ("name", "caption", "alias", "title", "number", "full", "summary"):
        vals = props.get(prop)
        if vals:
            return str(vals[0])
    return str(entity.get("id", ""))
