"""FtM link entities (incl. OFAC "Linked To" UnknownLinks) and the user's own CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from redflags.errors import SourceError
from redflags.ownership import ftm_links, user_csv


def test_ftm_links_to_edges() -> None:
    entities = [
        {"id": "c1", "schema": "Company", "properties": {"name": ["Acme"]}},
        {"id": "sasac", "schema": "PublicBody", "properties": {"name": ["SASAC"]}},
        {
            "id": "own1",
            "schema": "Ownership",
            "properties": {
                "owner": ["p1"],
                "asset": ["c1"],
                "percentage": ["25-50%"],
                "startDate": ["2020-01-01"],
            },
            "datasets": ["us_ofac_sdn"],
        },
        {
            "id": "own2",
            "schema": "Ownership",
            "properties": {"owner": ["p2"], "asset": ["c1"], "sharesCount": ["1000"]},
        },
        {
            "id": "dir1",
            "schema": "Directorship",
            "properties": {"director": ["p1"], "organization": ["c1"]},
        },
        {
            "id": "mem1",
            "schema": "Membership",
            "properties": {"member": ["p3"], "organization": ["c1"]},
        },
        {
            "id": "link1",
            "schema": "UnknownLink",
            "properties": {"subject": ["c2"], "object": ["c1"], "role": ["Linked To"]},
        },
    ]
    data = ftm_links.parse_entities(entities)
    by_id = {e.record_id: e for e in data.edges}
    assert by_id["own1"].kind == "ownership"
    assert (by_id["own1"].share_low, by_id["own1"].share_high) == (0.25, 0.5)
    assert by_id["own1"].share_text == "25-50%" and by_id["own1"].source == "ftm:us_ofac_sdn"
    assert by_id["own1"].date == "2020-01-01"
    assert by_id["own2"].share_low is None and by_id["own2"].share_text == "1000 shares"
    assert by_id["dir1"].kind == "director" and by_id["mem1"].kind == "member"
    assert by_id["link1"].kind == "linked" and by_id["link1"].role == "Linked To"
    assert data.nodes["sasac"].state and not data.nodes["c1"].state
    assert data.nodes["c1"].name == "Acme"


def test_unreadable_ftm_percentage_is_kept_as_text() -> None:
    entity = {
        "id": "o",
        "schema": "Ownership",
        "properties": {"owner": ["a"], "asset": ["b"], "percentage": ["about half"]},
    }
    (edge,) = ftm_links.entity_edges(entity)
    assert edge.share_low is None and edge.share_text == "about half"


def test_user_csv(tmp_path: Path) -> None:
    path = tmp_path / "owners.csv"
    path.write_text(
        "Parent,Subsidiary,Stake,Source,Date,Parent Name\n"
        "h1,c1,60,annual report 2024,2024-03-31,Holding One\n"
        "h2,c1,25-50%,press,,\n"
        "h3,c1,,rumour,,\n",
        encoding="utf-8",
    )
    data = user_csv.parse(path)
    assert [(e.owner_id, e.share_low, e.share_high) for e in data.edges] == [
        ("h1", 0.6, 0.6),
        ("h2", 0.25, 0.5),
        ("h3", None, None),
    ]
    assert data.edges[0].source == "annual report 2024" and data.edges[0].date == "2024-03-31"
    assert data.edges[1].share_text == "25-50%"
    assert data.nodes["h1"].name == "Holding One"


def test_user_csv_reads_a_bare_decimal_share_as_a_fraction(tmp_path: Path) -> None:
    """"0.55" (a spreadsheet's 55 %) was read as 0.55 %, so a company 55 % owned by an SDN
    escaped the 50 % rule; percent with a sign, integers and numbers above 1 stay percent."""
    path = tmp_path / "owners.csv"
    path.write_text(
        "owner,owned,share\n"
        "a,c1,60%\n"
        "b,c1,100\n"
        "sdn,c2,0.55\n"
        "d,c3,\"0,55\"\n"
        "e,c4,1.0\n"
        "f,c5,1\n"
        "g,c6,12.5\n"
        "h,c7,0.5%\n",
        encoding="utf-8",
    )
    shares = {e.owner_id: (e.share_low, e.share_high) for e in user_csv.parse(path).edges}
    assert shares == {
        "a": (0.6, 0.6),
        "b": (1.0, 1.0),
        "sdn": (0.55, 0.55),
        "d": (0.55, 0.55),
        "e": (1.0, 1.0),
        "f": (0.01, 0.01),
        "g": (0.125, 0.125),
        "h": (0.005, 0.005),
    }
    sdn_edge = next(e for e in user_csv.parse(path).edges if e.owner_id == "sdn")
    assert sdn_edge.share_low is not None and sdn_edge.share_low >= 0.5
    assert sdn_edge.share_text == "0.55"


def test_user_csv_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "owners.csv"
    path.write_text("owner,owned,share\na,b,60\na,c,lots\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        user_csv.parse(path)
    assert "line 3" in str(err.value)
    path.write_text("name,share\na,1\n", encoding="utf-8")
    with pytest.raises(SourceError):
        user_csv.parse(path)


def test_real_ofac_linked_to_remarks_become_linked_edges(shared_data: Path) -> None:
    """The OFAC parser's UnknownLinks (from "Linked To:" remarks) feed the graph as links."""
    from redflags.sources import ParseContext, get_parser

    parse = get_parser("ofac-csv")
    path = shared_data / "ofac" / "cons_2025-12" / "cons_prim.csv"
    entities = list(parse(path, ParseContext("us_ofac_cons")))
    data = ftm_links.parse_entities(entities)
    links = [e for e in data.edges if e.kind == "linked"]
    assert len(links) > 50
    assert all(e.role and "linked" in e.role.lower() for e in links)
    assert all(e.owner_id in data.nodes or e.owned_id in data.nodes for e in links)
