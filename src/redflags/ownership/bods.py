"""Beneficial Ownership Data Standard (BODS) statements to edges, v0.4 and the older v0.2/0.3.

BODS publishes a history: several statements per record, the newest one (by statementDate,
then file order) stating the record's current state, ``closed`` ending it. Component
relationships are the direct chain; a non-component ``indirect`` interest is the publisher's
own summary of that chain and is kept as a declared indirect edge (``direct=False``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from redflags.errors import SourceError
from redflags.ownership.edges import Declaration, Edge, Node, OwnershipData, bods_share
from redflags.sources.base import read_json_items

OWNERSHIP_TYPES = frozenset({"shareholding"})
DIRECTOR_TYPES = frozenset({"boardMember", "boardChair"})
# No type or an unknown/unpublished interest: some interest exists, its nature is not known.
# Kept as an ownership edge with unknown share so it can only ever make a result "possible".
UNKNOWN_TYPES = frozenset({"", "unknownInterest", "unpublishedInterest"})
STATE_ENTITY_TYPES = frozenset({"state", "stateBody"})


def read_statements(path: Path) -> list[dict[str, Any]]:
    """A BODS file: a JSON array, or JSON lines (one statement or array per line)."""
    data = read_json_items(path)
    out = [s for s in data if isinstance(s, dict)]
    if len(out) != len(data):
        raise SourceError(path, "BODS data contains non-object statements")
    return out


def parse(path: Path, source: str | None = None, prefix: str = "") -> OwnershipData:
    """Edges, parties and unknown-owner declarations of one BODS file."""
    label = source or f"bods:{path.name}"
    try:
        return parse_statements(read_statements(path), label, prefix)
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceError(path, f"unexpected BODS structure: {exc}") from None


def parse_statements(
    statements: Iterable[Mapping[str, Any]], source: str, prefix: str = ""
) -> OwnershipData:
    latest = _latest_per_record(statements)
    out = OwnershipData.empty()
    for stmt in latest:
        kind = _record_type(stmt)
        if kind in {"entity", "person"}:
            node = _node(stmt, kind, prefix)
            out.nodes[node.id] = node
        elif kind == "relationship":
            edges, decl = _relationship(stmt, source, prefix)
            out.edges.extend(edges)
            if decl is not None:
                out.declarations.append(decl)
    return out


def _record_type(stmt: Mapping[str, Any]) -> str:
    if "recordType" in stmt:
        return str(stmt["recordType"])
    legacy = str(stmt.get("statementType", ""))
    return {
        "entityStatement": "entity",
        "personStatement": "person",
        "ownershipOrControlStatement": "relationship",
    }.get(legacy, legacy)


def _record_id(stmt: Mapping[str, Any]) -> str:
    return str(stmt.get("recordId") or stmt.get("statementId") or stmt.get("statementID"))


def _latest_per_record(statements: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    best: dict[str, tuple[str, int, Mapping[str, Any]]] = {}
    for order, stmt in enumerate(statements):
        rid = _record_id(stmt)
        key = (str(stmt.get("statementDate") or ""), order)
        cur = best.get(rid)
        if cur is None or key >= cur[:2]:
            best[rid] = (key[0], key[1], stmt)
    return [v[2] for v in sorted(best.values(), key=lambda v: v[1])]


def _details(stmt: Mapping[str, Any]) -> Mapping[str, Any]:
    details = stmt.get("recordDetails")
    return details if isinstance(details, Mapping) else stmt


def _node(stmt: Mapping[str, Any], kind: str, prefix: str) -> Node:
    d = _details(stmt)
    rid = prefix + _record_id(stmt)
    if kind == "person":
        names = d.get("names") or []
        legal = [n for n in names if n.get("type") == "legal"] or names
        name = legal[0].get("fullName") if legal else None
        nats = d.get("nationalities") or []
        country = nats[0].get("code") if nats else None
        return Node(rid, name, "Person", country)
    etype = d.get("entityType")
    etype_name = etype.get("type") if isinstance(etype, Mapping) else etype
    state = etype_name in STATE_ENTITY_TYPES
    juris = d.get("jurisdiction") or d.get("incorporatedInJurisdiction") or {}
    schema = "PublicBody" if state else "Company"
    return Node(rid, d.get("name"), schema, juris.get("code"), state)


def _party_ref(ref: Any) -> str | None:
    """The record a v0.4 string or a v0.2/0.3 ``describedBy...`` object points to."""
    if isinstance(ref, str):
        return ref
    if isinstance(ref, Mapping):
        for key in ("describedByEntityStatement", "describedByPersonStatement"):
            if ref.get(key):
                return str(ref[key])
    return None


def _unspecified(ref: Any) -> Mapping[str, Any] | None:
    if isinstance(ref, Mapping):
        inner = ref.get("unspecified", ref)
        if isinstance(inner, Mapping) and inner.get("reason"):
            return inner
    return None


def _kind(interest_type: str) -> str:
    if interest_type in OWNERSHIP_TYPES or interest_type in UNKNOWN_TYPES:
        return "ownership"
    if interest_type in DIRECTOR_TYPES:
        return "director"
    return "control"


def _relationship(
    stmt: Mapping[str, Any], source: str, prefix: str
) -> tuple[list[Edge], Declaration | None]:
    d = _details(stmt)
    rid = _record_id(stmt)
    subject = _party_ref(d.get("subject"))
    if subject is None:
        return [], None
    subject = prefix + subject
    party = d.get("interestedParty")
    unspecified = _unspecified(party)
    if unspecified is not None:
        decl = Declaration(
            subject,
            str(unspecified["reason"]),
            unspecified.get("description"),
            source,
            rid,
        )
        return [], decl
    owner = _party_ref(party)
    if owner is None:
        return [], None
    owner = prefix + owner
    closed = stmt.get("recordStatus") == "closed"
    closed_on = str(stmt.get("statementDate") or "")[:10] or None
    interests = d.get("interests") or [{}]
    edges = []
    for interest in interests:
        itype = str(interest.get("type") or "")
        low, high, text = bods_share(interest.get("share"))
        level = interest.get("directOrIndirect") or interest.get("interestLevel") or "unknown"
        end = interest.get("endDate") or (closed_on if closed else None)
        edges.append(
            Edge(
                owner_id=owner,
                owned_id=subject,
                kind=_kind(itype),
                share_low=low,
                share_high=high,
                share_text=text,
                source=source,
                date=_date(interest.get("startDate")),
                record_id=rid,
                end_date=_date(end),
                direct=level != "indirect",
                role=itype or "unknownInterest",
            )
        )
    return edges, None


def _date(value: Any) -> str | None:
    return str(value)[:10] if value else None


def iter_files(folder: Path) -> Iterator[Path]:
    yield from sorted(p for p in folder.glob("*.json") if p.is_file())
