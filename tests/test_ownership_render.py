"""Terminal tree and SVG drawing of an ownership structure."""

from __future__ import annotations

import io
from pathlib import Path

from lxml import etree
from rich.console import Console

from redflags.ownership import bods
from redflags.ownership.edges import Edge, Node
from redflags.ownership.graph import OwnershipGraph
from redflags.ownership.render import svg, tree
from redflags.sources.base import safe_xml_parser


def text_of(renderable: object) -> str:
    buf = io.StringIO()
    Console(file=buf, width=200, color_system=None).print(renderable)
    return buf.getvalue()


def test_tree_shows_owners_holdings_and_shares(shared_data: Path) -> None:
    data = bods.parse(shared_data / "ownership" / "bods_examples" / "bods-package-fi-soe.json")
    g = OwnershipGraph.from_data(data)
    out = text_of(tree("0199c515a699", g))
    assert "Suomen Kaasuverkko Oy" in out.splitlines()[0]
    assert "Valtiovarainministerio — 100%" in out
    assert "Gasgrid Finland Oy — 76.5%" in out
    assert "otherInfluenceOrControl" in out


def test_tree_marks_cycles_and_declarations() -> None:
    g = OwnershipGraph([Edge("a", "b", "ownership", 1, 1), Edge("b", "a", "ownership", 1, 1)])
    assert "(cycle)" in text_of(tree("a", g, {"a": "Alpha", "b": "Beta"}))


def test_svg_is_wellformed_and_escaped() -> None:
    nodes = {"a": Node("a", "A & <Sons>"), "b": Node("b", "B Ltd")}
    edges = [
        Edge("a", "b", "ownership", 0.25, 0.5, "25-50%"),
        Edge("c", "a", "director", role="Chair"),
        Edge("b", "a", "ownership", 0.1, 0.1),
    ]
    g = OwnershipGraph(edges, nodes)
    drawing = svg("b", g)
    root = etree.fromstring(drawing.encode("utf-8"), safe_xml_parser())
    assert root.tag.endswith("svg")
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "A & <Sons>" in texts
    assert "25%–50%" in texts and "Chair" in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}rect"))) == 3
