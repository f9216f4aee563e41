"""Enrichment of list entries with their names in their own script (``data/native_names.yml``).

Official US lists write Chinese companies in Latin script only; users' supplier files often
hold the registered Chinese name, which no transliteration maps to the Latin brand (海康威视 is
"Haikang Weishi", never "Hikvision"). Entries whose name matches a key get those names as
aliases, recorded under ``provenance.enriched_aliases`` so a report shows they came from us,
not from the list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources

import yaml

from redflags.model import FtMEntity
from redflags.text import LEGAL_FORM, name_tokens, token_kind

SOURCE = "redflags native-script names (company filings, Wikidata labels)"


def name_key(name: str) -> str:
    """Names that differ only in legal form ("Co., Ltd." vs "Company") share a key."""
    return " ".join(t for t in name_tokens(name) if token_kind(t) != LEGAL_FORM)


def _table_text() -> str:
    return resources.files("redflags.sources").joinpath("data/native_names.yml").read_text(
        "utf-8"
    )


@lru_cache(maxsize=1)
def native_names() -> dict[str, tuple[str, ...]]:
    table = yaml.safe_load(_table_text()).get("names", {})
    return {name_key(k): tuple(v) for k, v in table.items()}


@lru_cache(maxsize=1)
def table_digest() -> str:
    """Identifies the table, so that an index built with another one is rebuilt."""
    return hashlib.sha256(_table_text().encode("utf-8")).hexdigest()[:16]


def enrich(entities: Iterable[FtMEntity]) -> Iterator[FtMEntity]:
    table = native_names()
    for entity in entities:
        props = entity.get("properties") or {}
        names = list(props.get("name", [])) + list(props.get("alias", []))
        extra: list[str] = []
        for name in names:
            for native in table.get(name_key(name), ()):
                if native not in names and native not in extra:
                    extra.append(native)
        if extra:
            props.setdefault("alias", []).extend(extra)
            prov = entity.get("provenance") or {}
            prov["enriched_aliases"] = extra
            prov["enrichment_source"] = SOURCE
            entity["provenance"] = prov
        yield entity
