"""The terminal answer for one name (`redflags check`): the ranked hits, why the best ones
matched, the list entries as published, and how current the lists are."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from redflags.matching.glossary import describe
from redflags.reports.explain import compared, derived_summary

# Features whose contribution is below this are left out of the "why" table (they are in
# --json): a dozen near-zero rows hide the two that decided.
SHOWN_CONTRIBUTION = 0.01
# Where a list gives no listing date (the BIS Entity List, OFAC's SDN list): never a guess.
NO_DATE = "—"
NOT_GIVEN = "not given by the list"


def print_check(
    console: Console,
    query: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    *,
    threshold: float,
    lists: Sequence[Mapping[str, Any]],
    limit: int | None = None,
    explain: int = 3,
) -> None:
    """``records`` are hits as ``reports.results.hit_record`` makes them (shown best
    first, at most ``limit`` ranked entries, each followed by the same party's entries on
    other lists); the first ``explain`` distinct matches get their feature table and list
    entry."""
    props = query.get("properties") or {}
    facts = [f"{k}={', '.join(v)}" for k, v in props.items() if k != "name" and v]
    console.print(
        f"[bold]{', '.join(props.get('name') or [])}[/] ({query.get('schema')})"
        + (f"  {'; '.join(facts)}" if facts else "")
    )
    every = _groups(records)
    groups = every[:limit]
    shown = [r for group in groups for r in group]
    matches = [r for r in shown if r["match"]]
    # hits past --limit: "1 hit" for a name with five read as all there is
    hidden = sum(1 for group in every[len(groups):] for r in group if r["match"])
    below = len(shown) - len(matches)
    same_party = sum(len(group) - 1 for group in groups)
    if matches:
        # the count is of the rows printed: "5 hit(s)" above six rows read as a miscount
        head = f"[bold red]{len(matches)} hit{'s' * (len(matches) > 1)}[/] at threshold " \
            f"{threshold:g}"
        if below:
            head = f"{len(shown)} results: {head}, {below} below it (dimmed)"
        if same_party:
            head += f"; {same_party} of them (↳) the same party on another list"
        if hidden:
            head += f"; {hidden} more hit{'s' * (hidden > 1)} past --limit {limit}"
        console.print(head)
    else:
        console.print(f"[green]No hit[/] at threshold {threshold:g}"
                      + (" (closest results below)" if shown else ""))
    if shown:
        table = Table(show_edge=False)
        table.add_column("#", justify="right")
        table.add_column("score", justify="right")
        table.add_column("listed as (matched name)", ratio=3)
        table.add_column("list: program", ratio=3, overflow="fold")
        table.add_column("listed on", no_wrap=True)
        separated = not matches  # with no hit at all the header already says so
        for number, group in enumerate(groups, 1):
            for r in group:
                if not r["match"] and not separated:  # groups are by score: hits first
                    separated = True
                    table.add_section()
                    table.add_row("", "", f"below the threshold {threshold:g}: not hits",
                                  "", "", style="dim italic")
                listed = str(r.get("caption") or r.get("entity_id"))
                matched = r.get("matched_name")
                if r.get("derived"):
                    # first, as the summary writes it: the name matched is the screened
                    # party's, not the listed one's (and "[through ownership]" at the end
                    # was read by Rich as markup, and vanished)
                    listed = f"(owned/linked) {listed}" + (f", via {matched}" if matched else "")
                elif matched and matched.casefold() != listed.casefold():
                    # a name redflags added (a listed company's own-script name) is no name
                    # the list gives: "ZTE Corporation (中兴通讯股份有限公司)" read as listed
                    added = matched in (r.get("enriched_aliases") or [])
                    listed += f" ({matched}{', added by redflags' if added else ''})"
                listed = escape(listed)  # list text may hold "[...]"
                programs = ", ".join(r.get("programs") or [])
                score = f"{r['score']:.2f}"
                table.add_row(
                    str(number) if r is group[0] else "↳",
                    f"[bold red]{score}[/]" if r["match"] else score, listed,
                    ", ".join(r.get("lists") or []) + (f": {programs}" if programs else ""),
                    str(r.get("listed_on") or NO_DATE),
                    style=None if r["match"] else "dim",
                )
        console.print(table)
        if any(not r.get("listed_on") for r in shown):
            # BIS and OFAC SDN entries carry no listing date: an empty cell read as a bug
            console.print(f"{NO_DATE} listed on: {NOT_GIVEN}", style="dim")
    shown_features: dict[str, None] = {}
    if not matches and shown:
        # no hit: why the closest result fell short is what a reviewer asks next
        shown_features.update(dict.fromkeys(_print_why(console, query, shown[0])))
    explained: set[str] = set()
    for r in matches:
        # siblings (one party on several lists) share their explanation: show it once
        key = str(r.get("matched_name") or r.get("caption")).casefold()
        if key in explained or len(explained) >= explain:
            continue
        explained.add(key)
        shown_features.update(dict.fromkeys(_print_why(console, query, r)))
    _print_legend(console, shown_features)
    _print_lists(console, lists)


def _print_legend(console: Console, features: Mapping[str, None]) -> None:
    """What the features in the tables above measure: "name_weakest" means nothing to a
    reviewer who has not read the scorer."""
    lines = [f"  {name}: {text}" for name in features if (text := describe(name))]
    if lines:
        console.print()
        console.print("[bold]What the features measure[/]")
        for line in lines:
            console.print(escape(line), style="dim")


def limited(records: Sequence[Mapping[str, Any]], limit: int) -> list[Mapping[str, Any]]:
    """The records of the ``limit`` best ranked entries and their same-party entries, in
    their order (as ``print_check`` shows them)."""
    kept = {id(r) for group in _groups(records)[:limit] for r in group}
    return [r for r in records if id(r) in kept]


def _groups(records: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Ranked entries, best first, each with the same party's entries on other lists (the
    siblings the engine adds after the hit that brought them) in its group: ``--limit``
    counts entries, and a sibling never lands apart from its hit."""
    groups: list[list[Mapping[str, Any]]] = []
    by_id: dict[str, list[Mapping[str, Any]]] = {}
    for r in records:
        via = next((ev.get("via") for ev in r.get("evidence") or []
                    if isinstance(ev, Mapping) and ev.get("kind") == "same_party"), None)
        group = by_id.get(str(via)) if via else None
        if group is None and via and groups:
            group = groups[-1]
        if group is not None:
            group.append(r)
            continue
        groups.append([r])
        by_id[str(r.get("entity_id"))] = groups[-1]
    return sorted(groups, key=lambda g: -float(g[0]["score"]))


