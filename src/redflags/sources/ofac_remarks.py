"""OFAC's Remarks text turned into facts: identifiers, dates, places, aliases, links.

OFAC's legacy CSV (and, for some items, the classic XML) packs everything that is not a
name or an address into one semicolon-separated Remarks field. Screening needs those facts
as properties (a passport number matches, a sentence does not), so this module reads each
item into a :class:`Fact`. It is pure: text in, facts out, no entities, no I/O, and it never
raises on odd text (an item it does not understand becomes a ``note``, so nothing is lost).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from followthemoney import registry
from rigour.ids import IMO

# Fact kinds. ``prop``: a property of the listed entity; ``id``: an identifier (a property
# and an Identification/Passport entity); ``link``: a relation to another named party;
# ``sanction``: a property of the Sanction; ``wallet``: a crypto address; ``note``: kept text.
PROP, IDENT, LINK, SANCTION, WALLET, NOTE = "prop", "id", "link", "sanction", "wallet", "note"


@dataclass(frozen=True, slots=True)
class Fact:
    """One thing a Remarks item says, with OFAC's own label kept for the evidence trail."""

    kind: str
    prop: str
    value: str
    label: str = ""
    country: str | None = None
    issued: str | None = None
    expires: str | None = None


MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_DAY_MON_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")
_MON_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_CIRCA = re.compile(r"^(circa|approximately|about|ca\.?)\s+", re.I)
_RANGE = re.compile(r"\s+to\s+|\s+-\s+")
_NUMBER_WORD = re.compile(r"^(?:No\.?|Number)\s*:?\s*", re.I)
_NON_DIGITS = re.compile(r"\D")
_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# A range of years no longer than this is spelled out year by year, so that a query with a
# year inside the range compares as equal; wider ranges keep only their two ends.
MAX_RANGE_YEARS = 10


