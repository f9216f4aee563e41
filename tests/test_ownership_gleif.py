"""GLEIF level-2 samples: parents control children; the Open Ownership oracle agrees."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from redflags.errors import SourceError
from redflags.ownership import gleif
from redflags.ownership.graph import OwnershipGraph


@pytest.fixture(scope="module")
def folder(shared_data: Path) -> Path:
    return shared_data / "ownership" / "gleif"


def test_relationships_match_the_bods_oracle(folder: Path) -> None:
    data = gleif.parse_relationships(folder / "rr_cdf_level2_relationships_sample.xml")
    expected = json.loads((folder / "rr_sample_as_bods_expected.json").read_text("utf-8"))
    assert len(data.edges) == len(expected) == 10
    levels = Counter(s["interests"][0]["interestLevel"] for s in expected)
    assert Counter("direct" if e.direct else "indirect" for e in data.edges) == levels
    # start dates: the RELATIONSHIP_PERIOD, not the accounting period listed first
    assert sorted(e.date or "" for e in data.edges) == sorted(
        s["interests"][0]["startDate"][:10] for s in expected
    )
    # same shape: how many parents each child has
    ours = sorted(Counter(e.owned_id for e in data.edges).values())
    theirs = sorted(Counter(s["subject"]["describedByEntityStatement"] for s in expected).values())
    assert ours == theirs
    # consolidation is control with no stated share, never an invented percentage
    assert all(e.kind == "control" and e.share_low is None for e in data.edges)


def test_direct_and_ultimate_parent(folder: Path) -> None:
    data = gleif.parse_relationships(folder / "rr_cdf_level2_relationships_sample.xml")
    child = "010CMKZ3VON21WF2ZD45"
    parents = {e.role: e for e in data.edges if e.owned_id == child}
    assert parents["IS_DIRECTLY_CONSOLIDATED_BY"].owner_id == "ZZG38T0MDR3QY1ETUA76"
    assert parents["IS_DIRECTLY_CONSOLIDATED_BY"].direct
    ultimate = parents["IS_ULTIMATELY_CONSOLIDATED_BY"]
    assert ultimate.owner_id == "3C7474T6CDKPR9K6YT90" and not ultimate.direct
    assert ultimate.date == "2018-02-06"


def test_names_and_exceptions(folder: Path) -> None:
    data = gleif.parse(
        folder / "rr_cdf_level2_relationships_sample.xml",
        folder / "lei_cdf_level1_sample.xml",
        folder / "repex_reporting_exceptions_sample.xml",
    )
    assert len(data.nodes) == 13
    assert all(node.name for node in data.nodes.values())
    assert len(data.declarations) == 10
    first = data.declarations[0]
    assert first.subject_id == "001GPB6A9XPE8XJICC14"
    assert first.reason == "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT:NO_KNOWN_PERSON"
    g = OwnershipGraph.from_data(data)
    assert g.declarations["001GPB6A9XPE8XJICC14"]


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    hostile = tmp_path / "rr.xml"
    hostile.write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "boom">]><r>&x;</r>', encoding="utf-8"
    )
    with pytest.raises(SourceError):
        gleif.parse_relationships(hostile)
