"""Commands about lists: update, import, lists, versions, diff, export."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from redflags.cli.common import (
    StoreOption,
    console,
    err_console,
    existing_store,
    friendly_errors,
    resolve_store,
)
from redflags.config import data_dir
from redflags.errors import RedflagsError
from redflags.sources import FORMATS, guess_format
from redflags.sources.registry import LISTS
from redflags.store import Store, open_catalog
from redflags.store.duck import DEFAULT_MAX_SHRINK, MIN_SUSPICIOUS_SHRINK
from redflags.store.update import UpdateOutcome, mirrored, updatable_specs, update_lists


@friendly_errors
def update(
    lists: Annotated[
        list[str] | None, typer.Argument(help="Lists to update (default: every configured list).")
    ] = None,
    store: StoreOption = None,
    force: Annotated[
        bool, typer.Option(help="Re-download and accept a large shrink of a list, or a list "
                           "dated before the current version.")
    ] = False,
    max_shrink: Annotated[
        float,
        typer.Option(help="Refuse a new version losing more than this share of entities "
                     f"(a loss of fewer than {MIN_SUSPICIOUS_SHRINK} is always accepted)."),
    ] = DEFAULT_MAX_SHRINK,
    timeout: Annotated[float, typer.Option(help="HTTP timeout in seconds.")] = 60.0,
    retries: Annotated[int, typer.Option(help="Retries per file, with exponential backoff.")] = 3,
    mirror: Annotated[
        str | None,
        typer.Option(help="Fetch from this URL instead of the official ones: a mirror that "
                     "serves each list's files under their official names (sdn.csv, ...)."),
    ] = None,
) -> None:
    """Download every configured list from its official URL and import the new versions."""
    from redflags.sources.fetch import Fetcher

    path = resolve_store(store)
    specs = updatable_specs(lists)
    if mirror:
        specs = mirrored(specs, mirror)
    fetcher = Fetcher(timeout=timeout, retries=retries)
    failed = False
    with Store(path) as st:
        if st.is_empty():
            seeded = st.seed_from_bundle()
            if seeded:
                console.print(f"Seeded the new store {path} with the bundled snapshot.")
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        ) as progress:
            tasks: dict[str, int] = {}

            def on_bytes(url: str, done: int, total: int | None) -> None:
                if url not in tasks:
                    tasks[url] = int(progress.add_task(url.rsplit("/", 1)[-1][:40], total=total))
                progress.update(tasks[url], completed=done, total=total)  # type: ignore[arg-type]

            def on_done(o: UpdateOutcome) -> None:
                progress.console.print(_outcome_line(o))

            outcomes = update_lists(
                st,
                specs,
                data_dir() / "downloads",
                fetcher,
                force=force,
                max_shrink=max_shrink,
                on_bytes=on_bytes,
                on_done=on_done,
            )
        failed = any(o.status == "failed" for o in outcomes)
    fetcher.close()
    if any(o.status == "updated" for o in outcomes):
        _prebuild_index(path)
    if failed:
        err_console.print("[yellow]Some lists failed; their previous versions stay current.[/]")
        raise typer.Exit(1)


def _outcome_line(o: UpdateOutcome) -> str:
    if o.status == "failed":
        return f"[red]✗ {o.list}[/]: {o.message}"
    if o.status == "not-modified":
        return f"[dim]= {o.list}: not modified since last download[/]"
    r = o.report
    assert r is not None
    if o.status == "unchanged":
        return f"[dim]= {o.list}: unchanged ({r.entity_count} entities)[/]"
    return (
        f"[green]✓ {o.list}[/]: {r.entity_count} entities "
        f"(+{r.added} added, -{r.removed} removed, ~{r.changed} changed) → {r.version_id}"
    )


@friendly_errors
def import_(
    file: Annotated[Path, typer.Argument(help="File (or folder, for OFAC CSV sets) to import.")],
    list_name: Annotated[str, typer.Option("--list", help="List name to store it under.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"One of: {', '.join(sorted(FORMATS))}."),
    ] = None,
    store: StoreOption = None,
    force: Annotated[
        bool, typer.Option(help="Accept a large shrink or an older list date; re-import the "
                           "same file.")
    ] = False,
    max_shrink: Annotated[
        float,
        typer.Option(help="Refuse a new version losing more than this share of entities "
                     f"(a loss of fewer than {MIN_SUSPICIOUS_SHRINK} is always accepted)."),
    ] = DEFAULT_MAX_SHRINK,
    source_url: Annotated[str | None, typer.Option(help="Where the file came from.")] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", help="Parser option KEY=VALUE (e.g. name=Supplier)."),
    ] = None,
    list_date: Annotated[
        str | None,
        typer.Option("--list-date", help="The list's date (YYYY-MM-DD), for files that do "
                     "not say it (OFAC's CSV files, your own lists): without it, its age and "
                     "staleness are unknown."),
    ] = None,
) -> None:
    """Import a list file you already have (offline), as a new version of a list."""
    if list_date is not None:
        try:
            list_date = date.fromisoformat(list_date).isoformat()
        except ValueError:
            raise RedflagsError(f"--list-date {list_date!r}: not a date (YYYY-MM-DD)") from None
    fmt = fmt or guess_format(file) or (LISTS[list_name].format if list_name in LISTS else None)
    if fmt is None:
        raise RedflagsError(_unknown_format(file))
    options = dict(_kv(o) for o in (option or []))
    path = resolve_store(store)
    with Store(path) as st:
        if st.is_empty() and st.seed_from_bundle():
            console.print(f"Seeded the new store {path} with the bundled snapshot.")
        with err_console.status(f"Importing {file} as {list_name} ({fmt})…"):
            report = st.import_file(
                list_name, fmt, file, source_url=source_url, force=force,
                max_shrink=max_shrink, options=options, list_date=list_date,
            )
    if report.unchanged:
        console.print(f"= {list_name}: same file as the current version {report.version_id}")
        return
    _prebuild_index(path)
    if not report.list_date:
        err_console.print(f"[yellow]note:[/] {file} does not say its date; pass --list-date "
                          "YYYY-MM-DD so that `redflags lists` can tell when it is stale")
    counts = ", ".join(f"{v} {k}" for k, v in sorted(report.counts.items()))
    console.print(
        f"[green]✓ {list_name}[/]: {report.entity_count} entities ({counts})\n"
        f"  version {report.version_id}"
        + (f"; +{report.added} -{report.removed} ~{report.changed} vs previous"
           if report.previous_version_id else "")
    )
    for reason, n in sorted(report.parse_stats.items()):
        console.print(f"  {reason}: {n}")


def _unknown_format(file: Path) -> str:
    """Which --format to pass: "pass --format" alone left a new user guessing the names, and
    that their own list is `custom`."""
    return (
        f"cannot tell the format of {file}; pass --format, one of: "
        f"{', '.join(sorted(FORMATS))}. A list of your own (a CSV, TSV or JSON file of "
        "names) is --format custom, with --option name=COLUMN if its name column is not "
        "called Name; ownership data of your own is --format ownership-csv."
    )


def _prebuild_index(store: Path) -> None:
    """Build the matching index for the new versions now, so that screening and a running
    server (which reloads on its own) never wait for it, nor need the database."""
    from redflags.screening.engine import load_engine

    load_engine(store, on_build=lambda m: err_console.print(m))


def _kv(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise RedflagsError(f"option {text!r} is not KEY=VALUE")
    key, value = text.split("=", 1)
    return key.strip(), value.strip()


@friendly_errors
def lists(
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show each list's version, date, entity count and age; warn when a list is stale."""
    catalog = open_catalog(resolve_store(existing_store(store)))
    infos = catalog.lists()
    if as_json:
        console.print_json(json.dumps([i.to_dict() for i in infos], default=str))
        return
    console.print(f"Lists from the {catalog.description}")
    table = Table(box=None, pad_edge=False)
    table.add_column("list", no_wrap=True, min_width=18)
    table.add_column("list date", no_wrap=True, min_width=10)
    table.add_column("age", no_wrap=True, justify="right", min_width=6)
    table.add_column("parties", no_wrap=True, justify="right", min_width=7)
    # the title gives way first: with no bound, Rich dropped the age and entity counts at
    # 80 columns (the five columns before it take 48)
    table.add_column("title", overflow="ellipsis", no_wrap=True,
                     max_width=max(12, console.width - 48))
    stale, undated = [], []
    for info in infos:
        age = info.age_days()  # None: no date of its own, not downloaded (ListInfo.age_days)
        if age is None:
            undated.append(info.name)
        age_text = f"{age} d" if age is not None else "?"
        if info.stale():
            stale.append(info.name)
            age_text = f"[bold red]{age_text}[/]"
        title = info.title if info.kind != "ownership" else f"(ownership data) {info.title}"
        when = info.list_date or ("undated" if age is None else "?")
        table.add_row(info.name, when, age_text, str(info.parties), title)
    console.print(table)
    if stale:
        console.print(
            f"[bold yellow]warning:[/] {len(stale)} list(s) are older than their usual update "
            f"cycle (red): {', '.join(stale)}. Run `redflags update`; `redflags versions` "
            "shows every stored version."
        )
    if undated:
        console.print(
            f"[dim]{', '.join(undated)}: no list date, so neither age nor staleness is known; "
            "import again with --list-date YYYY-MM-DD to give it.[/]"
        )
    missing = [spec for name, spec in LISTS.items() if name not in {i.name for i in infos}]
    if missing:
        # a European user is bound by the EU list first; nothing said it was absent
        console.print(
            "[bold yellow]not loaded:[/] " + "; ".join(f"{s.name} ({s.title})" for s in missing)
            + ". Screening does not cover them: run `redflags update "
            + " ".join(s.name for s in missing) + "` (or `redflags import FILE --list NAME`)."
        )


