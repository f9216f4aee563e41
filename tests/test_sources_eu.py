"""EU FSF XML parser, on the hand-written fixture that follows the public export schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from followthemoney import model as ftm_model

from redflags.errors import SourceError
from redflags.model import FtMEntity
from redflags.sources import get_parser
from redflags.sources.base import ParseContext
from redflags.sources.eu_xml import list_date, parse

FIXTURE = Path(__file__).parent / "fixtures" / "eu_fsf_sample.xml"
URL = "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"


@pytest.fixture(scope="module")
def entities() -> list[FtMEntity]:
    return list(parse(FIXTURE, ParseContext("eu_fsf", source_url=URL)))


@pytest.fixture(scope="module")
def by_id(entities: list[FtMEntity]) -> dict[str, FtMEntity]:
    return {e["id"]: e for e in entities}


def test_parties_and_sanctions(entities: list[FtMEntity]) -> None:
    parties = [e for e in entities if e["schema"] in ("Person", "Organization")]
    assert sorted(e["id"] for e in parties) == [
        "eu-fsf-9001",
        "eu-fsf-9101",
        "eu-fsf-9201",
        "eu-fsf-9301",
    ]
    sanctions = [e for e in entities if e["schema"] == "Sanction"]
    assert sorted(s["properties"]["entity"][0] for s in sanctions) == sorted(
        e["id"] for e in parties
    )
    ids = [e["id"] for e in entities]
    assert len(ids) == len(set(ids))
    for entity in entities:
        assert ftm_model.get_proxy(dict(entity), cleaned=False).id == entity["id"]
        assert entity["provenance"]["list"] == "eu_fsf"


def test_list_date() -> None:
    assert list_date(FIXTURE) == "2025-03-14"


def test_person_names_dob_passport(by_id: dict[str, FtMEntity]) -> None:
    person = by_id["eu-fsf-9101"]
    p = person["properties"]
    assert person["schema"] == "Person"
    assert p["name"] == ["Ivan Petrovich Testovsky"]
    assert p["alias"] == ["Иван Петрович Тестовский"]
    assert p["weakAlias"] == ["Vanya Testovsky"]  # strong="false"
    assert p["birthDate"] == ["1970-05-17"]
    assert p["birthPlace"] == ["Testograd"]
    assert p["nationality"] == ["ru"]
    assert p["gender"] == ["male"]
    assert p["passportNumber"] == ["750000001"]
    assert p["taxNumber"] == ["770000000001"]
    passports = [
        e
        for e in by_id.values()
        if e["schema"] == "Passport" and e["properties"]["holder"] == ["eu-fsf-9101"]
    ]
    assert len(passports) == 1
    assert passports[0]["properties"]["endDate"] == ["2025-02-01"]
    prov = person["provenance"]
    assert prov["record_id"] == "9101"
    assert prov["programs"] == ["UKR"]
    assert prov["listed_on"] == "2022-03-15"  # first regulation, not the amendment
    assert prov["list_version"] == "2025-03-14"


def test_enterprise_registration_and_address(by_id: dict[str, FtMEntity]) -> None:
    company = by_id["eu-fsf-9201"]
    assert company["schema"] == "Organization"
    p = company["properties"]
    assert p["registrationNumber"] == ["1027700000001"]
    assert p["country"] == ["ru"]
    (addr_id,) = p["addressEntity"]
    addr = by_id[addr_id]["properties"]
    assert addr["city"] == ["Testograd"]
    assert addr["postalCode"] == ["123456"]
    sanction = by_id["eu-fsf-9201-sanction"]["properties"]
    assert sanction["reason"] == ["Supplies components to a fictitious military programme."]
    assert sanction["program"] == ["RUS"]
    assert URL in sanction["sourceUrl"]


def test_un_linked_entry(by_id: dict[str, FtMEntity]) -> None:
    sanction = by_id["eu-fsf-9001-sanction"]["properties"]
    assert sanction["unscId"] == ["QDi.001"]
    assert sanction["authorityId"] == ["EU.9001.03"]
    person = by_id["eu-fsf-9001"]["properties"]
    # a birthdate without the full-date attribute is rebuilt from year/month/day
    assert person["birthDate"] == ["1963-04-11", "1960-04-11"]
    assert person["birthCountry"] == ["eg"]  # the "00" (unknown) country is dropped


def test_document_flags_and_latin_number(by_id: dict[str, FtMEntity]) -> None:
    p = by_id["eu-fsf-9301"]["properties"]
    assert p["birthDate"] == ["1975"]
    assert set(p["passportNumber"]) == {"Д-0000042", "D-0000042"}
    assert "nationality" not in p
    doc = next(
        e
        for e in by_id.values()
        if e["schema"] == "Passport" and e["properties"]["holder"] == ["eu-fsf-9301"]
    )
    assert "knownFalse" in doc["properties"]["summary"][0]


def test_registered_format() -> None:
    assert get_parser("eu-xml") is parse


def test_entry_without_logical_id_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "eu.xml"
    path.write_text(
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2025-01-01">\n'
        "  <sanctionEntity>\n"
        '    <nameAlias wholeName="X"/>\n'
        "  </sanctionEntity>\n"
        "</export>\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as err:
        list(parse(path, ParseContext("eu_fsf")))
    assert str(path) in str(err.value)
    assert err.value.line == 2


def test_other_xml_is_not_an_eu_list(shared_data: Path) -> None:
    with pytest.raises(SourceError, match="not an EU FSF export"):
        list(parse(shared_data / "un" / "un_consolidated_2026-02.xml", ParseContext("eu_fsf")))


def test_wrong_namespace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "eu.xml"
    text = FIXTURE.read_text(encoding="utf-8")
    path.write_text(text.replace('xmlns="http://eu.europa.ec/fpi/fsd/export"', ""))
    with pytest.raises(SourceError, match="namespace") as err:
        list(parse(path, ParseContext("eu_fsf")))
    assert str(path) in str(err.value)