def parse_date(text: str) -> str | None:
    """One OFAC date ("01 Jan 1960", "Jan 1960", "1960", "circa 1960") as ISO text."""
    t = text.strip().strip(".,").strip()
    t = _CIRCA.sub("", t)
    if m := _DAY_MON_YEAR.match(t):
        month = MONTHS.get(m.group(2).lower())
        return _iso_day(int(m.group(3)), month, int(m.group(1))) if month else None
    if m := _MON_YEAR.match(t):
        month = MONTHS.get(m.group(1).lower())
        return f"{m.group(2)}-{month:02d}" if month else None
    if m := _YEAR.match(t):
        return m.group(1)
    if m := _ISO.match(t):
        if m.group(3) is None:
            return t if 1 <= int(m.group(2)) <= 12 else None
        return _iso_day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _SLASH.match(t):  # the XML's Publish_Date style: MM/DD/YYYY
        return _iso_day(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    return None


def _iso_day(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_dates(text: str) -> list[str]:
    """A DOB-style value: one date, a "circa", or an "X to Y" range (years spelled out)."""
    parts = _RANGE.split(text.strip(), maxsplit=1)
    if len(parts) == 2:
        start, end = parse_date(parts[0]), parse_date(parts[1])
        if start is None or end is None:
            return [d for d in (start, end) if d]
        y0, y1 = int(start[:4]), int(end[:4])
        if 0 < y1 - y0 <= MAX_RANGE_YEARS and len(start) == 4 and len(end) == 4:
            return [str(y) for y in range(y0, y1 + 1)]
        return [start] if start == end else [start, end]
    one = parse_date(text)
    return [one] if one else []


# OFAC writes countries from a fixed vocabulary. FtM's own cleaning (rigour's territory
# lookup) builds a name index on first use that costs 2.5-4 s of CPU per process (measured
# on this machine, 2026-11) -- more than parsing a whole list -- and it also maps cities
# ("Moscow") to countries. So names resolve from FtM's labels plus OFAC's spellings below.
_OFAC_COUNTRIES = {
    "turkey": "tr",
    "turkiye": "tr",
    "korea, north": "kp",
    "north korea": "kp",
    "democratic people's republic of korea": "kp",
    "dprk": "kp",
    "korea, south": "kr",
    "south korea": "kr",
    "burma": "mm",
    "hong kong": "hk",
    "macau": "mo",
    "macao": "mo",
    "congo, democratic republic of the": "cd",
    "democratic republic of the congo": "cd",
    "drc": "cd",
    "congo, republic of the": "cg",
    "palestinian": "ps",
    "palestinian authority": "ps",
    "palestinian territories": "ps",
    "west bank": "ps",
    "gaza": "ps",
    "gaza strip": "ps",
    "region: gaza": "ps",
    "region: west bank": "ps",
    "virgin islands, british": "vg",
    "british virgin islands": "vg",
    "virgin islands, u.s.": "vi",
    "the gambia": "gm",
    "gambia, the": "gm",
    "bahamas, the": "bs",
    "the bahamas": "bs",
    "russia": "ru",
    "russian federation": "ru",
    "czech republic": "cz",
    "cote d ivoire": "ci",
    "cote d'ivoire": "ci",
    "ivory coast": "ci",
    "cabo verde": "cv",
    "man, isle of": "im",
    "netherlands antilles": "an",
    "st. vincent and the grenadines": "vc",
    "saint vincent and the grenadines": "vc",
    "st. kitts and nevis": "kn",
    "st kitts and nevis": "kn",
    "st. kitts & nevis": "kn",
    "st. lucia": "lc",
    "macedonia": "mk",
    "north macedonia, the republic of": "mk",
    "macedonia, the former yugoslav republic of": "mk",
    "micronesia, federated states of": "fm",
    "crimea": "ua-cri",
    "region: crimea": "ua-cri",
    "region: kurdistan": "iq-kr",
    "region: northern mali": "ml",
    "ussr": "suhh",
    "uk": "gb",
    "u.k.": "gb",
    "england": "gb",
    "usa": "us",
    "u.s.a.": "us",
    "laos": "la",
    "syria": "sy",
    "iran": "ir",
    "vietnam": "vn",
    "venezuela": "ve",
    "bolivia": "bo",
    "tanzania": "tz",
    "moldova": "md",
    "brunei": "bn",
    "taiwan": "tw",
    "kosovo": "xk",
    "curacao": "cw",
    "sint maarten": "sx",
    "eswatini": "sz",
    "swaziland": "sz",
    "holy see": "va",
    "timor-leste": "tl",
    "east timor": "tl",
    "sao tome and principe": "st",
    "republic of serbia": "rs",
}


def _country_key(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).strip(" .").lower()


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index = {_country_key(label): code for code, label in registry.country.names.items()}
    index.update({code: code for code in registry.country.names})
    index.update({k: v for k, v in _OFAC_COUNTRIES.items() if v in registry.country.names})
    return index


@lru_cache(maxsize=4096)
def country_code(text: str | None) -> str | None:
    """FtM's country code for a name OFAC writes ("Korea, North", "Iran"), else None."""
    if not text:
        return None
    return _country_index().get(_country_key(text))


_ISSUED = re.compile(
    r",?\s+(?:issued|issue date)\s+(.+?)(?=,?\s+(?:expires|expire date)\s+|$)", re.I
)
_EXPIRES = re.compile(
    r",?\s+(?:expires|expire date)\s+(.+?)(?=,?\s+(?:issued|issue date)\s+|$)", re.I
)
_TRAIL_PAREN = re.compile(r"\s*\(([^()]*)\)\s*$")
_TRAIL_COMMA = re.compile(r",\s*([^,]+)$")


def split_identifier(text: str) -> tuple[str, str | None, str | None, str | None]:
    """Split "A123 (Iraq) issued 01 Jan 2000 expires 2005" into number, country, dates.

    Also reads the prose variant "No.: A123, Iraq, Issue Date 1 January 2000".
    """
    rest = text.strip().rstrip(".;").strip()
    if rest.endswith(")") and rest.count(")") > rest.count("("):
        rest = rest[:-1].rstrip(". ")
    rest = _NUMBER_WORD.sub("", rest)
    issued = expires = None
    lower = rest.lower()
    if "expire" in lower and (m := _EXPIRES.search(rest)):
        expires = parse_date(m.group(1))
        rest = rest[: m.start()] + rest[m.end() :]
    if "issue" in lower and (m := _ISSUED.search(rest)):
        issued = parse_date(m.group(1))
        rest = rest[: m.start()] + rest[m.end() :]
    country = None
    extras: list[str] = []
    while rest.endswith(")") and (m := _TRAIL_PAREN.search(rest)):
        inner = m.group(1).strip()
        code = country_code(inner) if country is None else None
        if code is not None:
            country = code
        else:
            extras.insert(0, f"({inner})")
        rest = rest[: m.start()]
    if country is None and (m := _TRAIL_COMMA.search(rest)):
        country = country_code(m.group(1))
        if country is not None:
            rest = rest[: m.start()]
    number = " ".join(rest.strip(" :#-,").split())
    if extras and not number:
        number = " ".join(extras)
    return number, country, issued, expires


# Identifier labels: (pattern matched at the start of the item, target property).
# Order matters: longer, more specific labels first.
_ID_LABELS: list[tuple[str, str]] = [
    (r"Vessel Registration Identification", "imoNumber"),
    (r"(?:Identification|Company) Number(?= IMO)", "imoNumber"),
    (r"IMO(?= ?\d)", "imoNumber"),
    (r"MMSI", "mmsi"),
    (r"ISIN", "isinCode"),
    (r"Unified Social Credit Code \(USCC\)", "uscCode"),
    (r"United Social Credit Code Certificate \(USCCC\)", "uscCode"),
    (r"USCC", "uscCode"),
    (r"Legal Entity Number", "leiCode"),
    (r"LEI", "leiCode"),
    (r"SWIFT/BIC", "swiftBic"),
    (r"BIK \(RU\)", "bikCode"),
    (r"D-U-N-S Number", "dunsCode"),
    (r"Equity Ticker", "ticker"),
    (r"(?:Diplomatic |Official |Service )?Passport(?: Booklet)?:?", "passportNumber"),
    (r"Travel Document Number", "passportNumber"),
    (r"Tax ID No\.", "taxNumber"),
    (r"(?:NIT|RUC|RIF|RTN|R\.F\.C\.|RFC|C\.U\.I\.T\.|US FEIN|C\.I\.F\.)\s*#?", "taxNumber"),
    (r"Italian Fiscal Code:?", "taxNumber"),
    (r"Numero Unico de Identificacao Tributaria \(NUIT\)", "taxNumber"),
    (r"V\.A\.T\. Number", "vatCode"),
    (r"Government Gazette Number", "okpoCode"),
    (
        r"(?:Business |Public |Commercial )?Registration (?:Number|ID|No\.)|"
        r"Registration Document #|Business Registration Document #(?: CUD:)?|"
        r"Commercial Registry Number|(?:UK )?Company Number|Chamber of Commerce Number|"
        r"C\.R\. No\.|Romanian C\.R\.|Trade License No\.|Folio Mercantil No\.|"
        r"Matricula Mercantil No\.?|Central Registration System Number|"
        r"Economic Register Number(?: \(CBLS\))?|Istanbul Chamber of Comm\. No\.|"
        r"Dubai Chamber of Commerce Membership No\.|Registered Charity No\.|"
        r"Certificate of Incorporation Number|Business Number|Enterprise Number|"
        r"Branch Unit Number|LE Number|File Number",
        "registrationNumber",
    ),
    (
        r"(?:Pilot |Driver's |Afghan Money Service Provider )?License(?: Number| No\.)?",
        "licenseNumber",
    ),
    (r"Aircraft Manufacturer's Serial Number \(MSN\)", "serialNumber"),
    (r"Aircraft Construction Number(?: \(also called L/N or S/N or F/N\))?", "serialNumber"),
    (r"Aircraft Serial Identification", "serialNumber"),
    (r"Aircraft Tail Number", "registrationNumber"),
    (r"Aircraft Mode S Transponder Code", "icaoCode"),
    (r"SSN", "socialSecurityNumber"),
    (
        r"National ID No\.|National Foreign ID Number|Identification Number|Cedula No\.|"
        r"D\.N\.I\.|C\.U\.I\.P\.|C\.U\.I\.|C\.U\.R\.P\.(?: #)?|Personal ID Card|"
        r"Electoral Registry No\.|Credencial electoral|Birth Certificate Number|"
        r"Cartilla de Servicio Militar Nacional|Residency Number|Turkish Identification Number|"
        r"Numero de Identidad|Citizen's Card Number|Kenyan ID No\.|I\.F\.E\.|VisaNumberID|"
        r"Tazkira National ID Card|Refugee ID Card|Immigration No\.|SRE Permit No\.|"
        r"Permit Number|Stateless Person ID Card|Moroccan Personal ID No\.|"
        r"Chinese Commercial Code",
        "idNumber",
    ),
]


def _alternation(patterns: list[str], tail: str) -> re.Pattern[str]:
    """One regex for a table of label patterns; ``lastgroup`` says which row matched.

    A single alternation runs in C: trying the rows one by one in Python made the Remarks
    parser 3x slower (1.5 s vs 0.5 s on the 2024 SDN list).
    """
    body = "|".join(f"(?P<g{i}>{p})" for i, p in enumerate(patterns))
    return re.compile(rf"^(?:{body}){tail}", re.I)


_ID_RX = _alternation([p for p, _ in _ID_LABELS], r"(?=[\s:#]|$)\s*")
# Labels OFAC invents over time: a label ending like an identifier's still is one.
_GENERIC_ID = re.compile(
    r"^(?P<label>[A-Z][A-Za-z.'/ ()-]{1,60}?(?:No\.|Number|#|ID|Code|Card))\s*:?\s+"
    r"(?P<value>\S*\d.*)$"
)

# Sanction-level statements: (prefix, Sanction property).
_SANCTION_LABELS: list[tuple[str, str]] = [
    (r"Listing Date", "listingDate"),
    (r"Effective Date", "startDate"),
    (r"Additional Sanctions Information -", "provisions"),
    (r"Secondary sanctions risk:", "provisions"),
    (
        r"Transactions Prohibited For Persons Owned or Controlled By U\.?S\.? Financial",
        "provisions",
    ),
    (r"Executive Order \d+", "provisions"),
    (r"CAATSA Section", "provisions"),
    (r"Purchase/Sales For Divestment Date", "provisions"),
    (r"For more information", "programUrl"),
    (r"Subject to Directive", "provisions"),
    (r"U\.S\. Persons Must", "provisions"),
    (r"IFSR Information:", "provisions"),
]
_SANCTION_RX = _alternation([p for p, _ in _SANCTION_LABELS], "")
_URL = re.compile(r"https?://\S+", re.I)
_QUOTED = re.compile(r"'(.+)'", re.S)
_LISTED_DATE = re.compile(r"(\d{1,2}\s+[A-Za-z]{3}\s+\d{4})\s*$")

_SIMPLE_PROPS: list[tuple[str, str, str]] = [
    # (prefix regex, property, how to read the value: text/date/dates/country/gender)
    (r"DOB", "birthDate", "dates"),
    (r"POB", "birthPlace", "text"),
    (r"Nationality of Registration", "jurisdiction", "country"),
    (r"nationality", "nationality", "country"),
    (r"citizen", "citizenship", "country"),
    (r"Gender", "gender", "gender"),
    (r"Organization Established Date", "incorporationDate", "dates"),
    (r"Organization Type:?", "sector", "text"),
    (r"Target Type", "classification", "text"),
    (r"Issuer Name", "alias", "text"),
    (r"Website", "website", "text"),
    (r"Email(?: Address)?:?", "email", "text"),
    (r"(?:Phone|Telephone|Fax)(?: Number| No\.)?:?", "phone", "text"),
    (r"Former Vessel Flag", "pastFlags", "country"),
    (r"Vessel Year of Build", "buildDate", "dates"),
    (r"Aircraft Manufacture Date", "buildDate", "dates"),
    (r"Aircraft Model", "model", "text"),
    (r"Vessel Type", "type", "text"),
]
_SIMPLE_RX = _alternation([p for p, _, _ in _SIMPLE_PROPS], r"(?=[\s:]|$)\s*")
# redflags never records ethnicity or religion (see model.FORBIDDEN_PROPERTIES), not even
# as a note: these few Remarks items are dropped on purpose.
_PROFILING = re.compile(r"^(?:ethnicity|religion|ethnic group|tribe)\b", re.I)
_ALIAS_RE = re.compile(r"^(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*", re.I)
_ALIAS_PROPS = {"a.k.a.": "weakAlias", "f.k.a.": "previousName", "n.k.a.": "alias"}
_LINK_RE = re.compile(r"^(Linked To|Aircraft Operator)\s*:?\s*", re.I)
_WALLET_RE = re.compile(r"^Digital Currency Address\s*-\s*([A-Z0-9]{2,6})\s+(\S+)", re.I)


# The period closing the Remarks is dropped unless it ends an abbreviation ("S.A.", "CO.").
_ENDS_WITH_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]\.[A-Z]|\b(?:CO|LTD|INC|CORP|CIA|BHD|PTE|PVT|JR|SR|ST))\.$", re.I
)