@friendly_errors
def versions(
    list_name: Annotated[str | None, typer.Argument(help="Only this list.")] = None,
    store: StoreOption = None,
) -> None:
    """List stored versions (checksum, fetched-at, URL, counts, parser version)."""
    path = resolve_store(store)
    if not path.exists():
        raise RedflagsError(f"no store at {path} yet (the bundled snapshot has one version)")
    with Store(path, read_only=True) as st:
        rows = st.versions(list_name)
        current = {v["version_id"] for v in st.current_versions()}
    table = Table()
    for col in ("version", "list date", "imported", "entities", "checksum", "parser", "url"):
        table.add_column(col, overflow="fold")
    for v in rows:
        mark = " *" if v["version_id"] in current else ""
        table.add_row(
            v["version_id"] + mark, v["list_date"] or "?", str(v["imported_at"])[:19],
            str(v["entity_count"]), v["checksum"][:12], v["parser_version"], v["source_url"] or "",
        )
    console.print(table)
    console.print("* = current version")


@friendly_errors
def diff(
    old: Annotated[str, typer.Argument(help="Older version id.")],
    new: Annotated[str, typer.Argument(help="Newer version id.")],
    store: StoreOption = None,
    show: Annotated[int, typer.Option(help="Ids to show per kind.")] = 20,
) -> None:
    """Compare two versions: entities added, removed and changed (by stable id)."""
    with Store(resolve_store(existing_store(store)), read_only=True) as st:
        d = st.diff(old, new)
    for kind in ("added", "removed", "changed"):
        ids = getattr(d, kind)
        console.print(f"[bold]{kind}[/]: {len(ids)}")
        for entity_id in ids[:show]:
            console.print(f"  {entity_id}")


@friendly_errors
def export(
    output: Annotated[Path, typer.Argument(help="FtM JSON-lines file to write ('-' = stdout).")],
    lists_: Annotated[
        list[str] | None, typer.Option("--list", help="Only these lists.")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export current entities as FollowTheMoney JSON lines (for Aleph, yente, nomenklatura)."""
    import sys

    catalog = open_catalog(resolve_store(existing_store(store)))
    out = sys.stdout if str(output) == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
    n = 0
    try:
        for entity in catalog.iter_export(lists_):
            out.write(json.dumps(entity, ensure_ascii=False) + "\n")
            n += 1
    finally:
        if out is not sys.stdout:
            out.close()
    err_console.print(f"wrote {n} entities from the {catalog.description}")
