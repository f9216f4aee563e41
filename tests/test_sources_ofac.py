"""OFAC legacy CSV and classic XML parsers, on the real files and on broken ones.

Expected counts were computed independently (csv module, counting rows and SDN_Type values
of the primary file; sdnEntry elements of the XML) and are hard-coded here.
"""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflags.errors import SourceError
from redflags.model import FtMEntity, mentioned
from redflags.sources import get_parser, ofac_csv, ofac_xml
from redflags.sources.base import ParseContext
from redflags.sources.ofac_build import split_programs

OFAC = Path("ofac")
CTX = ParseContext("us_ofac_sdn", source_url="https://ofac.treasury.gov/")


@cache
def _parsed(root: Path, rel: str) -> dict[str, FtMEntity]:
    path = root / rel
    parser = ofac_xml.parse if rel.endswith(".xml") else ofac_csv.parse
    out: dict[str, FtMEntity] = {}
    for entity in parser(path, CTX):
        assert entity["id"] not in out, f"duplicate id {entity['id']}"
        out[entity["id"]] = entity
    return out


def parsed(shared_data: Path, rel: str) -> dict[str, FtMEntity]:
    return _parsed(shared_data / OFAC, rel)


def mains(entities: dict[str, FtMEntity]) -> dict[str, FtMEntity]:
    """The listed parties: id ``ofac-<ent_num>`` with that record id in the provenance."""
    return {
        k: e for k, e in entities.items() if k == f"ofac-{e.get('provenance', {}).get('record_id')}"
    }


def props(entity: FtMEntity, prop: str) -> list[str]:
    return entity["properties"].get(prop, [])


@pytest.mark.parametrize(
    ("rel", "count", "persons", "vessels", "aircraft"),
    [
        ("sdn_2019-01", 7379, 3845, 323, 217),
        ("sdn_2021-07/sdn.csv", 8976, 4620, 406, 277),
        ("sdn_2024-05-03/sdn.csv", 14965, 6854, 851, 376),
        ("cons_2018-05", 639, 94, 74, 0),
        ("cons_2025-12/cons_prim.csv", 442, 79, 0, 0),
    ],
)
def test_main_entity_counts(
    shared_data: Path, rel: str, count: int, persons: int, vessels: int, aircraft: int
) -> None:
    entities = parsed(shared_data, rel)
    main = mains(entities)
    assert len(main) == count
    schemas = Counter(e["schema"] for e in main.values())
    assert (schemas["Person"], schemas["Vessel"], schemas["Airplane"]) == (
        persons,
        vessels,
        aircraft,
    )
    sanctions = [e for e in entities.values() if e["schema"] == "Sanction"]
    assert len(sanctions) == count
    for entity in main.values():
        prov = entity["provenance"]
        assert prov["list"] == "us_ofac_sdn" and prov["programs"]
        assert entity["datasets"] == ["us_ofac_sdn"]
        assert props(entity, "name")


