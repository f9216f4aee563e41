"""BIS Denied Persons List (official tab-separated ``dpl.txt``) to FtM entities.

The file has one row per address of a denied party, numbers nothing, and does not say whether
a party is a person or a company; rows are grouped by name into one entity (id: slug of the
name, since the list gives no key), each address becoming an Address entity.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from redflags.errors import SourceError
from redflags.model import EntityBuilder, FtMEntity, related_provenance
from redflags.sources.base import ParseContext, read_csv_rows
from redflags.sources.party import (
    IdRegistry,
    country_code,
    guess_schema,
    make_address,
    make_sanction,
    parse_date,
    provenance,
    slug,
    split_citations,
)

AUTHORITY = "US Department of Commerce, Bureau of Industry and Security"
PROGRAM = "Denied Persons List"
SOURCE_URL = "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/denied-persons-list"
COLUMNS = (
    "name", "street_address", "city", "state", "country", "postal_code", "effective_date",
    "expiration_date", "standard_order", "last_update", "action", "fr_citation",
)  # fmt: skip

US_STATES = frozenset(
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
        "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
        "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
        "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI",
    }
)  # fmt: skip
_US_ZIP = re.compile(r"^\d{5}(-\d{4})?$")


def parse(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """Entities, Sanctions and Addresses of the DPL.

    Rows are buffered to group a party's addresses: the file is sorted by name, but not
    strictly (in the 2023-11 file one of 545 names recurs apart), and it stays small (~700
    rows, 170 kB), so holding it costs nothing.
    """
    rows = read_csv_rows(path, delimiter="\t")
    try:
        _line, header = next(rows)
    except StopIteration:
        raise SourceError(path, "file is empty") from None
    columns = [h.strip().lower() for h in header]
    if "name" not in columns or "effective_date" not in columns:
        raise SourceError(
            path,
            f"not a Denied Persons List: headers are {', '.join(header[:12])}",
            line=1,
        )
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        if len(row) != len(columns):
            raise SourceError(
                path, f"row has {len(row)} fields, the header has {len(columns)}", line=line
            )
        record = {k: v.strip() for k, v in zip(columns, row, strict=True)}
        name = " ".join(record["name"].split())
        if not name:
            raise SourceError(path, "row has no name", line=line)
        groups.setdefault(name.upper(), []).append((line, record))
    ids = IdRegistry()
    seen_addresses: set[str] = set()
    for key, records in groups.items():
        yield from _party(ctx, key, records, ids, seen_addresses)


def _party(
    ctx: ParseContext,
    key: str,
    records: list[tuple[int, dict[str, str]]],
    ids: IdRegistry,
    seen_addresses: set[str],
) -> Iterator[FtMEntity]:
    _first_line, first = records[0]
    name = " ".join(first["name"].split())
    entity = EntityBuilder(guess_schema(None, name), ids.claim(f"bis-dpl-{slug(key)}", key))
    entity.datasets = [ctx.list_name]
    entity.add("name", name)
    entity.add("topics", "sanction")

    related: list[EntityBuilder] = []
    citations: list[str] = []
    for _line, rec in records:
        for cite in split_citations(rec.get("fr_citation")):
            if cite not in citations:
                citations.append(cite)
        entity.add("country", country_code(rec.get("country")))
        address = _address(entity.datasets, rec)
        if address is None:
            continue
        entity.add("address", address.first("full"))
        entity.add("addressEntity", address.id)
        entity.add("country", address.first("country"))
        if address.id not in seen_addresses:
            seen_addresses.add(address.id)
            related.append(address)

    starts = sorted({d for d in (parse_date(r.get("effective_date")) for _, r in records) if d})
    entity.set_provenance(
        **provenance(
            ctx.list_name,
            list_version=ctx.options.get("list_date"),
            record_id=name,
            programs=[PROGRAM],
            listed_on=starts[0] if starts else None,
            source_url=ctx.source_url or SOURCE_URL,
            citations=citations,
        )
    )
    orders = {r.get("standard_order", "").upper() for _, r in records}
    sanction = make_sanction(
        entity,
        authority=AUTHORITY,
        programs=[PROGRAM],
        start_date=starts,
        end_date=[r.get("expiration_date") for _, r in records],
        citations=citations,
        provisions=[
            "Standard denial order" if o == "Y" else "Non-standard denial order"
            for o in sorted(orders)
            if o in ("Y", "N")
        ],
        description="; ".join(dict.fromkeys(r["action"] for _, r in records if r.get("action")))
        or None,
        modified_at=[r.get("last_update") for _, r in records],
        source_url=SOURCE_URL,
        country="us",
    )
    for item in related:
        item.provenance = related_provenance(item.to_dict(), entity.provenance)
    yield entity.to_dict()
    yield sanction.to_dict()
    for item in related:
        yield item.to_dict()


def _address(datasets: list[str], rec: dict[str, str]) -> EntityBuilder | None:
    street, city, state = rec.get("street_address"), rec.get("city"), rec.get("state")
    postal, country = rec.get("postal_code"), rec.get("country")
    if not country and state in US_STATES and _US_ZIP.match(postal or ""):
        country = "US"  # the DPL leaves the country blank on most US addresses
    parts = [p for p in (street, city, state, postal, country) if p]
    if not parts or (len(parts) == 1 and parts[0] == country):
        return None
    return make_address(
        datasets,
        ", ".join(parts),
        country=country_code(country),
        street=street,
        city=city,
        state=state,
        postal_code=postal,
    )
