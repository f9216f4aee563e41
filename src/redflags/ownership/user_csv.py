"""The plain CSV a user keeps of owners they know about: owner, owned, share, source, date.

Headers are matched loosely (``owner``/``parent``, ``owned``/``subsidiary``/``asset``...), a
share may be exact, a range or blank, and each bad row is reported with its line number.

A share is a percentage ("60%", "60", "100", "12.5"), except a bare number with a decimal
point from 0 to 1 and no % sign, which is a fraction: "0.55" (or "0,55") is 55 %, "1.0" is
100 %. Spreadsheets export a share formatted as a percentage as such a fraction, and read as
percent a 55 %-owned company escaped the 50 % rule. Write "0.55%" for a share under 1 %.
"""

from __future__ import annotations

import re
from pathlib import Path

from redflags.errors import SourceError
from redflags.ownership.edges import EDGE_KINDS, Edge, Node, OwnershipData, parse_share
from redflags.sources.base import read_csv_rows

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "owner": ("owner", "owner_id", "parent", "shareholder", "holder", "from"),
    "owned": ("owned", "owned_id", "subsidiary", "asset", "company", "child", "to"),
    "share": ("share", "percentage", "percent", "stake", "ownership", "%"),
    "source": ("source", "evidence", "reference"),
    "date": ("date", "as_of", "start_date", "since"),
    "kind": ("kind", "type", "relation", "relationship"),
    "owner_name": ("owner_name", "parent_name", "shareholder_name"),
    "owned_name": ("owned_name", "subsidiary_name", "company_name"),
    "end_date": ("end_date", "until"),
}

# a bare fraction: "0.55", ".55", "0,55", "1.0" (not "1", "0", "55", "0.55%")
_FRACTION = re.compile(r"^(?:0?[.,]\d+|1[.,]0+)$")


def read_share(text: str | None) -> tuple[float | None, float | None]:
    """Bounds of a share in a user's CSV: ``parse_share`` (numbers are percent), but a bare
    decimal from 0 to 1 is a fraction, as a spreadsheet exports "55 %" (see the docstring)."""
    if text is not None and _FRACTION.match(text.strip()):
        value = float(text.strip().replace(",", "."))
        return value, value
    return parse_share(text)


def _columns(header: list[str], path: Path) -> dict[str, int]:
    norm = [h.strip().lower().replace(" ", "_") for h in header]
    cols: dict[str, int] = {}
    for key, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            if alias in norm:
                cols[key] = norm.index(alias)
                break
    if "owner" not in cols or "owned" not in cols:
        raise SourceError(path, "header needs an owner and an owned column", line=1)
    return cols


def parse(path: Path, source: str | None = None, delimiter: str = ",") -> OwnershipData:
    label = source or f"user:{path.name}"
    out = OwnershipData.empty()
    cols: dict[str, int] | None = None
    for lineno, row in read_csv_rows(path, delimiter=delimiter):
        if cols is None:
            cols = _columns(row, path)
            continue

        def get(key: str, row: list[str] = row, cols: dict[str, int] = cols) -> str | None:
            idx = cols.get(key)
            if idx is None or idx >= len(row):
                return None
            return row[idx].strip() or None

        owner, owned = get("owner"), get("owned")
        if not owner or not owned:
            raise SourceError(path, "owner and owned are required", line=lineno)
        text = get("share")
        try:
            low, high = read_share(text)
        except ValueError as exc:
            raise SourceError(path, str(exc), line=lineno) from None
        kind = (get("kind") or "ownership").lower()
        if kind not in EDGE_KINDS:
            raise SourceError(path, f"unknown kind {kind!r}; use one of {EDGE_KINDS}", line=lineno)
        out.edges.append(
            Edge(
                owner_id=owner,
                owned_id=owned,
                kind=kind,
                share_low=low,
                share_high=high,
                share_text=text,
                source=get("source") or label,
                date=get("date"),
                record_id=f"{path.name}:{lineno}",
                end_date=get("end_date"),
            )
        )
        for key, ident in (("owner_name", owner), ("owned_name", owned)):
            name = get(key)
            if name and ident not in out.nodes:
                out.nodes[ident] = Node(ident, name)
    if cols is None:
        raise SourceError(path, "no header row")
    return out
