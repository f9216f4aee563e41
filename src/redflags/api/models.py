"""Request and response shapes, as yente defines them, plus redflags' additions.

Responses are built as plain dicts for speed; these models document them in OpenAPI and are
used to validate requests.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EntityExample(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")

    id: str | None = Field(None, examples=["my-entity-id"])
    schema_: str = Field(..., alias="schema", examples=["Company"])
    properties: dict[str, str | list[Any]] = Field(
        ..., examples=[{"name": ["Hikvision"], "country": ["cn"]}]
    )


class EntityMatchQuery(BaseModel):
    model_config = ConfigDict(extra="allow")

    weights: dict[str, float] = Field(default_factory=dict)
    queries: dict[str, EntityExample]
    config: dict[str, Any] = Field(default_factory=dict)


class Explanation(BaseModel):
    score: float
    detail: str | None = None
    value: float | None = None
    contribution: float | None = None
    query_value: str | None = None
    candidate_value: str | None = None


class EntityResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    caption: str
    schema_: str = Field(..., alias="schema")
    properties: dict[str, list[Any]]
    datasets: list[str] = Field(default_factory=list)
    referents: list[str] = Field(default_factory=list)
    target: bool = False
    first_seen: str | None = None
    last_seen: str | None = None
    last_change: str | None = None
    provenance: dict[str, Any] | None = None


class ScoredEntityResponse(EntityResponse):
    score: float
    match: bool
    features: dict[str, float]
    explanations: dict[str, Explanation]


class TotalSpec(BaseModel):
    value: int
    relation: str = "eq"


class EntityMatches(BaseModel):
    status: int = 200
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: dict[str, Any]
    # values of the query left out (a date that is none, a property the schema lacks),
    # each named: the rest of the query, and of the batch, is screened (yente drops them)
    warnings: list[str] = Field(default_factory=list)


class AlgorithmInfo(BaseModel):
    name: str
    version: str


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    matcher: dict[str, Any]
    limit: int
    algorithm: AlgorithmInfo
    list_versions: dict[str, str]


class SearchResponse(BaseModel):
    limit: int
    offset: int = 0
    total: TotalSpec
    results: list[EntityResponse]
    facets: dict[str, Any] = Field(default_factory=dict)
    list_versions: dict[str, str]


class DatasetModel(BaseModel):
    name: str
    title: str
    summary: str | None = None
    url: str | None = None
    load: bool = True
    version: str
    list_date: str | None = None
    entity_count: int
    age_days: int | None = None
    stale: bool = False
    children: list[str] = Field(default_factory=list)


class CatalogResponse(BaseModel):
    datasets: list[DatasetModel]
    current: list[str]
    outdated: list[str]
    index_stale: bool = False
    origin: str


class AlgorithmDoc(BaseModel):
    name: str
    version: str
    description: str | None = None
    features: dict[str, Any] = Field(default_factory=dict)


class AlgorithmResponse(BaseModel):
    algorithms: list[AlgorithmDoc]
    default: str
    best: str


class StatusResponse(BaseModel):
    status: str = "ok"


class ErrorResponse(BaseModel):
    detail: str
