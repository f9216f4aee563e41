"""The `check` report as a reviewer reads it: what is a direct hit and what comes through an
owner, with list text shown as written."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console

from redflags.reports.check import print_check


def record(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "entity_id": "us-bis-hikvision", "caption": "Hangzhou Hikvision Digital Technology",
        "score": 0.99, "match": True, "lists": ["us_bis_entity_list"], "programs": [],
        "listed_on": "2019-10-09", "matched_name": "Beta Components GmbH",
        "query_name": "Beta Components GmbH", "algorithm": "redflags-v1",
        "algorithm_version": "1.0", "explanation": [], "evidence": [],
    }
    return {**base, **kw}


def render(records: list[dict[str, Any]]) -> str:
    console = Console(record=True, width=200)
    query = {"schema": "Company", "properties": {"name": ["Beta Components GmbH"]}}
    print_check(console, query, records, threshold=0.55, lists=[])
    return console.export_text()


def test_a_hit_through_ownership_says_so_on_its_row() -> None:
    """"[through ownership]" was Rich markup and vanished: the row read as a direct listing
    of Hikvision under the name "Beta Components GmbH"."""
    derived = record(derived=True, evidence=[{
        "kind": "derived", "rule": "bis_affiliates_50_percent", "verdict": "caught",
        "relation": "owned_by", "share": "60%", "listed_name": "Hangzhou Hikvision",
        "screened_entity": {"caption": "Beta Components GmbH"}}])
    out = render([derived])
    assert "(owned/linked) Hangzhou Hikvision Digital Technology, via Beta Components GmbH" in out
    assert "is a hit through ownership or a link 0.99" in out
    assert "through ownership: Beta Components GmbH — owned_by 60%" in out


def test_list_text_in_brackets_is_shown_as_written() -> None:
    out = render([record(caption="ACME [HK] LIMITED", matched_name="ACME [HK] LTD")])
    assert "ACME [HK] LIMITED (ACME [HK] LTD)" in out


def test_the_explanation_adds_up_to_the_score() -> None:
    """The features of "Global Logistics LLC" ~ "Armax Ballistics" summed to -0.54 and the
    score was 0.69: the model's baseline for company pairs was shown nowhere."""
    from redflags.matching import Matcher
    from redflags.matching.types import ScreeningHit
    from redflags.reports.results import hit_record

    query = {"schema": "Company", "properties": {"name": ["Global Logistics LLC"]}}
    listed = {"id": "x", "schema": "Company", "properties": {"name": ["Armax Ballistics"]}}
    result = Matcher().compare(query, listed)
    total = result.baseline + sum(e.contribution for e in result.explanations.values())
    assert abs(1 / (1 + math.exp(-total)) - result.score) < 1e-9
    rec = hit_record(ScreeningHit(entity=listed, score=result.score,  # type: ignore[arg-type]
                                  match=True, result=result))
    out = render([rec])
    assert "baseline (this kind of pair)" in out and f"{result.baseline:+.2f}" in out
    assert f"sum → score {result.score:.2f}" in out and f"{total:+.2f}" in out


def test_every_feature_has_a_meaning_and_check_shows_those_used() -> None:
    """"name_weakest" meant nothing to a reviewer who had not read the scorer."""
    from redflags.matching.features import FEATURES
    from redflags.matching.glossary import describe

    assert [f for f in FEATURES if not describe(f)] == []
    assert describe("xs_arabic_phonetic").endswith("in Arabic script against its Latin spelling")
    assert describe("xs_other_gap").endswith("in another script falls short of a sound-alike")
    rec = record(explanation=[
        {"name": "name_weakest", "value": 0.8, "contribution": 1.2, "detail": ""},
        {"name": "country_match", "value": 0.0, "contribution": 0.0, "detail": ""}])
    out = render([rec])
    assert "What the features measure" in out
    assert f"name_weakest: {describe('name_weakest')}" in " ".join(out.split())
    assert "country_match:" not in out  # not in the table above: no legend line
