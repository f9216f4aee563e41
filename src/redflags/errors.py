"""Errors a user sees: each names the file and the line or record at fault."""

from __future__ import annotations

from pathlib import Path


class RedflagsError(Exception):
    """Base class for errors reported to the user without a traceback."""


class SourceError(RedflagsError):
    """A list file could not be read; says which file and where."""

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        line: int | None = None,
        record: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.record = record
        self.reason = message
        where = self.path
        if line is not None:
            where += f", line {line}"
        if record is not None:
            where += f", record {record}"
        super().__init__(f"{where}: {message}")


class StoreError(RedflagsError):
    """The store refused an operation (e.g. a suspicious shrink); nothing was changed."""
