"""Ownership rules loaded from ``rules.yaml``: their legal basis, status and switches.

Rules are data so that a legal change (a rule suspended, a threshold moved) is an edit to a
reviewed file, and every derived hit can cite the rule and its status as of the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from redflags.errors import RedflagsError

RULE_KINDS = frozenset({"aggregate_ownership", "control_or_link", "state_chain", "holdings"})


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    kind: str
    enabled: bool = True
    threshold: float = 0.5
    lists: tuple[str, ...] = ()
    edge_kinds: tuple[str, ...] = ()
    max_hops: int = 1
    schemas: tuple[str, ...] = ()
    name_patterns: tuple[str, ...] = ()
    legal_basis: str = ""
    url: str = ""
    status: str = ""
    status_checked: str = ""

    def covers(self, lists: Iterable[str]) -> bool:
        """Whether a party on ``lists`` counts for this rule (no lists named = any list)."""
        return not self.lists or any(name in self.lists for name in lists)


def _rule(raw: Mapping[str, Any]) -> Rule:
    kind = str(raw.get("kind", ""))
    if kind not in RULE_KINDS:
        raise RedflagsError(f"rule {raw.get('id')!r}: unknown kind {kind!r}")
    threshold = float(raw.get("threshold", 0.5))
    if not 0 < threshold <= 1:
        raise RedflagsError(f"rule {raw.get('id')!r}: threshold must be in (0, 1]")
    return Rule(
        id=str(raw["id"]),
        title=str(raw.get("title", raw["id"])),
        kind=kind,
        enabled=bool(raw.get("enabled", True)),
        threshold=threshold,
        lists=tuple(raw.get("lists") or ()),
        edge_kinds=tuple(raw.get("edge_kinds") or ()),
        max_hops=int(raw.get("max_hops", 1)),
        schemas=tuple(raw.get("schemas") or ()),
        name_patterns=tuple(raw.get("name_patterns") or ()),
        legal_basis=" ".join(str(raw.get("legal_basis", "")).split()),
        url=str(raw.get("url", "")),
        status=" ".join(str(raw.get("status", "")).split()),
        status_checked=str(raw.get("status_checked", "")),
    )


def load_rules(path: Path | None = None) -> list[Rule]:
    """The rules in ``path``, or the packaged defaults."""
    if path is None:
        text = resources.files("redflags.ownership").joinpath("rules.yaml").read_text("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    rules = [_rule(r) for r in data.get("rules", [])]
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RedflagsError("duplicate rule ids in rules file")
    return rules


def select_rules(
    rules: Iterable[Rule],
    enable: Iterable[str] = (),
    disable: Iterable[str] = (),
) -> list[Rule]:
    """The rules to apply in one run: defaults, with ids switched on or off by the caller."""
    rules = list(rules)
    known = {r.id for r in rules}
    on, off = set(enable), set(disable)
    unknown = (on | off) - known
    if unknown:
        raise RedflagsError(f"unknown rule ids: {sorted(unknown)}; known: {sorted(known)}")
    out = []
    for r in rules:
        enabled = (r.enabled or r.id in on) and r.id not in off
        out.append(replace(r, enabled=enabled))
    return [r for r in out if r.enabled]
