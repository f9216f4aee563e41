"""The screening job: rows in, results out, in input order, in parallel, interruptible.

Rows stream from the reader through the column mapping into batches; batches are screened
in-process or by a pool of worker processes (each loads the memory-mapped index itself), and
results are written strictly in input order so that "rows done" is one number and a
checkpoint of it, plus the outputs' sizes, is enough to resume. At most a few batches per
worker are in flight, so memory stays flat however large the input.
"""

from __future__ import annotations

import copy
import functools
import heapq
import itertools
import multiprocessing
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from redflags.errors import RedflagsError
from redflags.reports.results import OutputPaths, ResultWriters, hit_record
from redflags.screening.checkpoint import Checkpoint, file_fingerprint
from redflags.screening.columns import ColumnMap, Query, Reject, build_query
from redflags.screening.reader import InputFile, InputRow

# queries (FtM-shaped dicts) -> for each, the hits as plain records (see hit_record)
BatchFn = Callable[[list[dict[str, Any]]], list[list[dict[str, Any]]]]

TOP_HITS_KEPT = 25


@dataclass(frozen=True)
class ScreenOptions:
    """What decides the results; a resumed run must use the same."""

    lists: tuple[str, ...] | None = None
    threshold: float | None = None
    limit: int = 10
    algorithm: str | None = None
    store: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "lists": sorted(self.lists) if self.lists else None,
            "threshold": self.threshold,
            "limit": self.limit,
            "algorithm": self.algorithm,
            "store": self.store,
        }


