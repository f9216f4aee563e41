"""The OFAC Remarks parser: real items read right, and arbitrary text never breaks it."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from redflags.sources.ofac_remarks import (
    IDENT,
    LINK,
    NOTE,
    PROP,
    SANCTION,
    WALLET,
    Fact,
    country_code,
    identifier_property,
    parse_date,
    parse_dates,
    parse_item,
    parse_remarks,
    split_identifier,
    split_items,
)

KINDS = {PROP, IDENT, LINK, SANCTION, WALLET, NOTE}


def props(facts: list[Fact], prop: str) -> list[str]:
    return [f.value for f in facts if f.prop == prop]


def test_dates_in_ofac_spellings() -> None:
    assert parse_date("01 Jan 1960") == "1960-01-01"
    assert parse_date("Mar 1945") == "1945-03"
    assert parse_date("1969") == "1969"
    assert parse_date("circa 1951") == "1951"
    assert parse_date("21 August 2006") == "2006-08-21"
    assert parse_date("04/06/2018") == "2018-04-06"
    assert parse_date("31 Feb 1960") is None
    assert parse_date("sometime") is None


def test_date_ranges() -> None:
    assert parse_dates("1951 to 1953") == ["1951", "1952", "1953"]
    assert parse_dates("01 Jan 1960 to 31 Dec 1962") == ["1960-01-01", "1962-12-31"]
    assert parse_dates("1900 to 1960") == ["1900", "1960"]  # too wide to spell out
    assert parse_dates("circa 1951") == ["1951"]


@given(st.dates(min_value=date(1800, 1, 1), max_value=date(2100, 12, 31)))
def test_any_real_date_round_trips(d: date) -> None:
    assert parse_date(d.strftime("%d %b %Y")) == d.isoformat()


def test_person_items() -> None:
    facts = parse_remarks(
        "DOB 1969; alt. DOB 10 Oct 1969; POB Xudur, Somalia; nationality Eritrea; "
        "citizen Korea, North; Gender Male; Passport 0310857 (Eritrea) issued 21 Aug 2006 "
        "expires 20 Aug 2008; National ID No. 1372584 (Kenya); a.k.a. 'ABU MANSUR'."
    )
    assert props(facts, "birthDate") == ["1969", "1969-10-10"]
    assert props(facts, "birthPlace") == ["Xudur, Somalia"]
    assert props(facts, "birthCountry") == ["so"]
    assert props(facts, "nationality") == ["er"]
    assert props(facts, "citizenship") == ["kp"]
    assert props(facts, "gender") == ["male"]
    assert props(facts, "weakAlias") == ["ABU MANSUR"]
    passport = next(f for f in facts if f.prop == "passportNumber")
    assert (passport.kind, passport.value, passport.country) == (IDENT, "0310857", "er")
    assert (passport.issued, passport.expires) == ("2006-08-21", "2008-08-20")
    national = next(f for f in facts if f.prop == "idNumber")
    assert (national.value, national.country, national.label) == (
        "1372584",
        "ke",
        "National ID No.",
    )


def test_company_identifiers() -> None:
    facts = parse_remarks(
        "Equity Ticker 002415 CN; Issuer Name Hangzhou Hikvision Digital Technology; "
        "ISIN CNE100000PM8; Target Type Public Company; Effective Date (CMIC) 02 Aug 2021; "
        "Listing Date (CMIC) 03 Jun 2021; "
        "Unified Social Credit Code (USCC) 91330000733796106P (China)."
    )
    assert props(facts, "isinCode") == ["CNE100000PM8"]
    assert props(facts, "uscCode") == ["91330000733796106P"]
    assert props(facts, "ticker") == ["002415 CN"]
    assert props(facts, "classification") == ["Public Company"]
    assert props(facts, "listingDate") == ["2021-06-03"]
    assert props(facts, "startDate") == ["2021-08-02"]
    usc = next(f for f in facts if f.prop == "uscCode")
    assert usc.country == "cn"


def test_russian_numbers_get_their_own_properties() -> None:
    facts = parse_remarks(
        "Tax ID No. 7744001497 (Russia); Registration Number 1027700167110 (Russia); "
        "Legal Entity Number 253400WSS48YWMBUA688; SWIFT/BIC SABRRUMM"
    )
    assert props(facts, "innCode") == ["7744001497"]
    assert props(facts, "ogrnCode") == ["1027700167110"]
    assert props(facts, "leiCode") == ["253400WSS48YWMBUA688"]
    assert props(facts, "swiftBic") == ["SABRRUMM"]


def test_vessel_and_wallet_items() -> None:
    facts = parse_remarks(
        "Vessel Registration Identification IMO 9187655; MMSI 256842000; "
        "Former Vessel Flag Malta; "
        "Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"
    )
    assert props(facts, "imoNumber") == ["IMO9187655"]
    assert props(facts, "mmsi") == ["256842000"]
    assert props(facts, "pastFlags") == ["mt"]
    wallet = next(f for f in facts if f.kind == WALLET)
    assert (wallet.label, wallet.value) == ("XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")


def test_links_keep_names_with_brackets_and_dots() -> None:
    facts = parse_remarks(
        "Linked To: GLOBAL TECHNOLOGY IMPORT & EXPORT, S.A. (GTI); Linked To: R D I S.A."
    )
    assert [f.value for f in facts if f.kind == LINK] == [
        "GLOBAL TECHNOLOGY IMPORT & EXPORT, S.A. (GTI)",
        "R D I S.A.",
    ]
    wrapped = parse_remarks("(Linked To: NIOC INTERNATIONAL AFFAIRS (LONDON) LIMITED)")
    assert wrapped == [
        Fact(LINK, "name", "NIOC INTERNATIONAL AFFAIRS (LONDON) LIMITED", label="Linked To")
    ]


def test_aliases_by_kind() -> None:
    facts = parse_remarks("a.k.a. 'BNC'; f.k.a. 'ANA I'; n.k.a. 'NEW NAME'.")
    assert props(facts, "weakAlias") == ["BNC"]
    assert props(facts, "previousName") == ["ANA I"]
    assert props(facts, "alias") == ["NEW NAME"]


def test_sanction_statements_and_notes() -> None:
    facts = parse_remarks(
        "Additional Sanctions Information - Subject to Secondary Sanctions; "
        "Secondary sanctions risk: section 1(b) of Executive Order 13224; "
        "For more information, please see: https://www.treasury.gov/x.pdf; "
        "all offices worldwide"
    )
    assert len(props(facts, "provisions")) == 3
    assert props(facts, "programUrl") == ["https://www.treasury.gov/x.pdf"]
    assert props(facts, "notes") == ["all offices worldwide"]


def test_identifier_splitting() -> None:
    assert split_identifier("HRA 738077 (Stuttgart) (Germany)") == (
        "HRA 738077",
        "de",
        None,
        None,
    )
    assert split_identifier("No.: 0310857, Eritrea, Issue Date 21 August 2006)") == (
        "0310857",
        "er",
        "2006-08-21",
        None,
    )
    assert identifier_property("Passport") == "passportNumber"
    assert identifier_property("Some New Register") == "idNumber"


def test_unknown_identifier_labels_still_count() -> None:
    (fact,) = parse_item("Foo Registry Code 12345 (Iran)")
    assert (fact.kind, fact.prop, fact.value, fact.country) == (IDENT, "idNumber", "12345", "ir")


def test_country_names_ofac_writes() -> None:
    assert country_code("Korea, North") == "kp"
    assert country_code("Burma") == "mm"
    assert country_code("Congo, Democratic Republic of the") == "cd"
    assert country_code("Russia.") == "ru"
    assert country_code("None Identified") is None
    assert country_code("Stuttgart") is None


def test_split_items_keeps_final_abbreviation() -> None:
    assert split_items("a; b.") == ["a", "b"]
    assert split_items("Linked To: X S.A.") == ["Linked To: X S.A."]


@given(st.text(max_size=400))
def test_never_crashes_on_arbitrary_text(text: str) -> None:
    facts = parse_remarks(text)
    assert all(isinstance(f, Fact) and f.kind in KINDS and f.value for f in facts)


_ITEM_WORDS = st.sampled_from(
    ["DOB", "POB", "Passport", "alt.", "a.k.a.", "Linked To:", "(", ")", "'", "IMO", "to",
     "circa", "01", "Jan", "1960", "Iraq", "(Iraq)", "issued", "expires", "ISIN", "No.:", ","]
)  # fmt: skip


@given(st.lists(_ITEM_WORDS, max_size=12).map(" ".join))
def test_never_crashes_on_remark_like_text(text: str) -> None:
    for fact in parse_remarks(text + "; " + text):
        assert fact.kind in KINDS
        if fact.prop in ("birthDate", "listingDate", "startDate"):
            assert fact.value[:4].isdigit()


def test_ethnicity_and_religion_are_never_kept() -> None:
    facts = parse_remarks("ethnicity Kurdish; Religion: Sunni; Tribe: Noorzai; Gender Female")
    assert facts == [Fact(PROP, "gender", "female", label="Gender")]
