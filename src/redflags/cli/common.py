"""What every command shares: the console, the store path option, and error reporting."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from redflags.config import store_path
from redflags.errors import RedflagsError

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)
# How long loading the compiled kernels may take before the user is told why they wait.
SLOW_KERNELS_SECONDS = 2.0


def _import_kernels() -> None:
    import redflags.matching.warm  # noqa: F401  (importing it loads the kernels)


def load_kernels_noting(load: Callable[[], object] = _import_kernels) -> None:
    """Load the matcher's compiled kernels, saying so when it takes long: with an empty
    numba cache (a fresh install) the first run compiles them for ~30 s, and a new user
    read the silent pause as a hang. Later runs load them from the cache in well under a
    second, and nothing is printed."""
    import threading

    done = threading.Event()

    def note() -> None:
        if not done.wait(SLOW_KERNELS_SECONDS):
            err_console.print("Compiling the matching code (first run after an install, "
                              "~30 s)…")

    notice = threading.Thread(target=note, daemon=True)
    notice.start()
    try:
        load()
    finally:
        done.set()
        notice.join()

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="DuckDB store file (default: $REDFLAGS_STORE or the user data directory).",
        show_default=False,
    ),
]

# Options the screening commands share (screen a file, check one name).
ListsOption = Annotated[
    list[str] | None,
    typer.Option("--list", help="Screen against this list only (repeatable; default all)."),
]
ThresholdOption = Annotated[
    float | None,
    typer.Option(min=0.0, max=1.0, help="Score (0..1) from which a result is a hit."),
]
AlgorithmOption = Annotated[
    str | None, typer.Option(help="Matching algorithm (default: the current one).")
]

P = ParamSpec("P")
R = TypeVar("R")

EXIT_ERROR = 2


def resolve_store(store: Path | None) -> Path:
    return store_path(store)


def existing_store(store: Path | None) -> Path | None:
    """The store a reading command was pointed at, which must exist: a mistyped --store
    silently screened against the bundled lists instead. None (no --store) keeps the
    default: the user's store, or the bundled lists while there is none."""
    if store is not None and not Path(store).exists():
        raise RedflagsError(f"no store at {store} (leave --store out for the default store, "
                            "or create one with `redflags import` or `redflags update`)")
    return store


def friendly_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Show a RedflagsError as one clear line, without a traceback, and exit non-zero."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except RedflagsError as exc:
            err_console.print(f"[bold red]error:[/] {exc}")
            sys.exit(EXIT_ERROR)

    return wrapper
