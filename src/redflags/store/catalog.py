"""One read interface over the store, or over the bundled snapshot when the store is empty.

Commands that only read (screen, lists, serve) call :func:`open_catalog`; they never need
to know which of the two answers them, but the user is always told.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from redflags.model import FtMEntity, merge
from redflags.sources import OWNERSHIP_FORMATS
from redflags.sources.registry import LISTS
from redflags.store import bundle
from redflags.store.duck import Store, current_path


@dataclass(frozen=True)
class ListInfo:
    name: str
    title: str
    version_id: str
    list_date: str | None
    imported_at: datetime | None
    entity_count: int
    origin: str  # "store" or "bundle"
    source_url: str | None = None
    # "sanctions": a list of listed parties; "ownership": ownership/control data (BODS...)
    kind: str = "sanctions"
    counts: dict[str, int] | None = None
    # when `redflags update` downloaded this version (None: imported by hand, or bundled)
    fetched_at: datetime | None = None

    @property
    def parties(self) -> int:
        """Listed parties (people, companies, vessels...), not their addresses or sanctions."""
        if not self.counts:
            return self.entity_count
        return sum(n for schema, n in self.counts.items() if _is_party(schema))

    def age_days(self, today: date | None = None) -> int | None:
        """Days since the list's own date. Without one (OFAC's CSV files carry none): days
        since `redflags update` downloaded it, as the official URL serves the current list,
        so that it still turns stale when updates stop; None for a file imported by hand,
        whose import date says nothing of its age (an OFAC CSV of 2025-12 imported by hand
        showed "0 d", fresh, as a user's list of any age did)."""
        ref: date | None = None
        if self.list_date:
            try:
                ref = date.fromisoformat(self.list_date[:10])
            except ValueError:
                ref = None
        elif self.fetched_at is not None:
            ref = self.fetched_at.date()
        return None if ref is None else ((today or datetime.now(UTC).date()) - ref).days

    def stale(self, today: date | None = None) -> bool:
        """Older than the list's usual update cycle; never for a list of unknown age."""
        spec = LISTS.get(self.name)
        limit = spec.stale_after_days if spec else 30
        age = self.age_days(today)
        return age is not None and age > limit

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "version": self.version_id,
            "list_date": self.list_date,
            "imported_at": self.imported_at.isoformat() if self.imported_at else None,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "entity_count": self.entity_count,
            "parties": self.parties,
            "origin": self.origin,
            "source_url": self.source_url,
            "kind": self.kind,
            "age_days": self.age_days(),
            "stale": self.stale(),
        }