def split_items(remarks: str) -> list[str]:
    """Split Remarks on semicolons; drop the list-closing period and wrapping brackets."""
    text = remarks.strip()
    if text.endswith(".") and not _ENDS_WITH_ABBREVIATION.search(text):
        text = text[:-1]
    items = []
    for raw in text.split(";"):
        item = " ".join(raw.split())
        if item.startswith("(") and item.endswith(")") and _balanced(item[1:-1]):
            item = item[1:-1].strip()
        elif item.startswith("(") and item.count("(") > item.count(")"):
            item = item[1:].strip()  # a bracket that closes in a later item
        elif item.endswith(")") and item.count(")") > item.count("("):
            item = item[:-1].strip()
        if item:
            items.append(item)
    return items


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def parse_remarks(remarks: str | None) -> list[Fact]:
    """All facts in one Remarks field, in order; never raises."""
    if not remarks:
        return []
    facts: list[Fact] = []
    for item in split_items(remarks):
        facts.extend(parse_item(item))
    return facts


def parse_item(item: str) -> list[Fact]:
    """Facts in one Remarks item; an item nothing recognises becomes a note."""
    return list(_parse_item(item))


# Lists repeat items verbatim ("Gender Male", sanctions boilerplate, "Linked To: X"):
# caching by text halves the parse time of a full SDN list. Facts are immutable.
@lru_cache(maxsize=1 << 16)
def _parse_item(item: str) -> tuple[Fact, ...]:
    return tuple(_parse_item_uncached(item))