def _print_why(console: Console, query: Mapping[str, Any], r: Mapping[str, Any]) -> list[str]:
    """The feature table of one result and its list entry; returns the features shown."""
    console.print()
    how = "is a hit through ownership or a link" if r.get("derived") else "scored"
    console.print(f"[bold]Why {escape(str(r.get('caption')))}[/] {how} {r['score']:.2f} "
                  f"({r.get('algorithm')} {r.get('algorithm_version')}): "
                  + escape(f"{r.get('query_name')!r} ~ {r.get('matched_name')!r}"))
    names = (r.get("query_name"), r.get("matched_name"))
    rows = []
    for e in r.get("explanation") or []:
        if abs(e["contribution"]) < SHOWN_CONTRIBUTION:  # also every 0-valued feature
            continue
        pair = (e.get("query_value"), e.get("candidate_value"))
        # the name features all compare the pair named above: the others compare
        # properties (countries, dates...), which the scorer leaves out of the explanation
        note = "" if pair == names else " ~ ".join(str(x) for x in pair if x)
        note = note or str(e.get("detail") or "") or compared(
            e["name"], query.get("properties") or {}, r.get("properties") or {})
        rows.append((e["name"], f"{e['value']:.2f}", f"{e['contribution']:+.2f}", note[:80]))
    table = Table(show_edge=False)
    for col in ("feature", "value", "contribution"):
        table.add_column(col, justify="left" if col == "feature" else "right")
    if any(row[3] for row in rows):  # a column that is always empty only puzzles
        table.add_column("compared")
    for row in rows:
        table.add_row(*(row if len(table.columns) == 4 else row[:3]))
    if rows and "baseline" in r:
        # the features alone did not add up to the score: the model starts from a baseline
        # for the kind of pair (a company's name against companies...), in the same units
        table.add_section()
        cells = ("baseline (this kind of pair)", "", f"{float(r['baseline']):+.2f}", "")
        table.add_row(*cells[:len(table.columns)], style="dim")
        total = float(r["baseline"]) + sum(
            float(e["contribution"]) for e in r.get("explanation") or [])
        capped = " (capped: a score is never certainty)" if 1 / (1 + math.exp(-total)) > \
            float(r["score"]) + 0.005 else ""
        cells = (f"sum → score {float(r['score']):.2f}{capped}", "", f"{total:+.2f}", "")
        table.add_row(*cells[:len(table.columns)], style="dim")
    console.print(table)
    entry = [("record", r.get("record_id")), ("list version", r.get("list_version")),
             ("source", r.get("source_url")),
             ("citations", ", ".join(r.get("citations") or []))]
    for key, value in entry:
        if value:
            console.print(f"  {key}: {value}")
    for ev in r.get("evidence") or []:
        if ev.get("kind") == "derived":
            screened = (ev.get("screened_entity") or {}).get("caption")
            console.print(escape(f"  through ownership: {screened} — {ev.get('relation')} "
                                 f"{ev.get('share') or ''} — {ev.get('listed_name')} "
                                 f"({ev.get('rule')}: {ev.get('verdict')})"))
            console.print(escape(f"  {derived_summary(ev)}"))
    return [row[0] for row in rows]


def _print_lists(console: Console, lists: Sequence[Mapping[str, Any]]) -> None:
    dated = [f"{i['name']} {i.get('list_date') or '?'}" for i in lists]
    console.print()
    console.print("Lists: " + ", ".join(dated), style="dim")
    stale = sorted((i for i in lists if i.get("stale")), key=lambda i: -(i.get("age_days") or 0))
    if stale:
        # one line, not one per list: a check is read in a terminal between other commands
        console.print(
            f"[bold yellow]warning:[/] {len(stale)} of {len(lists)} lists are past their "
            f"update period (oldest: {stale[0]['name']}, {stale[0].get('age_days')} days); "
            "run `redflags update` for the current lists"
        )
