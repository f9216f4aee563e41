"""JSON transcriptions of US restricted-party lists (BIS Entity List, MEU, UFLPA, FCC Covered,
DoD 1260H, OFAC NS-CMIC, DPL...) to FtM entities.

Each file is ``{list_id, source_file, extracted, count, entities: [{name, aliases, country,
address, status, effective_date, federal_register, notes}]}``. The lists number nothing, so
ids are slugs of name and country; ``count`` is checked against what was read, because a
transcription that lost records must not pass for a shorter list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redflags.errors import SourceError
from redflags.model import EntityBuilder, FtMEntity, related_provenance
from redflags.sources.base import ParseContext, read_json
from redflags.sources.party import (
    IdRegistry,
    add_safe,
    country_code,
    guess_schema,
    link_entities,
    make_address,
    make_sanction,
    name_key,
    parse_date,
    provenance,
    slug,
    split_citations,
    upgrade_schema,
)

# list_id in the file -> (authority, program, official page)
LISTS: dict[str, tuple[str, str, str | None]] = {
    "bis-entity-list": (
        "US Department of Commerce, Bureau of Industry and Security",
        "Entity List (15 CFR 744 Supp. 4)",
        "https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744",
    ),
    "bis-meu": (
        "US Department of Commerce, Bureau of Industry and Security",
        "Military End-User List (15 CFR 744 Supp. 7)",
        "https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744",
    ),
    "bis-dpl": (
        "US Department of Commerce, Bureau of Industry and Security",
        "Denied Persons List",
        "https://www.bis.gov/licensing/end-user-guidance/denied-persons-list-dpl",
    ),
    "dhs-uflpa": (
        "US Department of Homeland Security, Forced Labor Enforcement Task Force",
        "UFLPA Entity List",
        "https://www.dhs.gov/uflpa-entity-list",
    ),
    "fcc-covered": (
        "US Federal Communications Commission",
        "FCC Covered List (Secure Networks Act)",
        "https://www.fcc.gov/supplychain/coveredlist",
    ),
    "dow-1260h": (
        "US Department of Defense (Department of War)",
        "Section 1260H Chinese Military Companies",
        None,
    ),
    "dow-1286": (
        "US Department of Defense (Department of War)",
        "Section 1286 List",
        "https://basicresearch.defense.gov/Programs/Academic-Research-Security/",
    ),
    "ofac-nscmic": (
        "US Department of the Treasury, OFAC",
        "NS-CMIC List",
        "https://ofac.treasury.gov/consolidated-sanctions-list/ns-cmic-list",
    ),
    "ofac-eo14032": ("US Department of the Treasury, OFAC", "E.O. 14032 Annex", None),
    "state-nonproliferation": ("US Department of State", "Nonproliferation Sanctions", None),
    "state-debarred-statutory": (
        "US Department of State, Directorate of Defense Trade Controls",
        "ITAR Statutory Debarment",
        None,
    ),
    "state-debarred-admin": (
        "US Department of State, Directorate of Defense Trade Controls",
        "ITAR Administrative Debarment",
        None,
    ),
    "cbp-wro": (
        "US Customs and Border Protection",
        "Withhold Release Orders and Findings",
        "https://www.cbp.gov/document/stats/withhold-release-orders-findings",
    ),
}

# "Key: value" parts of `notes` that carry structure (NS-CMIC, DPL); the rest is prose.
_NOTE_PART = re.compile(r"^\s*([A-Za-z][A-Za-z ()/-]{1,40}?)\s*:\s*(.+?)\s*$")
# 2: names cut apart at "a.k.a." / "f.k.a." and freed of the brackets a cut left
# 3: a date every record shares is the list's publication, no listing date (ONE_DATE_MIN)
PARSER_VERSION = "3"
ONE_DATE_MIN = 10
_PARENS = re.compile(r"\s*\([^)]*\)\s*$")
# The transcriptions keep a listing's "(a.k.a. ...)" inside its name or alias where the
# Federal Register text was cut at a parenthesis: "Rosneft (a.k.a. Open Joint-Stock Company
# Rosneft Oil Company", "Lukoil, OAO (a.k.a. Lukoil", "X, a.k.a., Y". Such a label is
# several names (f.k.a.: a former one); the words that only announce the next lines ("the
# following two aliases:") and the bracket a cut left open or closed are no part of a name.
_AKA = re.compile(r"\s*[,;]?\s*(\(?)\s*\b([adf])[./]k[./]a\.?(?=[\s,:(]|$)[,:]?\s*", re.I)
_FOLLOWING = re.compile(r"[,;]?\s*the following (?:\w+ )?alias(?:es)?\s*:?\s*$", re.I)
_LABEL_EDGE = " \t,;:"
# "Sabanican Company (a.k.a." whose alias went into the address: "Sabanican Pad Co.), Unit..."
_ADDRESS_HEAD = re.compile(r"^([^()]{2,80}?)\)\s*,\s*(.+)$", re.S)

_ADDRESS_SPLIT = re.compile(r";\s*(?:and\s+)?")
_ENTITY_KEYS = ("name", "aliases", "country", "address", "effective_date", "federal_register")


def list_date(path: Path) -> str | None:
    """The date the transcription was extracted from the official list."""
    data = _load(path)
    return _str(data.get("extracted"))


def parse(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """Stream entities, their Sanctions and Addresses; raise if ``count`` disagrees."""
    data = _load(path)
    list_id = str(data.get("list_id") or ctx.list_name)
    authority, program, page = LISTS.get(list_id, (ctx.publisher or "", list_id, None))
    list_date = ctx.options.get("list_date") or _str(data.get("extracted"))
    entities = data.get("entities")
    if not isinstance(entities, list):
        raise SourceError(path, 'no "entities" list: not a US list transcription')
    prefix = slug(ctx.list_name)
    # First pass: ids and a name index, so "Linked To: X" can point at X's id in this file.
    ids = IdRegistry()
    entity_ids: list[str] = []
    cuts: list[_Labels] = []  # names cut apart once, for the index here and the entity
    names: dict[str, str] = {}
    for index, item in enumerate(entities):
        if not isinstance(item, dict) or not _str(item.get("name")):
            raise SourceError(path, "entity without a name", record=str(index))
        entity_id = ids.claim(_base_id(prefix, item), *[_str(item.get(k)) for k in _ENTITY_KEYS])
        entity_ids.append(entity_id)
        aliases = item.get("aliases")
        cut = _labels(item)
        cuts.append(cut)
        labels: list[Any] = [item.get("name"), *(aliases if isinstance(aliases, list) else []),
                             cut.name, *cut.aliases, *cut.previous]
        for label in labels:
            if isinstance(label, str) and label.strip():
                names.setdefault(name_key(label), entity_id)
    # One effective date on every record of a long list is the date the list was
    # published, not when each party was listed: DoD republishes its 1260H list whole each
    # year, and all 80 entries read "listed on 2026-06-10" (Hikvision since 2021).
    effective = {_str(item.get("effective_date")) for item in entities}
    run = _Run(
        ctx=ctx, prefix=prefix, authority=authority or None, program=program,
        source_url=ctx.source_url or page, list_date=list_date, names=names,
        publication_dates=len(entities) >= ONE_DATE_MIN and len(effective) == 1,
    )  # fmt: skip
    yielded = 0
    for item, entity_id, cut in zip(entities, entity_ids, cuts, strict=True):
        yield from _entity(run, item, entity_id, cut)
        yielded += 1
    declared = data.get("count")
    if declared is not None and declared != yielded:
        raise SourceError(path, f"file says count={declared} but holds {yielded} entities")


def _load(path: Path) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise SourceError(path, "top level is not an object: not a US list transcription")
    return data


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def parse_notes(notes: str | None) -> tuple[dict[str, list[str]], list[str]]:
    """Split ``notes`` into known "Key: value" facts and the remaining prose.

    "Target Type: Public Company; Listing Date (CMIC): 03 Jun 2021; USCC: 91330000733796106P
    (China); Program: CMIC-EO13959" gives {"target type": [...], "uscc": [...], ...}.
    """
    facts: dict[str, list[str]] = {}
    prose: list[str] = []
    if not notes:
        return facts, prose
    for part in notes.split(";"):
        m = _NOTE_PART.match(part)
        key = m.group(1).strip().lower() if m else ""
        if m and key in _NOTE_KEYS:
            facts.setdefault(key, []).append(m.group(2))
        elif part.strip():
            prose.append(part.strip())
    return facts, prose


_NOTE_KEYS = frozenset(
    {
        "uscc", "isin", "program", "listing date (cmic)", "listing date", "target type",
        "linked to", "expires", "type of denial", "lei", "registration number",
    }
)  # fmt: skip


@dataclass
class _Run:
    """What one parse shares across records."""

    ctx: ParseContext
    prefix: str
    authority: str | None
    program: str
    source_url: str | None
    list_date: str | None
    names: dict[str, str]
    emitted: set[str] = field(default_factory=set)
    # the records' effective dates are the list's publication date (see parse)
    publication_dates: bool = False


@dataclass
class _Labels:
    name: str
    aliases: list[str] = field(default_factory=list)
    previous: list[str] = field(default_factory=list)
    address: str | None = None


def _balanced(text: str) -> str:
    """A label without the bracket a cut left open or closed at its end."""
    text = text.strip(_LABEL_EDGE)
    while text.endswith("(") or (text.endswith(")") and text.count(")") > text.count("(")):
        text = text[:-1].strip(_LABEL_EDGE)
    if text.count("(") > text.count(")") and text.startswith("("):
        text = text[1:].strip(_LABEL_EDGE)
    return text


def _closed(text: str) -> str:
    """What a bracketed a.k.a. names: up to the bracket that closes it ("Choe Chol Min) (DPRK
    individual)" is the name and a remark)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return text[:i]
    return text


