"""Turns one input row into an FtM-shaped query, or into a reject with its reason.

Users' files name their columns every which way ("Supplier Name", "entity_name", "Land"), so
headers are matched after folding case and punctuation, and ``--map role=Header`` wins over
any guess. A row that cannot be screened honestly (no name, a date we cannot read, bytes
that are not text) is rejected with a reason rather than screened on half its data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from redflags.countries import country_code
from redflags.errors import RedflagsError
from redflags.model import EntityBuilder, hash_id

# role -> headers (already folded by :func:`fold_header`) that mean it.
ROLE_HEADERS: dict[str, tuple[str, ...]] = {
    # "... name" before the bare word: an ERP export's "Vendor" or "Supplier" column is often
    # the number, "Vendor Name" the name (the number was screened, a listed vendor passed)
    "name": (
        "name", "names", "companyname", "suppliername", "vendorname", "entityname",
        "organisationname", "organizationname", "fullname", "legalname", "partyname",
        "customername", "counterpartyname", "businessname", "applicantname", "personname",
        "firmname", "accountname",
        # SAP's first name line (see _NAME_LINE), and the headers of German, French, Spanish,
        # Italian and Dutch exports ("Firmenname", "Raison sociale", "Razón social"...)
        "name1", "firmenname", "firmierung", "unternehmensname", "lieferantenname",
        "kundenname", "kreditorenname", "debitorenname", "geschäftspartnername",
        "raisonsociale", "nomdelentreprise", "nomdelasociété", "nomdelasociete",
        "nomfournisseur", "nomdufournisseur", "nomclient", "nomduclient", "dénomination",
        "denomination", "razónsocial", "razonsocial", "denominación", "denominacion",
        "nombredelaempresa", "ragionesociale", "denominazione", "bedrijfsnaam", "naam", "nom",
        "nombre", "nome",
        "company", "supplier", "vendor", "entity", "organisation", "organization", "customer",
        "counterparty", "applicant", "holder", "firma", "unternehmen", "société", "societe",
        "entreprise", "empresa", "geschäftspartner", "geschaftspartner", "lieferant",
        "kreditor", "kunde", "debitor", "fournisseur", "client", "proveedor", "cliente",
        "fornitore", "leverancier", "klant",
    ),
    "alias": ("alias", "aliases", "aka", "alsoknownas", "othernames", "tradingname"),
    "first_name": ("firstname", "givenname", "forename", "forenames", "first", "vorname",
                   "prénom", "prenom", "voornaam"),
    "last_name": ("lastname", "surname", "familyname", "last", "nachname", "familienname",
                  "nomdefamille", "apellido", "apellidos", "cognome", "achternaam"),
    "country": (
        "country", "countries", "countrycode", "countryname", "jurisdiction", "land", "pays",
        "nationality", "citizenship", "countryofincorporation", "registeredcountry",
        "countryofresidence", "ctry", "länderschlüssel", "landerschlussel",
        "laenderschluessel", "ländercode", "landcode", "landesname", "staatsangehörigkeit",
        "país", "pais", "paese", "nazione", "nationalité", "nationalite",
    ),
    "birth_date": ("dateofbirth", "dob", "birthdate", "born", "birthday", "geburtsdatum",
                   "datedenaissance", "fechadenacimiento", "datadinascita", "geboortedatum"),
    "incorporation_date": (
        "incorporationdate", "dateofincorporation", "incorporated", "founded",
        "registrationdate", "establishmentdate",
    ),
    "lei": ("lei", "leicode", "legalentityidentifier"),
    "registration_number": (
        "registrationnumber", "regno", "registrationno", "companynumber", "companyno",
        "companyregistrationnumber", "crn", "registernumber", "ogrn", "uscc",
        "handelsregisternummer", "handelsregister", "hrb", "registernummer", "siren", "siret",
        "kvknummer", "kvk",
    ),
    "isin": ("isin", "isincode"),
    "tax_id": (
        "taxid", "taxnumber", "vat", "vatnumber", "vatid", "tin", "ein", "inn",
        "vatregistrationnumber", "vatregno", "ustidnr", "ustid", "ustidnummer",
        "umsatzsteuerid", "umsatzsteueridentifikationsnummer", "steuernummer", "steuernr",
        "tva", "numérotva", "numerotva", "ntva", "nif", "cif", "partitaiva", "btwnummer", "btw",
    ),
    "address": ("address", "streetaddress", "fulladdress", "address1", "addressline1", "street",
                "straße", "strasse", "anschrift", "adresse", "rue", "dirección", "direccion",
                "indirizzo", "adres"),
    "city": ("city", "town", "posttown", "locality", "ort", "stadt", "ville", "ciudad",
             "città", "citta", "plaats", "localité", "localite"),
    "type": ("type", "entitytype", "partytype", "kind", "category", "schema", "persontype"),
    "id": ("id", "rowid", "recordid", "supplierid", "vendorid", "customerid", "ref", "reference",
           "vendornumber", "vendorno", "suppliernumber", "supplierno", "customernumber",
           "customerno", "lieferantennummer", "lieferantennr", "kreditorennummer",
           "kreditorennr", "kundennummer", "kundennr", "debitorennummer", "debitorennr",
           "partnernummer"),
}
ROLES = tuple(ROLE_HEADERS)

# Headers whose folded form starts with one of these are guessed after exact matches fail.
_PREFIX_GUESSES: tuple[tuple[str, str], ...] = (
    ("companyhouse", "registration_number"),
    ("address", "address"),
    ("registeredaddress", "address"),
    ("regaddress", "address"),
)

PERSON_TYPES = frozenset(
    {"person", "individual", "naturalperson", "people", "human", "private", "indiv", "p", "i"}
)
COMPANY_TYPES = frozenset(
    {"company", "corporation", "business", "firm", "corp", "enterprise", "c", "plc", "ltd"}
)
ORGANIZATION_TYPES = frozenset(
    {"organisation", "organization", "org", "ngo", "charity", "association", "institution",
     "government", "governmentbody", "publicbody", "o"}
)
# Values that say "any kind of party" (screened as a LegalEntity, without a note).
ANY_TYPES = frozenset({"legalentity", "entity", "party", "unknown", "other", "any", "mixed"})
_KNOWN_TYPES = PERSON_TYPES | COMPANY_TYPES | ORGANIZATION_TYPES | ANY_TYPES
# Values that people type in a name column when there is no name.
EMPTY_NAMES = frozenset(
    {"", "na", "n/a", "none", "null", "nil", "unknown", "tbd", "tba", "-", "--", "?", "x", "0"}
)

_FOLD_RE = re.compile(r"[\W_]+", re.UNICODE)
_SURROGATE_RE = re.compile("[\udc80-\udcff]")
_ISO_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_NUMERIC_DATE_RE = re.compile(r"^(\d{1,4})[./\-\s](\d{1,2})[./\-\s](\d{1,4})$")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")]
    )
    for m in names
}


def fold_header(header: str) -> str:
    """'Entity Name', 'entity_name' and 'ENTITY-NAME' all fold to 'entityname'."""
    text = unicodedata.normalize("NFKC", header).casefold()
    return _FOLD_RE.sub("", text)


def parse_mappings(items: Iterable[str]) -> dict[str, str]:
    """``["name=Supplier", "country=Land"]`` -> role -> header, refusing unknown roles."""
    out: dict[str, str] = {}
    for item in items:
        role, sep, header = item.partition("=")
        role = role.strip().lower().replace("-", "_")
        role = {"dob": "birth_date", "date_of_birth": "birth_date", "reg": "registration_number",
                "first": "first_name", "last": "last_name"}.get(role, role)
        if not sep or not header.strip():
            raise RedflagsError(f"--map expects ROLE=COLUMN, got {item!r}")
        if role not in ROLE_HEADERS:
            raise RedflagsError(f"--map: unknown role {role!r}; roles: {', '.join(ROLES)}")
        out[role] = header.strip()
    return out


@dataclass(frozen=True)
class ColumnMap:
    """Which input column (by its header as written) feeds each role."""

    roles: dict[str, str]
    unused: tuple[str, ...] = ()
    # further columns holding the same party's name in another form ("Name (local)",
    # "Chinese name"): screened as its aliases
    more_names: tuple[str, ...] = ()
    # further lines of the name column's name (SAP's "Name 2" to "Name 4"), joined to it
    name_lines: tuple[str, ...] = ()

    def describe(self) -> str:
        return ", ".join([f"{role}={col!r}" for role, col in self.roles.items()]
                         + [f"name+={col!r}" for col in self.name_lines]
                         + [f"alias+={col!r}" for col in self.more_names])


_PARTY_HEADERS = frozenset(
    {*ROLE_HEADERS["name"], *ROLE_HEADERS["first_name"], *ROLE_HEADERS["last_name"]})


def names_a_party(cells: Sequence[str]) -> bool:
    """Whether a row could be a header: one of its cells names the column of names."""
    return any(fold_header(c) in _PARTY_HEADERS for c in cells)


def detect_columns(headers: Sequence[str], explicit: Mapping[str, str] | None = None) -> ColumnMap:
    """Assign headers to roles: explicit mappings first, then exact folded names, then
    prefixes; each header feeds at most one role and each role takes the first header."""
    explicit = dict(explicit or {})
    folded = {h: fold_header(h) for h in headers}
    by_fold: dict[str, str] = {}
    for h in headers:
        by_fold.setdefault(folded[h], h)
    roles: dict[str, str] = {}
    taken: set[str] = set()
    for role, header in explicit.items():
        match = header if header in folded else by_fold.get(fold_header(header))
        if match is None:
            raise RedflagsError(
                f"--map {role}={header}: no such column; columns: {', '.join(headers)}"
            )
        roles[role] = match
        taken.add(match)
    for role, names in ROLE_HEADERS.items():
        if role in roles:
            continue
        for name in names:
            found = by_fold.get(name)
            if found is not None and found not in taken:
                roles[role] = found
                taken.add(found)
                break
    lines = _name_lines(headers, folded)
    if lines and "name" not in explicit and roles.get("name", lines[0]) in lines:
        roles["name"] = lines[0]
        taken.update(lines)
    else:
        lines = ()
    if "name" not in explicit:
        _person_name_parts(roles, folded)
    # "Vendor" beside "Vendor Name" is the vendor's number: the row's id (and SAP's
    # "Lieferant" or "Kreditor" beside its "Name 1")
    named = folded.get(roles.get("name", ""), "")
    if "id" not in roles and "name" in roles and named not in _BARE_PARTY:
        own = _OWN_NUMBER.get(named, named.removesuffix("name")
                              if named.endswith("name") and named != "name" else "")
        bare = by_fold.get(own) if own else None
        if bare is None and lines:
            bare = next((h for h in headers if folded[h] in _BARE_PARTY), None)
        if bare is not None and bare not in taken:
            roles["id"] = bare
            taken.add(bare)
    for prefix, role in _PREFIX_GUESSES:
        if role in roles:
            continue
        for h in headers:
            if h not in taken and folded[h].startswith(prefix):
                roles[role] = h
                taken.add(h)
                break
    if "name" not in roles and not {"first_name", "last_name"} & set(roles):
        raise RedflagsError(
            "no name column found; columns: "
            + ", ".join(headers)
            + " — map one with --map name=COLUMN"
        )
    more = tuple(h for h in headers if h not in taken and "name" in roles
                 and _another_form_of_name(folded[h]))
    return ColumnMap(roles, tuple(h for h in headers if h not in taken and h not in more), more,
                     lines[1:])


# SAP writes a party's name over up to four fields, "Name 1" to "Name 4" (NAME1..NAME4): a
# long name runs on ("Hangzhou Hikvision Digital" / "Technology Co., Ltd."), so the row's
# name is their lines joined, and its first line alone an alias (a line may be a c/o).
_NAME_LINE = re.compile(r"^name([1-4])$")
# The bare words that, beside a column of names, hold the party's number in an ERP export.
_BARE_PARTY = frozenset({
    "vendor", "supplier", "customer", "lieferant", "kreditor", "kunde", "debitor",
    "fournisseur", "client", "proveedor", "cliente", "fornitore", "leverancier", "klant",
    "geschäftspartner", "geschaftspartner",
})
# German compounds name the party's number column differently from its name column.
_OWN_NUMBER = {"lieferantenname": "lieferant", "kundenname": "kunde",
               "kreditorenname": "kreditor", "debitorenname": "debitor",
               "nomfournisseur": "fournisseur", "nomdufournisseur": "fournisseur",
               "nomclient": "client", "nomduclient": "client"}


def _name_lines(headers: Sequence[str], folded: Mapping[str, str]) -> tuple[str, ...]:
    """SAP's name lines in order ("Name 1", "Name 2"...; a bare "Name" is line 1 when a
    "Name 2" follows it); () when the file has no second line."""
    numbered: dict[int, str] = {}
    for h in headers:
        m = _NAME_LINE.match(folded[h])
        if m:
            numbered.setdefault(int(m.group(1)), h)
    if 2 not in numbered:
        return ()
    if 1 not in numbered:
        bare = next((h for h in headers if folded[h] == "name"), None)
        if bare is None:
            return ()
        numbered[1] = bare
    out: list[str] = []
    for i in range(1, 5):  # consecutive lines only: a "Name 4" after a gap is something else
        if i not in numbered:
            break
        out.append(numbered[i])
    return tuple(out)


def _person_name_parts(roles: dict[str, str], folded: Mapping[str, str]) -> None:
    """A person's list names the family name "Name" beside "Vorname" ("Prénom" beside
    "Nom"), the given name "Nombre" beside "Apellidos" ("Nome" beside "Cognome"): screened
    as the name, the family name alone was the query."""
    named = folded.get(roles.get("name", ""), "")
    if "first_name" in roles and "last_name" not in roles and named in ("name", "nom", "naam"):
        roles["last_name"] = roles.pop("name")
    elif "last_name" in roles and "first_name" not in roles and named in ("nombre", "nome"):
        roles["first_name"] = roles.pop("name")


# What qualifies a second name column as the same party's name in another form; anything
# else ("Parent company name", "Bank name", "Contact name") names another party and is left
# alone (screened as an alias it would put that party's hits on the row). Not "Name 2": in
# an SAP export Name 1 to Name 4 are lines of one name ("Technology Co., Ltd." alone).
_NAME_FORMS = frozenset({
    "local", "native", "original", "chinese", "russian", "arabic", "english", "latin",
    "cyrillic", "translit", "transliterated", "romanized", "romanised", "other", "alternative",
    "alternate", "alt", "second", "former", "previous", "old", "registered", "legal",
    "trading", "short", "full", "international", "official", "localized", "localised",
    "zh", "cn", "en", "ru", "ar", "ko", "ja", "jp", "fa", "he", "uk", "de", "fr", "es", "tr",
    "inlocallanguage", "inenglish", "inchinese", "inrussian", "inarabic", "inlatin",
    "inlocalscript", "innativescript", "nativescript", "localscript", "nativelanguage",
    "locallanguage",
})
_NAME_BASES = ("company", "supplier", "vendor", "entity", "customer", "organisation",
               "organization", "party", "business", "counterparty", "firm")


def _another_form_of_name(folded: str) -> bool:
    """'Name (local)', 'Company name EN', 'Chinese name', 'Local legal name'."""
    if "name" not in folded:
        return False
    rest = folded.replace("name", "", 1)
    for base in _NAME_BASES:
        if rest.startswith(base) or rest.endswith(base):
            rest = rest.removeprefix(base) if rest.startswith(base) else rest.removesuffix(base)
            break
    if rest in _NAME_FORMS:
        return True
    # two qualifiers: "local legal", "legal local"
    return any(rest.startswith(q) and rest[len(q):] in _NAME_FORMS for q in _NAME_FORMS
               if len(q) > 2)


@dataclass(frozen=True)
class Reject:
    """Why a row was not screened; ``code`` is stable, ``message`` is for people."""

    code: str
    message: str


@dataclass
class Query:
    """One screenable row: its FtM-shaped query and what we noticed while building it."""

    entity: dict[str, Any]
    row_id: str
    name: str
    notes: list[str] = field(default_factory=list)


def parse_date(value: str) -> str | None:
    """An ISO date (or year / year-month) from what people type; None when unreadable or
    outside the years followthemoney keeps (1000-2999), so the query needs no cleaning after.

    When day and month cannot be told apart (03/04/1970) only the year is kept: a wrong
    day would mislead the date feature, a year still helps.
    """
    parsed = _parse_date(value)
    return parsed if parsed is not None and _valid_iso(parsed) else None


def _parse_date(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if len(text) >= 10 and text[4] == "-" and "T" in text[10:11] + "T":
        text = text[:10]
    if _ISO_DATE_RE.match(text):
        return text
    m = _NUMERIC_DATE_RE.match(text)
    if m:
        a, b, c = (int(x) for x in m.groups())
        if len(m.group(1)) == 4:  # yyyy/mm/dd
            return _iso(a, b, c)
        if len(m.group(3)) != 4:
            return None
        if a > 12 and b <= 12:
            return _iso(c, b, a)
        if b > 12 and a <= 12:
            return _iso(c, a, b)
        if a == b:
            return _iso(c, a, b)
        return f"{c:04d}" if 1 <= a <= 12 and 1 <= b <= 12 and 1 <= c <= 9999 else None
    words = re.split(r"[\s,./-]+", text.casefold())
    if len(words) == 3:
        day, month, year = _word_date(words)
        if day and month and year:
            return _iso(year, month, day)
    return None


def _word_date(words: list[str]) -> tuple[int | None, int | None, int | None]:
    day = month = year = None
    for w in words:
        if w in _MONTHS:
            month = _MONTHS[w]
        elif w.isdecimal() and len(w) == 4:  # (isdigit: "²" too, which int() refuses)
            year = int(w)
        elif (digits := re.sub(r"(st|nd|rd|th)$", "", w)).isdecimal():
            day = int(digits)
    return day, month, year


def _valid_iso(text: str) -> bool:
    """Whether a YYYY, YYYY-MM or YYYY-MM-DD string is a real date in the years
    followthemoney accepts (1000-2999), as its date cleaner would say when it returns the
    value whole; this is 1 µs a row where the cleaner took ~40 µs (a third of reading a
    row of a screening job)."""
    year = int(text[:4])
    if not 1000 <= year <= 2999:
        return False
    if len(text) == 4:
        return True
    if not 1 <= int(text[5:7]) <= 12:
        return False
    if len(text) == 7:
        return True
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def schema_for(type_value: str | None, roles_present: set[str]) -> str:
    """Person, Company, Organization, else LegalEntity: never guess a person from a name."""
    if type_value:
        t = fold_header(type_value)
        if t in PERSON_TYPES:
            return "Person"
        if t in COMPANY_TYPES:
            return "Company"
        if t in ORGANIZATION_TYPES:
            return "Organization"
    if roles_present & {"first_name", "last_name", "birth_date"}:
        return "Person"
    if roles_present & {"isin", "incorporation_date"}:
        return "Company"
    return "LegalEntity"


def build_query(row: Mapping[str, str | None], columns: ColumnMap, line: int) -> Query | Reject:
    """The FtM-shaped query for one row (values keyed by header), or why it cannot be one."""
    vals: dict[str, str] = {}
    for role, header in columns.roles.items():
        raw = row.get(header)
        if raw is None:
            continue
        text = str(raw)
        if _SURROGATE_RE.search(text):
            return Reject(
                "encoding", f"column {header!r} holds bytes that are not valid text (encoding)"
            )
        text = " ".join(text.split())
        if text:
            vals[role] = text
    name = vals.get("name", "")
    first_line = ""
    if columns.name_lines:
        more_lines = [part for part in (" ".join(str(row.get(h) or "").split())
                                        for h in columns.name_lines)
                      if part and not _SURROGATE_RE.search(part)]
        if more_lines:
            first_line, name = name, " ".join([name, *more_lines]).strip()
    if name.casefold() in EMPTY_NAMES or not any(ch.isalnum() for ch in name):
        name = ""
    given, family = vals.get("first_name", ""), vals.get("last_name", "")
    if not name and (given or family):
        name = " ".join(x for x in (given, family) if x)
    if not name or not any(ch.isalnum() for ch in name):
        return Reject("no_name", "no usable name")
    if not any(ch.isalpha() for ch in name):
        # a number in the name column ("1001": an id column taken for the name, or a cell
        # shifted) met listed names with a number ("RESEARCH INSTITUTE - 2" 0.94)
        return Reject("no_name", f"name {name!r} has no letters (a number, not a name)")
    # several names in one cell ("Huawei; ZTE", or a JSON list the reader joined so): the
    # first is the name, the others its aliases (screened as one name, neither was found)
    written = name
    if ";" in name:
        name, *more = [n for n in re.split(r"\s*;\s*", name) if any(ch.isalnum() for ch in n)]
    else:
        more = []
    present = set(vals)
    schema = schema_for(vals.get("type"), present)
    notes: list[str] = []
    if "type" in vals and fold_header(vals["type"]) not in _KNOWN_TYPES:
        # a typo ("compnay", "persn") would otherwise screen the row silently as any party
        notes.append(f"type {vals['type']!r} not recognised: screened as any kind of party "
                     "(use person, company or organization)")
    row_id = vals.get("id") or f"row-{line}"
    builder = EntityBuilder(schema, hash_id("q", line, row_id))
    builder.add("name", name)
    if schema == "Person":
        builder.add("firstName", given or None)
        builder.add("lastName", family or None)
    if first_line and first_line != name and any(ch.isalpha() for ch in first_line):
        builder.add("alias", first_line)
    if more:
        builder.add("alias", more)
    if "alias" in vals:
        builder.add("alias", [a for a in re.split(r"\s*[;|]\s*", vals["alias"]) if a])
    for header in columns.more_names:
        other = " ".join(str(row.get(header) or "").split())
        if other and other != name and any(ch.isalnum() for ch in other) and \
                other.casefold() not in EMPTY_NAMES and not _SURROGATE_RE.search(other):
            builder.add("alias", other)
    for role, prop in (("birth_date", "birthDate"), ("incorporation_date", "incorporationDate")):
        if role not in vals:
            continue
        if role == "birth_date" and schema != "Person":
            notes.append("date of birth ignored: the row is not a person")
            continue
        parsed = parse_date(vals[role])
        if not parsed:
            # the name is screened all the same: a typo in a date must not leave a listed
            # person unscreened (such a row was rejected, and a run passed --fail-on-hit)
            label = "date of birth" if role == "birth_date" else "incorporation date"
            notes.append(f"{label} {vals[role]!r} not understood: screened without it")
            continue
        if len(parsed) == 4 and len(vals[role]) > 4:
            notes.append(f"{role}: day and month ambiguous, kept the year {parsed}")
        builder.add(prop, parsed, clean=False)  # parse_date gives a checked ISO date
    if "country" in vals:
        # one country's name may hold a comma ("Korea, Democratic People's Republic of",
        # "Iran, Islamic Republic of"): the whole cell first, then its parts
        whole = country_code(vals["country"])
        codes = [whole] if whole else []
        for part in [] if whole else re.split(r"\s*[;,|/]\s*", vals["country"]):
            code = country_code(part) if part else None
            if code:
                codes.append(code)
            elif part:
                notes.append(f"country {part!r} not recognised")
        builder.add("country", codes, clean=False)  # already codes (redflags.countries)
    if "lei" in vals:
        builder.add("leiCode", vals["lei"].upper().replace(" ", ""))
    if "registration_number" in vals:
        builder.add("registrationNumber", vals["registration_number"])
    if "isin" in vals:
        if schema in ("Company",):
            builder.add("isinCode", vals["isin"].upper().replace(" ", ""))
        else:
            builder.add("idNumber", vals["isin"].upper().replace(" ", ""))
    if "tax_id" in vals:
        builder.add("taxNumber", vals["tax_id"])
    address = ", ".join(vals[r] for r in ("address", "city") if r in vals)
    if address:
        builder.add("address", address)
    entity: dict[str, Any] = {
        "id": builder.id,
        "schema": schema,
        "properties": {k: list(v) for k, v in builder.properties.items()},
    }
    return Query(entity=entity, row_id=row_id, name=written, notes=notes)
