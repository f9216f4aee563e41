"""The HTML report and the terminal summary, from a run with the fake screener."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rich.console import Console

from redflags.reports.context import RunContext
from redflags.reports.html import collect_evidence, hit_ids_in, write_report
from redflags.reports.results import OutputPaths
from redflags.reports.summary import print_summary
from redflags.screening.columns import detect_columns
from redflags.screening.job import EngineBatch, JobOutcome, ScreenOptions, run_screening
from redflags.screening.reader import open_input
from tests.screen_fakes import SANCTIONS, FakeScreener

CTX = RunContext(
    input="suppliers.csv",
    catalog="bundled snapshot of 2026-07-09",
    lists=[
        {
            "name": "us_bis_entity_list",
            "title": "BIS Entity List",
            "version": "v1",
            "list_date": "2026-07-09",
            "age_days": 141,
            "stale": True,
            "entity_count": 3409,
        },
        {
            "name": "un_sc",
            "title": "UN SC",
            "version": "v2",
            "list_date": "2026-02-01",
            "age_days": 10,
            "stale": False,
            "entity_count": 1000,
        },
    ],
    algorithm="fake",
    algorithm_version="1",
    threshold=0.7,
    limit=5,
    columns="name='name'",
)


def make_run(tmp_path: Path) -> tuple[OutputPaths, JobOutcome]:
    src = tmp_path / "suppliers.csv"
    src.write_text(
        "name,country\nHikvision,CN\nBosch GmbH,DE\nACME ARMS & <Co>,KP\nn/a,DE\n"
        "HIKVISION DIGITAL TECH CO,CN\nBeta Components GmbH,DE\n",
        encoding="utf-8",
    )
    source = open_input(src)
    paths = OutputPaths(tmp_path / "out" / "suppliers")
    outcome = run_screening(
        source,
        detect_columns(source.headers),
        paths,
        options=ScreenOptions(threshold=0.7),
        batch_fn=EngineBatch(FakeScreener(), 0.7, 5),
    )
    return paths, outcome


def render(tmp_path: Path) -> tuple[Path, int]:
    paths, outcome = make_run(tmp_path)
    ids, addrs = hit_ids_in(paths.jsonl)
    assert ids == {"us-bis-hikvision", "un-acme", "ofac-99001"} and addrs == {"addr-hik"}
    evidence = collect_evidence(SANCTIONS, ids, addrs)
    cards = write_report(paths.jsonl, paths.html, CTX, outcome.checkpoint, evidence)
    return paths.html, cards


def test_report_has_one_card_per_hit_with_evidence(tmp_path: Path) -> None:
    html_path, cards = render(tmp_path)
    text = html_path.read_text(encoding="utf-8")
    assert cards == 4
    assert len(re.findall(r'<section class="card"', text)) == 4
    assert {"hit-2-1", "hit-4-1", "hit-6-1", "hit-7-1"} == set(
        re.findall(r'id="(hit-\d+-\d+)"', text)
    )
    assert "(derived)" in text and "OFAC 50 Percent Rule" in text
    assert "Volga Precision → Beta Components GmbH" in text and "annual report" in text
    assert "84 FR 54004, 10/9/19" in text  # Federal Register citation
    assert "activities contrary to US foreign policy interests" in text  # sanction reason
    assert "No.555 Qianmo Road" in text  # the published address
    assert "91330000733796106P" in text  # identifier
    assert "2026-07-09" in text and "stale" in text  # list date and staleness
    assert 'id="rows-read"><b>6</b>' in text and 'id="rows-rejected"><b>1</b>' in text


def test_report_opens_with_one_line_per_flagged_row(tmp_path: Path) -> None:
    """29 cards for 10 suppliers (five for one Hikvision) were no page to hand a manager:
    one line per flagged row comes first, strongest first, linked to its cards, with a
    column for the reviewer's decision."""
    html_path, _ = render(tmp_path)
    text = html_path.read_text(encoding="utf-8")
    table = text[text.index('<table id="summary">'):]
    table = table[:table.index("</table>")]
    lines = re.findall(r'<a href="#hit-(\d+)-1">', table)
    assert sorted(lines) == ["2", "4", "6", "7"]  # the four rows with hits, each once
    assert table.count("☐ match ☐ false positive") == 4
    assert "(through ownership or a link)" in table  # Beta Components' derived hit
    assert text.index('<table id="summary">') < text.index('<section class="card"')
    assert "ACME ARMS &amp; &lt;Co&gt;" in table  # escaped


