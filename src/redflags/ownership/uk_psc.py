"""UK Companies House "persons with significant control" (PSC) snapshot records to edges.

Each nature of control is one edge: ``ownership-of-shares-25-to-50-percent`` is a stake of
more than 25% and at most 50% (Companies House bands), voting rights and appointment rights
are control. A corporate PSC registered in the UK is linked to its own company number, so
chains of UK companies join up. Statements (no PSC, PSC not identified) and super-secure
PSCs become declarations: a withheld owner is a signal, not an absence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from redflags.ownership.edges import EXCLUSIVE_EPS, Declaration, Edge, Node, OwnershipData
from redflags.sources.base import read_json_items

# Companies House bands: "more than 25% but not more than 50%", "more than 50% but less
# than 75%", "75% or more"; overseas-entity register: "more than 25%".
BANDS: dict[str, tuple[float, float]] = {
    "25-to-50-percent": (0.25 + EXCLUSIVE_EPS, 0.5),
    "50-to-75-percent": (0.5 + EXCLUSIVE_EPS, 0.75 - EXCLUSIVE_EPS),
    "75-to-100-percent": (0.75, 1.0),
    "more-than-25-percent": (0.25 + EXCLUSIVE_EPS, 1.0),
}
_BAND = re.compile(r"(25-to-50-percent|50-to-75-percent|75-to-100-percent|more-than-25-percent)")
UK_REGISTERS = (
    "england",
    "wales",
    "scotland",
    "northern ireland",
    "united kingdom",
    "companies house",
)


def company_id(number: str) -> str:
    return f"gb-coh-{number.strip().upper().zfill(8)}"


def read_records(path: Path) -> list[dict[str, Any]]:
    """A snapshot file: a JSON array or JSON lines of ``{"company_number", "data"}``."""
    return [r for r in read_json_items(path) if isinstance(r, dict)]


def parse(path: Path, source: str = "gb_psc") -> OwnershipData:
    return parse_records(read_records(path), source)


def parse_records(records: Iterable[Mapping[str, Any]], source: str = "gb_psc") -> OwnershipData:
    out = OwnershipData.empty()
    for rec in records:
        number = rec.get("company_number")
        data = rec.get("data") or {}
        kind = str(data.get("kind", ""))
        if not number or kind.startswith("totals"):
            continue
        owned = company_id(str(number))
        record_id = (data.get("links") or {}).get("self") or data.get("etag")
        if kind.endswith("statement"):
            if not data.get("ceased_on"):
                out.declarations.append(
                    Declaration(owned, str(data.get("statement", kind)), None, source, record_id)
                )
            continue
        if kind.startswith("super-secure"):
            out.declarations.append(
                Declaration(
                    owned, "super-secure-person-with-significant-control", None, source, record_id
                )
            )
            continue
        owner = _owner_id(data, record_id)
        out.nodes[owner] = Node(
            owner,
            data.get("name"),
            "Person"
            if kind.startswith("individual")
            else ("Company" if "corporate" in kind else "LegalEntity"),
            (data.get("identification") or {}).get("country_registered") or data.get("nationality"),
        )
        for nature in data.get("natures_of_control") or []:
            out.edges.append(_edge(owner, owned, str(nature), data, source, record_id))
    return out


def _owner_id(data: Mapping[str, Any], record_id: str | None) -> str:
    ident = data.get("identification") or {}
    number = ident.get("registration_number")
    where = " ".join(
        str(ident.get(k, "")) for k in ("country_registered", "place_registered")
    ).lower()
    if (
        number
        and any(uk in where for uk in UK_REGISTERS)
        and re.fullmatch(r"[A-Z0-9]{1,8}", str(number).upper())
    ):
        return company_id(str(number))
    tail = (record_id or "").rstrip("/").rsplit("/", 1)[-1]
    return f"gb-psc-{tail or data.get('etag')}"


def _edge(
    owner: str, owned: str, nature: str, data: Mapping[str, Any], source: str, record_id: str | None
) -> Edge:
    band = _BAND.search(nature)
    low, high = BANDS[band.group(1)] if band else (None, None)
    if nature.startswith("ownership-of-shares"):
        kind = "ownership"
    elif nature.startswith("right-to-appoint-and-remove"):
        kind = "director"
    else:
        kind = "control"
        if not nature.startswith("voting-rights"):
            low = high = None
    return Edge(
        owner_id=owner,
        owned_id=owned,
        kind=kind,
        share_low=low,
        share_high=high,
        share_text=nature,
        source=source,
        date=data.get("notified_on"),
        # One record per nature: two natures of one PSC (e.g. "as firm" and in person) may
        # describe the same shares, so they must not be added up as share classes are.
        record_id=f"{record_id}#{nature}",
        end_date=data.get("ceased_on"),
        direct=True,
        role=nature,
    )