def test_hikvision_cmic_entry(shared_data: Path) -> None:
    entities = parsed(shared_data, "cons_2025-12")
    hik = entities["ofac-30946"]
    assert hik["schema"] == "Company"
    assert props(hik, "name") == ["HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD."]
    assert props(hik, "isinCode") == ["CNE100000PM8"]
    assert props(hik, "uscCode") == ["91330000733796106P"]
    assert {"HIKVISION", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY"} <= set(props(hik, "alias"))
    assert props(hik, "country") == ["cn"]
    assert hik["provenance"]["programs"] == ["CMIC-EO13959"]
    assert hik["provenance"]["listed_on"] == "2021-06-03"
    ids = {
        (props(e, "type")[0], props(e, "number")[0])
        for e in entities.values()
        if e["schema"] == "Identification" and props(e, "holder") == ["ofac-30946"]
    }
    assert ("ISIN", "CNE100000PM8") in ids
    assert ("Unified Social Credit Code (USCC)", "91330000733796106P") in ids
    sanction = entities["ofac-30946-sanction"]
    assert props(sanction, "entity") == ["ofac-30946"]
    assert props(sanction, "authority") == ["US Treasury OFAC"]
    assert props(sanction, "listingDate") == ["2021-06-03"]
    address = entities[props(hik, "addressEntity")[0]]
    assert props(address, "country") == ["cn"]
    assert "Hangzhou 310051" in props(address, "full")[0]


def _links_from(entities: dict[str, FtMEntity], subject: str) -> set[str]:
    return {
        props(e, "object")[0]
        for e in entities.values()
        if e["schema"] == "UnknownLink" and props(e, "subject") == [subject]
    }


def test_linked_to_points_at_the_listed_entity(shared_data: Path) -> None:
    sdn = parsed(shared_data, "sdn_2024-05-03/sdn.csv")
    # NASRALLAH, Hasan: "... Linked To: HIZBALLAH." and HIZBALLAH is ent_num 4697.
    assert props(sdn["ofac-4697"], "name") == ["HIZBALLAH"]
    assert "ofac-4697" in _links_from(sdn, "ofac-2686")
    link = next(
        e
        for e in sdn.values()
        if e["schema"] == "UnknownLink" and props(e, "subject") == ["ofac-2686"]
    )
    assert props(link, "role") == ["Linked To"]
    # SUNDIAL (vessel) -> NATIONAL IRANIAN TANKER COMPANY (15117) in the 2018 non-SDN list.
    cons = parsed(shared_data, "cons_2018-05")
    assert _links_from(cons, "ofac-15037") == {"ofac-15117"}


def test_unknown_link_target_becomes_one_stub(shared_data: Path) -> None:
    cons = parsed(shared_data, "cons_2025-12")
    stubs = [e for e in cons.values() if props(e, "name") == ["HAMAS"]]
    assert len(stubs) == 1 and stubs[0]["schema"] == "LegalEntity"
    referrers = [e for e in cons.values() if props(e, "object") == [stubs[0]["id"]]]
    assert [e["schema"] for e in referrers] == ["UnknownLink"]
    assert props(referrers[0], "subject")[0] in cons


def test_comments_file_continues_remarks(shared_data: Path) -> None:
    # 12300's Remarks stop at "PROMO RAI"; sdn_comments.csv continues with "Z S.A.S.; ...".
    sdn = parsed(shared_data, "sdn_2019-01")
    targets = {props(sdn[t], "name")[0] for t in _links_from(sdn, "ofac-12300") if t in sdn}
    assert "PROMO RAIZ S.A.S." in targets
    assert "R D I S.A." in targets


def test_real_persons_dob_pob_passport(shared_data: Path) -> None:
    sdn = parsed(shared_data, "sdn_2024-05-03/sdn.csv")
    robow = sdn["ofac-11313"]
    assert robow["schema"] == "Person"
    assert props(robow, "name") == ["ROBOW, Mukhtar"]
    assert (props(robow, "lastName"), props(robow, "firstName")) == (["ROBOW"], ["Mukhtar"])
    assert props(robow, "birthDate")[:2] == ["1969", "1969-10-10"]
    assert "Xudur, Somalia" in props(robow, "birthPlace")
    assert props(robow, "nationality") == ["er"]
    assert "0310857" in props(robow, "passportNumber")
    passport = next(
        e
        for e in sdn.values()
        if e["schema"] == "Passport" and props(e, "holder") == ["ofac-11313"]
    )
    assert props(passport, "number") == ["0310857"]
    assert props(passport, "country") == ["er"]
    assert props(passport, "startDate") == ["2006-08-21"]
    assert props(passport, "endDate") == ["2008-08-20"]

    nasrallah = sdn["ofac-2686"]
    assert props(nasrallah, "birthDate") == ["1960-08-31", "1953-08-31", "1955-08-31", "1958-08-31"]
    assert props(nasrallah, "birthPlace") == ["Al Basuriyah, Lebanon"]
    assert props(nasrallah, "gender") == ["male"]
    assert props(nasrallah, "passportNumber") == ["042833"]
    assert props(nasrallah, "position") == ["Secretary General of Hizballah"]

    naqdi = sdn["ofac-12057"]  # "DOB 1951 to 1953; alt. DOB 1960 to 1962; alt. DOB Apr 1961"
    assert {"1951", "1952", "1953", "1960", "1961", "1962", "1961-04"} <= set(
        props(naqdi, "birthDate")
    )
    assert len(props(naqdi, "position")) == 3


def test_vessel_fields(shared_data: Path) -> None:
    cons = parsed(shared_data, "cons_2018-05")
    sundial = cons["ofac-15037"]
    assert sundial["schema"] == "Vessel"
    assert props(sundial, "callSign") == ["9HDQ9"]
    assert props(sundial, "type") == ["Crude/Oil Products Tanker"]
    assert props(sundial, "tonnage") == ["99030"]
    assert props(sundial, "grossRegisteredTonnage") == ["56068"]
    assert props(sundial, "imoNumber") == ["IMO9187655"]
    assert props(sundial, "mmsi") == ["256842000"]
    assert props(sundial, "pastFlags") == ["mt", "tz"]
    assert set(props(sundial, "previousName")) == {"ABADEH", "CRYSTAL"}
    assert "flag" not in sundial["properties"]  # "None Identified"


def test_weak_aliases_and_schema_choice(shared_data: Path) -> None:
    cons = parsed(shared_data, "cons_2018-05")
    bim = cons["ofac-4637"]  # weak "BIM" only in the Remarks; strong one in cons_alt.csv
    assert props(bim, "alias") == ["BANK SANAD VA MADAN"]
    assert props(bim, "weakAlias") == ["BIM"]
    sdn = parsed(shared_data, "sdn_2024-05-03/sdn.csv")
    assert sdn["ofac-173"]["schema"] == "Company"  # ANGLO-CARIBBEAN CO., LTD.
    assert sdn["ofac-906"]["schema"] == "Company"  # SWIFT/BIC, Company Number
    assert sdn["ofac-4697"]["schema"] == "LegalEntity"  # HIZBALLAH: no company evidence
    assert split_programs("SDGT] [IRGC") == ["SDGT", "IRGC"]
    assert sdn["ofac-4697"]["provenance"]["programs"] == ["FTO", "SDGT", "SYRIA"]


def test_xml_agrees_with_csv(shared_data: Path) -> None:
    csv_entities = parsed(shared_data, "cons_2018-05")
    xml_entities = parsed(shared_data, "cons_2018-05/consolidated.xml")
    csv_main, xml_main = mains(csv_entities), mains(xml_entities)
    assert len(xml_main) == 639
    assert set(xml_main) == set(csv_main)
    assert set(xml_entities) == set(csv_entities)
    for key in sorted(xml_main)[::20]:
        a, b = csv_main[key], xml_main[key]
        assert a["schema"] == b["schema"], key
        for prop in ("name", "weakAlias", "previousName", "birthDate", "passportNumber"):
            assert sorted(props(a, prop)) == sorted(props(b, prop)), (key, prop)
        # The CSV cannot hold double quotes; otherwise aliases agree.
        assert sorted(v.replace('"', "'") for v in props(a, "alias")) == sorted(
            v.replace('"', "'") for v in props(b, "alias")
        )
    assert xml_main["ofac-15037"]["provenance"]["list_version"] == "2018-04-06"
    assert ofac_xml.list_date(shared_data / OFAC / "cons_2018-05/consolidated.xml") == "2018-04-06"


def test_formats_are_registered(shared_data: Path) -> None:
    parser = get_parser("ofac-csv")
    entities = list(parser(shared_data / OFAC / "cons_2025-12" / "cons_alt.csv", CTX))
    assert len(entities) == len(parsed(shared_data, "cons_2025-12"))
    with pytest.raises(SourceError, match="without its"):
        list(parser(shared_data / OFAC / "sdn_2025-12_partial" / "alt.csv", CTX))
    assert get_parser("ofac-xml") is ofac_xml.parse


ROW = '{n},"{name}",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1960."\r\n'


def _write(path: Path, text: str, encoding: str = "cp1252") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_cp1252_and_ctrl_z(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "sdn.csv",
        ROW.format(n=1, name="PÉREZ, José") + ROW.format(n=2, name="MÜLLER GMBH") + "\x1a",
    )
    out = {e["id"]: e for e in ofac_csv.parse(path, CTX)}
    assert props(out["ofac-1"], "name") == ["PÉREZ, José"]
    assert props(out["ofac-2"], "name") == ["MÜLLER GMBH"]
    assert out["ofac-2"]["schema"] == "Company"
    assert len(mains(out)) == 2


def test_html_page_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "sdn.csv", "<!DOCTYPE html><html><body>Error</body></html>")
    with pytest.raises(SourceError, match="HTML"):
        list(ofac_csv.parse(path, CTX))


