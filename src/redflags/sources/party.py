"""What the US-list, CSL and user-list parsers share about a listed party.

Lists rarely say whether a party is a company, and they number few of their records; these
helpers keep the answers (schema from legal form, stable slug ids, dates, Federal Register
citations, the Sanction record) identical across the parsers so that the same party looks
the same whichever file it came from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from followthemoney import model as ftm_model
from followthemoney import registry
from normality import slugify
from rigour.names import extract_org_types

# re-exported: parsers take country codes from here with the other party helpers
from redflags.countries import country_code as country_code
from redflags.countries import country_codes as country_codes
from redflags.model import EntityBuilder, hash_id, mention

# Type words a list uses -> FtM schema. "Entity" is OFAC's word for "not a person", which
# says nothing about company vs. organisation, so it falls through to the legal-form guess.
DECLARED_SCHEMAS: dict[str, str] = {
    "individual": "Person",
    "person": "Person",
    "people": "Person",
    "natural person": "Person",
    "company": "Company",
    "business": "Company",
    "organization": "Organization",
    "organisation": "Organization",
    "vessel": "Vessel",
    "ship": "Vessel",
    "aircraft": "Airplane",
    "airplane": "Airplane",
    "plane": "Airplane",
    "legalentity": "LegalEntity",
    "legal entity": "LegalEntity",
}

# rigour's org-type table needs word boundaries, which CJK text has none of, and it
# deliberately leaves out generic English words (it found nothing in "MYNET.NET CORP" or
# "Huawei Technologies Company"); these two patterns cover what it misses.
_CJK_FORMS = re.compile(
    r"(有限公司|有限责任公司|有限責任公司|股份公司|集团公司|集團公司|公司$|株式会社|有限会社|"
    r"合同会社|주식회사|유한회사)"
)
_EN_FORMS = re.compile(
    r"(?<![\w])(corp|corporation|company|co|incorporated|limited|ltd|llc|inc|plc|gmbh|"
    r"jsc|pjsc|ojsc|cjsc|ooo|oao|zao)(?![\w])",
    re.IGNORECASE,
)

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d.%m.%Y",
    "%B %Y",
    "%b %Y",
)

# "84 FR 54004, 10/9/19", "67 F.R. 56530 9/4/02", "91 FR 35189 (June 10, 2026)".
_FR_CITATION = re.compile(
    r"\b\d{1,3}\s*F\.?\s?R\.?\s*\d{1,6}"
    r"(?:,?\s*(?:\d{1,2}/\d{1,2}/\d{2,4}|\([A-Z][a-z]+\.? \d{1,2}, \d{4}\)))?"
)
_CITATION_SPLIT = re.compile(r"[;\n]+")


# Short org types in rigour's table that are also name parts: on the 2023 CSL's 1,124
# individuals they flagged 19 as companies ("BIN LADEN, Sa'ad", "PAO, Yu Hsiang", "KIM SONG
# II"). Written without dots they are not taken as a legal form; "S.A." still is.
_NAME_LIKE_FORMS = frozenset({"sa", "yu", "pao", "sad", "sem", "ii", "iii", "iv", "as", "da"})


def has_legal_form(name: str) -> bool:
    """True when a name carries a company legal form (Co., Ltd / LLC / GmbH / 有限公司...)."""
    if _CJK_FORMS.search(name):
        return True
    if _EN_FORMS.search(name):
        return True
    for matched, _form in extract_org_types(name.casefold()):
        if "." in matched or matched.strip() not in _NAME_LIKE_FORMS:
            return True
    return False


def guess_schema(declared: str | None, name: str) -> str:
    """The schema a list's type word names; when it names none, guess from the legal form."""
    if declared:
        key = " ".join(declared.strip().lower().split())
        schema = DECLARED_SCHEMAS.get(key)
        if schema is None and ftm_model.get(declared.strip()) is not None:
            schema = declared.strip()
        if schema is not None and schema != "LegalEntity":
            return schema
    return "Company" if has_legal_form(name) else "LegalEntity"


