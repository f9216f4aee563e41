"""Column recognition and row -> query building."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from redflags.errors import RedflagsError
from redflags.screening.columns import (
    Query,
    Reject,
    build_query,
    detect_columns,
    fold_header,
    parse_date,
    parse_mappings,
)


def test_headers_are_recognised_case_and_punctuation_insensitively() -> None:
    headers = [
        "Supplier Name",
        "COUNTRY_CODE",
        "Date-of-Birth",
        "L.E.I.",
        "Reg No",
        "ISIN",
        "Tax ID",
        "Street Address",
        "City",
        "Entity Type",
        "ID",
        "Spend (EUR)",
    ]
    cols = detect_columns(headers)
    assert cols.roles == {
        "name": "Supplier Name",
        "country": "COUNTRY_CODE",
        "birth_date": "Date-of-Birth",
        "lei": "L.E.I.",
        "registration_number": "Reg No",
        "isin": "ISIN",
        "tax_id": "Tax ID",
        "address": "Street Address",
        "city": "City",
        "type": "Entity Type",
        "id": "ID",
    }
    assert cols.unused == ("Spend (EUR)",)
    assert fold_header(" Entity-Name ") == fold_header("entity_name") == "entityname"


def test_explicit_mapping_wins_and_unknowns_are_refused() -> None:
    cols = detect_columns(
        ["Name", "Lieferant", "Land"], parse_mappings(["name=Lieferant", "country=land"])
    )
    assert cols.roles["name"] == "Lieferant" and cols.roles["country"] == "Land"
    with pytest.raises(RedflagsError, match="unknown role"):
        parse_mappings(["colour=Name"])
    with pytest.raises(RedflagsError, match="no such column"):
        detect_columns(["Name"], {"country": "Nation"})
    with pytest.raises(RedflagsError, match="no name column"):
        detect_columns(["Spend", "Amount"])


def test_first_and_last_name_make_a_person() -> None:
    cols = detect_columns(["First Name", "Surname", "DOB", "Nationality"])
    q = build_query(
        {"First Name": "Ivan", "Surname": "Petrov", "DOB": "12 Jan 1970", "Nationality": "Russia"},
        cols,
        2,
    )
    assert isinstance(q, Query)
    assert q.entity["schema"] == "Person"
    assert q.entity["properties"]["name"] == ["Ivan Petrov"]
    assert q.entity["properties"]["birthDate"] == ["1970-01-12"]
    assert q.entity["properties"]["country"] == ["ru"]


@pytest.mark.parametrize(
    ("type_value", "schema"),
    [
        ("Individual", "Person"),
        ("company", "Company"),
        ("Organisation", "Organization"),
        ("", "LegalEntity"),
        ("vessel?", "LegalEntity"),
    ],
)
def test_type_column_decides_the_schema(type_value: str, schema: str) -> None:
    cols = detect_columns(["name", "type"])
    q = build_query({"name": "Acme", "type": type_value}, cols, 2)
    assert isinstance(q, Query) and q.entity["schema"] == schema


def test_an_unknown_type_is_noted() -> None:
    cols = detect_columns(["name", "type"])
    typo = build_query({"name": "Acme", "type": "compnay"}, cols, 2)
    assert isinstance(typo, Query) and typo.entity["schema"] == "LegalEntity"
    assert any("'compnay' not recognised" in n for n in typo.notes)
    for fine in ("Entity", "company", ""):
        q = build_query({"name": "Acme", "type": fine}, cols, 2)
        assert isinstance(q, Query) and not q.notes, fine


def test_rejects_carry_reasons() -> None:
    cols = detect_columns(["name", "dob", "type"])
    no_name = build_query({"name": "  n/a ", "dob": "", "type": ""}, cols, 3)
    assert isinstance(no_name, Reject) and no_name.code == "no_name"
    punct = build_query({"name": "---", "dob": "", "type": ""}, cols, 3)
    assert isinstance(punct, Reject) and punct.code == "no_name"

def test_a_date_not_understood_is_noted_and_the_name_screened() -> None:
    """A typo in a date must not leave the name unscreened (such rows were rejected, and a
    run with --fail-on-hit passed): the row is screened without it, with a note."""
    cols = detect_columns(["name", "dob", "type"])
    bad_date = build_query({"name": "Jo Bloggs", "dob": "yesterday", "type": "person"}, cols, 4)
    assert isinstance(bad_date, Query) and "birthDate" not in bad_date.entity["properties"]
    assert any("yesterday" in n for n in bad_date.notes)
    # a date outside what followthemoney keeps (years 1000-2999) is noted with its reason,
    # not a date the entity builder would drop without a word
    for typed in ("0950-01-01", "12/05/3012", "1952-10-32"):
        far = build_query({"name": "Jo Bloggs", "dob": typed, "type": "person"}, cols, 5)
        assert isinstance(far, Query) and any(typed in n for n in far.notes)
        assert far.entity["properties"]["name"] == ["Jo Bloggs"]


def test_other_scripts_and_identifiers_pass_through() -> None:
    cols = detect_columns(["name", "country", "LEI", "ISIN", "type"])
    q = build_query(
        {
            "name": "杭州海康威视数字技术股份有限公司",
            "country": "CN",
            "LEI": "5299 00ABCDEF12345678",
            "ISIN": "cne100000pm8",
            "type": "company",
        },
        cols,
        5,
    )
    assert isinstance(q, Query)
    props = q.entity["properties"]
    assert props["name"] == ["杭州海康威视数字技术股份有限公司"]
    assert props["leiCode"] == ["529900ABCDEF12345678"] and props["isinCode"] == ["CNE100000PM8"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1970-01-02", "1970-01-02"),
        ("1970", "1970"),
        ("25/12/1970", "1970-12-25"),
        ("12/25/1970", "1970-12-25"),
        ("03/04/1970", "1970"),
        ("5.5.1970", "1970-05-05"),
        ("1970/01/02", "1970-01-02"),
        ("2nd March 1981", "1981-03-02"),
        ("Mar 2, 1981", "1981-03-02"),
        ("1970-01-02T00:00:00", "1970-01-02"),
        ("31/02/1970", None),
        ("soon", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@given(st.dates(min_value=date(1800, 1, 1), max_value=date(2100, 12, 31)))
def test_parse_date_round_trips_unambiguous_forms(d: date) -> None:
    assert parse_date(d.isoformat()) == d.isoformat()
    if d.day > 12:
        assert parse_date(d.strftime("%d/%m/%Y")) == d.isoformat()


@given(st.text(max_size=25))
@example("0 0 \u00b2")  # a superscript two is a digit to str.isdigit, not to int()
@example("\u0663 March \u0662\u0660\u0662\u0661")  # Arabic-Indic digits are decimal
def test_parse_date_never_raises_and_returns_iso(text: str) -> None:
    out = parse_date(text)
    assert out is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", out)


@given(
    st.integers(0, 9999),
    st.one_of(st.none(), st.integers(0, 13)),
    st.one_of(st.none(), st.integers(0, 32)),
)
def test_parse_date_keeps_what_followthemoney_keeps(year: int, month: int | None,
                                                    day: int | None) -> None:
    """parse_date checks dates itself (followthemoney's cleaner was a third of reading a
    row): whatever it returns must be a value the cleaner keeps whole, and the reverse."""
    from followthemoney.types import registry

    text = f"{year:04d}" + (f"-{month:02d}" if month is not None else "")
    text += f"-{day:02d}" if month is not None and day is not None else ""
    kept = registry.date.clean(text) == text
    assert parse_date(text) == (text if kept else None)
    for written in (f"{day}.{month}.{year:04d}", f"{day} March {year:04d}"):
        out = parse_date(written)
        assert out is None or registry.date.clean(out) == out


@pytest.mark.parametrize(("cell", "codes"), [
    ("Korea, Democratic People's Republic of", ["kp"]),  # ISO 3166 writes names so
    ("Congo, The Democratic Republic of the", ["cd"]),
    ("Iran, Islamic Republic of", ["ir"]),
    ("Korea, North", ["kp"]),  # as OFAC writes it: not Korea (kr) and a stray "North"
    ("Germany, France", ["de", "fr"]),
    ("DE; CN", ["de", "cn"]),
])
def test_a_country_cell_is_one_country_before_it_is_a_list(cell: str, codes: list[str]) -> None:
    cols = detect_columns(["name", "country"])
    q = build_query({"name": "Acme", "country": cell}, cols, 2)
    assert isinstance(q, Query) and q.entity["properties"]["country"] == codes and not q.notes


def test_several_names_in_one_cell_are_a_name_and_its_aliases() -> None:
    """A JSON row's list of names reaches the columns joined by "; " (so does a cell a user
    wrote so): screened as one name, "Huawei; ZTE" matched neither."""
    cols = detect_columns(["name"])
    q = build_query({"name": "Huawei; ZTE"}, cols, 2)
    assert isinstance(q, Query) and q.name == "Huawei; ZTE"
    assert q.entity["properties"]["name"] == ["Huawei"]
    assert q.entity["properties"]["alias"] == ["ZTE"]


@pytest.mark.parametrize("header", [
    "Name (local)", "Supplier Name EN", "Chinese name", "Local legal name",
    "Company name (in local language)", "name_zh", "Former name",
])
def test_a_second_column_of_the_same_partys_name_gives_aliases(header: str) -> None:
    """A supplier file's "Name" and "Name (local)" are one party's two names: the second
    column was ignored, so a supplier listed under its native name went unscreened by it."""
    cols = detect_columns(["Supplier Name", header, "Country"])
    assert cols.more_names == (header,) and header not in cols.unused
    assert f"alias+={header!r}" in cols.describe()
    q = build_query({"Supplier Name": "Hikvision Digital", header: "海康威视", "Country": "CN"},
                    cols, 2)
    assert isinstance(q, Query)
    assert q.entity["properties"]["name"] == ["Hikvision Digital"]
    assert q.entity["properties"]["alias"] == ["海康威视"]
    # an empty or placeholder cell adds nothing
    q = build_query({"Supplier Name": "Hikvision Digital", header: "n/a"}, cols, 3)
    assert isinstance(q, Query) and "alias" not in q.entity["properties"]


@pytest.mark.parametrize("header", [
    "Parent company name", "Bank name", "Contact name", "Beneficiary name", "File name",
    "Username", "Name of director",
])
def test_a_column_naming_another_party_is_no_alias(header: str) -> None:
    cols = detect_columns(["Name", header])
    assert cols.more_names == () and header in cols.unused


@pytest.mark.parametrize("headers", [
    ["Vendor", "Vendor Name", "Country"], ["Supplier", "Supplier Name"],
    ["Customer", "Customer Name", "Land"], ["Company", "Company Name"],
])
def test_the_name_column_is_the_one_named_name(headers: list[str]) -> None:
    """An ERP export's "Vendor" is the vendor's number and "Vendor Name" its name: the number
    was screened as the name, and a listed vendor came back clear."""
    cols = detect_columns(headers)
    assert cols.roles["name"] == headers[1]
    assert cols.roles["id"] == headers[0]  # the number labels the row
    q = build_query({headers[0]: "1001", headers[1]: "Rosoboronexport"}, cols, 2)
    assert isinstance(q, Query) and q.name == "Rosoboronexport" and q.row_id == "1001"
    assert detect_columns(["Supplier"]).roles["name"] == "Supplier"  # alone, it is the name


@pytest.mark.parametrize("name", ["1001", "2", "12-34", "(5)"])
def test_a_number_is_no_name(name: str) -> None:
    cols = detect_columns(["name"])
    r = build_query({"name": name}, cols, 2)
    assert isinstance(r, Reject) and r.code == "no_name" and "no letters" in r.message
    for ok in ("3M", "7-Eleven", "中芯国际", "Ёлка 2"):
        assert isinstance(build_query({"name": ok}, cols, 2), Query), ok


@pytest.mark.parametrize("headers", [
    ["Kreditor", "Name 1", "Name 2", "Name 3", "Ort", "Land"],
    ["Lieferant", "Name1", "Name2", "Land"],
    ["Vendor", "Name", "Name 2", "Country"],
])
def test_sap_name_lines_are_one_name(headers: list[str]) -> None:
    """An SAP export writes a long name over "Name 1" to "Name 4": no column was taken for
    the name ("no name column found"), and "Name 2" alone would be "Technology Co., Ltd."."""
    cols = detect_columns(headers)
    assert cols.roles["name"] == headers[1] and cols.roles["id"] == headers[0]
    assert cols.name_lines == tuple(h for h in headers[2:] if "ame" in h)
    assert f"name+={headers[2]!r}" in cols.describe()
    row = {headers[0]: "100234", headers[1]: "Hangzhou Hikvision Digital",
           headers[2]: "Technology Co., Ltd.", headers[-1]: "CN"}
    q = build_query(row, cols, 2)
    assert isinstance(q, Query) and q.row_id == "100234"
    assert q.entity["properties"]["name"] == ["Hangzhou Hikvision Digital Technology Co., Ltd."]
    assert q.entity["properties"]["alias"] == ["Hangzhou Hikvision Digital"]  # a line may be c/o
    q = build_query({headers[0]: "100235", headers[1]: "Siemens AG", headers[2]: ""}, cols, 3)
    assert isinstance(q, Query) and q.entity["properties"]["name"] == ["Siemens AG"]
    assert "alias" not in q.entity["properties"]
    # a "Name 3" with no "Name 2" is not a line of the name
    assert detect_columns(["Name 1", "Name 3"]).name_lines == ()


@pytest.mark.parametrize(("headers", "roles"), [
    (["Lieferantennummer", "Lieferantenname", "Straße", "PLZ", "Ort", "Länderschlüssel",
      "USt-IdNr.", "Handelsregisternummer"],
     {"id": "Lieferantennummer", "name": "Lieferantenname", "address": "Straße", "city": "Ort",
      "country": "Länderschlüssel", "tax_id": "USt-IdNr.",
      "registration_number": "Handelsregisternummer"}),
    (["Fournisseur", "Raison sociale", "Adresse", "Ville", "Pays", "N° TVA", "SIREN"],
     {"name": "Raison sociale", "address": "Adresse", "city": "Ville",
      "country": "Pays", "tax_id": "N° TVA", "registration_number": "SIREN"}),
    (["Proveedor", "Razón social", "País", "NIF"],
     {"name": "Razón social", "country": "País", "tax_id": "NIF"}),
    (["Ragione sociale", "Paese", "Partita IVA"],
     {"name": "Ragione sociale", "country": "Paese", "tax_id": "Partita IVA"}),
    (["Bedrijfsnaam", "Land", "KvK-nummer", "BTW-nummer"],
     {"name": "Bedrijfsnaam", "country": "Land", "registration_number": "KvK-nummer",
      "tax_id": "BTW-nummer"}),
])
def test_german_french_spanish_italian_dutch_headers(headers: list[str],
                                                      roles: dict[str, str]) -> None:
    """A European ERP export names its columns in its own language: "Lieferantenname" and
    "Raison sociale" found no name column, and "Land" was the only header read."""
    cols = detect_columns(headers)
    for role, header in roles.items():
        assert cols.roles.get(role) == header, (role, cols.roles)


@pytest.mark.parametrize(("headers", "given", "family"), [
    (["Vorname", "Name", "Geburtsdatum"], "Vorname", "Name"),
    (["Prénom", "Nom"], "Prénom", "Nom"),
    (["Nombre", "Apellidos"], "Nombre", "Apellidos"),
    (["Nome", "Cognome"], "Nome", "Cognome"),
])
def test_a_family_name_column_named_name_is_the_family_name(headers: list[str], given: str,
                                                            family: str) -> None:
    """German forms write "Vorname, Name" (Spanish "Nombre, Apellidos"): taken for the name,
    the family name alone (or the given name alone) was screened."""
    cols = detect_columns(headers)
    assert cols.roles["first_name"] == given and cols.roles["last_name"] == family
    q = build_query({given: "Igor", family: "Sechin"}, cols, 2)
    assert isinstance(q, Query) and q.entity["schema"] == "Person"
    assert q.entity["properties"]["name"] == ["Igor Sechin"]
    # an explicit --map name=... is taken as said
    assert detect_columns(headers, {"name": family}).roles["name"] == family
