"""One party, several lists: entries that name the same party on different lists.

Lists describe one party differently: the FCC Covered List writes "Hangzhou Hikvision Digital
Technology Company" with no alias, the Entity List "… Co., Ltd." with the alias "Hikvision".
A user screening "Hikvision" must see every list that names the party, so entries whose
names agree once legal forms are set aside, of the same kind of party, with compatible
countries (and, for people, a shared birth date), are grouped when the index is built; a hit
on one entry brings its siblings, with the sibling relation as the explanation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from redflags.matching.types import FeatureExplanation, MatchResult, ScreeningHit
from redflags.model import FtMEntity, mentioned
from redflags.sources.enrichment import name_key

FILE = "siblings.json"
_PERSONS = frozenset({"Person"})


def _family(schema: str) -> str:
    return "person" if schema in _PERSONS else "org"


@dataclass
class SiblingCollector:
    """Watches entities stream into the index build and groups same-party entries."""

    groups: dict[tuple[str, str], list[tuple[str, frozenset[str], frozenset[str]]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def watch(self, entities: Iterable[FtMEntity]) -> Iterator[FtMEntity]:
        from followthemoney import model as ftm_model

        for entity in entities:
            schema = str(entity.get("schema", ""))
            found = ftm_model.get(schema)
            props = entity.get("properties") or {}
            names = props.get("name") or []
            # a party a list only names is no entry of that list (``model.mentioned``)
            if found is not None and found.matchable and names and not mentioned(entity):
                key = name_key(names[0])
                if key:
                    countries = frozenset(props.get("country", []) + props.get("jurisdiction", []))
                    births = frozenset(d[:10] for d in props.get("birthDate", []))
                    self.groups[(_family(schema), key)].append((entity["id"], countries, births))
            yield entity

    def siblings(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for (family, _key), members in self.groups.items():
            if len(members) < 2:
                continue
            for ident, countries, births in members:
                sib = [
                    other
                    for other, o_countries, o_births in members
                    if other != ident
                    and (not countries or not o_countries or countries & o_countries)
                    and (family != "person" or (births and births & o_births))
                ]
                if sib:
                    out[ident] = sib
        return out


def save(directory: Path, siblings: Mapping[str, list[str]]) -> None:
    (directory / FILE).write_text(json.dumps(siblings), encoding="utf-8")


def load(directory: Path) -> dict[str, list[str]]:
    path = directory / FILE
    if not path.exists():
        return {}
    data: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def expand(
    hits: list[ScreeningHit],
    siblings: Mapping[str, list[str]],
    get: Any,
    *,
    datasets: set[str] | None = None,
    exclude_ids: set[str] | None = None,
) -> list[ScreeningHit]:
    """Add the siblings of matching hits that the ranking did not already return, each right
    after the hit that brought it (with its score): appended at the end, the FCC entry of
    Hikvision (0.96) came after a 0.50 non-match, and a caller's limit cut it off."""
    present = {h.entity["id"] for h in hits}
    out: list[ScreeningHit] = []
    for hit in hits:
        out.append(hit)
        if not hit.match or hit.derived:
            continue
        for ident in siblings.get(hit.entity["id"], []):
            if ident in present or (exclude_ids and ident in exclude_ids):
                continue
            entity = get(ident)
            if entity is None:
                continue
            if datasets and not _in(entity, datasets):
                continue
            present.add(ident)
            out.append(
                replace(
                    hit,
                    entity=entity,
                    result=_via(hit.result, hit.entity),
                    evidence=[{"kind": "same_party", "via": hit.entity["id"]}],
                )
            )
    return out


def _in(entity: Mapping[str, Any], datasets: set[str]) -> bool:
    prov = entity.get("provenance") or {}
    names = set(entity.get("datasets") or []) | ({prov["list"]} if prov.get("list") else set())
    return bool(names & datasets)


def _via(result: MatchResult, entity: Mapping[str, Any]) -> MatchResult:
    lists = ", ".join(entity.get("datasets") or [])
    expl = dict(result.explanations)
    expl["same_party"] = FeatureExplanation(
        name="same_party",
        value=1.0,
        contribution=0.0,
        detail=f"same listed name and country as {entity.get('id')} ({lists}), which matched",
        candidate_value=str((entity.get("properties") or {}).get("name", [""])[0]),
    )
    return replace(result, explanations=expl)
