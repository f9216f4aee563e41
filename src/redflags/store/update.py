"""`redflags update`: fetch each configured list and import it as a new version.

One list failing (network, truncation, parse error, suspicious shrink) never stops the others
and never replaces that list's current version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from redflags.errors import RedflagsError
from redflags.sources.fetch import ByteProgress, Fetcher, discard, promote
from redflags.sources.registry import LISTS, ListSpec
from redflags.store.duck import DEFAULT_MAX_SHRINK, ImportReport, Store


@dataclass
class UpdateOutcome:
    list: str
    status: str  # "updated", "unchanged", "not-modified", "failed"
    message: str = ""
    report: ImportReport | None = None


def updatable_specs(names: Iterable[str] | None = None) -> list[ListSpec]:
    if names:
        specs = []
        for name in names:
            spec = LISTS.get(name)
            if spec is None:
                raise RedflagsError(f"unknown list {name!r}; known: {', '.join(sorted(LISTS))}")
            if not spec.updatable:
                raise RedflagsError(
                    f"{name} has no machine-readable official download; it comes with the "
                    "bundled snapshot or `redflags import`"
                )
            specs.append(spec)
        return specs
    return [s for s in LISTS.values() if s.updatable]


def mirrored(specs: list[ListSpec], base: str) -> list[ListSpec]:
    """The lists fetched from a mirror (an organisation's own copy, a proxy, a test server)
    that serves each official file under its file name: ``base``/sdn.csv..."""
    if not base.startswith(("http://", "https://")):
        raise RedflagsError(f"--mirror {base!r}: an http:// or https:// URL")
    root = base.rstrip("/")
    return [replace(s, urls={name: f"{root}/{name}" for name in s.urls}) for s in specs]


def update_lists(
    store: Store,
    specs: list[ListSpec],
    downloads: Path,
    fetcher: Fetcher | None = None,
    *,
    force: bool = False,
    max_shrink: float = DEFAULT_MAX_SHRINK,
    on_bytes: ByteProgress | None = None,
    on_start: Callable[[ListSpec], None] | None = None,
    on_done: Callable[[UpdateOutcome], None] | None = None,
) -> list[UpdateOutcome]:
    fetcher = fetcher or Fetcher()
    outcomes: list[UpdateOutcome] = []
    for spec in specs:
        if on_start:
            on_start(spec)
        outcome = _update_one(store, spec, downloads, fetcher, force, max_shrink, on_bytes)
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    return outcomes


def _update_one(
    store: Store,
    spec: ListSpec,
    downloads: Path,
    fetcher: Fetcher,
    force: bool,
    max_shrink: float,
    on_bytes: ByteProgress | None,
) -> UpdateOutcome:
    try:
        fetched = fetcher.fetch_list(
            spec, downloads, store.http_validators, progress=on_bytes, force=force
        )
    except RedflagsError as exc:
        return UpdateOutcome(spec.name, "failed", _from(str(exc), spec))
    fetched_at = fetched.fetched_at.replace(tzinfo=None)
    if fetched.not_modified and store.current_version(spec.name) and not force:
        discard(fetched)
        store.confirm_fetched(spec.name, fetched_at)
        return UpdateOutcome(spec.name, "not-modified", "server says unchanged (conditional GET)")
    try:
        report = store.import_file(
            spec.name,
            spec.format,
            fetched.primary,
            source_url=next(iter(spec.urls.values())),
            fetched_at=fetched_at,
            force=force,
            max_shrink=max_shrink,
        )
    except RedflagsError as exc:
        discard(fetched)
        return UpdateOutcome(spec.name, "failed", _from(str(exc), spec))
    for url, (etag, modified) in fetched.validators.items():
        store.save_http_validators(url, etag, modified)
    promote(fetched)
    if report.unchanged:
        store.confirm_fetched(spec.name, fetched_at)
    status = "unchanged" if report.unchanged else "updated"
    return UpdateOutcome(spec.name, status, report=report)


def _from(message: str, spec: ListSpec) -> str:
    """A failure's message with the URL the data came from: a check of the download names
    the staging file, deleted by the time anyone reads it."""
    urls = [u for u in spec.urls.values() if u in message]
    return message if urls else f"{message} (downloaded from {next(iter(spec.urls.values()))})"