def _parse_item_uncached(item: str) -> list[Fact]:
    text = item.strip()
    if text[:5].lower() == "alt. ":
        text = text[5:].strip()
    if not text or _PROFILING.match(text):
        return []
    for fn in (_alias, _link, _wallet, _sanction, _simple, _identifier):
        found = fn(text)
        if found:
            return found
    return [Fact(NOTE, "notes", item.strip())]


def _alias(text: str) -> list[Fact]:
    if text[1:2] != ".":  # cheap guard: most items are not aliases
        return []
    m = _ALIAS_RE.match(text)
    if not m:
        return []
    rest = text[m.end() :].strip()
    q = _QUOTED.search(rest)
    name = (q.group(1) if q else rest).strip()
    if not name:
        return []
    return [Fact(PROP, _ALIAS_PROPS[m.group(1).lower()], name, label=m.group(1).lower())]


def _link(text: str) -> list[Fact]:
    if text[:1] not in "LlAa":
        return []
    m = _LINK_RE.match(text)
    if not m:
        return []
    name = text[m.end() :].strip()
    while name.endswith(")") and not _balanced(name):
        name = name[:-1].rstrip()
    if not name:
        return []
    label = "Linked To" if m.group(1).lower().startswith("linked") else "Aircraft Operator"
    return [Fact(LINK, "name", name, label=label)]


