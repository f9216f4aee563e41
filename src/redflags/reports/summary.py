"""The terminal summary of a run: counts that reconcile, hits by list, the top hits, and how
current the lists were — what a person reads before opening any file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rich.console import Console
from rich.table import Table

from redflags.reports.context import RunContext
from redflags.screening.checkpoint import Checkpoint


def reconciles(ck: Checkpoint) -> bool:
    return ck.rows_done == ck.screened + ck.rejected


def print_summary(
    console: Console,
    ck: Checkpoint,
    ctx: RunContext,
    *,
    files: Mapping[str, Path] | None = None,
    interrupted: bool = False,
    resumed_from: int = 0,
    top: int = 15,
) -> None:
    """Print the summary; counts first, then evidence pointers, then data currency."""
    console.print()
    # said first too: the counts below are of the part screened, and read as the whole file
    partial = f" [bold yellow](partial: interrupted after {ck.rows_done} rows)[/]" \
        if interrupted else ""
    console.print(f"[bold]Screening of[/] {ctx.input}{partial}")
    console.print(f"Lists: {ctx.catalog}")
    console.print(
        f"Algorithm {ctx.algorithm} {ctx.algorithm_version}, threshold {ctx.threshold:g}, "
        f"up to {ctx.limit} results per row"
    )
    if ctx.columns:
        console.print(f"Columns: {ctx.columns}")
    check = "[green]✓[/]" if reconciles(ck) else "[bold red]✗ does not reconcile[/]"
    console.print(
        f"Rows read [bold]{ck.rows_done}[/] = screened [bold]{ck.screened}[/] + rejected "
        f"[bold]{ck.rejected}[/] {check}"
        + (f"  (resumed after row {resumed_from})" if resumed_from else "")
        + (f"; {ck.blank_rows} blank row{'s' * (ck.blank_rows > 1)} skipped"
           if ck.blank_rows else "")
    )
    if ck.rows_done == 0 and ck.complete:
        console.print("[yellow]warning:[/] the file holds no rows under its header: nothing "
                      "was screened")
    if ck.rejects_by_reason:
        console.print(
            "  rejected: "
            + ", ".join(f"{k} {v}" for k, v in sorted(ck.rejects_by_reason.items()))
        )
    style = "bold red" if ck.rows_with_hits else "green"
    console.print(f"Rows with hits: [{style}]{ck.rows_with_hits}[/] ({ck.hits} hits)")
    if ck.hits_by_list:
        table = Table(title="Hits by list", show_edge=False, title_justify="left")
        table.add_column("list")
        table.add_column("hits", justify="right")
        for name, n in sorted(ck.hits_by_list.items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(name, str(n))
        console.print(table)
    if ck.top_hits:
        shown = min(top, len(ck.top_hits))
        title = "Top hits (best per row)" if shown >= ck.rows_with_hits else (
            f"Top hits (best per row): {shown} of the {ck.rows_with_hits} rows with hits; "
            "every row is in the results files")
        table = Table(title=title, show_edge=False, title_justify="left")
        table.add_column("line", justify="right", no_wrap=True, min_width=4)
        table.add_column("input name", max_width=20, overflow="ellipsis", no_wrap=True)
        table.add_column("score", justify="right", no_wrap=True, min_width=5)
        table.add_column("listed as", max_width=22, overflow="ellipsis", no_wrap=True)
        table.add_column("lists (all hits)", min_width=18, max_width=80, overflow="fold")
        best = sorted(ck.top_hits, key=lambda e: (-e["score"], e["line"]))[:top]
        for e in best:
            # a hit through an owner or a link is no name match: say so before the name
            listed = ("(owned/linked) " if e.get("derived") else "") + e["caption"]
            table.add_row(str(e["line"]), e["name"], f"{e['score']:.2f}", listed,
                          ", ".join(e["lists"]))
        console.print(table)
    lists = Table(title="List versions used", show_edge=False, title_justify="left")
    for col in ("list", "list date", "age (days)", "entities"):
        lists.add_column(col, no_wrap=True)
    for info in ctx.lists:
        age = info.get("age_days")
        stale = bool(info.get("stale"))
        lists.add_row(
            info["name"], str(info.get("list_date") or "?"),
            f"[bold yellow]{age}[/]" if stale else str(age if age is not None else "?"),
            str(info.get("entity_count", "")),
        )
    console.print(lists)
    old = ctx.stale_lists()
    if old:
        # one warning, not one a list: on the bundled snapshot ten lines of it buried the
        # outputs below
        ages = ", ".join(f"{info['name']} ({info.get('age_days')} days)" for info in old)
        console.print(
            f"[bold yellow]warning:[/] {len(old)} of {len(ctx.lists)} lists are older than "
            f"their usual update cycle: {ages}. Run `redflags update` for the current lists."
        )
    if files:
        console.print("Outputs:")
        for key, path in files.items():
            console.print(f"  {key:9} {path}")
    if interrupted:
        console.print(
            f"[bold yellow]Interrupted[/] after {ck.rows_done} rows; everything up to that "
            "row is written. Run again with --resume to continue."
        )
