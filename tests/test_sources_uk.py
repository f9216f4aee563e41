"""UK OFSI consolidated list parser: the real ConList.xlsx, and the CSV layout built from
the same real rows so both paths are shown to agree."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from followthemoney import model as ftm_model
from hypothesis import given
from hypothesis import strategies as st

from redflags.errors import SourceError
from redflags.model import FtMEntity
from redflags.sources import get_parser
from redflags.sources.base import ParseContext
from redflags.sources.uk_ofsi import (
    _iso_date,
    business_numbers,
    list_date,
    parse,
    parse_other_information,
    split_numbered,
)

XLSX = "uk/ofsi_conlist_2025-04-14.xlsx"
URL = "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv"
# Computed once from the XLSX with a plain set of the "Group ID" column (openpyxl, no parser
# code): 18,798 rows, 4,688 groups = 3,663 Individual + 1,010 Entity + 15 Ship.
GROUPS = 4688
# Real groups for the CSV round trip: two regimes (11241, 13919), passports and several
# DOBs and non-Latin names (11634, 7874), no "Primary name" row (16601, 16789), a ship
# (13651), Business Reg No (16636), the GHR example (15672), 400 name variants (13344).
CSV_GROUPS = {
    "11241",
    "13919",
    "11634",
    "7874",
    "16601",
    "16789",
    "13651",
    "16636",
    "15672",
    "13344",
}


def _parse(path: Path) -> list[FtMEntity]:
    return list(parse(path, ParseContext("gb_ofsi", source_url=URL)))


@pytest.fixture(scope="module")
def xlsx_entities(shared_data: Path) -> list[FtMEntity]:
    return _parse(shared_data / XLSX)


@pytest.fixture(scope="module")
def by_id(xlsx_entities: list[FtMEntity]) -> dict[str, FtMEntity]:
    return {e["id"]: e for e in xlsx_entities}


@pytest.fixture(scope="module")
def csv_path(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ConList.csv layout ("Last Updated" row, header row, data rows) from real XLSX rows."""
    book = openpyxl.load_workbook(shared_data / XLSX, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    header = rows[1]
    gid = header.index("Group ID")
    path = tmp_path_factory.mktemp("ofsi") / "ConList.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["" if v is None else v for v in rows[0]])
        writer.writerow(header)
        for row in rows[2:]:
            if row[gid] in CSV_GROUPS:
                writer.writerow(["" if v is None else v for v in row])
    return path


def test_group_count_exact(xlsx_entities: list[FtMEntity]) -> None:
    schemas = Counter(e["schema"] for e in xlsx_entities)
    assert schemas["Person"] + schemas["Organization"] + schemas["Vessel"] == GROUPS
    assert (schemas["Person"], schemas["Organization"], schemas["Vessel"]) == (3663, 1010, 15)
    assert schemas["Sanction"] == GROUPS
    ids = [e["id"] for e in xlsx_entities]
    assert len(ids) == len(set(ids))


def test_list_date(shared_data: Path, csv_path: Path) -> None:
    assert list_date(shared_data / XLSX) == "2025-04-14"
    assert list_date(csv_path) == "2025-04-14"


def test_csv_and_xlsx_agree(csv_path: Path, xlsx_entities: list[FtMEntity]) -> None:
    from_csv = _parse(csv_path)
    wanted = {f"gb-ofsi-{g}" for g in CSV_GROUPS}
    holders = wanted | {f"{w}-sanction" for w in wanted}

    def subset(entities: list[FtMEntity]) -> list[FtMEntity]:
        out = []
        for e in entities:
            p = e["properties"]
            owner = (p.get("holder") or p.get("entity") or [e["id"]])[0]
            if e["id"] in holders or owner in wanted or e["provenance"]["record_id"] in CSV_GROUPS:
                out.append(e)
        return sorted(out, key=lambda e: e["id"])

    assert len({e["id"] for e in from_csv if e["id"] in wanted}) == len(CSV_GROUPS)
    assert subset(from_csv) == subset(xlsx_entities)
    # the merged rows are reported, so a caller can reconcile file rows with entities
    ctx = ParseContext("gb_ofsi")
    list(parse(csv_path, ctx))
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        data_rows = sum(1 for _ in csv.reader(fh)) - 2
    merged = ctx.stats["name-variant rows merged into their Group ID"]
    assert merged == data_rows - len(CSV_GROUPS)
    assert merged > 400


def test_valid_followthemoney(xlsx_entities: list[FtMEntity]) -> None:
    for entity in xlsx_entities[::5]:  # a fifth keeps the suite fast; all schemas appear
        assert ftm_model.get_proxy(dict(entity), cleaned=False).id == entity["id"]


def test_person_group(by_id: dict[str, FtMEntity]) -> None:
    person = by_id["gb-ofsi-15672"]
    p = person["properties"]
    assert p["name"] == ["Mian Abdul HAQ"]
    assert set(p["alias"]) == {"Mian MITHOO", "Mian MITHU", "Mian MITTO", "Mian MITTU"}
    assert p["gender"] == ["male"]
    assert p["nationality"] == ["pk"]
    assert person["provenance"]["programs"] == ["Global Human Rights"]
    assert person["provenance"]["listed_on"] == "2022-12-09"
    assert person["provenance"]["list_version"] == "2025-04-14"
    s = by_id["gb-ofsi-15672-sanction"]["properties"]
    assert s["entity"] == ["gb-ofsi-15672"]
    assert s["authorityId"] == ["GHR0086"]
    assert s["listingDate"] == ["2022-12-09"]
    assert s["reason"][0].startswith("Mian Abdul HAQ is a cleric")
    assert s["sourceUrl"] == [URL]


def test_multi_regime_un_linked_and_weak_aliases(by_id: dict[str, FtMEntity]) -> None:
    qf = by_id["gb-ofsi-11241"]
    assert sorted(qf["provenance"]["programs"]) == ["Iran (Nuclear)", "Syria"]
    assert len(qf["properties"]["name"]) == 2  # two "Primary name" spellings
    taliban = by_id["gb-ofsi-12703-sanction"]["properties"]
    assert taliban["unscId"] == ["TAe.010"]
    assert taliban["authorityId"] == ["AFG0001"]
    weak = [e for e in by_id.values() if "weakAlias" in e["properties"]]
    assert weak  # "Low quality" AKA rows


def test_passports_and_dobs(by_id: dict[str, FtMEntity], xlsx_entities: list[FtMEntity]) -> None:
    p = by_id["gb-ofsi-13312"]["properties"]
    assert set(p["passportNumber"]) == {"223611", "C00146605"}
    docs = [e for e in xlsx_entities if e["properties"].get("holder") == ["gb-ofsi-13312"]]
    assert {d["properties"]["number"][0] for d in docs} == {"223611", "C00146605"}
    assert {d["properties"]["summary"][0] for d in docs} == {
        "Libya number",
        "British passport number",
    }
    assert by_id["gb-ofsi-13127"]["properties"]["idNumber"] == ["1024026187"]
    births = [d for e in xlsx_entities for d in e["properties"].get("birthDate", [])]
    assert "1961" in births  # from "00/00/1961"
    assert all(len(d) in (4, 7, 10) for d in births)


def test_ship_and_company(by_id: dict[str, FtMEntity]) -> None:
    ship = by_id["gb-ofsi-13651"]
    assert ship["schema"] == "Vessel"
    assert ship["properties"]["imoNumber"] == ["IMO7408873"]
    assert ship["properties"]["flag"] == ["kp"]
    assert ship["properties"]["buildDate"] == ["1975"]
    company = by_id["gb-ofsi-16636"]["properties"]
    assert company["registrationNumber"] == ["170440031562"]
    assert company["country"] == ["kz"]
    assert by_id["gb-ofsi-16601"]["properties"]["name"]  # no "Primary name" row


def test_registered_format() -> None:
    assert get_parser("uk-ofsi") is parse


def test_split_numbered() -> None:
    assert split_numbered("(1) A-333602 (2) M110522") == ["A-333602", "M110522"]
    assert split_numbered("(1) Germany. (2) Morocco") == ["Germany", "Morocco"]
    assert split_numbered("(1) 20645897 (2) -") == ["20645897"]
    assert split_numbered("Russia") == ["Russia"]
    assert split_numbered(None) == []


def test_other_information() -> None:
    info = parse_other_information(
        "(UK Sanctions List Ref):RUS2305. Free text (2022): more. (Website):https://x.kz/ "
        "(Type of entity):LLP (Business Reg No): (1) Kazakhstan BIN - 170440031562"
    )
    assert info["UK Sanctions List Ref"] == "RUS2305. Free text (2022): more"
    assert info["Website"] == "https://x.kz/"
    assert info["Type of entity"] == "LLP"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "(1) OGRN: 1027739143717 (2) INN: 7723022111",
            [("registrationNumber", "1027739143717"), ("taxNumber", "7723022111")],
        ),
        ("TIN: 7703436139, Registration number: 5177746148784", None),
        (
            "1027700073466 (Russia). Tax ID No. 7735007358 (Russia)",
            [("registrationNumber", "1027700073466"), ("taxNumber", "7735007358")],
        ),
        ("(1) INN: 1656003409 (2) KPP: 165601001", [("taxNumber", "1656003409")]),
        ("1067746244026 dated 27/07/1992", [("registrationNumber", "1067746244026")]),
        ("Russian TIN number - ", []),
    ],
)
def test_business_numbers(text: str, expected: list[tuple[str, str]] | None) -> None:
    found = business_numbers(text)
    if expected is None:
        assert ("taxNumber", "7703436139") in found
        assert ("registrationNumber", "5177746148784") in found
    else:
        assert found == expected


