"""GLEIF golden-copy files to edges: level-2 relationships (RR-CDF), LEI names, exceptions.

A relationship record says "StartNode IS_..._BY EndNode": the end node (parent, fund manager,
umbrella fund) controls the start node. Accounting consolidation is control, not a stated
percentage; a ``RelationshipQuantifier`` in PERCENTAGE units, where given, becomes the share.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from redflags.ownership.edges import Declaration, Edge, Node, OwnershipData
from redflags.sources.base import iter_xml, local_child, local_children, xml_text

INDIRECT_TYPES = frozenset({"IS_ULTIMATELY_CONSOLIDATED_BY"})


def _path_text(elem: etree._Element, *names: str) -> str | None:
    cur: etree._Element | None = elem
    for name in names:
        if cur is None:
            return None
        cur = local_child(cur, name)
    return xml_text(cur)


def parse_relationships(path: Path, source: str = "gleif:rr", prefix: str = "") -> OwnershipData:
    out = OwnershipData.empty()
    for rec in iter_xml(path, "RelationshipRecord"):
        rel = local_child(rec, "Relationship")
        if rel is None:
            continue
        child = _path_text(rel, "StartNode", "NodeID")
        parent = _path_text(rel, "EndNode", "NodeID")
        rtype = _path_text(rel, "RelationshipType") or ""
        if not child or not parent:
            continue
        start, end = _relationship_period(rel)
        status = _path_text(rel, "RelationshipStatus")
        low, high, text = _quantifier(rel)
        if status == "INACTIVE" and end is None:
            end = (_path_text(rec, "Registration", "LastUpdateDate") or "")[:10] or None
        out.edges.append(
            Edge(
                owner_id=prefix + parent,
                owned_id=prefix + child,
                kind="ownership" if low is not None else "control",
                share_low=low,
                share_high=high,
                share_text=text,
                source=source,
                date=start,
                record_id=f"{child}|{rtype}|{parent}",
                end_date=end,
                direct=rtype not in INDIRECT_TYPES,
                role=rtype,
            )
        )
    return out


def _relationship_period(rel: etree._Element) -> tuple[str | None, str | None]:
    periods = local_child(rel, "RelationshipPeriods")
    if periods is None:
        return None, None
    fallback: tuple[str | None, str | None] = (None, None)
    for period in local_children(periods, "RelationshipPeriod"):
        start = (_path_text(period, "StartDate") or "")[:10] or None
        end = (_path_text(period, "EndDate") or "")[:10] or None
        if _path_text(period, "PeriodType") == "RELATIONSHIP_PERIOD":
            return start, end
        if fallback == (None, None):
            fallback = (start, None)
    return fallback


def _quantifier(rel: etree._Element) -> tuple[float | None, float | None, str | None]:
    quants = local_child(rel, "RelationshipQuantifiers")
    if quants is None:
        return None, None, None
    for q in local_children(quants, "RelationshipQuantifier"):
        units = _path_text(q, "QuantifierUnits")
        amount = _path_text(q, "QuantifierAmount")
        if units == "PERCENTAGE" and amount:
            value = min(1.0, max(0.0, float(amount) / 100.0))
            return value, value, f"{amount}%"
    return None, None, None


def parse_lei_records(path: Path, prefix: str = "") -> dict[str, Node]:
    """Names and jurisdictions for LEIs, to label graph nodes."""
    nodes: dict[str, Node] = {}
    for rec in iter_xml(path, "LEIRecord"):
        lei = _path_text(rec, "LEI")
        if not lei:
            continue
        entity = local_child(rec, "Entity")
        name = _path_text(entity, "LegalName") if entity is not None else None
        juris = _path_text(entity, "LegalJurisdiction") if entity is not None else None
        nodes[prefix + lei] = Node(prefix + lei, name, "Company", juris)
    return nodes


def parse_reporting_exceptions(
    path: Path, source: str = "gleif:repex", prefix: str = ""
) -> list[Declaration]:
    """Why an LEI reports no parent: kept as declarations, distinct from missing data."""
    out: list[Declaration] = []
    for rec in iter_xml(path, "Exception"):
        lei = _path_text(rec, "LEI")
        category = _path_text(rec, "ExceptionCategory") or ""
        reason = _path_text(rec, "ExceptionReason") or ""
        if not lei:
            continue
        refs = [xml_text(r) for r in local_children(rec, "ExceptionReference")]
        desc = "; ".join(r for r in refs if r) or None
        out.append(Declaration(prefix + lei, f"{category}:{reason}", desc, source, lei))
    return out


def parse(
    relationships: Path,
    lei_records: Path | None = None,
    exceptions: Path | None = None,
    prefix: str = "",
) -> OwnershipData:
    out = parse_relationships(relationships, prefix=prefix)
    if lei_records is not None:
        out.nodes.update(parse_lei_records(lei_records, prefix))
    if exceptions is not None:
        out.declarations.extend(parse_reporting_exceptions(exceptions, prefix=prefix))
    return out
