"""Ownership and control: find exposure a name search cannot see.

Sources (``bods``, ``gleif``, ``ftm_links``, ``uk_psc``, ``user_csv``) turn records into
:class:`Edge` lists; :class:`OwnershipGraph` holds them; ``graph`` computes effective shares
and rule closures; ``rules.yaml`` states the rules; ``exposure.derived_hits`` reports them
with their paths; ``render`` draws them; ``ftm_entities`` turns sources into FtM entities
so the store versions them like any list.
"""

from __future__ import annotations

from redflags.ownership.edges import Declaration, Edge, Node, OwnershipData, parse_share
from redflags.ownership.exposure import DerivedHit, Hop, derived_hits
from redflags.ownership.graph import (
    Effective,
    OwnershipGraph,
    aggregate_closure,
    effective_holdings,
    effective_owners,
)
from redflags.ownership.rules import Rule, load_rules, select_rules

__all__ = [
    "Declaration",
    "DerivedHit",
    "Edge",
    "Effective",
    "Hop",
    "Node",
    "OwnershipData",
    "OwnershipGraph",
    "Rule",
    "aggregate_closure",
    "derived_hits",
    "effective_holdings",
    "effective_owners",
    "load_rules",
    "parse_share",
    "select_rules",
]
