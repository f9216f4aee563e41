"""UN Security Council consolidated list parser, on the two real versions in shared data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from followthemoney import model as ftm_model
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from redflags.model import FtMEntity
from redflags.sources import get_parser
from redflags.sources.base import ParseContext
from redflags.sources.un_xml import _birth_dates, clean_document_number, list_date, parse

OLD = "un/un_consolidated_2025-11-20.xml"
NEW = "un/un_consolidated_2026-02.xml"
URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"


def _parse(path: Path) -> list[FtMEntity]:
    return list(parse(path, ParseContext("un_sc", source_url=URL)))


@pytest.fixture(scope="module")
def old(shared_data: Path) -> list[FtMEntity]:
    return _parse(shared_data / OLD)


@pytest.fixture(scope="module")
def new(shared_data: Path) -> list[FtMEntity]:
    return _parse(shared_data / NEW)


def _by_id(entities: list[FtMEntity]) -> dict[str, FtMEntity]:
    return {e["id"]: e for e in entities}


def test_counts_match_the_list(old: list[FtMEntity], new: list[FtMEntity]) -> None:
    # Counts from PROVENANCE.md (727 + 273 and 730 + 273 records).
    assert Counter(e["schema"] for e in old)["Person"] == 727
    assert Counter(e["schema"] for e in old)["Organization"] == 273
    assert Counter(e["schema"] for e in new)["Person"] == 730
    assert Counter(e["schema"] for e in new)["Organization"] == 273
    assert Counter(e["schema"] for e in new)["Sanction"] == 1003


def test_ids_are_unique_and_from_the_reference_number(
    shared_data: Path, new: list[FtMEntity]
) -> None:
    ids = [e["id"] for e in new]
    assert len(ids) == len(set(ids))
    root = etree.parse(str(shared_data / NEW)).getroot()
    refs = {e.findtext("REFERENCE_NUMBER") for e in root.iter("INDIVIDUAL", "ENTITY")}
    parties = {e["id"] for e in new if e["schema"] in ("Person", "Organization")}
    assert parties == {"un-" + str(r).strip().lower() for r in refs}


def test_ids_stable_across_versions(old: list[FtMEntity], new: list[FtMEntity]) -> None:
    parties_old = {e["id"] for e in old if e["schema"] in ("Person", "Organization")}
    parties_new = {e["id"] for e in new if e["schema"] in ("Person", "Organization")}
    # Four Sudan listings were added between the versions and one entry removed.
    assert parties_new - parties_old == {"un-sdi.007", "un-sdi.008", "un-sdi.009", "un-sdi.010"}
    assert len(parties_old - parties_new) == 1
    # Unchanged records give identical entities, so a diff sees no change.
    a, b = _by_id(old)["un-qdi.001"], _by_id(new)["un-qdi.001"]
    assert a["properties"] == b["properties"]


def test_list_date(shared_data: Path) -> None:
    assert list_date(shared_data / OLD) == "2025-11-20"
    assert list_date(shared_data / NEW) == "2026-02-27"


def test_every_entity_is_valid_followthemoney(new: list[FtMEntity]) -> None:
    for entity in new:
        proxy = ftm_model.get_proxy(dict(entity), cleaned=False)
        assert proxy.id == entity["id"]
        assert entity["datasets"] == ["un_sc"]
        assert entity["provenance"]["list"] == "un_sc"


def test_person_record(new: list[FtMEntity]) -> None:
    p = _by_id(new)["un-qdi.001"]["properties"]
    assert p["name"] == ["MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"]
    assert "محمد صلاح الدين عبدالحليم زيدان" in p["alias"]  # NAME_ORIGINAL_SCRIPT
    assert "Sayf-Al Adl" in p["alias"]  # quality Good
    assert "Seif al Adel" in p["weakAlias"]  # quality Low
    assert "Seif al Adel" not in p["alias"]
    assert p["birthDate"] == ["1963-04-11", "1960-04-11"]
    assert p["nationality"] == ["eg"]
    assert p["birthCountry"] == ["eg"]


def test_sanction_and_provenance(new: list[FtMEntity]) -> None:
    by_id = _by_id(new)
    entity = by_id["un-cdi.002"]
    sanction = by_id["un-cdi.002-sanction"]
    assert sanction["schema"] == "Sanction"
    sp = sanction["properties"]
    assert sp["entity"] == ["un-cdi.002"]
    assert sp["unscId"] == ["CDi.002"]
    assert sp["program"] == ["DRC"]
    assert sp["listingDate"] == ["2005-11-01"]
    assert sp["authority"] == ["United Nations Security Council"]
    assert sp["sourceUrl"] == [URL]
    prov = entity["provenance"]
    assert prov["record_id"] == "CDi.002"
    assert prov["programs"] == ["DRC"]
    assert prov["listed_on"] == "2005-11-01"
    assert prov["list_version"] == "2026-02-27"
    assert prov["source_url"] == URL
    # every party has exactly one sanction pointing back at it
    parties = {e["id"] for e in new if e["schema"] in ("Person", "Organization")}
    targets = [e["properties"]["entity"][0] for e in new if e["schema"] == "Sanction"]
    assert sorted(targets) == sorted(parties)


def test_documents_are_entities_and_properties(new: list[FtMEntity]) -> None:
    by_id = _by_id(new)
    person = by_id["un-lyi.003"]["properties"]
    assert person["passportNumber"] == ["513519"]  # from "Libyan passport No. 513519"
    passports = [
        e for e in new if e["schema"] == "Passport" and e["properties"]["holder"] == ["un-lyi.003"]
    ]
    assert [p["properties"]["number"] for p in passports] == [["513519"]]
    qdi080 = by_id["un-qdi.080"]["properties"]
    assert set(qdi080["passportNumber"]) == {"28642163", "954242"}
    assert qdi080["idNumber"] == ["1336597587"]
    holders = {e["properties"]["holder"][0] for e in new if e["schema"] == "Identification"}
    assert holders <= {e["id"] for e in new if e["schema"] == "Person"}


def test_addresses_link_back(new: list[FtMEntity]) -> None:
    by_id = _by_id(new)
    addresses = [e for e in new if e["schema"] == "Address"]
    assert len(addresses) > 400
    for party in (e for e in new if "addressEntity" in e["properties"]):
        for addr_id in party["properties"]["addressEntity"]:
            assert by_id[addr_id]["schema"] == "Address"
            assert by_id[addr_id]["properties"]["full"][0] in party["properties"]["address"]


def test_entity_aliases_dates_and_identifiers(new: list[FtMEntity]) -> None:
    by_id = _by_id(new)
    adf = by_id["un-cde.001"]["properties"]
    assert (
        "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda"
        in (adf["previousName"])
    )
    assert by_id["un-cdi.030"]["properties"]["birthDate"] == ["1973", "1974"]  # BETWEEN
    assert by_id["un-kpe.064"]["properties"]["imoNumber"] == ["IMO5954061"]  # from comments


def test_registered_format() -> None:
    assert get_parser("un-xml") is parse


def _dob(xml: str) -> list[str]:
    return _birth_dates(
        etree.fromstring(f"<INDIVIDUAL_DATE_OF_BIRTH>{xml}</INDIVIDUAL_DATE_OF_BIRTH>")
    )


def test_birth_dates_variants() -> None:
    assert _dob("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1971-02-03</DATE>") == ["1971-02-03"]
    assert _dob("<TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1958</YEAR>") == ["1958"]
    assert _dob("<YEAR>1958</YEAR><NOTE>Sep.</NOTE>") == ["1958-09"]
    assert _dob("<NOTE>Nov. 1973 </NOTE>") == ["1973-11"]
    assert _dob("<FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1962</TO_YEAR>") == ["1960", "1961", "1962"]
    assert _dob("<FROM_YEAR>1900</FROM_YEAR><TO_YEAR>1990</TO_YEAR>") == ["1900", "1990"]
    assert _dob("<NOTE>30-35 years old</NOTE>") == []


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("Libyan passport No. 513519 ", "513519"),
        ("Provisional passport No.: 28642163", "28642163"),
        ("Diplomatic Passport D014433", "D014433"),
        ("563210184 (Expires 18 Jun. 2018)", "563210184"),
        ("Afghan national identification card (tazkira) number 300786", "300786"),
        ("OB 0243318", "OB 0243318"),
    ],
)
def test_clean_document_number(raw: str, number: str) -> None:
    assert clean_document_number(raw) == number


@given(st.text())
def test_clean_document_number_is_idempotent_and_never_empties(raw: str) -> None:
    cleaned = clean_document_number(raw)
    if raw.split():
        assert cleaned
    assert clean_document_number(cleaned) == cleaned
