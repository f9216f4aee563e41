"""FollowTheMoney JSON in/out and users' own blocklists (CSV/TSV/JSON/JSON lines)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redflags.errors import SourceError
from redflags.model import FtMEntity
from redflags.sources import custom, ftm_json
from redflags.sources.base import ParseContext

FIXTURES = Path(__file__).parent / "fixtures"
# Six entities modelled on OpenSanctions' export lines (caption, referents, first_seen,
# target...), with facts from the real NS-CMIC, 1260H and CSL files: a Company with
# aliases and USCC, its Sanction, its owner, the Ownership link, a Person and an Address.
FTM_SAMPLE = FIXTURES / "opensanctions_style.ftm.json"
# tmp_path is shared across examples on purpose: each example overwrites its own file.
HYPOTHESIS: dict[str, Any] = {
    "max_examples": 40,
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture],
}


def ftm(path: Path, name: str = "opensanctions", **opts: str) -> list[FtMEntity]:
    return list(ftm_json.parse(path, ParseContext(name, options=opts)))


# --- FollowTheMoney JSON -------------------------------------------------------------------


def test_ftm_lines() -> None:
    entities = ftm(FTM_SAMPLE)
    assert [e["schema"] for e in entities] == [
        "Company", "Sanction", "Company", "Ownership", "Person", "Address",
    ]  # fmt: skip
    hik = entities[0]
    assert hik["datasets"] == ["us_ofac_cons", "us_bis_entity_list"]
    assert hik["referents"] == ["ofac-cmic-hikvision", "us-bis-el-hikvision"]
    assert hik["properties"]["uscCode"] == ["91330000733796106P"]
    assert "海康威视" in hik["properties"]["alias"]
    assert hik["provenance"]["list"] == "opensanctions"
    ownership = entities[3]["properties"]
    assert ownership["owner"] == ["NK-cetc"] and ownership["asset"] == ["NK-hikvision"]
    assert entities[1]["properties"]["entity"] == ["NK-hikvision"]


def test_ftm_datasets_default_to_list_name(tmp_path: Path) -> None:
    path = tmp_path / "x.ftm.json"
    path.write_text('{"id": "a", "schema": "Person", "properties": {"name": ["Ann Example"]}}\n')
    assert ftm(path, "mylist")[0]["datasets"] == ["mylist"]


def test_ftm_json_array_equals_lines(tmp_path: Path) -> None:
    lines = [json.loads(x) for x in FTM_SAMPLE.read_text(encoding="utf-8").splitlines()]
    path = tmp_path / "array.json"
    path.write_text(json.dumps(lines, indent=2, ensure_ascii=False), encoding="utf-8")
    assert ftm(path) == ftm(FTM_SAMPLE)


def test_ftm_array_streams_across_chunks(tmp_path: Path) -> None:
    items = [
        {"id": f"p{i}", "schema": "Person", "properties": {"name": [f"Person Number {i}"]}}
        for i in range(3000)
    ]
    path = tmp_path / "big.json"
    path.write_text("[\n" + ",\n".join(json.dumps(i) for i in items) + "\n]\n")
    assert path.stat().st_size > 3 * 65536
    entities = ftm(path)
    assert [e["id"] for e in entities] == [f"p{i}" for i in range(3000)]


def test_ftm_truncated_array(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('[{"id": "a", "schema": "Person", "properties": {"name": ["A"]}},\n{"id": "b"')
    with pytest.raises(SourceError) as err:
        ftm(path)
    assert str(path) in str(err.value)
    assert err.value.line == 2


def test_ftm_unknown_property_names_it_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.ftm.json"
    path.write_text(
        '{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n'
        '{"id": "b", "schema": "Person", "properties": {"nmae": ["B"]}}\n'
    )
    with pytest.raises(SourceError) as err:
        ftm(path)
    assert err.value.line == 2
    assert "'nmae'" in str(err.value)


def test_ftm_unknown_schema_and_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "bad.ftm.json"
    path.write_text('{"id": "a", "schema": "Persn", "properties": {}}\n')
    with pytest.raises(SourceError, match="Persn") as err:
        ftm(path)
    assert err.value.line == 1
    path.write_text('{"id": "a", "schema": "Person", "properties": {}}\n{"id": "b", "sch\n')
    with pytest.raises(SourceError) as err:
        ftm(path)
    assert err.value.line == 2


def test_ftm_values_must_be_strings(tmp_path: Path) -> None:
    path = tmp_path / "bad.ftm.json"
    path.write_text('{"id": "a", "schema": "Person", "properties": {"name": [1]}}\n')
    with pytest.raises(SourceError, match="list of strings"):
        ftm(path)


def test_ftm_forbidden_and_reverse_properties_dropped(tmp_path: Path) -> None:
    path = tmp_path / "x.ftm.json"
    path.write_text(
        '{"id": "a", "schema": "Person", "properties": {"name": ["A B"], '
        '"religion": ["x"], "sanctions": [{"id": "s1", "schema": "Sanction"}]}}\n'
    )
    ctx = ParseContext("l")
    entity = next(ftm_json.parse(path, ctx))
    assert entity["properties"] == {"name": ["A B"]}
    assert ctx.stats == {"forbidden_property": 1, "reverse_property": 1}


def test_ftm_reads_back_the_provenance_redflags_exported(tmp_path: Path) -> None:
    """`redflags export` writes listing date, programmes and source URL in its own
    "provenance" key; the importer dropped them (and put the entity id as record id)."""
    path = tmp_path / "export.ftm.json"
    exported = {
        "id": "mine-a1", "schema": "Company", "datasets": ["mine"],
        "properties": {"name": ["Acme Trading LLC"]},
        "provenance": {"list": "mine", "list_version": "mine@20260102T000000-abc",
                       "record_id": "A1", "programs": ["Internal watch"],
                       "listed_on": "2024-02-01", "source_url": "https://example.org/l.csv",
                       "citations": ["84 FR 54004"], "some_future_key": {"x": 1}},
    }  # fmt: skip
    named = {"id": "ofac-party-1", "schema": "LegalEntity", "datasets": ["mine"],
             "properties": {"name": ["Rosneft"]},
             "provenance": {"list": "mine", "mentioned_by": "", "source_url": "https://x"}}
    path.write_text(json.dumps(exported) + "\n" + json.dumps(named) + "\n")
    first, second = ftm(path, "mine2", list_date="2026-03-04")
    assert first["provenance"] == {
        "list": "mine2", "list_version": "2026-03-04", "record_id": "A1",
        "programs": ["Internal watch"], "listed_on": "2024-02-01",
        "source_url": "https://example.org/l.csv", "citations": ["84 FR 54004"],
    }  # fmt: skip
    # a party a record only names stays one (an empty mentioned_by still marks it), and
    # gains no record id of its own
    assert second["provenance"] == {"list": "mine2", "list_version": "2026-03-04",
                                    "mentioned_by": "", "source_url": "https://x"}


def test_ftm_without_our_provenance_is_read_as_before(tmp_path: Path) -> None:
    path = tmp_path / "os.ftm.json"
    path.write_text(json.dumps({"id": "NK-1", "schema": "Person",
                                "properties": {"name": ["Ann Example"]}}) + "\n")
    (entity,) = ftm_json.parse(path, ParseContext("os", source_url="https://os.example"))
    assert entity["provenance"] == {"list": "os", "record_id": "NK-1",
                                    "source_url": "https://os.example"}


@pytest.mark.parametrize(
    ("provenance", "message"),
    [
        ("internal", '"provenance" is not an object'),
        ({"programs": "Internal watch"}, "provenance.programs must be a list of strings"),
        ({"listed_on": 20240201}, "provenance.listed_on must be a string"),
    ],
)
def test_ftm_bad_provenance_names_the_line_and_field(
    tmp_path: Path, provenance: object, message: str
) -> None:
    path = tmp_path / "bad.ftm.json"
    good = {"id": "a", "schema": "Person", "properties": {"name": ["Ann Example"]}}
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "id": "b",
                                                          "provenance": provenance}) + "\n")
    with pytest.raises(SourceError) as err:
        ftm(path)
    assert err.value.line == 2 and err.value.record == "b"
    assert message in str(err.value) and str(path) in str(err.value)


def test_ftm_html_and_empty(tmp_path: Path) -> None:
    html = tmp_path / "x.ftm.json"
    html.write_text("<html><body>Not found</body></html>")
    with pytest.raises(SourceError, match="HTML"):
        ftm(html)
    empty = tmp_path / "e.ftm.json"
    empty.write_text("\n")
    with pytest.raises(SourceError, match="empty"):
        ftm(empty)


def test_write_ftm_round_trip(tmp_path: Path) -> None:
    entities = ftm(FTM_SAMPLE)
    buf = io.StringIO()
    assert ftm_json.write_ftm(entities, buf) == 6
    first = json.loads(buf.getvalue().splitlines()[0])
    assert first["caption"] == "Hangzhou Hikvision Digital Technology Co., Ltd."
    assert "provenance" not in first
    path = tmp_path / "out.ftm.json"
    path.write_text(buf.getvalue(), encoding="utf-8")
    again = ftm(path)
    assert [(e["id"], e["schema"], e["properties"], e["datasets"]) for e in again] == [
        (e["id"], e["schema"], e["properties"], e["datasets"]) for e in entities
    ]


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(names, min_size=1, max_size=5))
def test_write_ftm_round_trip_any_names(tmp_path: Path, values: list[str]) -> None:
    entity: dict[str, Any] = {
        "id": "x1", "schema": "Company", "properties": {"name": values}, "datasets": ["d"],
    }  # fmt: skip
    buf = io.StringIO()
    ftm_json.write_ftm([entity], buf)
    path = tmp_path / "rt.ftm.json"
    path.write_text(buf.getvalue(), encoding="utf-8")
    back = ftm(path)[0]
    expected = list(dict.fromkeys(" ".join(v.split()) for v in values))
    assert back["properties"]["name"] == expected


# --- user lists ----------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def user(path: Path, **opts: str) -> list[FtMEntity]:
    return list(custom.parse(path, ParseContext("my_blocklist", options=opts)))


def test_custom_csv_recognised_headers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "blocklist.csv",
        [
            ["Entity Name", "Type", "Country", "Aliases", "DOB", "Notes"],
            ["Hangzhou Hikvision Digital Technology Co., Ltd.", "", "China", "Hikvision", "", ""],
            ["RIM, Ryong Nam", "Individual", "KP", "", "1978-12-05", "from OFAC SDN"],
            ["Atlas Sanatgaran", "", "Armenia", "Atlas; AS", "", ""],
        ],
    )
    entities = user(path)
    listed = [e for e in entities if e["schema"] != "Sanction"]
    assert [e["schema"] for e in listed] == ["Company", "Person", "LegalEntity"]
    assert listed[0]["properties"]["country"] == ["cn"]
    assert listed[0]["id"] == "my-blocklist-hangzhou-hikvision-digital-technology-co-ltd-cn"
    assert listed[1]["properties"]["birthDate"] == ["1978-12-05"]
    assert listed[1]["properties"]["notes"] == ["from OFAC SDN"]
    assert listed[2]["properties"]["alias"] == ["Atlas", "AS"]
    assert sum(e["schema"] == "Sanction" for e in entities) == 3
    assert all(e["datasets"] == ["my_blocklist"] for e in entities)


def test_custom_unknown_option_is_named(tmp_path: Path) -> None:
    # a misspelt key was ignored and the file read with the recognised headers instead
    path = write_csv(tmp_path / "list.csv", [["Name", "Alias"], ["Acme", "Acme Holdings"]])
    with pytest.raises(SourceError, match=r"unknown option.*nmae"):
        user(path, nmae="Alias")


def test_custom_tsv_with_mapping(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "list.tsv",
        [
            ["ref", "party", "kind", "isin", "prog", "since"],
            ["A-1", "Sample Holdings", "", "US1694261033", "Internal watch", "2024-02-01"],
            ["A-2", "Jane Roe", "person", "", "", ""],
        ],
        delimiter="\t",
    )
    entities = user(
        path, name="party", id="ref", schema="kind", isin="isin", program="prog",
        listed_on="since",
    )  # fmt: skip
    first, first_sanction, second = entities[0], entities[1], entities[2]
    assert first["id"] == "my-blocklist-a-1"
    # an ISIN only fits a Company, so the legal-form-less name is one
    assert first["schema"] == "Company"
    assert first["properties"]["isinCode"] == ["US1694261033"]
    assert first["provenance"]["programs"] == ["Internal watch"]
    assert first["provenance"]["listed_on"] == "2024-02-01"
    assert first_sanction["properties"]["listingDate"] == ["2024-02-01"]
    assert second["schema"] == "Person"


def test_custom_default_schema(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", [["name"], ["Vessel One"]])
    assert user(path, default_schema="Vessel")[0]["schema"] == "Vessel"


def test_custom_json_and_jsonl(tmp_path: Path) -> None:
    records = [
        {"name": "ACME LLC", "country": "US", "aliases": ["Acme"]},
        {"name": "Jane Roe", "type": "person"},
    ]
    as_json = tmp_path / "l.json"
    as_json.write_text(json.dumps({"entities": records}))
    as_jsonl = tmp_path / "l.jsonl"
    as_jsonl.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    one, two = user(as_json), user(as_jsonl)
    assert [e["id"] for e in one] == [e["id"] for e in two]
    assert one[0]["properties"]["alias"] == ["Acme"]
    assert [e["schema"] for e in one if e["schema"] != "Sanction"] == ["Company", "Person"]


def test_custom_missing_name_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", [["foo", "bar"], ["1", "2"]])
    with pytest.raises(SourceError) as err:
        user(path)
    assert str(path) in str(err.value)
    assert "foo, bar" in str(err.value)


def test_custom_mapped_column_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", [["name"], ["x"]])
    with pytest.raises(SourceError, match="'full_name'"):
        user(path, name="full_name")


def test_custom_row_without_name(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", [["name", "country"], ["ACME", "US"], ["", "FR"]])
    with pytest.raises(SourceError) as err:
        user(path)
    assert err.value.line == 3


def test_custom_blank_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    """Excel leaves ",,," lines under a list; a screening file skips them, so does an import
    (a blank row narrower than the header too), and says how many it skipped."""
    path = tmp_path / "l.csv"
    path.write_text("name,country,program\nACME,US,X\n,,\n \t, ,\nBeta Ltd,FR,Y\n,\n,,\n")
    ctx = ParseContext("my_blocklist")
    entities = list(custom.parse(path, ctx))
    names = [e["properties"]["name"] for e in entities if e["schema"] != "Sanction"]
    assert names == [["ACME"], ["Beta Ltd"]]
    assert ctx.stats == {custom.BLANK_ROWS: 4}


def test_custom_blank_json_records_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    path.write_text(json.dumps([{"name": "ACME"}, {}, {"name": None, "aliases": []},
                                {"name": " ", "country": ""}]))
    ctx = ParseContext("my_blocklist")
    assert len(list(custom.parse(path, ctx))) == 2
    assert ctx.stats == {custom.BLANK_ROWS: 3}


def test_custom_row_with_cells_but_no_name_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("name,country,program\nACME,US,X\n,,\n,FR,\n")
    with pytest.raises(SourceError) as err:
        user(path)
    assert err.value.line == 4
    assert str(path) in str(err.value) and "no name" in str(err.value)


def test_custom_wrong_column_count(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("name,country\nACME,US\nFoo,FR,extra\n")
    with pytest.raises(SourceError) as err:
        user(path)
    assert err.value.line == 3


def test_custom_bad_files(tmp_path: Path) -> None:
    html = tmp_path / "l.csv"
    html.write_text("<!doctype html><html><body>login</body></html>")
    with pytest.raises(SourceError, match="HTML"):
        user(html)
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(SourceError, match="empty"):
        user(empty)
    cut = tmp_path / "c.json"
    cut.write_text('[{"name": "ACME"}, {"na')
    with pytest.raises(SourceError) as err:
        user(cut)
    assert str(cut) in str(err.value)


def test_custom_duplicate_names_get_distinct_ids(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", [["name"], ["ACME Ltd"], ["ACME Ltd"]])
    ids = [e["id"] for e in user(path) if e["schema"] != "Sanction"]
    assert len(set(ids)) == 2
    assert ids[0] == "my-blocklist-acme-ltd"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(names.filter(lambda s: ";" not in s), min_size=1, max_size=8))
def test_custom_csv_keeps_any_name(tmp_path: Path, values: list[str]) -> None:
    path = write_csv(tmp_path / "h.csv", [["name"], *[[v] for v in values]])
    entities = [e for e in user(path) if e["schema"] != "Sanction"]
    assert [e["properties"]["name"][0] for e in entities] == [" ".join(v.split()) for v in values]
    assert len({e["id"] for e in entities}) == len(values)
