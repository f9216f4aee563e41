"""`redflags check NAME`: one name from the command line, with a fake engine."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from redflags.cli import check_cmd
from tests.screen_fakes import FakeEngine


class RecordingEngine(FakeEngine):
    def __init__(self) -> None:
        super().__init__()
        self.queries: list[dict[str, Any]] = []

    def screen(self, query: Any, **kw: Any) -> Any:
        self.queries.append(query)
        return super().screen(query, **kw)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> RecordingEngine:
    import redflags.screening.engine as engine_mod

    eng = RecordingEngine()
    monkeypatch.setattr(engine_mod, "load_engine", lambda *a, **k: eng)
    return eng


def invoke(*args: str) -> Any:
    app = typer.Typer()
    app.command()(check_cmd.check)

    @app.command()
    def other() -> None:  # two commands, so "check" is addressed by name as in the real CLI
        pass

    return CliRunner().invoke(app, ["check", *args], catch_exceptions=False,
                              env={"COLUMNS": "120"})


def test_a_listed_name_is_a_hit_with_its_evidence(engine: RecordingEngine) -> None:
    res = invoke("Hikvision", "--country", "China", "--fail-on-hit")
    assert res.exit_code == 3, res.output
    assert "1 hit at threshold" in res.output
    assert "us_bis_entity_list" in res.output and "84 FR 54004" in res.output
    assert "Why Hangzhou Hikvision" in res.output  # the explanation of the hit
    query = engine.queries[0]
    assert query["properties"]["country"] == ["cn"]
    assert query["schema"] == "LegalEntity"


def test_no_hit_exits_zero_even_with_fail_on_hit(engine: RecordingEngine) -> None:
    res = invoke("Bosch GmbH", "--fail-on-hit")
    assert res.exit_code == 0, res.output
    assert "No hit" in res.output


def test_person_facts_build_a_person_query(engine: RecordingEngine) -> None:
    res = invoke("Ivan Petrov", "--birth-date", "1970-03-04", "--type", "person")
    assert res.exit_code == 0, res.output
    query = engine.queries[0]
    assert query["schema"] == "Person"
    assert query["properties"]["birthDate"] == ["1970-03-04"]


def test_json_output_is_machine_readable(engine: RecordingEngine) -> None:
    res = invoke("Hikvision", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["results"][0]["entity_id"] == "us-bis-hikvision"
    assert out["results"][0]["match"] is True
    assert out["results"][0]["explanation"]
    assert {i["name"] for i in out["lists"]} == {"us_bis_entity_list", "un_sc"}
    # each query its own id, from what was typed (the same query, the same id)
    other = json.loads(invoke("Hikvision", "--json", "--country", "cn").output)
    again = json.loads(invoke("Hikvision", "--json").output)
    assert out["query"]["id"] != other["query"]["id"]
    assert out["query"]["id"] == again["query"]["id"]


@pytest.mark.parametrize(("args", "message"), [
    (("N/A",), "no usable name"),
    (("Ivan Petrov", "--birth-date", "31/31/1980", "--type", "person"), "unparsable"),
])
def test_bad_input_is_a_clear_error(engine: RecordingEngine, args: tuple[str, ...],
                                    message: str) -> None:
    res = invoke(*args)
    assert res.exit_code == 2
    assert message in res.output
    assert not engine.queries


@pytest.fixture(scope="module")
def bundled_home(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A fresh data directory: the bundled lists and an index built from them once."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REDFLAGS_HOME", str(home))
        mp.delenv("REDFLAGS_STORE", raising=False)
        yield home


@pytest.mark.parametrize("name", ["Hikvision", "HIKVISION DIGITAL TECH CO",
                                  "杭州海康威视数字技术股份有限公司"])
def test_hikvision_is_flagged_on_the_four_lists_of_the_bundled_data(
        bundled_home: Any, name: str) -> None:
    res = invoke(name, "--json", "--limit", "10")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output[res.output.index("{"):])  # the index build notice comes first
    lists = {lst for r in out["results"] if r["match"] for lst in r["lists"]}
    assert {"us_bis_entity_list", "us_ofac_nscmic", "us_fcc_covered", "us_dod_1260h"} <= lists
    cited = [c for r in out["results"] if r["match"] for c in r["citations"]]
    assert any("84 FR 54004" in c for c in cited)


@pytest.mark.parametrize("name", ["GAZPROMBANK JOINT STOCK COMPANY", "Gazprom"])
def test_a_party_a_list_only_names_takes_no_place_in_the_limit(bundled_home: Any,
                                                               name: str) -> None:
    """SDN records name Gazprom and Gazprombank ("Linked To:") without listing them there:
    that named party took the one place of limit=1 (an API client's "best match"), was then
    dropped as no listed party, and the listed Gazprombank (0.96) never came back."""
    from redflags.screening.engine import load_engine

    engine = load_engine()
    hits = engine.screen({"schema": "LegalEntity", "properties": {"name": [name]}}, limit=1)
    assert hits and hits[0].match and "GAZPROM" in str(hits[0].entity["properties"]["name"])
    # derived hits are ranked with the direct ones: "Syrianair" gave a direct 0.25 first
    hits = engine.screen({"schema": "LegalEntity", "properties": {"name": ["Syrianair"]}},
                         limit=5)
    assert any(h.derived for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize(("name", "listed"), [
    ("腾讯控股有限公司", "Tencent Holdings Limited"),
    ("宁德时代新能源科技股份有限公司", "Contemporary Amperex Technology Co., Ltd."),
    ("中国中车股份有限公司", "CRRC Corporation Limited"),
])
def test_a_1260h_company_is_found_by_its_chinese_name(bundled_home: Any, name: str,
                                                      listed: str) -> None:
    """Chinese supplier masters keep the registered Chinese name: Tencent's was flagged as
    ZTE (a shared character and the legal form), CATL's and CRRC's came back clear."""
    from redflags.screening.engine import load_engine

    hits = load_engine().screen({"schema": "LegalEntity", "properties": {"name": [name]}},
                                limit=3)
    assert hits and hits[0].match and hits[0].entity["properties"]["name"][0] == listed
    assert name in hits[0].entity["provenance"]["enriched_aliases"]  # marked as ours


def test_a_name_redflags_added_is_marked_where_it_matched(
        bundled_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """"ZTE Corporation (中兴通讯股份有限公司)" read as a name the list gives: the list gives
    ZTE's Latin name only, the Chinese one is ours."""
    from rich.console import Console

    wide = Console(width=250, highlight=False)
    monkeypatch.setattr(check_cmd, "console", wide)
    res = invoke("中兴通讯股份有限公司", "--limit", "3")
    assert res.exit_code == 0, res.output
    assert "(中兴通讯股份有限公司, added by redflags)" in res.output


def test_hizballah_in_arabic_is_hizballah(bundled_home: Any) -> None:
    """حزب الله found only JAYSH AL-SHA'BI (0.58): HIZBALLAH, one word on the lists, was no
    candidate for the two words of its Arabic name."""
    from redflags.screening.engine import load_engine

    hits = load_engine().screen({"schema": "LegalEntity", "properties": {"name": ["حزب الله"]}},
                                limit=3)
    assert hits and hits[0].entity["properties"]["name"][0] == "HIZBALLAH" and hits[0].match


def test_an_honorific_does_not_hide_the_listed_person(bundled_home: Any) -> None:
    """"Ayatollah Khamenei" named his son Mojtaba (0.83) and left the Supreme Leader out:
    the title pre-scored Ali Husseini KHAMENEI below the Matcher's gate."""
    from redflags.screening.engine import load_engine

    hits = load_engine().screen({"schema": "Person",
                                 "properties": {"name": ["Ayatollah Khamenei"]}}, limit=5)
    names = [str(h.entity["properties"]["name"]) for h in hits if h.match]
    assert any("Ali" in n for n in names) and any("Mojtaba" in n for n in names), names


@pytest.mark.parametrize(("args", "message"), [
    (("--threshold", "5"), "--threshold"),
    (("--threshold", "-1"), "--threshold"),
    (("--type", "ship"), "--type"),
])
def test_out_of_range_or_unknown_options_are_refused(engine: RecordingEngine,
                                                     args: tuple[str, ...], message: str) -> None:
    res = invoke("Hikvision", *args)
    assert res.exit_code == 2, res.output
    assert message in res.output and "Invalid value" in res.output
    assert not engine.queries


@pytest.mark.parametrize(("type_", "schema"), [
    ("person", "Person"), ("Company", "Company"), ("organization", "Organization"),
])
def test_type_choices_build_their_schema(engine: RecordingEngine, type_: str,
                                         schema: str) -> None:
    res = invoke("Ivan Petrov", "--type", type_)
    assert res.exit_code == 0, res.output
    assert engine.queries[0]["schema"] == schema


def _hit(ident: str, score: float, *, threshold: float = 0.7, via: str | None = None,
         listed_on: str | None = "2020-01-02", feats: Any = None, **props: list[str]) -> Any:
    from redflags.matching.types import FeatureExplanation, MatchResult, ScreeningHit

    entity = {"id": ident, "schema": "Company",
              "properties": {"name": [f"Listed {ident}"], **props},
              "datasets": [f"list_{ident}"],
              "provenance": {"list": f"list_{ident}", "listed_on": listed_on}}
    feats = feats or [FeatureExplanation("name_align", 0.9, 0.5, "", "q", f"Listed {ident}")]
    result = MatchResult(score, {f.name: f for f in feats}, "fake", "1", f"Listed {ident}", "q")
    evidence = [{"kind": "same_party", "via": via}] if via else []
    return ScreeningHit(entity, score, score >= threshold, result, evidence=evidence)


class FixedEngine(FakeEngine):
    """Returns what the engine would for a well-known name: ranked hits, the same party's
    entries on other lists right after the hit that brought them, then weaker results."""

    def __init__(self, hits: list[Any]) -> None:
        super().__init__()
        self.hits = hits

    def screen(self, query: Any, **kw: Any) -> Any:
        return self.hits


@pytest.fixture
def fixed(monkeypatch: pytest.MonkeyPatch) -> FixedEngine:
    import redflags.screening.engine as engine_mod

    eng = FixedEngine([
        _hit("a", 0.95), _hit("a2", 0.95, via="a"), _hit("a3", 0.95, via="a"),
        _hit("b", 0.9), _hit("b2", 0.9, via="b"), _hit("c", 0.8),
        _hit("d", 0.5), _hit("e", 0.4),
    ])
    monkeypatch.setattr(engine_mod, "load_engine", lambda *a, **k: eng)
    return eng


def _rows(output: str) -> list[list[str]]:
    """The table's body rows as their cells (the "#" column first)."""
    return [[c.strip() for c in line.split("│")] for line in output.splitlines()
            if line.count("│") >= 4]


def test_the_header_counts_the_rows_shown_and_marks_those_below_the_threshold(
        fixed: FixedEngine) -> None:
    res = invoke("Acme", "--threshold", "0.7", "--limit", "10")
    assert res.exit_code == 0, res.output
    rows = _rows(res.output)
    assert [r[0] for r in rows] == ["1", "↳", "↳", "2", "↳", "3", "", "4", "5"]
    assert "8 results: 6 hits at threshold 0.7, 2 below it" in res.output
    separator = rows[6][2]
    assert separator == "below the threshold 0.7: not hits"
    assert [r[1] for r in rows[7:]] == ["0.50", "0.40"]


def test_limit_counts_the_ranked_entries_printed(fixed: FixedEngine) -> None:
    res = invoke("Acme", "--threshold", "0.7", "--limit", "2")
    assert res.exit_code == 0, res.output
    rows = _rows(res.output)
    # two ranked entries, each with the same party's entries on other lists
    assert [r[0] for r in rows] == ["1", "↳", "↳", "2", "↳"]
    assert "5 hits at threshold 0.7; 3 of them (↳) the same party on another list" in res.output
    assert "Listed c" not in res.output and "below the threshold" not in res.output
    # the hit the limit hides is counted ("1 hit" for a name with more read as all of them)
    assert "1 more hit past --limit 2" in res.output
    data = json.loads(invoke("Acme", "--threshold", "0.7", "--limit", "2", "--json").output)
    assert [r["entity_id"] for r in data["results"]] == ["a", "a2", "a3", "b", "b2"]


def test_with_no_hit_the_closest_result_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    import redflags.screening.engine as engine_mod

    eng = FixedEngine([_hit("d", 0.5), _hit("e", 0.4)])
    monkeypatch.setattr(engine_mod, "load_engine", lambda *a, **k: eng)
    res = invoke("Acme", "--threshold", "0.7")
    assert "No hit at threshold 0.7" in res.output
    assert "Why Listed d scored 0.50" in res.output and "Why Listed e" not in res.output


def _why_table(output: str) -> list[list[str]]:
    """The rows of the first "Why" table, as cells."""
    start = output.index("Why ")
    lines = output[start:].splitlines()[1:]
    head = [c.strip() for c in lines[0].split("┃")]
    rows = [head]
    for line in lines[2:]:
        if "│" not in line:
            break
        rows.append([c.strip() for c in line.split("│")])
    return rows


def test_the_why_table_shows_what_the_property_and_script_features_compared(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import redflags.screening.engine as engine_mod
    from redflags.matching.types import FeatureExplanation as F

    feats = [F("name_align", 0.9, 0.5, "", "q", "Listed a"),
             F("cjk", 1.0, -0.11, "", "q", "Listed a"),  # a Han alias, the pair Latin
             F("cjk_phonetic", 0.0, 0.0, "", "q", "Listed a"),  # did not fire: not shown
             F("country_conflict", 1.0, -0.95)]  # the scorer gives properties no pair
    eng = FixedEngine([_hit("a", 0.9, feats=feats, country=["cn"], alias=["华为", "Hua"])])
    monkeypatch.setattr(engine_mod, "load_engine", lambda *a, **k: eng)
    res = invoke("Acme", "--country", "DE")
    assert res.exit_code == 0, res.output
    rows = _why_table(res.output)
    assert rows[0] == ["feature", "value", "contribution", "compared"]
    assert rows[1:] == [["name_align", "0.90", "+0.50", ""],
                        ["cjk", "1.00", "-0.11", "listed: 华为"],
                        ["country_conflict", "1.00", "-0.95", "de ~ cn"]]


def test_a_compared_column_with_nothing_to_show_is_left_out(fixed: FixedEngine) -> None:
    res = invoke("Acme")
    assert res.exit_code == 0, res.output
    assert _why_table(res.output)[0] == ["feature", "value", "contribution"]


@pytest.mark.parametrize(("feature", "expected"), [
    ("date_conflict", "1970-03-04 ~ 1971-03-04"),  # birth dates; not the founding date
    ("identifier_match", "HRB 1 ~ HRB 1, 123"),
    ("xs_cyrillic_phonetic", "query: Иван Петров"),
    ("name_weakest", ""),  # the pair of names, which the table's title shows
])
def test_compared_reads_the_properties_a_feature_compares(feature: str, expected: str) -> None:
    from redflags.reports.explain import compared

    query = {"name": ["Иван Петров"], "birthDate": ["1970-03-04"],
             "registrationNumber": ["HRB 1"]}
    listed = {"name": ["Ivan Petrov"], "birthDate": ["1971-03-04"],
              "incorporationDate": ["2001-01-01"], "registrationNumber": ["HRB 1"],
              "taxNumber": ["123"]}
    assert compared(feature, query, listed) == expected


def test_a_list_without_listing_dates_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import redflags.screening.engine as engine_mod

    eng = FixedEngine([_hit("sdn", 0.9, listed_on=None), _hit("un", 0.8)])
    monkeypatch.setattr(engine_mod, "load_engine", lambda *a, **k: eng)
    res = invoke("Acme")
    assert res.exit_code == 0, res.output
    assert [r[-1] for r in _rows(res.output)] == ["—", "2020-01-02"]  # never a made-up date
    assert "— listed on: not given by the list" in res.output


def test_no_note_on_listing_dates_when_every_row_has_one(fixed: FixedEngine) -> None:
    res = invoke("Acme")
    assert "not given by the list" not in res.output


def test_a_slow_kernel_load_is_announced(monkeypatch: pytest.MonkeyPatch) -> None:
    # a fresh install compiles the kernels for ~30 s: a silent pause read as a hang
    import threading

    from redflags.cli import common

    said: list[str] = []
    printed = threading.Event()

    def fake_print(message: str) -> None:
        said.append(message)
        printed.set()

    monkeypatch.setattr(common.err_console, "print", fake_print)
    monkeypatch.setattr(common, "SLOW_KERNELS_SECONDS", 0.0)
    common.load_kernels_noting(lambda: printed.wait(30))  # a load that outlasts the delay
    assert said and "Compiling" in said[0]
    said.clear()
    monkeypatch.setattr(common, "SLOW_KERNELS_SECONDS", 30.0)
    common.load_kernels_noting(lambda: None)  # a quick load says nothing
    assert said == []
