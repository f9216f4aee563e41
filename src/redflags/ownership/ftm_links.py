"""FollowTheMoney relationship entities (Ownership, Directorship, Membership, UnknownLink...)
to edges. The OFAC parser emits "Linked To:" remarks as UnknownLink, so links from every list
arrive here the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from redflags.model import caption, is_a
from redflags.ownership.edges import Edge, Node, OwnershipData, parse_share

# schema -> (edge kind, owner-side property, owned-side property)
LINK_SCHEMAS: dict[str, tuple[str, str, str]] = {
    "Ownership": ("ownership", "owner", "asset"),
    "Directorship": ("director", "director", "organization"),
    "Membership": ("member", "member", "organization"),
    "UnknownLink": ("linked", "subject", "object"),
    "Representation": ("linked", "agent", "client"),
    "Associate": ("linked", "person", "associate"),
}


def _first(props: Mapping[str, list[str]], name: str) -> str | None:
    vals = props.get(name) or []
    return str(vals[0]) if vals else None


def entity_edges(entity: Mapping[str, Any], source: str | None = None) -> list[Edge]:
    """Edges stated by one FtM entity; nothing for entities that are not links.

    Multi-valued ends (FtM allows them) give one edge per owner/owned pair. A percentage the
    parser cannot read is kept as text with unknown bounds, never dropped or guessed.
    """
    schema = str(entity.get("schema", ""))
    spec = LINK_SCHEMAS.get(schema)
    if spec is None:
        return []
    exact = entity.get("edge")
    if isinstance(exact, Mapping):  # written by ownership.ftm_entities: keeps bounds exactly
        fields: dict[str, Any] = {k: exact.get(k) for k in Edge.__dataclass_fields__}
        return [Edge(**fields)]
    kind, owner_prop, owned_prop = spec
    props: Mapping[str, list[str]] = entity.get("properties") or {}
    owners = props.get(owner_prop) or []
    owned = props.get(owned_prop) or []
    pct = _first(props, "percentage")
    low: float | None = None
    high: float | None = None
    if kind == "ownership" and pct is not None:
        try:
            low, high = parse_share(pct)
        except ValueError:
            low = high = None
    text = pct
    shares = _first(props, "sharesCount")
    if kind == "ownership" and shares and not pct:
        text = f"{shares} shares"
    datasets = entity.get("datasets") or []
    label = source or (f"ftm:{datasets[0]}" if datasets else "ftm")
    role = _first(props, "role")
    return [
        Edge(
            owner_id=str(o),
            owned_id=str(a),
            kind=kind,
            share_low=low,
            share_high=high,
            share_text=text,
            source=label,
            date=(_first(props, "startDate") or _first(props, "date") or None),
            record_id=str(entity.get("id")),
            end_date=_first(props, "endDate"),
            direct=True,
            role=role,
        )
        for o in owners
        for a in owned
        if o and a and o != a
    ]


def entity_node(entity: Mapping[str, Any]) -> Node | None:
    """A node label for a party entity (not for link entities)."""
    schema = str(entity.get("schema", ""))
    if schema in LINK_SCHEMAS or not entity.get("id"):
        return None
    props: Mapping[str, list[str]] = entity.get("properties") or {}
    state = schema == "PublicBody" or (bool(schema) and _is_public_body(schema))
    country = _first(props, "jurisdiction") or _first(props, "country")
    return Node(str(entity["id"]), caption(dict(entity)), schema or None, country, state)


def _is_public_body(schema: str) -> bool:
    try:
        return is_a(schema, "PublicBody")
    except Exception:  # unknown schema names in user files: not a public body
        return False


def parse_entities(
    entities: Iterable[Mapping[str, Any]], source: str | None = None
) -> OwnershipData:
    """Edges from link entities and labels from party entities, in one pass."""
    out = OwnershipData.empty()
    for entity in entities:
        edges = entity_edges(entity, source)
        if edges:
            out.edges.extend(edges)
            continue
        node = entity_node(entity)
        if node is not None:
            out.nodes[node.id] = node
    return out
