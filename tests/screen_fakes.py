"""A tiny stand-in screener for the screening-job tests: deterministic, no index needed.

It "lists" a few names; a query whose name contains one of them is a hit. Every screened
query id is appended to ``CALLS`` so tests can prove no row is screened twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redflags.matching.types import FeatureExplanation, MatchResult, ScreeningHit
from redflags.screening.job import BatchFn, EngineBatch

LISTED: dict[str, dict[str, Any]] = {
    "hikvision": {
        "id": "us-bis-hikvision",
        "schema": "Company",
        "properties": {
            "name": ["Hangzhou Hikvision Digital Technology Co., Ltd."],
            "alias": ["Hikvision", "杭州海康威视数字技术股份有限公司"],
            "country": ["cn"],
            "addressEntity": ["addr-hik"],
            "registrationNumber": ["91330000733796106P"],
        },
        "datasets": ["us_bis_entity_list", "us_fcc_covered"],
        "provenance": {
            "list": "us_bis_entity_list",
            "list_version": "us_bis_entity_list@test",
            "record_id": "EL-1",
            "programs": ["EAR"],
            "listed_on": "2019-10-09",
            "source_url": "https://www.bis.gov/entity-list",
            "citations": ["84 FR 54004, 10/9/19"],
        },
    },
    "acme arms": {
        "id": "un-acme",
        "schema": "Organization",
        "properties": {"name": ["ACME ARMS TRADING"], "notes": ["<script>alert(1)</script>"]},
        "datasets": ["un_sc"],
        "provenance": {"list": "un_sc", "programs": ["DPRK"], "listed_on": "2016-03-02"},
    },
}
CALLS: list[str] = []


class FakeScreener:
    algorithm = "fake"
    version = "1"

    def __init__(self, record: bool = True) -> None:
        self.record = record

    def screen(
        self, query: Mapping[str, Any], *, threshold: float | None = None, limit: int = 10,
        **_: Any,
    ) -> list[ScreeningHit]:
        return self.screen_many([query], threshold=threshold, limit=limit)[0]

    def screen_many(
        self,
        queries: list[Mapping[str, Any]],
        *,
        threshold: float | None = None,
        limit: int = 10,
        **_: Any,
    ) -> list[list[ScreeningHit]]:
        out = []
        for q in queries:
            if self.record:
                CALLS.append(str(q["id"]))
            name = q["properties"]["name"][0].casefold()
            hits = []
            for key, entity in LISTED.items():
                if key in name:
                    feats = {
                        "name": FeatureExplanation("name", 0.95, 0.8, "token overlap", name, key),
                        "country": FeatureExplanation("country", 0.0, -0.05, "no country"),
                    }
                    result = MatchResult(0.91, feats, "fake", "1", key, name)
                    hits.append(
                        ScreeningHit(
                            entity,
                            0.91,
                            True,
                            result,
                            evidence=[dict(entity.get("provenance", {}))],
                        )
                    )
            if "beta components" in name:
                hits.append(ScreeningHit(
                    {"id": "ofac-99001", "schema": "LegalEntity",
                     "properties": {"name": ["Volga Precision Machinery Holding JSC"]},
                     "datasets": ["us_ofac_sdn"]},
                    0.9, True, MatchResult(0.9, {}, "fake", "1"), derived=True,
                    evidence=[{"kind": "derived", "rule": "ofac_50_percent",
                               "rule_title": "OFAC 50 Percent Rule", "verdict": "caught",
                               "share": "60%", "listed_name": "Volga Precision",
                               "paths": [[{"owner_name": "Volga Precision", "owned_name":
                                           "Beta Components GmbH", "kind": "ownership",
                                           "share_text": "60%", "source": "annual report",
                                           "date": "2023-12-31"}]]}],
                ))
            out.append(hits[:limit])
        return out


def fake_batch() -> BatchFn:
    """The picklable factory each worker process calls."""
    return EngineBatch(FakeScreener(), 0.7, 5)


SANCTIONS = [
    {
        "id": "us-bis-hikvision-sanction",
        "schema": "Sanction",
        "properties": {
            "entity": ["us-bis-hikvision"],
            "program": ["Entity List"],
            "summary": ["84 FR 54004, 10/9/19"],
            "listingDate": ["2019-10-09"],
            "reason": ["activities contrary to US foreign policy interests"],
            "sourceUrl": ["https://www.federalregister.gov/d/2019-22210"],
        },
    },
    {
        "id": "addr-hik",
        "schema": "Address",
        "properties": {"full": ["No.555 Qianmo Road, Binjiang District, Hangzhou"]},
    },
    {"id": "other-sanction", "schema": "Sanction", "properties": {"entity": ["nobody"]}},
]


class FakeCatalog:
    description = "fake catalog for tests"

    def iter_entities(self, lists: Any = None) -> Any:
        yield from SANCTIONS


class FakeInfo:
    def __init__(self, name: str) -> None:
        self.name = name

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.name, "version": f"{self.name}@1",
                "list_date": "2026-07-09", "age_days": 3, "stale": False, "entity_count": 2}


class FakeEngine:
    """What ``load_engine`` returns, with the fake screener inside."""

    def __init__(self) -> None:
        self.screener = FakeScreener()
        self.screener.matcher = self.screener  # type: ignore[attr-defined]
        self.catalog = FakeCatalog()
        self.lists = [FakeInfo("us_bis_entity_list"), FakeInfo("un_sc")]
        self.list_versions = {i.name: f"{i.name}@1" for i in self.lists}

    def screen(self, query: Mapping[str, Any], **kw: Any) -> list[ScreeningHit]:
        return self.screener.screen(query, **kw)