class EngineBatch:
    """Screens batches with anything that has ``screen(query, threshold=, limit=)`` — the
    Engine (direct and derived hits) or a bare Screener — keeping only matches."""

    def __init__(self, target: Any, threshold: float | None, limit: int) -> None:
        self.target = target
        self.threshold = threshold
        self.limit = limit

    def __call__(self, queries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        from redflags.matching import DEFAULT_THRESHOLD
        from redflags.screening.engine import settle_heap

        # only matches are kept: the cutoff spares explaining and decoding the rest
        threshold = DEFAULT_THRESHOLD if self.threshold is None else self.threshold
        out = []
        for query in queries:
            hits = self.target.screen(
                query, threshold=threshold, limit=self.limit, cutoff=threshold
            )
            out.append([hit_record(h) for h in hits if h.match])
        settle_heap()
        return out


def matcher_for(algorithm: str | None) -> Any:
    """The Matcher for ``--algorithm`` (None: the screener's default)."""
    if not algorithm:
        return None
    from redflags.matching import Matcher

    try:
        return Matcher(algorithm)
    except KeyError as exc:
        raise RedflagsError(str(exc).strip("'\"")) from None


def engine_target(engine: Any, algorithm: str | None) -> Any:
    """What to screen with: the engine itself (with derived hits through ownership), or,
    for another ``--algorithm``, a screener with that matcher (direct hits only, because
    the engine's per-thread screeners always use the default matcher)."""
    matcher = matcher_for(algorithm)
    if matcher is None:
        return engine
    from redflags.matching.screener import Screener

    return Screener(engine.screener.index, matcher)


def engine_batch(options: ScreenOptions) -> BatchFn:
    """Load the engine (cheap: memory-mapped index) and return its batch function."""
    from redflags.screening.engine import load_engine

    engine = load_engine(store=options.store, lists=options.lists)
    return EngineBatch(engine_target(engine, options.algorithm), options.threshold,
                       options.limit)


# ---- worker processes ----------------------------------------------------------------------

_WORKER_BATCH: BatchFn | None = None


def _init_worker(factory: Callable[[], BatchFn]) -> None:
    global _WORKER_BATCH
    # Ctrl-C reaches the whole process group; only the parent decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_BATCH = factory()


def _run_in_worker(queries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    assert _WORKER_BATCH is not None, "worker not initialised"
    return _WORKER_BATCH(queries)


# ---- the job -------------------------------------------------------------------------------


@dataclass
class _Item:
    row: InputRow
    outcome: Query | Reject


@dataclass
class JobOutcome:
    """How a run ended: its tallies (the checkpoint), and whether it was interrupted."""

    checkpoint: Checkpoint
    interrupted: bool
    resumed_from: int = 0
    files: dict[str, Path] = field(default_factory=dict)


class StopFlag:
    """Set by the first Ctrl-C (the run stops after the batches in flight); a second
    Ctrl-C raises KeyboardInterrupt at once. ``stopped`` says whether rows were left."""

    def __init__(self) -> None:
        self.requested = False
        self.stopped = False

    def request(self) -> None:
        self.requested = True

    def handler(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True


def _items(source: InputFile, columns: ColumnMap, skip: int) -> Iterator[_Item]:
    for row in itertools.islice(source.rows(), skip, None):
        if row.error:
            yield _Item(row, Reject("unreadable", row.error))
        else:
            yield _Item(row, build_query(row.values, columns, row.line))


def run_screening(
    source: InputFile,
    columns: ColumnMap,
    paths: OutputPaths,
    *,
    options: ScreenOptions,
    formats: Sequence[str] = ("csv", "jsonl", "html"),
    workers: int = 1,
    batch_fn: BatchFn | None = None,
    worker_factory: Callable[[], BatchFn] | None = None,
    resume: bool = False,
    rejects_path: Path | None = None,
    list_versions: Mapping[str, str] | None = None,
    on_progress: Callable[[Checkpoint], None] | None = None,
    stop: StopFlag | None = None,
    batch_size: int = 64,
    checkpoint_every: int = 1000,
) -> JobOutcome:
    """Screen every row of ``source`` and write the results; see the module docstring.

    ``batch_fn`` screens in this process (``workers == 1``); ``worker_factory`` is called
    once in each worker process to make its own (``workers > 1``). ``on_progress`` runs after
    each batch is written; raising KeyboardInterrupt from it stops the run like Ctrl-C.
    """
    job_options = {
        **options.as_dict(), "columns": dict(columns.roles), "formats": sorted(formats)
    }
    if columns.more_names:  # (only then: a checkpoint of an earlier run still resumes)
        job_options["more_names"] = list(columns.more_names)
    if columns.name_lines:
        job_options["name_lines"] = list(columns.name_lines)
    if source.sheet is not None:  # a workbook: resuming must read the same sheet
        job_options["sheet"] = source.sheet
    fingerprint = file_fingerprint(source.path)
    ck = Checkpoint(str(source.path), fingerprint, job_options)
    offsets: dict[str, int] | None = None
    if resume and paths.checkpoint.exists():
        ck = Checkpoint.load(paths.checkpoint)
        ck.check_compatible(fingerprint, job_options)
        ck.check_same_lists(dict(list_versions or {}))
        offsets = dict(ck.offsets)
    resumed_from = ck.rows_done
    ck.list_versions = dict(list_versions or ck.list_versions)
    stop = stop or StopFlag()
    writers = ResultWriters(paths, formats, rejects_path).open(offsets)
    previous = _install_sigint(stop)
    interrupted = False
    try:
        if ck.complete:
            return JobOutcome(ck, False, resumed_from, dict(writers.files))
        ck.offsets = writers.offsets()
        batches = _batched(_items(source, columns, ck.rows_done), batch_size)
        screened = _screen(batches, batch_fn, worker_factory, workers, stop)
        since_save = 0
        try:
            # the generator stops taking batches once Ctrl-C is seen and finishes those in
            # flight, so the loop simply runs out
            for batch, results in screened:
                before = _tallies(ck)
                try:
                    _write_batch(batch, results, writers, ck)
                except BaseException:
                    _restore_tallies(ck, before)  # outputs are truncated back on resume
                    raise
                ck.offsets = writers.offsets()
                since_save += len(batch)
                if since_save >= checkpoint_every:
                    ck.save(paths.checkpoint)
                    since_save = 0
                if on_progress is not None:
                    on_progress(ck)
        finally:
            screened.close()
        interrupted = stop.stopped
    except KeyboardInterrupt:
        interrupted = True
    finally:
        _restore_sigint(previous)
        # (a resumed run reads the file from its start, so this counts the whole of it)
        ck.blank_rows = max(ck.blank_rows, source.blank_rows)
        ck.complete = not interrupted and _finished_cleanly()
        ck.save(paths.checkpoint)
        writers.close()
    return JobOutcome(ck, interrupted, resumed_from, dict(writers.files))


def _finished_cleanly() -> bool:
    """False while an exception is propagating out of the job (its checkpoint stays open)."""
    return sys.exc_info()[0] is None


_TALLIES = ("rows_done", "screened", "rejected", "rows_with_hits", "hits", "hits_by_list",
            "rejects_by_reason", "top_hits")


def _tallies(ck: Checkpoint) -> dict[str, Any]:
    return {k: copy.copy(getattr(ck, k)) for k in _TALLIES}


def _restore_tallies(ck: Checkpoint, tallies: Mapping[str, Any]) -> None:
    for key, value in tallies.items():
        setattr(ck, key, value)


def _batched(items: Iterator[_Item], size: int) -> Iterator[list[_Item]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _queries(batch: list[_Item]) -> list[dict[str, Any]]:
    return [it.outcome.entity for it in batch if isinstance(it.outcome, Query)]


def _screen(
    batches: Iterator[list[_Item]],
    batch_fn: BatchFn | None,
    worker_factory: Callable[[], BatchFn] | None,
    workers: int,
    stop: StopFlag,
) -> Generator[tuple[list[_Item], list[list[dict[str, Any]]]], None, None]:
    """Batches with their results, in input order; stops taking new batches once asked."""
    if workers <= 1 or worker_factory is None:
        fn = batch_fn or (worker_factory() if worker_factory else None)
        if fn is None:
            raise RedflagsError("no screener given")
        for batch in batches:
            if stop.requested:
                stop.stopped = True
                return
            queries = _queries(batch)
            yield batch, fn(queries) if queries else []
        return
    # forkserver, not fork: the parent runs a progress-bar thread, and forking a process with
    # threads can copy a held lock. Preloading our modules in the server means each worker
    # forks with them imported instead of importing them again (seconds each), and with the
    # compiled kernels loaded (matching/warm.py).
    ctx = multiprocessing.get_context("forkserver")
    factory_module = getattr(getattr(worker_factory, "func", worker_factory), "__module__", None)
    ctx.set_forkserver_preload(
        [
            "redflags.screening.job",
            "redflags.matching.screener",
            "redflags.matching.warm",
            "redflags.screening.engine",
        ]
        + ([factory_module] if factory_module else [])
    )
    window = workers * 4
    pending: deque[tuple[list[_Item], Future[list[list[dict[str, Any]]]]]] = deque()
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(worker_factory,)
    ) as pool:
        try:
            for batch in batches:
                if stop.requested:
                    stop.stopped = True
                    break
                queries = _queries(batch)
                pending.append((batch, pool.submit(_run_in_worker, queries)))
                while len(pending) >= window:
                    done, fut = pending.popleft()
                    yield done, fut.result()
                    if stop.requested:
                        break
            # finish what is in flight: a few batches, and the work is not lost
            while pending:
                done, fut = pending.popleft()
                yield done, fut.result()
        except BrokenProcessPool as exc:
            raise RedflagsError(f"a screening worker process died ({exc}); the run stopped at "
                                "the last complete batch: fix the cause and use --resume") from exc
        finally:
            for _, fut in pending:
                fut.cancel()


def _write_batch(
    batch: list[_Item], results: list[list[dict[str, Any]]], writers: ResultWriters,
    ck: Checkpoint,
) -> None:
    it = iter(results)
    for item in batch:
        outcome = item.outcome
        if isinstance(outcome, Reject):
            writers.write_reject(item.row.line, outcome.code, outcome.message, item.row.values)
            ck.rejected += 1
            ck.rejects_by_reason[outcome.code] = ck.rejects_by_reason.get(outcome.code, 0) + 1
        else:
            hits = next(it)
            writers.write_row({
                "line": item.row.line,
                "row_id": outcome.row_id,
                "name": outcome.name,
                "query": outcome.entity,
                "status": "hit" if hits else "clear",
                "hit_count": len(hits),
                "hits": hits,
                "notes": outcome.notes,
            })
            ck.screened += 1
            if hits:
                ck.rows_with_hits += 1
                ck.hits += len(hits)
                for h in hits:
                    for name in h["lists"]:
                        ck.hits_by_list[name] = ck.hits_by_list.get(name, 0) + 1
                _keep_top(ck, item.row.line, outcome.name, hits)
        ck.rows_done += 1


def _keep_top(ck: Checkpoint, line: int, name: str, hits: list[dict[str, Any]]) -> None:
    """The row's best hit, with every list any of its hits is on."""
    best = hits[0]
    lists = sorted({lst for h in hits for lst in h["lists"]})
    entry = {
        "line": line, "name": name, "score": best["score"], "entity_id": best["entity_id"],
        "caption": best["caption"], "lists": lists, "programs": best["programs"],
        "derived": bool(best.get("derived")),
    }
    ck.top_hits.append(entry)
    if len(ck.top_hits) > 2 * TOP_HITS_KEPT:
        ck.top_hits = heapq.nlargest(TOP_HITS_KEPT, ck.top_hits, key=lambda e: e["score"])


Handler = Callable[[int, FrameType | None], Any] | int | None


def _install_sigint(stop: StopFlag) -> Handler:
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, stop.handler)
    return previous


def _restore_sigint(previous: Handler) -> None:
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, previous)


def worker_factory_for(options: ScreenOptions) -> Callable[[], BatchFn]:
    """A picklable factory each worker process calls to load its own engine."""
    return functools.partial(engine_batch, options)
