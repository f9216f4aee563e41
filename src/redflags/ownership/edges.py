"""The one shape every ownership/control source is turned into, and share parsing.

Sources disagree on how they state a stake ("60", "25-50%", BODS ``minimum``/``exclusiveMaximum``,
nothing at all); an :class:`Edge` keeps the text as given plus the bounds it implies, so a
reviewer can always see what the source said and the engine never invents a number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

EdgeKind = Literal["ownership", "control", "linked", "director", "member"]
EDGE_KINDS: tuple[str, ...] = ("ownership", "control", "linked", "director", "member")

# Exclusive bounds ("more than 50%", BODS exclusiveMaximum) are stored as the bound nudged by
# this much, so that sums and products keep strictness without a parallel flag per value.
# 1e-9 is far below any share a register states (0.0001% precision at most).
EXCLUSIVE_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Edge:
    """One sourced fact: ``owner_id`` owns/controls/directs/is linked to ``owned_id``.

    ``share_low``/``share_high`` are fractions (0..1); ``None`` means the source gives no
    number. ``direct`` is False for a stake the source itself declares as indirect (a BODS
    indirect interest, a GLEIF ultimate parent): such an edge summarises a chain and is never
    chained again.
    """

    owner_id: str
    owned_id: str
    kind: str
    share_low: float | None = None
    share_high: float | None = None
    share_text: str | None = None
    source: str = ""
    date: str | None = None
    record_id: str | None = None
    end_date: str | None = None
    direct: bool = True
    role: str | None = None

    @property
    def share_known(self) -> bool:
        return self.share_low is not None and self.share_high is not None

    def active(self, as_of: str | None) -> bool:
        """Whether the edge holds on ``as_of`` (ISO date; None = today's view: not ended)."""
        if self.end_date is None:
            return as_of is None or self.date is None or self.date[:10] <= as_of
        if as_of is None:
            return False
        return (self.date is None or self.date[:10] <= as_of) and as_of < self.end_date[:10]


_NUM = r"(\d+(?:[.,]\d+)?)"
_RANGE = re.compile(rf"^{_NUM}\s*%?\s*(?:-|–|—|to|bis|\.\.)\s*{_NUM}\s*%?$")
_OPS = r"(>=|=>|≥|>|<=|=<|≤|<|more than|over|at least|less than|under|up to)"
_CMP = re.compile(rf"^{_OPS}\s*{_NUM}\s*%?$")
_PLUS = re.compile(rf"^{_NUM}\s*%?\s*\+$")
_EXACT = re.compile(rf"^{_NUM}\s*%?$")
_UNKNOWN = {"", "unknown", "n/a", "na", "?", "-", "none", "null", "undisclosed", "not known"}
_WORDS = {
    "majority": (0.5 + EXCLUSIVE_EPS, 1.0),
    "minority": (0.0, 0.5 - EXCLUSIVE_EPS),
    "wholly owned": (1.0, 1.0),
    "wholly-owned": (1.0, 1.0),
    "full": (1.0, 1.0),
}


def _pct(text: str) -> float:
    return float(text.replace(",", ".")) / 100.0


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def parse_share(text: str | float | int | None) -> tuple[float | None, float | None]:
    """Bounds (fractions) for a share as people write it; (None, None) when not stated.

    Numbers are percentages ("60" is 60%), as in FtM ``percentage``, BODS and registers.
    Raises ValueError for text that states something we cannot read, rather than guessing.
    """
    if text is None:
        return None, None
    if isinstance(text, int | float):
        v = _clip(float(text) / 100.0)
        return v, v
    t = " ".join(str(text).strip().lower().split())
    if t in _UNKNOWN:
        return None, None
    if t in _WORDS:
        return _WORDS[t]
    m = _EXACT.match(t)
    if m:
        v = _clip(_pct(m.group(1)))
        return v, v
    m = _RANGE.match(t)
    if m:
        lo, hi = sorted((_clip(_pct(m.group(1))), _clip(_pct(m.group(2)))))
        return lo, hi
    m = _PLUS.match(t)
    if m:
        return _clip(_pct(m.group(1))), 1.0
    m = _CMP.match(t)
    if m:
        op, v = m.group(1), _clip(_pct(m.group(2)))
        if op in {">", "more than", "over"}:
            return _clip(v + EXCLUSIVE_EPS), 1.0
        if op in {">=", "=>", "≥", "at least"}:
            return v, 1.0
        if op in {"<", "less than", "under"}:
            return 0.0, _clip(v - EXCLUSIVE_EPS)
        return 0.0, v
    raise ValueError(f"cannot read share {text!r}")


def bods_share(share: Mapping[str, Any] | None) -> tuple[float | None, float | None, str | None]:
    """Bounds and the source's own text for a BODS ``share`` object (v0.2-0.4)."""
    if not share:
        return None, None, None
    text = json.dumps(dict(share), sort_keys=True)
    if share.get("exact") is not None:
        v = _clip(float(share["exact"]) / 100.0)
        return v, v, text
    low: float | None = None
    high: float | None = None
    if share.get("minimum") is not None:
        low = _clip(float(share["minimum"]) / 100.0)
    elif share.get("exclusiveMinimum") is not None:
        low = _clip(float(share["exclusiveMinimum"]) / 100.0 + EXCLUSIVE_EPS)
    if share.get("maximum") is not None:
        high = _clip(float(share["maximum"]) / 100.0)
    elif share.get("exclusiveMaximum") is not None:
        high = _clip(float(share["exclusiveMaximum"]) / 100.0 - EXCLUSIVE_EPS)
    if low is None and high is None:
        return None, None, text
    return (low if low is not None else 0.0), (high if high is not None else 1.0), text


def format_share(low: float | None, high: float | None) -> str:
    """A reviewer's reading of bounds: "60%", "25–50%", "unknown"."""
    if low is None or high is None:
        return "unknown"

    def pct(v: float) -> str:
        return f"{round(v * 100, 2):g}%"

    if abs(high - low) < 1e-6:
        return pct(low)
    if low <= EXCLUSIVE_EPS and high >= 1 - EXCLUSIVE_EPS:
        return "unknown (0–100%)"
    return f"{pct(low)}–{pct(high)}"


@dataclass(frozen=True, slots=True)
class Node:
    """What the ownership rules need to know of a party besides its edges."""

    id: str
    name: str | None = None
    schema: str | None = None
    country: str | None = None
    # The source says this is a state or a state body (BODS entityType state/stateBody,
    # FtM PublicBody); name patterns are applied later by the state-ownership rule.
    state: bool = False


@dataclass(frozen=True, slots=True)
class Declaration:
    """A source's statement that an owner is unknown or exempt (BODS inline
    ``interestedParty`` with a ``reason``): a material signal, kept distinct from no data."""

    subject_id: str
    reason: str
    description: str | None = None
    source: str = ""
    record_id: str | None = None


@dataclass
class OwnershipData:
    """What one ownership source file yields."""

    edges: list[Edge]
    nodes: dict[str, Node]
    declarations: list[Declaration]

    @classmethod
    def empty(cls) -> OwnershipData:
        return cls([], {}, [])

    def extend(self, other: OwnershipData) -> None:
        self.edges.extend(other.edges)
        for key, node in other.nodes.items():
            self.nodes.setdefault(key, node)
        self.declarations.extend(other.declarations)
