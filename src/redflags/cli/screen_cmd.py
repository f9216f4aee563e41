"""`redflags screen INPUT`: screen a file of companies and people, write the evidence."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from redflags.cli.common import (
    EXIT_ERROR,
    AlgorithmOption,
    ListsOption,
    StoreOption,
    ThresholdOption,
    console,
    err_console,
    existing_store,
    friendly_errors,
)
from redflags.errors import RedflagsError
from redflags.reports.context import RunContext
from redflags.reports.html import collect_evidence, hit_ids_in, write_report
from redflags.reports.results import OutputPaths
from redflags.reports.summary import print_summary
from redflags.screening.checkpoint import Checkpoint
from redflags.screening.columns import detect_columns, parse_mappings
from redflags.screening.job import (
    EngineBatch,
    ScreenOptions,
    StopFlag,
    engine_target,
    run_screening,
    worker_factory_for,
)
from redflags.screening.reader import FORMATS as INPUT_FORMATS
from redflags.screening.reader import open_input

OUTPUT_FORMATS = ("csv", "jsonl", "html")
EXIT_HITS = 3
EXIT_INTERRUPTED = 130
ROWS_PER_WORKER = 500


def parse_formats(values: list[str] | None) -> list[str]:
    """``--format csv --format html`` or ``--format csv,html``; default all three."""
    if not values:
        return list(OUTPUT_FORMATS)
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            fmt = part.strip().lower()
            if fmt not in OUTPUT_FORMATS:
                raise RedflagsError(f"--format: {fmt!r} is not one of {', '.join(OUTPUT_FORMATS)}")
            if fmt not in out:
                out.append(fmt)
    return out


@friendly_errors
def screen(
    input_path: Annotated[
        Path, typer.Argument(metavar="INPUT", help="CSV, TSV, XLSX, JSON lines or Parquet file.")
    ],
    list_: ListsOption = None,
    threshold: ThresholdOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Hits kept per input row.")] = 10,
    algorithm: AlgorithmOption = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: all cores).")
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Output directory or path prefix "
                     "(default: redflags-results/<input name>)."),
    ] = None,
    format_: Annotated[
        list[str] | None,
        typer.Option("--format", help="csv, jsonl, html (repeatable or comma-separated; "
                     "default all)."),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="Map a column explicitly: ROLE=COLUMN, e.g. name=Supplier "
                     "(roles: name, first_name, last_name, country, birth_date, "
                     "incorporation_date, lei, registration_number, isin, tax_id, address, "
                     "city, type, id, alias)."),
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option("--input-format", help=f"Force the input format ({', '.join(INPUT_FORMATS)})"
                     "; default: detected from the content."),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="The sheet of an Excel workbook to screen, by name or "
                     "number (default: the first; the others with data are named)."),
    ] = None,
    fail_on_hit: Annotated[
        bool, typer.Option("--fail-on-hit", help="Exit with code 3 when any row is a hit.")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted run from its checkpoint.")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Where to write rejected rows (CSV).")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Screen every row of INPUT against the lists; write results, rejects and a report.

    Exit codes: 0 done (no hit, or hits without --fail-on-hit), 3 hits with --fail-on-hit,
    2 error, 130 interrupted (resume with --resume).
    """
    formats = parse_formats(format_)
    source = open_input(input_path, input_format, sheet=sheet)
    if source.other_sheets:
        err_console.print(
            f"[yellow]note:[/] screening sheet {source.sheet!r} only; the workbook has other "
            f"sheets with data: {', '.join(repr(n) for n in source.other_sheets)} "
            "(screen each with --sheet NAME)"
        )
    columns = detect_columns(source.headers, parse_mappings(mapping or []))
    paths = OutputPaths.for_input(input_path, output)  # a str: a trailing "/" means a folder
    _check_writable(paths)
    options = ScreenOptions(
        lists=tuple(list_) if list_ else None,
        threshold=threshold,
        limit=limit,
        algorithm=algorithm,
        store=str(store) if store else None,
    )
    from redflags.matching import DEFAULT_THRESHOLD
    from redflags.screening.engine import load_engine

    engine = load_engine(existing_store(store), list_,
                         on_build=lambda msg: err_console.print(msg))
    target = engine_target(engine, algorithm)
    matcher = getattr(target, "matcher", None) or engine.screener.matcher
    used_threshold = threshold if threshold is not None else DEFAULT_THRESHOLD
    options = ScreenOptions(options.lists, used_threshold, limit, algorithm, options.store)
    total = source.estimate_rows()
    n_workers = workers or os.cpu_count() or 1
    if workers is None and total is not None:
        # a worker costs a process start and an engine load: not worth it for a short file
        n_workers = max(1, min(n_workers, total // ROWS_PER_WORKER))
    ctx = RunContext(
        input=str(input_path),
        catalog=engine.catalog.description,
        lists=[i.to_dict() for i in engine.lists],
        algorithm=str(getattr(matcher, "algorithm", type(matcher).__name__)),
        algorithm_version=str(getattr(matcher, "version", "")),
        threshold=used_threshold,
        limit=limit,
        columns=columns.describe(),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        options={"workers": n_workers, "formats": formats, **options.as_dict()},
    )
    err_console.print(
        f"Reading {source.describe()}; columns: {columns.describe()}; {n_workers} worker(s)"
    )
    stop = StopFlag()
    with Progress(
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("screen", total=total, rate="…")
        started = datetime.now(UTC)

        def on_progress(ck: Checkpoint) -> None:
            if stop.requested and not announced:
                announced.append(True)
                progress.console.print(
                    "[yellow]Stopping after the rows in flight… (Ctrl-C again to abort)[/]"
                )
            secs = max((datetime.now(UTC) - started).total_seconds(), 1e-3)
            rate = (ck.rows_done - outcome_start[0]) / secs
            progress.update(task, completed=ck.rows_done, rate=f"{rate:,.0f}")

        outcome_start = [0]
        announced: list[bool] = []
        if resume and paths.checkpoint.exists():
            outcome_start[0] = Checkpoint.load(paths.checkpoint).rows_done
            progress.update(task, completed=outcome_start[0])
        outcome = run_screening(
            source,
            columns,
            paths,
            options=options,
            formats=formats,
            workers=n_workers,
            batch_fn=EngineBatch(target, used_threshold, limit) if n_workers == 1 else None,
            worker_factory=worker_factory_for(options),
            resume=resume,
            rejects_path=rejects,
            list_versions=engine.list_versions,
            on_progress=on_progress,
            stop=stop,
        )
    ck = outcome.checkpoint
    files = dict(outcome.files)
    if "html" in formats:
        ids, addr_ids = hit_ids_in(paths.jsonl)
        evidence = None
        if ids:
            err_console.print(f"Collecting the list entries of {len(ids)} listed entities…")
            evidence = collect_evidence(
                engine.catalog.iter_entities([i.name for i in engine.lists]), ids, addr_ids
            )
        write_report(paths.jsonl, paths.html, ctx, ck, evidence, interrupted=outcome.interrupted)
        files["html"] = paths.html
        if "jsonl" not in formats and ck.complete:
            paths.jsonl.unlink(missing_ok=True)
            files.pop("jsonl", None)
    files["checkpoint"] = paths.checkpoint
    print_summary(
        console, ck, ctx, files=files, interrupted=outcome.interrupted,
        resumed_from=outcome.resumed_from,
    )
    if outcome.interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if ck.rejected and ck.screened == 0:
        # every row rejected (an id column taken for the name: "name '100004' has no
        # letters") printed a reconciled summary and passed --fail-on-hit with exit 0
        err_console.print(
            f"[bold red]error:[/] no row was screened: all {ck.rejected} rows were rejected "
            f"(reasons in {files.get('rejects', 'the rejects file')}); check the columns "
            "(--map name=COLUMN)"
        )
        sys.exit(EXIT_ERROR)
    if fail_on_hit and ck.rows_with_hits:
        sys.exit(EXIT_HITS)


def _check_writable(paths: OutputPaths) -> None:
    """Fail before the screening, with the folder named, where the results cannot be
    written (a folder under a file, /proc): a traceback at the first write did."""
    folder = paths.prefix.parent
    if folder.exists() and not folder.is_dir():
        raise RedflagsError(f"cannot write the results in {folder}: it is a file, not a folder")
    probe = folder / f".redflags-write-check-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise RedflagsError(
            f"cannot write the results in {folder}: {exc.strerror or exc}") from exc