@given(st.integers(0, 31), st.integers(0, 12), st.integers(1800, 2100))
def test_iso_date_keeps_only_known_parts(day: int, month: int, year: int) -> None:
    iso = _iso_date(f"{day:02d}/{month:02d}/{year}")
    assert iso is not None
    assert iso.startswith(str(year))
    if month == 0:
        assert iso == str(year)
    elif day == 0:
        assert iso == f"{year}-{month:02d}"
    else:
        assert iso == f"{year}-{month:02d}-{day:02d}"


@given(st.text(max_size=40))
def test_iso_date_never_raises(text: str) -> None:
    result = _iso_date(text)
    assert result is None or result[:4].isdigit()


def test_csv_without_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    path.write_text("Last Updated,14/04/2025\nName 6,Name 1\nX,Y\n" * 3, encoding="utf-8")
    with pytest.raises(SourceError, match="Group ID") as err:
        list(parse(path, ParseContext("gb_ofsi")))
    assert str(path) in str(err.value)


TOKENS = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters="-/"),
    min_size=1,
    max_size=12,
).filter(lambda t: t.strip("-") != "")


@given(st.lists(TOKENS, min_size=1, max_size=6))
def test_split_numbered_round_trip(items: list[str]) -> None:
    text = " ".join(f"({i}) {item}" for i, item in enumerate(items, start=1))
    assert split_numbered(text) == items


@given(st.text(max_size=80))
def test_business_numbers_come_from_the_text(text: str) -> None:
    for prop, number in business_numbers(text):
        assert prop in {"registrationNumber", "taxNumber", "leiCode"}
        assert number in text
        assert any(c.isdigit() for c in number)