def _wallet(text: str) -> list[Fact]:
    if text[:1] not in "Dd":
        return []
    m = _WALLET_RE.match(text)
    if not m:
        return []
    return [Fact(WALLET, "publicKey", m.group(2).strip(".,"), label=m.group(1).upper())]


def _sanction(text: str) -> list[Fact]:
    sm = _SANCTION_RX.match(text)
    if sm is not None:
        prop = _SANCTION_LABELS[_row(sm)][1]
        if prop == "programUrl":
            url = _URL.search(text)
            facts = [Fact(SANCTION, "provisions", text.rstrip("."))]
            if url:
                facts.append(Fact(SANCTION, "programUrl", url.group(0).rstrip(".,;)")))
            return facts
        if prop in ("listingDate", "startDate"):
            m = _LISTED_DATE.search(text)
            date = parse_date(m.group(1)) if m else None
            if date is None:
                return [Fact(SANCTION, "provisions", text)]
            label = text[: m.start()].strip().rstrip(":") if m else ""
            return [Fact(SANCTION, prop, date, label=label)]
        return [Fact(SANCTION, prop, text.rstrip("."))]
    return []


def _simple(text: str) -> list[Fact]:
    m = _SIMPLE_RX.match(text)
    if m is not None:
        _p, prop, how = _SIMPLE_PROPS[_row(m)]
        value = text[m.end() :].strip().strip(":").strip()
        if not value:
            return []
        label = text[: m.end()].strip()
        if how == "dates":
            dates = parse_dates(value)
            if not dates:
                return [Fact(NOTE, "notes", text)]
            return [Fact(PROP, prop, d, label=label) for d in dates]
        if how == "gender":
            g = value.lower()
            if g not in ("male", "female"):
                return [Fact(NOTE, "notes", text)]
            return [Fact(PROP, prop, g, label=label)]
        if how == "country":
            code = country_code(value)
            if code is None:
                return [Fact(NOTE, "notes", text)]
            return [Fact(PROP, prop, code, label=label, country=code)]
        facts = [Fact(PROP, prop, value, label=label)]
        if prop == "birthPlace":
            code = country_code(value.rsplit(",", 1)[-1])
            if code:
                facts.append(Fact(PROP, "birthCountry", code, label=label, country=code))
        return facts
    return []


