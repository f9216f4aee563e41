"""US list parsers other than OFAC: trade.gov CSL (CSV/JSON), BIS DPL, US list JSON files."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflags.errors import SourceError
from redflags.model import FtMEntity
from redflags.sources import bis_dpl, csl, get_parser, us_json
from redflags.sources.base import ParseContext
from redflags.sources.party import (
    IdRegistry,
    country_code,
    guess_schema,
    has_legal_form,
    parse_date,
    split_citations,
)

FIXTURES = Path(__file__).parent / "fixtures"
CSL_2023 = "csl/consolidated_screening_list_2023-11_truncated.csv"
CSL_2025 = "csl/consolidated_screening_list_sample_2025.csv"
DPL = "bis/denied_persons_list_2023-11.txt"
US_LISTS = "us_lists_2026-07"
SUPPORTING = {"Sanction", "Address"}


def main(entities: list[FtMEntity]) -> list[FtMEntity]:
    """The listed parties: not their Sanctions, Addresses, links or link-target stubs."""
    return [e for e in entities if "sanction" in e["properties"].get("topics", [])]


def by_id(entities: list[FtMEntity]) -> dict[str, FtMEntity]:
    return {e["id"]: e for e in entities}


@cache
def _parse_cached(fmt: str, path: str, list_name: str, opts: str) -> tuple[list[Any], str]:
    ctx = ParseContext(list_name, options=json.loads(opts))
    entities = list(get_parser(fmt)(Path(path), ctx))
    return entities, json.dumps(ctx.stats)


def parsed(
    fmt: str, path: Path, list_name: str, **opts: str
) -> tuple[list[FtMEntity], dict[str, int]]:
    """Parse once per session: the Entity List and the 2023 CSL take seconds each."""
    entities, stats = _parse_cached(fmt, str(path), list_name, json.dumps(opts, sort_keys=True))
    return entities, json.loads(stats)


# --- trade.gov Consolidated Screening List -------------------------------------------------


def test_csl_2025_sample_counts_and_datasets(shared_data: Path) -> None:
    entities, stats = parsed("csl-csv", shared_data / CSL_2025, "us_trade_csl")
    listed = main(entities)
    assert len(listed) == 13
    assert sum(e["schema"] == "Sanction" for e in entities) == 13
    assert stats == {}
    codes = Counter(e["datasets"][1] for e in listed)
    assert codes == {
        "us_trade_csl.ssi": 3, "us_trade_csl.plc": 2, "us_trade_csl.isn": 1,
        "us_trade_csl.uvl": 1, "us_trade_csl.meu": 1, "us_trade_csl.sdn": 1,
        "us_trade_csl.dtc": 1, "us_trade_csl.dpl": 1, "us_trade_csl.fse": 1,
        "us_trade_csl.el": 1,
    }  # fmt: skip
    assert all(e["datasets"][0] == "us_trade_csl" for e in entities)
    assert len({e["id"] for e in entities}) == len(entities)


def test_csl_sdn_person_fields(shared_data: Path) -> None:
    entities, _ = parsed("csl-csv", shared_data / CSL_2025, "us_trade_csl")
    index = by_id(entities)
    rim = index["csl-sdn-52291"]
    assert rim["schema"] == "Person"
    props = rim["properties"]
    assert props["name"] == ["RIM, Ryong Nam"]
    assert props["birthDate"] == ["1978-12-05"]
    assert props["nationality"] == ["kp"]
    assert "836238033" in props["passportNumber"]
    assert props["gender"] == ["male"]
    assert set(props["country"]) >= {"cn", "kp"}
    sanction = index["csl-sdn-52291-sanction"]["properties"]
    assert sanction["entity"] == ["csl-sdn-52291"]
    assert sanction["program"] == ["NPWMD"]
    assert any("Secondary sanctions risk" in p for p in sanction["provisions"])
    assert rim["provenance"]["record_id"] == "52291"


def test_csl_federal_register_citation_on_sanction(shared_data: Path) -> None:
    entities, _ = parsed("csl-csv", shared_data / CSL_2025, "us_trade_csl")
    index = by_id(entities)
    meu_id = "csl-meu-academy-of-aerospace-solid-propulsion-technology-aaspt-cn"
    sanction = index[f"{meu_id}-sanction"]["properties"]
    assert sanction["summary"] == ["85 FR 83799"]
    assert sanction["startDate"] == ["2020-12-23"]
    assert index[meu_id]["provenance"]["citations"] == ["85 FR 83799"]
    isn = index["csl-isn-sinobright-import-and-export-company"]
    # the successor clause is not part of the name that gets matched
    assert isn["properties"]["name"] == ["Sinobright Import and Export Company"]
    assert isn["schema"] == "Company"
    assert isn["provenance"]["citations"] == ["Vol. 88, No. 151, 08/08/2023"]


def test_csl_2023_truncated_file_fails_by_default(shared_data: Path, tmp_path: Path) -> None:
    """The real file's head (with its repeated header) and cut-off tail, without the middle
    (parsing all of it twice would double the suite's slowest test)."""
    lines = (shared_data / CSL_2023).read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path = tmp_path / "consolidated.csv"
    path.write_text("".join(lines[:4] + lines[-12:]), encoding="utf-8")
    ctx = ParseContext("us_trade_csl")
    yielded: list[FtMEntity] = []
    with pytest.raises(SourceError) as err:
        yielded.extend(csl.parse_csv(path, ctx))
    assert err.value.line == 16
    assert "8 columns" in str(err.value)
    # the first pass (ids and names) meets the bad row before anything is yielded
    assert yielded == []


def test_csl_2023_counts_with_bad_rows_skipped(shared_data: Path) -> None:
    entities, stats = parsed("csl-csv", shared_data / CSL_2023, "us_trade_csl", on_bad_row="skip")
    listed = main(entities)
    # 4,227 records in the file, the last one cut off mid-field by the truncation
    assert len(listed) == 4226
    assert stats == {"duplicate_header": 1, "bad_row": 1}
    assert sum(e["schema"] == "Sanction" for e in entities) == 4226
    assert len({e["id"] for e in entities}) == len(entities)
    codes = Counter(e["datasets"][1].split(".")[1] for e in listed)
    assert codes == {
        "sdn": 1737, "el": 919, "dpl": 577, "ssi": 288, "uvl": 186, "isn": 144, "dtc": 142,
        "plc": 78, "meu": 71, "cmic": 68, "mbs": 14, "fse": 1, "cap": 1,
    }  # fmt: skip
    schemas = Counter(e["schema"] for e in listed)
    assert schemas["Person"] == 1124
    assert schemas["Vessel"] == 3


def test_csl_cmic_identifiers(shared_data: Path) -> None:
    entities, _ = parsed("csl-csv", shared_data / CSL_2023, "us_trade_csl", on_bad_row="skip")
    index = by_id(entities)
    telecom = index["csl-cmic-30882"]
    assert telecom["schema"] == "Company"
    props = telecom["properties"]
    assert props["uscCode"] == ["9111000071093019X7"]
    assert "US1694261033" in props["isinCode"]
    assert "CHINA TELECOM CORP LTD" in props["alias"]
    sanction = index["csl-cmic-30882-sanction"]["properties"]
    assert sanction["listingDate"] == ["2021-06-03"]
    assert "2021-08-02" in sanction["startDate"]


def test_csl_vessel_and_dpl_records(shared_data: Path) -> None:
    entities, _ = parsed("csl-csv", shared_data / CSL_2023, "us_trade_csl", on_bad_row="skip")
    index = by_id(entities)
    ebano = index["csl-sdn-4243"]
    assert ebano["schema"] == "Vessel"
    assert ebano["properties"]["imoNumber"] == ["IMO7406784"]
    assert ebano["properties"]["flag"] == ["pa"]
    assert ebano["properties"]["grossRegisteredTonnage"] == ["1865"]
    dpl = [e for e in entities if e["datasets"][1:] == ["us_trade_csl.dpl"]]
    listed = [e for e in dpl if e["schema"] not in SUPPORTING]
    # the DPL's remarks are its last action: kept on the Sanction, not as a note on the party
    assert not any("NOTICE ADDED" in n for e in listed for n in e["properties"].get("notes", []))
    assert any(
        "NOTICE ADDED" in d for e in dpl if e["schema"] == "Sanction"
        for d in e["properties"].get("description", [])
    )  # fmt: skip


def test_csl_linked_to(shared_data: Path) -> None:
    entities, _ = parsed("csl-csv", shared_data / CSL_2023, "us_trade_csl", on_bad_row="skip")
    listed = {e["id"] for e in main(entities)}
    links = [e for e in entities if e["schema"] == "UnknownLink"]
    stubs = {e["id"] for e in entities if e["schema"] == "LegalEntity" and e["id"] not in listed}
    targets = [e["properties"]["object"][0] for e in links]
    # 305 links; all but 7 targets are parties of the same file (a truncated one)
    assert len(links) == 305
    assert len(stubs) == 7
    assert all(t in listed or t in stubs for t in targets)
    assert all(e["properties"]["subject"][0] in listed for e in links)
    assert all(e["properties"]["role"] == ["Linked To"] for e in links)
    assert csl.linked_to(
        "For more information on directives, please visit the following link: "
        "http://www.treasury.gov/x.aspx#directives; (Linked To: PUBLIC JOINT STOCK COMPANY "
        "GAZPROM)"
    ) == ["PUBLIC JOINT STOCK COMPANY GAZPROM"]
    assert csl.linked_to("Linked To: ALFA (UK) LTD.") == ["ALFA (UK) LTD."]


def test_csl_ids_stable_across_versions(shared_data: Path) -> None:
    """The CSL's own _id for BIS records changes between releases; our ids must not."""
    old, _ = parsed("csl-csv", shared_data / CSL_2023, "us_trade_csl", on_bad_row="skip")
    new, _ = parsed("csl-csv", shared_data / CSL_2025, "us_trade_csl")
    meu = "csl-meu-academy-of-aerospace-solid-propulsion-technology-aaspt-cn"
    old_e, new_e = by_id(old)[meu], by_id(new)[meu]
    assert old_e["provenance"]["record_id"] != new_e["provenance"]["record_id"]
    shared_ids = {e["id"] for e in main(old)} & {e["id"] for e in main(new)}
    assert meu in shared_ids
    assert len(shared_ids) >= 5


def test_csl_json_matches_csv(shared_data: Path) -> None:
    """tests/fixtures/csl_api_sample_2025.json holds the 13 rows of the real 2025 CSV sample,
    rewritten in the API's JSON shape (lists, address and id objects)."""
    from_csv, _ = parsed("csl-csv", shared_data / CSL_2025, "us_trade_csl")
    from_json, _ = parsed("csl-json", FIXTURES / "csl_api_sample_2025.json", "us_trade_csl")
    assert {e["id"] for e in main(from_json)} == {e["id"] for e in main(from_csv)}
    csv_index, json_index = by_id(from_csv), by_id(from_json)
    for entity in main(from_json):
        other = csv_index[entity["id"]]
        assert entity["schema"] == other["schema"]
        assert entity["properties"]["name"] == other["properties"]["name"]
        assert entity["datasets"] == other["datasets"]
    rim = json_index["csl-sdn-52291"]["properties"]
    assert "836238033" in rim["passportNumber"]
    assert set(rim["country"]) >= {"cn", "kp"}


def test_csl_json_truncated(tmp_path: Path) -> None:
    text = (FIXTURES / "csl_api_sample_2025.json").read_text(encoding="utf-8")
    path = tmp_path / "csl.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(SourceError) as err:
        list(csl.parse_json(path, ParseContext("us_trade_csl")))
    assert str(path) in str(err.value)
    assert "JSON" in str(err.value)


def test_csl_json_without_results(tmp_path: Path) -> None:
    path = tmp_path / "csl.json"
    path.write_text('{"total": 0}', encoding="utf-8")
    with pytest.raises(SourceError, match="results"):
        list(csl.parse_json(path, ParseContext("us_trade_csl")))


def _csl_header() -> str:
    return ",".join(csl.COLUMNS)


def _csl_row(**values: str) -> str:
    return ",".join(f'"{values.get(c, "")}"' for c in csl.COLUMNS)


def test_csl_wrong_column_count(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.csv"
    good = _csl_row(source="Entity List (EL) - Bureau of Industry and Security", name="ACME Ltd")
    path.write_text(f'{_csl_header()}\n{good}\n"x","y"\n', encoding="utf-8")
    with pytest.raises(SourceError) as err:
        list(csl.parse_csv(path, ParseContext("us_trade_csl")))
    assert err.value.line == 3


def test_csl_html_and_empty(tmp_path: Path) -> None:
    html = tmp_path / "consolidated.csv"
    html.write_text("<!DOCTYPE html><html><body>Service Unavailable</body></html>")
    with pytest.raises(SourceError, match="HTML"):
        list(csl.parse_csv(html, ParseContext("us_trade_csl")))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SourceError, match="empty"):
        list(csl.parse_csv(empty, ParseContext("us_trade_csl")))


def test_csl_not_a_csl_file(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(SourceError, match="headers: a, b, c"):
        list(csl.parse_csv(path, ParseContext("us_trade_csl")))


def test_csl_unknown_source_gets_a_slug(tmp_path: Path) -> None:
    assert csl.source_code("Entity List (EL) - Bureau of Industry and Security") == "el"
    assert csl.source_code("Brand New List (BNL) - Treasury Department") == "bnl"
    assert csl.source_code("Some Other List - State Department") == "some_other_list"
    path = tmp_path / "consolidated.csv"
    row = _csl_row(source="Brand New List (BNL) - Treasury Department", name="Foo GmbH")
    path.write_text(f"{_csl_header()}\n{row}\n", encoding="utf-8")
    entities = list(csl.parse_csv(path, ParseContext("us_trade_csl")))
    assert entities[0]["datasets"] == ["us_trade_csl", "us_trade_csl.bnl"]
    assert entities[0]["schema"] == "Company"


# --- BIS Denied Persons List ---------------------------------------------------------------


def test_dpl_counts(shared_data: Path) -> None:
    entities, _ = parsed("bis-dpl", shared_data / DPL, "us_bis_dpl")
    listed = main(entities)
    # 665 rows (one per address) for 545 distinct names
    assert len(listed) == 545
    assert sum(e["schema"] == "Sanction" for e in entities) == 545
    assert len({e["id"] for e in entities}) == len(entities)
    schemas = Counter(e["schema"] for e in listed)
    assert schemas == {"LegalEntity": 478, "Company": 67}


def test_dpl_party_with_two_addresses(shared_data: Path) -> None:
    entities, _ = parsed("bis-dpl", shared_data / DPL, "us_bis_dpl")
    index = by_id(entities)
    zimo = index["bis-dpl-zimo-sheng"]
    assert sorted(zimo["properties"]["country"]) == ["cn", "us"]
    assert len(zimo["properties"]["addressEntity"]) == 2
    for address_id in zimo["properties"]["addressEntity"]:
        assert index[address_id]["schema"] == "Address"
    sanction = index["bis-dpl-zimo-sheng-sanction"]["properties"]
    assert sanction["startDate"] == ["2020-03-16"]
    assert sanction["endDate"] == ["2028-12-13"]
    assert sanction["summary"] == ["85 F.R. 16054 3/20/2020"]


def test_dpl_run_together_citations(shared_data: Path) -> None:
    entities, _ = parsed("bis-dpl", shared_data / DPL, "us_bis_dpl")
    ash = by_id(entities)["bis-dpl-i-ash"]
    cites = ash["provenance"]["citations"]
    assert cites[:3] == ["68 F.R. 38290 6/27/03", "71 F.R. 38843 7/10/06", "72 F.R. 4236 1/30/07"]
    sanction = by_id(entities)["bis-dpl-i-ash-sanction"]["properties"]
    assert sanction["startDate"] == ["2002-03-04", "2003-06-19"]


def test_dpl_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "dpl.txt"
    header = "\t".join(c.title() for c in bis_dpl.COLUMNS)
    path.write_text(f"{header}\nJOHN DOE\tSTREET\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        list(bis_dpl.parse(path, ParseContext("us_bis_dpl")))
    assert err.value.line == 2
    other = tmp_path / "other.txt"
    other.write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(SourceError, match="not a Denied Persons List"):
        list(bis_dpl.parse(other, ParseContext("us_bis_dpl")))


# --- US list JSON transcriptions -----------------------------------------------------------

US_FILES = {
    "bis_dpl": 564,
    "bis_entity_list": 3409,
    "bis_meu": 70,
    "cbp_wro": 67,
    "dhs_uflpa": 148,
    "dow_1260h": 80,
    "dow_1286": 134,
    "fcc_covered": 15,
    "ofac_eo14032_annex": 59,
    "ofac_nscmic": 68,
    "state_debarred_admin": 8,
    "state_debarred_statutory": 779,
    "state_nonproliferation": 528,
}


@pytest.mark.parametrize("stem", sorted(US_FILES))
def test_us_json_counts(shared_data: Path, stem: str) -> None:
    path = shared_data / US_LISTS / f"{stem}.json"
    declared = json.loads(path.read_text(encoding="utf-8"))["count"]
    assert declared == US_FILES[stem]
    entities, _ = parsed("us-json", path, f"us_{stem}")
    assert len(main(entities)) == declared
    assert sum(e["schema"] == "Sanction" for e in entities) == declared
    assert len({e["id"] for e in entities}) == len(entities)
    assert all(e["provenance"]["list_version"] == "2026-07-09" for e in main(entities))


def _hikvision(shared_data: Path, stem: str) -> list[FtMEntity]:
    entities, _ = parsed("us-json", shared_data / US_LISTS / f"{stem}.json", f"us_{stem}")
    return [e for e in main(entities) if "hikvision" in json.dumps(e["properties"]).lower()]


@pytest.mark.parametrize(
    ("stem", "alias"),
    [
        ("bis_entity_list", "Hikvision"),
        ("dow_1260h", "Hikvision"),
        ("fcc_covered", None),
        ("ofac_nscmic", "HIKVISION"),
    ],
)
def test_hikvision_listed(shared_data: Path, stem: str, alias: str | None) -> None:
    found = _hikvision(shared_data, stem)
    assert len(found) == 1
    entity = found[0]
    assert entity["schema"] == "Company"
    assert entity["properties"]["name"][0].startswith("Hangzhou Hikvision Digital Technology")
    assert entity["properties"]["country"] == ["cn"]
    if alias:
        assert alias in entity["properties"]["alias"]


def test_a_date_every_record_shares_is_no_listing_date(shared_data: Path) -> None:
    """DoD republishes its 1260H list whole: every one of its 80 records carries the
    publication's effective date, and Hikvision (listed since 2021) read "listed on
    2026-06-10". Lists whose records differ keep theirs (NS-CMIC: 2021-08-02, above)."""
    hik = _hikvision(shared_data, "dow_1260h")[0]
    assert "listed_on" not in hik["provenance"]
    assert any("2026" in c for c in hik["provenance"]["citations"])  # the notice is cited
    entities, _ = parsed("us-json", shared_data / US_LISTS / "fcc_covered.json",
                         "us_fcc_covered")
    assert len({e["provenance"].get("listed_on") for e in main(entities)}) > 1


def test_nscmic_structure_from_notes(shared_data: Path) -> None:
    entities, _ = parsed("us-json", shared_data / US_LISTS / "ofac_nscmic.json", "us_ofac_nscmic")
    index = by_id(entities)
    hik = _hikvision(shared_data, "ofac_nscmic")[0]
    props = hik["properties"]
    assert props["uscCode"] == ["91330000733796106P"]
    assert props["classification"] == ["Public Company"]
    assert hik["provenance"]["programs"] == ["CMIC-EO13959"]
    assert hik["provenance"]["listed_on"] == "2021-08-02"
    sanction = index[f"{hik['id']}-sanction"]["properties"]
    assert sanction["listingDate"] == ["2021-06-03"]
    assert sanction["startDate"] == ["2021-08-02"]
    assert sanction["program"] == ["CMIC-EO13959"]
    assert "reason" not in sanction  # every part of these notes was structure
    with_uscc = [e for e in main(entities) if "uscCode" in e["properties"]]
    assert len(with_uscc) == 58


def test_nscmic_linked_to_becomes_a_link(shared_data: Path) -> None:
    entities, _ = parsed("us-json", shared_data / US_LISTS / "ofac_nscmic.json", "us_ofac_nscmic")
    links = [e for e in entities if e["schema"] == "UnknownLink"]
    # 9 "Linked To" notes, all naming a party of the same file (two name the same one)
    assert len(links) == 9
    listed = {e["id"] for e in main(entities)}
    assert not [e for e in entities if e["schema"] == "LegalEntity" and e["id"] not in listed]
    for link in links:
        props = link["properties"]
        assert props["role"] == ["Linked To"]
        assert props["subject"][0] in listed
        assert props["object"][0] in listed
    huawei = "us-ofac-nscmic-huawei-investment-holding-co-ltd-cn"
    assert sum(link["properties"]["object"] == [huawei] for link in links) == 2


def test_entity_list_citations(shared_data: Path) -> None:
    hik = _hikvision(shared_data, "bis_entity_list")[0]
    assert hik["provenance"]["citations"] == [
        "84 FR 54004, 10/9/19",
        "85 FR 34505, 6/5/20",
        "85 FR 44161, 7/22/20",
    ]
    assert len(hik["properties"]["address"]) == 3


def test_entity_list_same_name_twice_gets_distinct_ids(shared_data: Path) -> None:
    entities, _ = parsed(
        "us-json", shared_data / US_LISTS / "bis_entity_list.json", "us_bis_entity_list"
    )
    wong = [e for e in main(entities) if e["properties"]["name"] == ["Wong Yung Fai"]]
    assert len(wong) == 2
    assert wong[0]["id"] == "us-bis-entity-list-wong-yung-fai-cn"
    assert wong[1]["id"].startswith("us-bis-entity-list-wong-yung-fai-cn-")


def test_us_json_dpl_notes(shared_data: Path) -> None:
    entities, _ = parsed("us-json", shared_data / US_LISTS / "bis_dpl.json", "us_bis_dpl_json")
    sanctions = [e for e in entities if e["schema"] == "Sanction"]
    with_end = [s for s in sanctions if "endDate" in s["properties"]]
    assert with_end
    assert all(
        p.startswith("Type of denial:")
        for s in sanctions
        for p in s["properties"].get("provisions", [])
    )


def test_us_json_list_date_option(shared_data: Path) -> None:
    entities, _ = parsed(
        "us-json", shared_data / US_LISTS / "fcc_covered.json", "us_fcc_covered",
        list_date="2026-07-01",
    )  # fmt: skip
    assert {e["provenance"]["list_version"] for e in entities} == {"2026-07-01"}


def test_us_json_count_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    ent: dict[str, Any] = {
        "name": "ACME Co., Ltd.", "aliases": [], "country": "China", "address": None,
        "status": None, "effective_date": "2024-01-02", "federal_register": None, "notes": None,
    }  # fmt: skip
    path.write_text(json.dumps({"list_id": "x", "count": 3, "entities": [ent, ent]}))
    with pytest.raises(SourceError, match="count=3 but holds 2"):
        list(us_json.parse(path, ParseContext("us_x")))


def test_us_json_link_to_unlisted_party(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    ent = {"name": "Alpha Co., Ltd.", "aliases": [], "country": "China",
           "notes": "Program: CMIC-EO13959; Linked To: BETA GROUP CO., LTD."}  # fmt: skip
    path.write_text(json.dumps({"list_id": "ofac-nscmic", "count": 1, "entities": [ent]}))
    entities = list(us_json.parse(path, ParseContext("us_x")))
    schemas = [e["schema"] for e in entities]
    assert schemas == ["Company", "Sanction", "LegalEntity", "UnknownLink"]
    stub, link = entities[2], entities[3]
    assert stub["properties"]["name"] == ["BETA GROUP CO., LTD."]
    assert link["properties"]["subject"] == [entities[0]["id"]]
    assert link["properties"]["object"] == [stub["id"]]


@pytest.mark.parametrize(("item", "name", "aliases", "previous", "address"), [
    # the Federal Register text cut at a parenthesis: the rest went nowhere
    ({"name": "Rosneft (a.k.a. Open Joint-Stock Company Rosneft Oil Company"}, "Rosneft",
     ["Open Joint-Stock Company Rosneft Oil Company"], [], None),
    # ... or into the address
    ({"name": "Sabanican Company (a.k.a.", "address": "Sabanican Pad Co.), Unit #23, Tehran"},
     "Sabanican Company", ["Sabanican Pad Co."], [], "Unit #23, Tehran"),
    ({"name": "Gaz-Oil, OOO (f.k.a., Zakrytoe Aktsionernoe Obshchestvo Gaz Oil)"}, "Gaz-Oil, OOO",
     [], ["Zakrytoe Aktsionernoe Obshchestvo Gaz Oil"], None),
    ({"name": "Ch'oe Ch'o'l-min (a.k.a Choe Chol Min) (DPRK individual)"}, "Ch'oe Ch'o'l-min",
     ["Choe Chol Min"], [], None),
    ({"name": "NDC", "aliases": ["National Development Complex (NDC), a.k.a., the following two "
                                 "aliases:", "Huawei Research (UK))", "Nji, Eric a/k/a Ngi, Eric"]},
     "NDC", ["National Development Complex (NDC)", "Huawei Research (UK)", "Nji, Eric",
             "Ngi, Eric"], [], None),
    # names that merely contain the letters stay whole
    ({"name": "Baka Trading (Aka) LLC", "aliases": ["'Zvezdochka' Shipyard"]},
     "Baka Trading (Aka) LLC", ["'Zvezdochka' Shipyard"], [], None),
])
def test_us_json_names_cut_apart_at_aka(item: dict[str, Any], name: str, aliases: list[str],
                                        previous: list[str], address: str | None) -> None:
    labels = us_json._labels(item)
    assert (labels.name, labels.aliases, labels.previous, labels.address) == (
        name, aliases, previous, address)


def test_us_json_aka_names_reach_the_entity(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    ent = {"name": "Lukoil, OAO (a.k.a. Lukoil", "aliases": [], "country": "Russia",
           "address": "11 Sretenski boulevard, Moscow 101000, Russia"}
    path.write_text(json.dumps({"list_id": "us-bis-entity", "count": 1, "entities": [ent]}))
    entity = next(iter(us_json.parse(path, ParseContext("us_x"))))
    assert entity["properties"]["name"] == ["Lukoil, OAO"]
    assert entity["properties"]["alias"] == ["Lukoil"]
    assert entity["provenance"]["record_id"] == "Lukoil, OAO (a.k.a. Lukoil"  # as listed


def test_us_json_isin_makes_a_company(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    ent = {"name": "Gamma Holdings", "aliases": ["GAMMA"], "country": "Hong Kong",
           "notes": "ISIN: KYG3777B1032; Target Type: Public Company; Program: CMIC-EO13959",
           "effective_date": "June 21, 2022", "federal_register": "88 FR 1; 88 FR 2"}  # fmt: skip
    path.write_text(json.dumps({"list_id": "ofac-nscmic", "count": 1, "entities": [ent]}))
    entity, sanction = list(us_json.parse(path, ParseContext("us_x")))
    assert entity["schema"] == "Company"
    assert entity["properties"]["isinCode"] == ["KYG3777B1032"]
    assert entity["properties"]["country"] == ["hk"]
    assert entity["provenance"]["citations"] == ["88 FR 1", "88 FR 2"]
    assert entity["provenance"]["listed_on"] == "2022-06-21"
    assert sanction["properties"]["startDate"] == ["2022-06-21"]
    assert sanction["properties"]["summary"] == ["88 FR 1; 88 FR 2"]


def test_us_json_truncated_and_html(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text('{"list_id": "x", "count": 1, "entities": [{"name": "AC')
    with pytest.raises(SourceError) as err:
        list(us_json.parse(path, ParseContext("us_x")))
    assert str(path) in str(err.value)
    html = tmp_path / "page.json"
    html.write_text("<html><head><title>403</title></head></html>")
    with pytest.raises(SourceError, match="HTML"):
        list(us_json.parse(html, ParseContext("us_x")))


def test_parse_notes() -> None:
    facts, prose = us_json.parse_notes(
        "Target Type: Public Company; Listing Date (CMIC): 03 Jun 2021; "
        "USCC: 91330000733796106P (China); Program: CMIC-EO13959; Something else entirely"
    )
    assert facts == {
        "target type": ["Public Company"],
        "listing date (cmic)": ["03 Jun 2021"],
        "uscc": ["91330000733796106P (China)"],
        "program": ["CMIC-EO13959"],
    }
    assert prose == ["Something else entirely"]


# --- shared helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("June 21, 2022", "2022-06-21"),
        ("03 Jun 2021", "2021-06-03"),
        ("06/19/2003", "2003-06-19"),
        ("2021-08-02", "2021-08-02"),
        ("circa 1960", "1960"),
        ("not a date", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@settings(deadline=None)
@given(st.text(max_size=40))
def test_parse_date_never_raises(text: str) -> None:
    result = parse_date(text)
    assert result is None or result[:4].isdigit()


def test_split_citations() -> None:
    assert split_citations("84 FR 54004, 10/9/19.\n85 FR 34505, 6/5/20.") == [
        "84 FR 54004, 10/9/19",
        "85 FR 34505, 6/5/20",
    ]
    assert split_citations("91 FR 35189 (June 10, 2026)") == ["91 FR 35189 (June 10, 2026)"]
    assert split_citations("Vol. 88, No. 151, 08/08/2023") == ["Vol. 88, No. 151, 08/08/2023"]
    assert split_citations(None) == []


@pytest.mark.parametrize(
    ("name", "company"),
    [
        ("Hangzhou Hikvision Digital Technology Co., Ltd.", True),
        ("ACME LLC", True),
        ("Foo GmbH", True),
        ("OOO Romashka", True),
        ("ООО Ромашка", True),
        ("杭州海康威视数字技术股份有限公司", True),
        ("MYNET.NET CORP", True),
        ("COTRICOM S.A.", True),
        ("Academy of Military Medical Sciences", False),
        ("BIN LADEN, Sa'ad", False),
        ("KIM SONG II", False),
        ("PAO, Yu Hsiang", False),
    ],
)
def test_has_legal_form(name: str, company: bool) -> None:
    assert has_legal_form(name) is company


def test_guess_schema() -> None:
    assert guess_schema("Individual", "ACME Ltd") == "Person"
    assert guess_schema("Vessel", "SEA STAR") == "Vessel"
    assert guess_schema("Aircraft", "EP-ABC") == "Airplane"
    assert guess_schema("Entity", "ACME Ltd") == "Company"
    assert guess_schema("Entity", "Atlas Sanatgaran") == "LegalEntity"
    assert guess_schema(None, "Academy of Sciences") == "LegalEntity"


def test_country_code() -> None:
    assert country_code("China") == "cn"
    assert country_code("Turkey (Turkiye)") == "tr"
    assert country_code("People’s Republic of China") == "cn"
    assert country_code("KP") == "kp"
    assert country_code("Fishing Vessels") is None
    # a file's country column in the country's own language (was None: row without country)
    assert country_code("Deutschland") == "de"
    assert country_code("Nederland") == "nl"
    assert country_code("Россия") == "ru"
    assert country_code("Europe") is None  # a region is no country
    # a place whose canonical is one word takes its code from a spelling rigour knows
    assert country_code("ОАЭ") == country_code("united arab emirates") == "ae"
    assert country_code("ЮАР") == "za"
    assert country_code("Беларусь") == "by"
    assert country_code("Asia Pacific") is None


@settings(deadline=None, max_examples=50)
@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=30), st.data())
def test_id_registry_unique(bases: list[str], data: st.DataObject) -> None:
    registry = IdRegistry()
    claimed = [registry.claim(b, data.draw(st.integers(0, 3))) for b in bases]
    assert len(set(claimed)) == len(claimed)
    if bases:
        assert claimed[0] == bases[0]