def test_report_is_self_contained_and_escapes_list_text(tmp_path: Path) -> None:
    html_path, _ = render(tmp_path)
    text = html_path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in text  # list remarks are data, not markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "ACME ARMS &amp; &lt;Co&gt;" in text
    # nothing is loaded from anywhere: no src/href to another resource but plain links
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", text)
    assert "default-src 'none'" in text


def test_summary_reconciles_and_warns_about_stale_lists(tmp_path: Path) -> None:
    _, outcome = make_run(tmp_path)
    console = Console(record=True, width=140)
    print_summary(console, outcome.checkpoint, CTX, interrupted=False)
    out = console.export_text()
    assert "Rows read 6 = screened 5 + rejected 1 ✓" in out
    assert "us_bis_entity_list" in out and "Top hits" in out
    assert "lists are older than their usual update cycle: us_bis_entity_list (141 days)" in out
    assert out.count("warning:") == 1
    assert "partial" not in out
    # an interrupted run says so first: its counts are of the part screened
    console = Console(record=True, width=140)
    print_summary(console, outcome.checkpoint, CTX, interrupted=True)
    head = console.export_text().strip().splitlines()[0]
    assert "partial: interrupted after 6 rows" in head


def test_rows_by_best_score_first(tmp_path: Path) -> None:
    import json as _json

    from redflags.reports.results import read_results_by_score

    path = tmp_path / "r.jsonl"
    rows = [
        {"line": 2, "hits": [{"score": 0.6}]},
        {"line": 3, "hits": []},
        {"line": 4, "hits": [{"score": 0.7}, {"score": 0.95}]},
        {"line": 5, "hits": [{"score": 0.6}]},
    ]
    path.write_text("".join(_json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert [r["line"] for r in read_results_by_score(path)] == [4, 2, 5]


def render_one(tmp_path: Path, hit: dict[str, Any], query: dict[str, list[str]]) -> str:
    """The report of a single input row with a single hit, as text."""
    from redflags.screening.checkpoint import Checkpoint

    hit = {"entity_id": "x", "caption": "Acme Ltd", "score": 0.8, "lists": ["l"], **hit}
    row = {"line": 2, "row_id": "r", "name": "Acme",
           "query": {"schema": "Company", "properties": query}, "hits": [hit]}
    results = tmp_path / "r.jsonl"
    results.write_text(json.dumps(row) + "\n", encoding="utf-8")
    out = tmp_path / "r.html"
    write_report(results, out, CTX, Checkpoint("in.csv", "f", {}))
    return out.read_text(encoding="utf-8")


def test_card_shows_what_property_features_compared_and_skips_features_that_did_not_fire(
        tmp_path: Path) -> None:
    feats = [
        {"name": "name_align", "value": 0.0, "contribution": 0.0, "query_value": "Acme",
         "candidate_value": "Acme Ltd"},
        {"name": "cjk_phonetic", "value": 0.0, "contribution": 0.0},
        {"name": "country_conflict", "value": 1.0, "contribution": -0.95},
    ]
    text = render_one(tmp_path, {"explanation": feats, "listed_on": "2020-01-02",
                                 "properties": {"name": ["Acme Ltd"], "country": ["cn"]}},
                      {"name": ["Acme"], "country": ["de"]})
    # (a feature's cell carries its meaning as a tooltip: <td title="...">name</td>)
    assert '">cjk_phonetic</td>' not in text
    assert '">name_align</td>' in text  # kept at 0: the names did not align
    assert '<td title="how much of both names' in text
    conflict = text[text.index('">country_conflict</td>'):].split("</tr>")[0]
    assert "de ~ cn" in conflict


def test_card_says_when_the_list_gives_no_listing_date(tmp_path: Path) -> None:
    text = render_one(tmp_path, {"listed_on": None}, {"name": ["Acme"]})
    assert "<tr><th>Listed on</th><td>not given by the list</td></tr>" in text


def test_names_redflags_added_are_not_shown_as_published(tmp_path: Path) -> None:
    """The own-script names of listed Chinese companies (sources.enrichment) showed among the
    list's "Also known as" in the entry "as published"; OFAC's file has none of them."""
    hit = {"properties": {"alias": ["HIKVISION", "杭州海康威视数字技术股份有限公司"]},
           "enriched_aliases": ["杭州海康威视数字技术股份有限公司"],
           "enrichment_source": "redflags native-script names"}
    text = render_one(tmp_path, hit, {"name": ["Hikvision"]})
    published = re.search(r"<th>Also known as</th><td>(.*?)</td>", text)
    assert published is not None and published.group(1) == "HIKVISION"
    assert "Added by redflags (not in the list)</th><td>杭州海康威视数字技术股份有限公司 — " \
        "redflags native-script names" in text