def _split_label(text: str) -> tuple[list[tuple[str, str]], bool]:
    """A label's names as (kind, name), kind "" for the first, "a"/"d"/"f" after an
    a.k.a./d.b.a./f.k.a.; and whether it ends with an a.k.a. whose name is missing."""
    parts = _AKA.split(_FOLLOWING.sub("", text))
    out = [("", _balanced(parts[0]))]
    for paren, kind, name in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
        out.append((kind.lower(), _balanced(_closed(name) if paren else name)))
    dangling = len(parts) > 1 and not out[-1][1]
    return [(k, n) for k, n in out if n], dangling


def _labels(item: dict[str, Any]) -> _Labels:
    """The names, former names and address of a transcribed listing, cut apart."""
    raw = _str(item.get("name")) or ""
    address = _str(item.get("address"))
    names, dangling = _split_label(raw)
    if not names:
        names = [("", raw)]
    labels = _Labels(names[0][1], address=address)
    if dangling and address and (head := _ADDRESS_HEAD.match(address)):
        names.append(("a", _balanced(head.group(1))))
        labels.address = head.group(2)
    aliases = item.get("aliases") or []
    for alias in aliases if isinstance(aliases, list) else [aliases]:
        text = _str(alias)
        if text:
            names.extend(("a" if k == "" else k, n) for k, n in _split_label(text)[0])
    for kind, name in names[1:]:
        (labels.previous if kind == "f" else labels.aliases).append(name)
    return labels