class Catalog:
    """The current lists and their entities, from the store or from the bundle."""

    def __init__(self, store_path: Path | None) -> None:
        self.store_path = store_path
        self.origin = "bundle"
        self._infos: list[ListInfo] = []
        if store_path is not None and store_path.exists():
            versions = _published_versions(store_path)
            if versions is None:
                with Store(store_path, read_only=True) as store:
                    versions = store.current_versions()
            if versions:
                self.origin = "store"
                self._infos = [_info_from_version(v) for v in versions]
        if self.origin == "bundle":
            man = bundle.manifest()
            self.snapshot_date: str | None = man.get("snapshot_date")
            self._bundle_entries = {e["list"]: e for e in man.get("lists", [])}
            self._infos = [_info_from_bundle(e) for e in man.get("lists", [])]
        else:
            self.snapshot_date = None

    @property
    def description(self) -> str:
        if self.origin == "bundle":
            # the lists' own dates, oldest first: "snapshot of 2026-07-09" hid an SDN list
            # of 2024-05-03 behind its newest list's date
            dates = sorted(d[:10] for i in self._infos if (d := i.list_date))
            span = (f"lists dated {dates[0]} to {dates[-1]}" if dates and dates[0] != dates[-1]
                    else f"lists dated {dates[0]}" if dates else f"of {self.snapshot_date}")
            return (
                f"bundled snapshot, {span} (no lists imported yet; run `redflags update` "
                "for current lists)"
            )
        return f"local store {self.store_path}"

    def lists(self) -> list[ListInfo]:
        return list(self._infos)

    def list_names(self) -> list[str]:
        return [i.name for i in self._infos]

    def fingerprint(self, lists: Iterable[str] | None = None) -> str:
        """Identifies the exact versions in use, so a cached index knows when it is stale."""
        wanted = set(lists) if lists is not None else None
        parts = sorted(
            i.version_id for i in self._infos if wanted is None or i.name in wanted
        )
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def iter_entities(self, lists: Iterable[str] | None = None) -> Iterator[FtMEntity]:
        wanted = set(lists) if lists is not None else set(self.list_names())
        if self.origin == "store":
            assert self.store_path is not None
            with Store(self.store_path, read_only=True) as store:
                yield from store.iter_entities(lists=wanted)
            return
        for name, entry in self._bundle_entries.items():
            if name in wanted:
                for entity in bundle.iter_list(entry):
                    prov = dict(entity.get("provenance", {}))
                    prov["list_version"] = str(entry["version"])
                    entity["provenance"] = prov  # type: ignore[typeddict-item]
                    yield entity

    def iter_export(self, lists: Iterable[str] | None = None) -> Iterator[FtMEntity]:
        """``iter_entities`` with each id once, as FtM consumers (Aleph, yente, nomenklatura)
        expect: a party that two lists hold under one id is merged (``model.merge``).
        Two passes, so only the few such entities are held in memory."""
        wanted = list(lists) if lists is not None else None
        seen: set[str] = set()
        twice: set[str] = set()
        for entity in self.iter_entities(wanted):
            (twice if entity["id"] in seen else seen).add(entity["id"])
        held: dict[str, list[FtMEntity]] = {}
        for entity in self.iter_entities(wanted):
            if entity["id"] not in twice:
                yield entity
                continue
            group = held.setdefault(entity["id"], [])
            merged = merge(group[-1], entity) if group else None
            if merged is not None:
                group[-1] = merged
            else:
                group.append(entity)  # no schema for both: kept apart, as listed
        for group in held.values():
            yield from group


def _info_from_version(v: dict[str, Any]) -> ListInfo:
    spec = LISTS.get(v["list"])
    return ListInfo(
        name=v["list"],
        title=spec.title if spec else v["list"],
        version_id=v["version_id"],
        list_date=v.get("list_date"),
        imported_at=v.get("imported_at"),
        entity_count=int(v.get("entity_count", 0)),
        origin="store",
        source_url=v.get("source_url"),
        kind="ownership" if v.get("format") in OWNERSHIP_FORMATS else "sanctions",
        counts=_counts(v.get("counts")),
        fetched_at=_timestamp(v.get("fetched_at")),
    )


def _info_from_bundle(entry: dict[str, Any]) -> ListInfo:
    spec = LISTS.get(entry["list"])
    return ListInfo(
        name=entry["list"],
        title=spec.title if spec else entry["list"],
        version_id=str(entry["version"]),
        list_date=entry.get("list_date"),
        imported_at=None,
        entity_count=int(entry.get("entity_count", 0)),
        origin="bundle",
        source_url=entry.get("source_url"),
        counts=entry.get("counts"),
    )


def _published_versions(store_path: Path) -> list[dict[str, Any]] | None:
    """The current versions as the store last published them (no database lock taken)."""
    path = current_path(store_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    versions = data.get("versions")
    if not isinstance(versions, list):
        return None
    for v in versions:
        v["imported_at"] = _timestamp(v.get("imported_at"))
    return versions


def _timestamp(raw: Any) -> datetime | None:
    """A stored timestamp, from the database (datetime) or the published JSON (ISO text)."""
    if isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            return None
    return None


def _counts(raw: Any) -> dict[str, int] | None:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    return raw if isinstance(raw, dict) else None


def _is_party(schema: str) -> bool:
    from followthemoney import model as ftm_model

    found = ftm_model.get(schema)
    return found is not None and found.matchable


def open_catalog(store_path: Path | None) -> Catalog:
    return Catalog(store_path)


def bundle_manifest_json() -> str:
    return json.dumps(bundle.manifest(), indent=2)