def slug(*parts: str | None) -> str:
    """A lower-case ASCII slug of the given parts (transliterated), for stable ids."""
    text = " ".join(p for p in parts if p)
    return slugify(text, sep="-") or hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class IdRegistry:
    """Hands out unique ids within one file.

    Lists repeat a name (one BIS Entity List party per country section, a DPL person per
    address): the first keeps the plain slug, later ones get a suffix from the record's own
    content, so the id does not depend on where in the file the record sits.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def claim(self, base: str, *distinguishing: object) -> str:
        candidate = base
        if candidate in self._seen:
            digest = hashlib.sha1(
                "|".join(str(d) for d in distinguishing).encode("utf-8")
            ).hexdigest()[:8]
            candidate = f"{base}-{digest}"
            n = 2
            while candidate in self._seen:
                candidate = f"{base}-{digest}-{n}"
                n += 1
        self._seen.add(candidate)
        return candidate

    def __contains__(self, value: object) -> bool:
        return value in self._seen


@lru_cache(maxsize=8192)
def parse_date(text: str | None) -> str | None:
    """An ISO date (or year / year-month prefix) from the formats US lists use."""
    if text is None:
        return None
    value = " ".join(text.replace("circa", "").replace("Circa", "").split()).strip(" .,")
    if not value:
        return None
    cleaned = registry.date.clean(value)
    if cleaned is not None:
        return str(cleaned)
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if "%d" in fmt:
            return parsed.strftime("%Y-%m-%d")
        return parsed.strftime("%Y-%m")
    return None


def split_citations(text: str | None) -> list[str]:
    """Federal Register citations out of a field that runs them together.

    DPL writes "68 F.R. 38290 6/27/03 71 F.R. 38843 7/10/06" with no separator at all, so the
    citation pattern is tried first; other text (e.g. "Vol. 88, No. 151, 08/08/2023") is split
    on newlines and semicolons only, since commas occur inside one citation.
    """
    if not text:
        return []
    found = [" ".join(m.group(0).split()) for m in _FR_CITATION.finditer(text)]
    if found:
        return list(dict.fromkeys(found))
    parts = [" ".join(p.split()).strip(" .") for p in _CITATION_SPLIT.split(text)]
    return list(dict.fromkeys(p for p in parts if p))


def split_multi(value: str | None, sep: str = ";") -> list[str]:
    if not value:
        return []
    return [p.strip() for p in value.split(sep) if p.strip()]


def add_safe(
    entity: EntityBuilder,
    prop: str,
    values: str | Iterable[str | None] | None,
    label: str | None = None,
) -> None:
    """Add to ``prop`` when the schema has it; otherwise keep the text in ``notes``.

    A list may give a passport number for a party it types as an entity: the fact is kept,
    readable, instead of failing the whole file or silently vanishing.
    """
    if values is None:
        return
    schema = ftm_model.get(entity.schema)
    if schema is not None and schema.get(prop) is not None:
        entity.add(prop, values)
        return
    items = [values] if isinstance(values, str) else [v for v in values if v]
    if schema is not None and schema.get("notes") is not None:
        entity.add("notes", [f"{label or prop}: {v}" for v in items])


def upgrade_schema(schema: str, props: Iterable[str]) -> str:
    """The narrowest schema that can hold every property (LegalEntity -> Company for ISIN)."""
    wanted = list(props)
    current = ftm_model.get(schema)
    if current is None or all(current.get(p) is not None for p in wanted):
        return schema
    if schema in ("LegalEntity", "Organization"):
        company = ftm_model.get("Company")
        missing = [p for p in wanted if current.get(p) is None]
        if company is not None and all(company.get(p) is not None for p in missing):
            return "Company"
    return schema


# Names US lists write that rigour's territory table spells differently.
def make_address(
    datasets: list[str],
    full: str,
    *,
    country: str | None = None,
    street: str | None = None,
    city: str | None = None,
    state: str | None = None,
    postal_code: str | None = None,
) -> EntityBuilder:
    """An Address entity keyed by its text and country, so repeats share one id."""
    code = country_code(country)
    address = EntityBuilder("Address", hash_id("addr", " ".join(full.lower().split()), code))
    address.datasets = list(datasets)
    address.add("full", full)
    address.add("street", street)
    address.add("city", city)
    address.add("state", state)
    address.add("postalCode", postal_code)
    address.add("country", code)
    return address


def make_sanction(
    entity: EntityBuilder,
    *,
    authority: str | None,
    programs: Iterable[str] = (),
    start_date: str | Iterable[str | None] | None = None,
    end_date: str | Iterable[str | None] | None = None,
    listing_date: str | Iterable[str | None] | None = None,
    citations: Iterable[str] = (),
    reason: str | Iterable[str | None] | None = None,
    provisions: str | Iterable[str | None] | None = None,
    status: str | None = None,
    source_url: str | None = None,
    record_id: str | None = None,
    description: str | None = None,
    modified_at: str | Iterable[str | None] | None = None,
    country: str | None = None,
) -> EntityBuilder:
    """The Sanction record of one listed party (id ``<entity id>-sanction``)."""
    sanction = EntityBuilder("Sanction", f"{entity.id}-sanction")
    sanction.datasets = list(entity.datasets)
    sanction.add("entity", entity.id)
    sanction.add("authority", authority)
    sanction.add("country", country)
    sanction.add("program", list(programs))
    sanction.add("startDate", _dates(start_date))
    sanction.add("endDate", _dates(end_date))
    sanction.add("listingDate", _dates(listing_date))
    cites = list(citations)
    sanction.add("summary", "; ".join(cites) if cites else None)
    sanction.add("reason", reason)
    sanction.add("provisions", provisions)
    sanction.add("status", status)
    sanction.add("sourceUrl", source_url)
    sanction.add("recordId", record_id)
    sanction.add("description", description)
    sanction.add("modifiedAt", _dates(modified_at))
    sanction.provenance = dict(entity.provenance)  # type: ignore[assignment]
    return sanction


def _dates(values: str | Iterable[str | None] | None) -> list[str]:
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    out = [parse_date(v) for v in items if v]
    return [d for d in out if d]


def provenance(
    list_name: str,
    *,
    list_version: str | None = None,
    record_id: str | None = None,
    programs: Iterable[str] = (),
    listed_on: str | None = None,
    source_url: str | None = None,
    citations: Iterable[str] = (),
) -> dict[str, Any]:
    """Provenance keys as :class:`redflags.model.Provenance` names them (blanks dropped)."""
    return {
        "list": list_name,
        "list_version": list_version,
        "record_id": record_id,
        "programs": list(dict.fromkeys(programs)),
        "listed_on": listed_on,
        "source_url": source_url,
        "citations": list(citations),
    }


def name_key(name: str) -> str:
    """How "Linked To:" remarks name a party of the same file: case and spacing aside."""
    return " ".join(name.split()).upper().rstrip(".")


def link_entities(
    entity: EntityBuilder,
    target_name: str,
    names: Mapping[str, str],
    emitted: set[str],
    prefix: str,
) -> Iterator[EntityBuilder]:
    """An UnknownLink (role "Linked To", as the OFAC parser writes it) to the named party:
    its id when the file lists it (``names``: name key -> id), else a LegalEntity stub
    emitted once per parse (``emitted`` remembers it)."""
    target = names.get(name_key(target_name))
    if target is None:
        target = hash_id(f"{prefix}-party", name_key(target_name))
        if target not in emitted:
            emitted.add(target)
            stub = EntityBuilder("LegalEntity", target)
            stub.datasets = list(entity.datasets)
            stub.add("name", target_name)
            stub.provenance = mention(stub.to_dict())["provenance"]
            yield stub
    if target == entity.id:
        return
    link = EntityBuilder("UnknownLink", hash_id(f"{prefix}-link", entity.id, target))
    link.datasets = list(entity.datasets)
    link.add("subject", entity.id)
    link.add("object", target)
    link.add("role", "Linked To")
    yield link
