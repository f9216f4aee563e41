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
