"""`redflags check NAME`: screen one name from the command line, with the evidence."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from redflags.cli.common import (
    AlgorithmOption,
    ListsOption,
    StoreOption,
    ThresholdOption,
    console,
    err_console,
    existing_store,
    friendly_errors,
    load_kernels_noting,
)
from redflags.errors import RedflagsError
from redflags.model import hash_id
from redflags.reports.check import limited, print_check
from redflags.reports.results import hit_record
from redflags.screening.columns import ColumnMap, Reject, build_query, parse_date

EXIT_HITS = 3
# results ranked for a check whatever --limit shows, to count the hits it hides
COUNTED = 25


class QueryType(StrEnum):
    """The types a query can be built as (``columns.schema_for``): a choice, because any
    other word ("ship") would silently screen as any legal entity."""

    person = "person"
    company = "company"
    organization = "organization"


@friendly_errors
def check(
    name: Annotated[str, typer.Argument(help="The name to screen, in any script.")],
    type_: Annotated[
        QueryType | None,
        typer.Option("--type", case_sensitive=False,
                     help="What NAME is (default: guessed from the other options, else any "
                     "legal entity)."),
    ] = None,
    country: Annotated[
        str | None, typer.Option(help="Country name or code (several: comma-separated).")
    ] = None,
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help="Date of birth (a person).")
    ] = None,
    incorporated: Annotated[
        str | None, typer.Option("--incorporated", help="Incorporation date (a company).")
    ] = None,
    lei: Annotated[str | None, typer.Option(help="LEI code.")] = None,
    registration: Annotated[
        str | None, typer.Option("--registration-number", help="Registration number.")
    ] = None,
    isin: Annotated[str | None, typer.Option(help="ISIN.")] = None,
    tax_id: Annotated[str | None, typer.Option("--tax-id", help="Tax number.")] = None,
    address: Annotated[str | None, typer.Option(help="Address.")] = None,
    alias: Annotated[
        str | None, typer.Option(help="Other names, separated by ';'.")
    ] = None,
    list_: ListsOption = None,
    threshold: ThresholdOption = None,
    limit: Annotated[
        int, typer.Option(min=1, help="Ranked results shown (each followed by the same "
                          "party's entries on other lists, marked ↳).")
    ] = 5,
    algorithm: AlgorithmOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the results as JSON (the query and every "
                           "result with its explanation and list entry).")
    ] = False,
    fail_on_hit: Annotated[
        bool, typer.Option("--fail-on-hit", help="Exit with code 3 when the name is a hit.")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Screen one name against the lists: ranked results, why each hit matched, and the
    list entry as published.

    Exit codes: 0 done, 3 a hit with --fail-on-hit, 2 error.
    """
    from redflags.matching import DEFAULT_THRESHOLD
    from redflags.screening.engine import load_engine
    from redflags.screening.job import engine_target

    row = {"name": name, "type": type_.value if type_ else None, "country": country,
           "birth_date": birth_date, "incorporation_date": incorporated, "lei": lei,
           "registration_number": registration, "isin": isin, "tax_id": tax_id,
           "address": address, "alias": alias}
    given = {role: value for role, value in row.items() if value is not None}
    # a file's row is screened without a date it does not understand (with a note); a date
    # typed here is refused, so that it can be typed again
    for role, label in (("birth_date", "date of birth"), ("incorporation_date",
                                                           "incorporation date")):
        if given.get(role) and not parse_date(str(given[role])):
            raise RedflagsError(f"cannot screen {name!r}: unparsable {label} "
                                f"{given[role]!r} (write it YYYY-MM-DD)")
    # the same query a file row with these columns would make: one set of rules for both
    built = build_query(given, ColumnMap({role: role for role in given}), 1)
    if isinstance(built, Reject):
        raise RedflagsError(f"cannot screen {name!r}: {built.message}")
    # the query's id from what was typed (a file row's comes from its line: every check
    # was "line 1", and two --json outputs could not be told apart by id)
    query = {**built.entity, "id": hash_id("q", *sorted(given.items()))}
    used = DEFAULT_THRESHOLD if threshold is None else threshold
    engine = load_engine(existing_store(store), list_,
                         on_build=lambda msg: err_console.print(msg))
    load_kernels_noting()
    target = engine_target(engine, algorithm)
    # ranked past --limit, so that the header can say how many hits the limit hides
    hits = target.screen(query, threshold=used, limit=max(limit, COUNTED))
    records = [hit_record(h) for h in hits]
    for note in built.notes:
        err_console.print(f"[yellow]note:[/] {note}")
    lists = [i.to_dict() for i in engine.lists]
    if as_json:
        out = {"query": query, "threshold": used, "results": limited(records, limit),
               "lists": lists}
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1, default=str) + "\n")
    else:
        print_check(console, query, records, threshold=used, lists=lists, limit=limit)
    if fail_on_hit and any(r["match"] for r in records):
        sys.exit(EXIT_HITS)


__all__ = ["check"]
