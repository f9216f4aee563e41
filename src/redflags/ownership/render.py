"""Pictures of one party's ownership: a rich tree for the terminal and a standalone SVG.

Both show what the sources say (share text, source) and never more levels than a reviewer
can read; a party met twice on one branch is marked as a cycle instead of being expanded.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from rich.text import Text
from rich.tree import Tree

from redflags.ownership.edges import Edge, format_share
from redflags.ownership.graph import OwnershipGraph


def _label(ident: str, graph: OwnershipGraph, names: Mapping[str, str] | None) -> str:
    if names and ident in names:
        return names[ident]
    return graph.name(ident)


def _edge_text(edge: Edge) -> str:
    share = format_share(edge.share_low, edge.share_high)
    if edge.kind != "ownership":
        share = edge.role or edge.kind
    elif edge.share_low is None:
        share = "share not stated"
    parts = [share]
    if not edge.direct:
        parts.append("declared indirect")
    if edge.source:
        parts.append(edge.source)
    if edge.date:
        parts.append(f"since {edge.date}")
    return ", ".join(parts)


# Edges a chain of owners follows; the others (a list's "Linked To:", a director, a
# member) are shown one step away and never followed: drawn as ownership, OFAC's remarks
# read as "Rosoboronexport is owned by MODAFL" and "holds Rostec" (Rostec owns it).
CHAIN_KINDS = ("ownership", "control")
ROLE_KINDS = ("director", "member")


def tree(
    entity_id: str,
    graph: OwnershipGraph,
    names: Mapping[str, str] | None = None,
    max_depth: int = 4,
    listed: Mapping[str, list[str]] | None = None,
) -> Tree:
    """Owners (upward) and holdings (downward) of ``entity_id`` as a rich Tree, then its
    directors and members, then the parties a source only links it to. ``listed``: the
    lists each listed party is on, marked on its line."""
    root = Tree(_node_text(entity_id, graph, names, listed, style="bold"))
    owners = root.add(Text("owned / controlled by", style="cyan"))
    _branch(owners, entity_id, graph, names, listed, up=True, depth=max_depth,
            trail={entity_id})
    holdings = root.add(Text("holds / controls", style="cyan"))
    _branch(holdings, entity_id, graph, names, listed, up=False, depth=max_depth,
            trail={entity_id})
    roles = [(e, e.owner_id) for e in graph.edges_up(entity_id, ROLE_KINDS)] + \
        [(e, e.owned_id) for e in graph.edges_down(entity_id, ROLE_KINDS)]
    if roles:
        node = root.add(Text("directors, members, and roles held", style="cyan"))
        for edge, other in roles:
            node.add(_line(other, edge, graph, names, listed))
    links = [(e, e.owner_id) for e in graph.edges_up(entity_id, ("linked",))] + \
        [(e, e.owned_id) for e in graph.edges_down(entity_id, ("linked",))]
    if links:
        node = root.add(Text("linked to (an association the source states: not ownership, "
                             "no direction)", style="cyan"))
        for edge, other in links:
            node.add(_line(other, edge, graph, names, listed))
    decls = graph.declarations.get(entity_id, [])
    for decl in decls:
        root.add(Text(f"declared: {decl.reason} ({decl.source})", style="yellow"))
    return root


def _node_text(ident: str, graph: OwnershipGraph, names: Mapping[str, str] | None,
               listed: Mapping[str, list[str]] | None, style: str = "") -> Text:
    text = Text(_label(ident, graph, names), style=style)
    lists = (listed or {}).get(ident)
    if lists:
        text.append(f" [LISTED: {', '.join(lists)}]", style="bold red")
    return text


def _line(other: str, edge: Edge, graph: OwnershipGraph, names: Mapping[str, str] | None,
          listed: Mapping[str, list[str]] | None, suffix: str = "") -> Text:
    text = _node_text(other, graph, names, listed)
    text.append(f" — {_edge_text(edge)}{suffix}")
    return text


def _branch(
    node: Tree,
    ident: str,
    graph: OwnershipGraph,
    names: Mapping[str, str] | None,
    listed: Mapping[str, list[str]] | None,
    *,
    up: bool,
    depth: int,
    trail: set[str],
) -> None:
    edges = graph.edges_up(ident, CHAIN_KINDS) if up else graph.edges_down(ident, CHAIN_KINDS)
    for edge in edges:
        other = edge.owner_id if up else edge.owned_id
        if other in trail:
            node.add(_line(other, edge, graph, names, listed, " (cycle)"))
            continue
        child = node.add(_line(other, edge, graph, names, listed))
        if depth > 1:
            _branch(child, other, graph, names, listed, up=up, depth=depth - 1,
                    trail=trail | {other})
        elif graph.edges_up(other, CHAIN_KINDS) if up else graph.edges_down(other, CHAIN_KINDS):
            child.add(Text("…", style="dim"))


BOX_W, BOX_H, GAP_X, GAP_Y = 180, 44, 30, 70


def _layers(
    entity_id: str, graph: OwnershipGraph, max_depth: int, max_per_layer: int
) -> tuple[dict[str, int], list[Edge]]:
    level = {entity_id: 0}
    shown: list[Edge] = []
    for up in (True, False):
        frontier = [entity_id]
        for d in range(1, max_depth + 1):
            nxt: list[str] = []
            for ident in frontier:
                # beyond the first step only chains of ownership and control (see tree)
                kinds = None if d == 1 else CHAIN_KINDS
                for edge in graph.edges_up(ident, kinds) if up else graph.edges_down(ident, kinds):
                    other = edge.owner_id if up else edge.owned_id
                    if other not in level:
                        if (
                            sum(1 for v in level.values() if v == (-d if up else d))
                            >= max_per_layer
                        ):
                            continue
                        level[other] = -d if up else d
                        nxt.append(other)
                    shown.append(edge)
            frontier = nxt
    unique = list({(e.owner_id, e.owned_id, e.kind, e.record_id): e for e in shown}.values())
    return level, [e for e in unique if e.owner_id in level and e.owned_id in level]


def svg(
    entity_id: str,
    graph: OwnershipGraph,
    names: Mapping[str, str] | None = None,
    max_depth: int = 3,
    max_per_layer: int = 12,
    listed: Mapping[str, list[str]] | None = None,
) -> str:
    """A layered drawing (owners above, holdings below) as one self-contained SVG string;
    links that are no ownership dashed, listed parties red-edged."""
    level, edges = _layers(entity_id, graph, max_depth, max_per_layer)
    rows: dict[int, list[str]] = {}
    for ident, lv in sorted(level.items(), key=lambda kv: (kv[1], kv[0])):
        rows.setdefault(lv, []).append(ident)
    width = max(len(r) for r in rows.values()) * (BOX_W + GAP_X) + GAP_X
    top = min(rows)
    height = (max(rows) - top + 1) * (BOX_H + GAP_Y) + GAP_Y
    pos: dict[str, tuple[float, float]] = {}
    for lv, idents in rows.items():
        row_w = len(idents) * (BOX_W + GAP_X) - GAP_X
        x0 = (width - row_w) / 2
        y = GAP_Y / 2 + (lv - top) * (BOX_H + GAP_Y)
        for i, ident in enumerate(idents):
            pos[ident] = (x0 + i * (BOX_W + GAP_X), y)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="11">',
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='6' "
        "markerHeight='6' orient='auto-start-reverse'><path d='M 0 0 L 10 5 L 0 10 z' "
        "fill='#555'/></marker></defs>",
    ]
    for edge in edges:
        (x1, y1), (x2, y2) = pos[edge.owner_id], pos[edge.owned_id]
        sx, sy = x1 + BOX_W / 2, y1 + BOX_H
        tx, ty = x2 + BOX_W / 2, y2
        if y2 <= y1:  # back edge of a cycle or same layer: attach to the sides
            sy, ty = y1 + BOX_H / 2, y2 + BOX_H / 2
        dash = "" if edge.kind == "ownership" else ' stroke-dasharray="4 3"'
        out.append(
            f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{tx:.1f}" y2="{ty:.1f}" stroke="#555"'
            f'{dash} marker-end="url(#arrow)"/>'
        )
        label = (
            format_share(edge.share_low, edge.share_high)
            if edge.kind == "ownership"
            else (edge.role or edge.kind)
        )
        out.append(
            f'<text x="{(sx + tx) / 2 + 4:.1f}" y="{(sy + ty) / 2:.1f}" fill="#333">'
            f"{escape(label[:40])}</text>"
        )
    for ident, (x, y) in pos.items():
        fill = "#fde2e2" if ident == entity_id else "#eef3fb"
        name = _label(ident, graph, names)
        lists = (listed or {}).get(ident)
        stroke = ' stroke="#c00" stroke-width="3"' if lists else ' stroke="#335"'
        title = ident + (f" (listed: {', '.join(lists)})" if lists else "")
        out.append(
            f'<g><title>{escape(title)}</title><rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" '
            f'height="{BOX_H}" rx="6" fill="{fill}"{stroke}/>'
            f'<text x="{x + BOX_W / 2:.1f}" y="{y + BOX_H / 2 + 4:.1f}" text-anchor="middle">'
            f"{escape(name[:28] + ('…' if len(name) > 28 else ''))}</text></g>"
        )
    out.append("</svg>")
    return "\n".join(out)
