"""Ownership sources as FollowTheMoney entities, so they are stored, versioned, diffed and
exported exactly like lists.

Each source's :class:`OwnershipData` becomes party entities (Company, Person, PublicBody...)
and link entities (Ownership, Directorship, Membership, UnknownLink). What FtM properties
cannot hold exactly (a share's bounds with their exclusivity, whether the source itself calls
a stake indirect, the edge kind "control") rides along in an extra top-level ``edge`` key that
:func:`redflags.ownership.ftm_links.entity_edges` reads back; other FtM tools ignore it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from followthemoney import model as ftm_model

from redflags.model import EntityBuilder, FtMEntity, hash_id
from redflags.ownership import bods, gleif, uk_psc, user_csv
from redflags.ownership.edges import Edge, Node, OwnershipData, format_share
from redflags.sources.base import ParseContext

# edge kind -> (FtM schema, owner-side property, owned-side property)
KIND_SCHEMA: dict[str, tuple[str, str, str]] = {
    "ownership": ("Ownership", "owner", "asset"),
    "control": ("UnknownLink", "subject", "object"),
    "director": ("Directorship", "director", "organization"),
    "member": ("Membership", "member", "organization"),
    "linked": ("UnknownLink", "subject", "object"),
}


def node_entity(node: Node, dataset: str) -> FtMEntity:
    schema = "PublicBody" if node.state else (node.schema or "LegalEntity")
    found = ftm_model.get(schema)
    if found is None or not found.matchable:
        schema = "LegalEntity"
    b = EntityBuilder(schema, node.id, dataset)
    b.add("name", node.name or node.id)
    if node.country:
        b.add("country", node.country)
    b.set_provenance(list=dataset, record_id=node.id)
    return b.to_dict()


def edge_entity(edge: Edge, dataset: str) -> FtMEntity:
    schema, owner_prop, owned_prop = KIND_SCHEMA.get(edge.kind, KIND_SCHEMA["linked"])
    ident = hash_id("edge", edge.owner_id, edge.owned_id, edge.kind, edge.record_id, edge.source)
    b = EntityBuilder(schema, ident, dataset)
    b.add(owner_prop, edge.owner_id, clean=False)
    b.add(owned_prop, edge.owned_id, clean=False)
    if schema == "Ownership":
        known = edge.share_low is not None and edge.share_high is not None
        text = format_share(edge.share_low, edge.share_high) if known else edge.share_text
        b.add("percentage", text, clean=False)
        if not edge.direct:
            b.add("ownershipType", "indirect")
    b.add("role", edge.role or (edge.kind if edge.kind == "control" else None))
    b.add("startDate", edge.date)
    b.add("endDate", edge.end_date)
    b.add("recordId", edge.record_id)
    b.set_provenance(list=dataset, record_id=edge.record_id)
    entity = b.to_dict()
    extra: dict[str, Any] = asdict(edge)
    entity["edge"] = extra  # type: ignore[typeddict-unknown-key]
    return entity


def to_entities(data: OwnershipData, dataset: str) -> Iterator[FtMEntity]:
    """Parties first, then links; a party only named in an edge still gets an entity."""
    seen: set[str] = set()
    for node in data.nodes.values():
        seen.add(node.id)
        yield node_entity(node, dataset)
    emitted: set[str] = set()
    for edge in data.edges:
        for end in (edge.owner_id, edge.owned_id):
            if end not in seen:
                seen.add(end)
                yield node_entity(Node(end), dataset)
        entity = edge_entity(edge, dataset)
        if entity["id"] not in emitted:
            emitted.add(entity["id"])
            yield entity


def parse_bods(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """BODS 0.2-0.4 statements (JSON array or JSON lines)."""
    yield from to_entities(bods.parse(path, source=ctx.list_name), ctx.list_name)


def parse_gleif(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """GLEIF level-2 relationship records; level-1 (names) and reporting exceptions are read
    from sibling files (or the options ``lei``/``exceptions``) when present."""
    folder = path.parent
    lei = ctx.options.get("lei") or next((str(p) for p in folder.glob("*lei*level1*.xml")), None)
    rex = ctx.options.get("exceptions") or next(
        (str(p) for p in folder.glob("*repex*.xml")), None
    )
    data = gleif.parse(path, Path(lei) if lei else None, Path(rex) if rex else None)
    yield from to_entities(data, ctx.list_name)


def parse_uk_psc(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """UK Companies House persons-with-significant-control snapshot (JSON lines)."""
    yield from to_entities(uk_psc.parse(path, source=ctx.list_name), ctx.list_name)


def parse_csv(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """A user's own CSV of owners: owner, owned, share (exact, range or blank), source, date."""
    data = user_csv.parse(path, source=ctx.options.get("source") or ctx.list_name)
    yield from to_entities(data, ctx.list_name)