def _identifier(text: str) -> list[Fact]:
    m = _ID_RX.match(text)
    if m is not None:
        label = text[: m.end()].strip().rstrip(":#").strip()
        return identifier_facts(label, text[m.end() :], _ID_LABELS[_row(m)][1])
    g = _GENERIC_ID.match(text)
    if g:
        return identifier_facts(g.group("label").strip(), g.group("value"), "idNumber")
    return []


def identifier_facts(
    label: str,
    value: str,
    prop: str | None = None,
    country: str | None = None,
    issued: str | None = None,
    expires: str | None = None,
) -> list[Fact]:
    """An identifier from its parts; the XML's idList calls this with its own fields."""
    number, c2, i2, e2 = split_identifier(value)
    if not number:
        return []
    if prop is None:
        prop = identifier_property(label)
    country = country_code(country) or country or c2
    issued = parse_date(issued) if issued else i2
    expires = parse_date(expires) if expires else e2
    if prop == "imoNumber":
        digits = _NON_DIGITS.sub("", number)
        number = IMO.normalize(digits) or number if IMO.is_valid(digits) else number
    elif prop in ("isinCode", "leiCode", "swiftBic", "uscCode"):
        number = number.replace(" ", "").upper()
    facts = [Fact(IDENT, prop, number, label, country, issued, expires)]
    # Russian tax and registration numbers have their own FtM properties (INN, OGRN).
    digits_only = number.isdigit()
    if country == "ru" and digits_only:
        if prop == "taxNumber" and len(number) in (10, 12):
            facts.append(Fact(PROP, "innCode", number, label, country))
        elif prop == "registrationNumber" and len(number) in (13, 15):
            facts.append(Fact(PROP, "ogrnCode", number, label, country))
    return facts


def identifier_property(label: str) -> str:
    """The FtM property for an identifier label, "idNumber" when unknown."""
    m = _ID_RX.match(label.strip() + " 1")
    return _ID_LABELS[_row(m)][1] if m is not None else "idNumber"


def _row(m: re.Match[str]) -> int:
    return int((m.lastgroup or "g0")[1:])