def test_wrong_column_count_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "sdn.csv", ROW.format(n=1, name="A") + '2,"B",-0- \r\n')
    with pytest.raises(SourceError) as err:
        list(ofac_csv.parse(path, CTX))
    assert str(path) in str(err.value) and "line 2" in str(err.value)
    assert "12 columns" in str(err.value)


def test_bad_sibling_file_is_named(tmp_path: Path) -> None:
    _write(tmp_path / "sdn.csv", ROW.format(n=1, name="A"))
    alt = _write(tmp_path / "alt.csv", '1,5,"aka"\r\n')
    with pytest.raises(SourceError) as err:
        list(ofac_csv.parse(tmp_path, CTX))
    assert str(alt) in str(err.value) and "line 1" in str(err.value)


def test_empty_file_and_missing_folder(tmp_path: Path) -> None:
    path = _write(tmp_path / "sdn.csv", "")
    with pytest.raises(SourceError, match="empty"):
        list(ofac_csv.parse(path, CTX))
    (tmp_path / "other").mkdir()
    with pytest.raises(SourceError, match=r"no sdn\.csv"):
        list(ofac_csv.parse(tmp_path / "other", CTX))


def test_siblings_are_joined(tmp_path: Path) -> None:
    _write(
        tmp_path / "SDN.CSV",
        '7,"SMITH, John","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        '"DOB 01 Jan 1960; Passport A1 (Ira"\r\n',
    )
    _write(tmp_path / "sdn_comments.csv", '7,"q); Linked To: ACME CO."\r\n')
    _write(tmp_path / "alt.csv", '7,1,"aka","SMYTH, Jon",-0- \r\n7,2,"fka","DOE, J",-0- \r\n')
    _write(tmp_path / "add.csv", '7,3,"1 Main St","Baghdad","Iraq",-0- \r\n')
    out = {e["id"]: e for e in ofac_csv.parse(tmp_path, CTX)}
    person = out["ofac-7"]
    assert props(person, "alias") == ["SMYTH, Jon"]
    assert props(person, "previousName") == ["DOE, J"]
    assert props(person, "passportNumber") == ["A1"]
    assert props(person, "country") == ["iq"]
    assert props(person, "address") == ["1 Main St, Baghdad, Iraq"]
    stub = next(e for e in out.values() if props(e, "name") == ["ACME CO."])
    link = next(e for e in out.values() if e["schema"] == "UnknownLink")
    assert props(link, "object") == [stub["id"]]
    # the named party is not listed: it keeps the list but not the record's programmes,
    # and says which record names it
    assert mentioned(stub) and not mentioned(person)
    assert stub["provenance"]["mentioned_by"] == "7"
    assert "programs" not in stub["provenance"] and "record_id" not in stub["provenance"]
    assert person["provenance"]["programs"] == ["SDGT"]