def _base_id(prefix: str, item: dict[str, Any]) -> str:
    name = _str(item.get("name")) or ""
    raw_country = _str(item.get("country"))
    return f"{prefix}-{slug(name, country_code(raw_country) or raw_country)}"


def _entity(run: _Run, item: dict[str, Any], entity_id: str,
            labels: _Labels) -> Iterator[FtMEntity]:
    ctx = run.ctx
    name = _str(item.get("name")) or ""
    raw_country = _str(item.get("country"))
    country = country_code(raw_country)
    facts, prose = parse_notes(_str(item.get("notes")))

    props = ["uscCode"] if "uscc" in facts else []
    props += ["isinCode"] if "isin" in facts else []
    schema = upgrade_schema(guess_schema(None, name), props)
    entity = EntityBuilder(schema, entity_id)
    entity.datasets = [ctx.list_name]
    entity.add("name", labels.name)
    entity.add("alias", [a for a in labels.aliases if a != labels.name])
    add_safe(entity, "previousName", labels.previous)
    entity.add("topics", "sanction")
    entity.add("country", country)
    if raw_country and country is None:
        entity.add("notes", f"Country: {raw_country}")
    add_safe(entity, "uscCode", [_PARENS.sub("", v) for v in facts.get("uscc", [])])
    add_safe(entity, "isinCode", facts.get("isin"))
    add_safe(entity, "leiCode", facts.get("lei"))
    add_safe(entity, "registrationNumber", facts.get("registration number"))
    add_safe(entity, "classification", facts.get("target type"))

    related: list[EntityBuilder] = []
    for part in _ADDRESS_SPLIT.split(labels.address or ""):
        full = part.strip(" .")
        if not full:
            continue
        address = make_address(entity.datasets, full, country=country)
        add_safe(entity, "address", full)
        add_safe(entity, "addressEntity", address.id)
        if address.id not in run.emitted:
            run.emitted.add(address.id)
            related.append(address)
    for target_name in facts.get("linked to", []):
        related.extend(link_entities(entity, target_name, run.names, run.emitted, run.prefix))

    programs = facts.get("program") or [run.program]
    citations = split_citations(item.get("federal_register"))
    effective = None if run.publication_dates else parse_date(_str(item.get("effective_date")))
    listing = [parse_date(v) for v in facts.get("listing date (cmic)", [])]
    listing += [parse_date(v) for v in facts.get("listing date", [])]
    entity.set_provenance(
        **provenance(
            ctx.list_name,
            list_version=run.list_date,
            record_id=name,
            programs=programs,
            listed_on=effective or next((d for d in listing if d), None),
            source_url=run.source_url,
            citations=citations,
        )
    )
    sanction = make_sanction(
        entity,
        authority=run.authority,
        programs=programs,
        start_date=effective,
        end_date=facts.get("expires"),
        listing_date=listing if any(listing) else None,
        citations=citations,
        reason="; ".join(prose) or None,
        provisions=[f"Type of denial: {v}" for v in facts.get("type of denial", [])],
        status=_str(item.get("status")),
        source_url=run.source_url,
        country="us",
    )
    for address_entity in related:
        address_entity.provenance = related_provenance(address_entity.to_dict(), entity.provenance)
    yield entity.to_dict()
    yield sanction.to_dict()
    for address_entity in related:
        yield address_entity.to_dict()
