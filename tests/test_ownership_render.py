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
    drawing = svg("a", g)
    root = etree.fromstring(drawing.encode("utf-8"), safe_xml_parser())
    assert root.tag.endswith("svg")
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "A & <Sons>" in texts
    assert "25%–50%" in texts and "Chair" in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}rect"))) == 3


def test_a_link_is_no_ownership_and_is_not_followed() -> None:
    """OFAC's "Linked To:" remarks were drawn as owners and holdings, four levels deep:
    Rosoboronexport "owned by" Iran's defence ministry, "holding" Rostec (which owns it)."""
    nodes = {"roe": Node("roe", "ROSOBORONEKSPORT OAO"), "rostec": Node("rostec", "ROSTEC"),
             "modafl": Node("modafl", "MODAFL"), "ship": Node("ship", "SAHARA THUNDER"),
             "holder": Node("holder", "Alpha Holding")}
    edges = [Edge("roe", "rostec", "linked", role="Linked To"),
             Edge("modafl", "roe", "linked", role="Linked To"),
             Edge("ship", "modafl", "linked", role="Linked To"),
             Edge("roe", "holder", "ownership", 1.0, 1.0)]
    g = OwnershipGraph(edges, nodes)
    out = text_of(tree("roe", g, listed={"roe": ["us_ofac_sdn"], "modafl": ["us_ofac_sdn"]}))
    owners, rest = out.split("holds / controls")
    holdings, links = rest.split("linked to")
    assert "ROSTEC" not in owners + holdings and "MODAFL" not in owners + holdings
    assert "Alpha Holding — 100%" in holdings
    assert "ROSTEC" in links and "MODAFL [LISTED: us_ofac_sdn]" in links
    assert "SAHARA THUNDER" not in out  # a link of a link is not followed
    assert "[LISTED: us_ofac_sdn]" in out.splitlines()[0]
    drawing = svg("roe", g, listed={"roe": ["us_ofac_sdn"]})
    assert "SAHARA THUNDER" not in drawing and 'stroke="#c00"' in drawing