def test_xml_refuses_entities_and_truncation(tmp_path: Path) -> None:
    evil = _write(
        tmp_path / "sdn.xml",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        '<sdnList xmlns="http://tempuri.org/sdnList.xsd"><sdnEntry><uid>1</uid>'
        "<lastName>&a;</lastName><sdnType>Entity</sdnType></sdnEntry></sdnList>",
        "utf-8",
    )
    with pytest.raises(SourceError):
        list(ofac_xml.parse(evil, CTX))
    cut = _write(
        tmp_path / "cut.xml",
        '<?xml version="1.0"?><sdnList xmlns="http://tempuri.org/sdnList.xsd">'
        "<sdnEntry><uid>1</uid><lastName>X</lastName>",
        "utf-8",
    )
    with pytest.raises(SourceError, match="truncated"):
        list(ofac_xml.parse(cut, CTX))


_CP1252_TEXT = st.text(
    alphabet=st.characters(
        codec="cp1252", exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\x1a"
    ),
    max_size=80,
)


@settings(max_examples=40, deadline=None)
@given(name=_CP1252_TEXT, remarks=_CP1252_TEXT, kind=st.sampled_from(["individual", "-0- "]))
def test_any_cp1252_row_parses(name: str, remarks: str, kind: str) -> None:
    """Whatever a row holds, the parser yields the listed party under its own id, or a
    SourceError naming the file (never another exception)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sdn.csv"
        with open(path, "w", encoding="cp1252", newline="") as fh:
            csv.writer(fh, lineterminator="\r\n").writerow(
                ["42", name, kind, "SDGT", *["-0- "] * 7, remarks or "-0- "]
            )
        try:
            out = {e["id"]: e for e in ofac_csv.parse(path, CTX)}
        except SourceError as exc:
            assert str(path) in str(exc)
            return
        expected = name
        try:  # a file whose bytes are also valid UTF-8 is read as UTF-8 (tried first)
            path.read_bytes().decode("utf-8")
            expected = name.encode("cp1252").decode("utf-8")
        except UnicodeDecodeError:
            pass
        assert props(out["ofac-42"], "name") == [" ".join(expected.split())]
        assert out["ofac-42-sanction"]["schema"] == "Sanction"
