"""FastAPI application: yente's paths and JSON shapes, served from the in-memory index."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from followthemoney import model as ftm_model
from followthemoney import registry

from redflags import __version__
from redflags.api import models
from redflags.api.keys import KeyStore
from redflags.api.state import EngineHolder, NotReady
from redflags.matching.types import ScreeningHit
from redflags.model import FtMEntity, caption

log = logging.getLogger("redflags.api")

# yente's algorithm names: a yente client sends one of these by default; we answer with ours
# (and say so in the response) rather than refuse a request that works unchanged elsewhere.
YENTE_ALGORITHMS = {"logic-v1", "logic-v2", "name-based", "name-qualified", "regression-v1",
                    "regression-v2", "best", "default"}
MAX_LIMIT = 500
# What yente's clients call the collection of every list: all the lists loaded here.
ALL_DATASETS = frozenset({"default", "sanctions", "all"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _FastJSON(JSONResponse):
    """orjson-encoded responses for the two hot endpoints, as FastAPI's ORJSONResponse did
    before it was deprecated (the bodies are plain dicts, not response models)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


class BodyLimit:
    """Refuse request bodies over a size with 413, before they are read into memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await _send_json(send, 413, {"detail": self._message()})
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await _send_json(send, 413, {"detail": self._message()})

    def _message(self) -> str:
        return f"request body larger than {self.max_bytes} bytes"


class _TooLarge(Exception):
    pass


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    import json

    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(data)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": data})


def create_app(
    holder: EngineHolder,
    keys: KeyStore | None,
    *,
    max_batch: int = 100,
    max_body_bytes: int = 2_000_000,
) -> FastAPI:
    """``keys=None`` serves without authentication (the CLI only allows it on loopback)."""
    app = FastAPI(
        title="redflags",
        version=__version__,
        description="Sanctions and restricted-party screening; yente-compatible matching API.",
    )

    # Endpoints are coroutines: the matching work is CPU-bound and holds the GIL anyway, so a
    # hop to the thread pool only added a GIL hand-off and a cold per-thread screener cache
    # to every request (measured: 19 % of a worker's time in Condition.wait/notify). Scale
    # with --workers (processes), not threads.
    async def authorize(request: Request) -> str | None:
        if keys is None:
            return None
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() in ("bearer", "apikey") and token.strip():
            name = keys.verify(token.strip())
            if name is not None:
                return name
        raise HTTPException(
            status_code=401,
            detail="missing or invalid API key (send 'Authorization: Bearer <key>')",
            headers={"WWW-Authenticate": "Bearer"},
        )

    protected = [Depends(authorize)]

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", [])), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": errors})

    @app.exception_handler(NotReady)
    async def not_ready(request: Request, exc: NotReady) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": str(exc)},
                            headers={"Retry-After": "10"})

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse(status_code=500, content={"detail": "internal error"})

    @app.get("/healthz", response_model=models.StatusResponse, tags=["system"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        response_model=models.StatusResponse,
        responses={503: {"model": models.ErrorResponse}},
        tags=["system"],
    )
    async def readyz() -> JSONResponse:
        if not holder.ready:
            return JSONResponse(status_code=503, content={
                "detail": holder.load_error or "the index is being built or loaded"})
        return JSONResponse({"status": "ok"})

    @app.get(
        "/catalog", response_model=models.CatalogResponse, dependencies=protected, tags=["data"]
    )
    async def catalog() -> JSONResponse:
        engine = holder.engine
        datasets: list[dict[str, Any]] = []
        for info in engine.lists:
            datasets.append(
                {
                    "name": info.name,
                    "title": info.title,
                    "url": info.source_url,
                    "load": True,
                    "version": info.version_id,
                    "list_date": info.list_date,
                    "entity_count": info.entity_count,
                    "age_days": info.age_days(),
                    "stale": info.stale(),
                    "children": [],
                }
            )
        names = [i.name for i in engine.lists]
        datasets.append(
            {"name": "default", "title": "All loaded lists", "load": True,
             "version": engine.catalog.fingerprint(names),
             "entity_count": sum(i.entity_count for i in engine.lists), "children": names}
        )
        return JSONResponse(
            {
                "datasets": datasets,
                "current": names,
                "outdated": [i.name for i in engine.lists if i.stale()],
                "index_stale": False,
                "origin": engine.catalog.origin,
            }
        )

    @app.get(
        "/algorithms",
        response_model=models.AlgorithmResponse,
        dependencies=protected,
        tags=["matching"],
    )
    async def algorithms() -> JSONResponse:
        name, version = _algorithm()
        doc = {
            "name": name,
            "version": version,
            "description": "Calibrated feature-based matcher over names across scripts, "
            "identifiers, dates and countries; every score comes with its explanation.",
            "features": {},
        }
        return JSONResponse({"algorithms": [doc], "default": name, "best": name})

    def _resolve_datasets(
        dataset: str, include: list[str] | None, exclude: list[str] | None
    ) -> set[str] | None:
        engine = holder.engine
        names = set(engine.list_versions)
        # the datasets the index's entities carry (an FtM import's own, e.g. OpenSanctions')
        known = names | set(engine.screener.index.datasets)
        if dataset in ALL_DATASETS:
            dataset = "default"  # yente's clients call /match/sanctions
        if dataset != "default" and dataset not in known:
            raise HTTPException(status_code=404, detail=f"no such dataset: {dataset}")
        # an unknown name (a typo) would screen against nothing and answer "no match"
        unknown = sorted(d for d in [*(include or []), *(exclude or [])] if d not in known)
        if unknown:
            raise HTTPException(
                status_code=400,
                detail=f"unknown dataset(s) in include_dataset/exclude_dataset: "
                f"{', '.join(unknown)}; available: {', '.join(sorted(names))}",
            )
        wanted: set[str] | None = None if dataset == "default" else {dataset}
        if include:
            wanted = set(include) if wanted is None else wanted & set(include)
        if exclude:
            wanted = (wanted if wanted is not None else names) - set(exclude)
        return wanted

    def _check_algorithm(algorithm: str | None) -> None:
        if algorithm is None:
            return
        name, _ = _algorithm()
        if algorithm != name and algorithm not in YENTE_ALGORITHMS:
            raise HTTPException(
                status_code=400,
                detail=f"unknown algorithm {algorithm!r}; available: {name}",
            )

    @app.post(
        "/match/{dataset}",
        dependencies=protected,
        response_model=models.EntityMatchResponse,
        responses={400: {"model": models.ErrorResponse}, 404: {"model": models.ErrorResponse},
                   413: {"model": models.ErrorResponse}},
        tags=["matching"],
    )
    async def match(
        body: models.EntityMatchQuery,
        dataset: Annotated[str, Path(max_length=200)],
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 5,
        threshold: Annotated[float, Query(ge=0.0, le=1.0)] = _default_threshold(),
        cutoff: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
        algorithm: Annotated[str | None, Query(max_length=100)] = None,
        include_dataset: Annotated[list[str] | None, Query()] = None,
        exclude_dataset: Annotated[list[str] | None, Query()] = None,
        exclude_schema: Annotated[list[str] | None, Query()] = None,
        exclude_entity_ids: Annotated[list[str] | None, Query()] = None,
    ) -> JSONResponse:
        """Match a batch of FtM-shaped queries, keyed by your own ids (yente's /match).

        As yente: only results scoring at least ``cutoff`` are returned, which defaults to
        (and may not exceed) the threshold, ranked by score; pass a lower ``cutoff`` to see
        near misses."""
        # a client that alerts on any result alerted on every row, each with a 0.08
        cutoff = threshold if cutoff is None else min(cutoff, threshold)
        if len(body.queries) > max_batch:
            raise HTTPException(
                status_code=400,
                detail=f"too many queries in one request: {len(body.queries)} > {max_batch}",
            )
        _check_algorithm(algorithm)
        engine = holder.engine  # this request finishes on this engine, even across a reload
        datasets = _resolve_datasets(dataset, include_dataset, exclude_dataset)
        excluded_ids = set(exclude_entity_ids or [])
        excluded_schemata = set(exclude_schema or [])
        responses: dict[str, Any] = {}
        cleaned = {key: _clean_query(key, example) for key, example in body.queries.items()}
        for n, (key, (query, warnings)) in enumerate(cleaned.items()):
            if n:
                # let the event loop serve others between queries (/healthz waited 21 s
                # behind one heavy batch)
                await asyncio.sleep(0)
            hits = [] if datasets is not None and not datasets else (
                engine.screen(
                    query,
                    threshold=threshold,
                    limit=limit + (10 if excluded_schemata else 0),
                    datasets=datasets,
                    exclude_ids=excluded_ids,
                    cutoff=cutoff,
                )
            )
            results = [
                _scored(h, threshold)
                for h in hits
                if h.score >= cutoff and h.entity.get("schema") not in excluded_schemata
            ][:limit]
            responses[key] = {
                "status": 200,
                "results": results,
                "total": {"value": len(results), "relation": "eq"},
                "query": query,
                "warnings": warnings,
            }
        name, version = _algorithm()
        return _FastJSON(
            {
                "responses": responses,
                "matcher": {},
                "limit": limit,
                "algorithm": {"name": name, "version": version, "requested": algorithm},
                "list_versions": engine.list_versions,
            }
        )

    @app.get(
        "/search/{dataset}",
        dependencies=protected,
        response_model=models.SearchResponse,
        responses={404: {"model": models.ErrorResponse}},
        tags=["matching"],
    )
    async def search(
        dataset: Annotated[str, Path(max_length=200)],
        q: Annotated[str, Query(max_length=1000)] = "",
        schema: Annotated[str, Query(max_length=100)] = "LegalEntity",
        limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = 10,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
        include_dataset: Annotated[list[str] | None, Query()] = None,
        exclude_dataset: Annotated[list[str] | None, Query()] = None,
    ) -> JSONResponse:
        """Find list entries by name (yente's /search; ranked by match score)."""
        engine = holder.engine
        datasets = _resolve_datasets(dataset, include_dataset, exclude_dataset)
        results: list[dict[str, Any]] = []
        found, more = 0, False
        if q.strip() and limit > 0 and (datasets is None or datasets):
            if ftm_model.get(schema) is None:
                raise HTTPException(status_code=400, detail=f"unknown schema: {schema}")
            query: dict[str, Any] = {"schema": schema, "properties": {"name": [q]}}
            # the engine's ranking, as /match has it (a party's entries on other lists come
            # with it: the FCC's Hikvision has no "Hikvision" name), one past the page, so
            # that "total" says whether there is a next page ("gte") or not ("eq")
            hits = engine.screen(query, threshold=0.0, limit=offset + limit + 1,
                                 datasets=datasets, derived=False)
            found, more = len(hits), len(hits) > offset + limit
            results = [_entity_response(h.entity) for h in hits[offset : offset + limit]]
        return _FastJSON(
            {
                "limit": limit,
                "offset": offset,
                "total": {"value": found, "relation": "gte" if more else "eq"},
                "results": results,
                "facets": {},
                "list_versions": engine.list_versions,
            }
        )

    @app.get(
        "/entities/{entity_id}",
        dependencies=protected,
        response_model=models.EntityResponse,
        responses={404: {"model": models.ErrorResponse}},
        tags=["data"],
    )
    async def entity(entity_id: Annotated[str, Path(max_length=500)]) -> JSONResponse:
        """One list entry by id, as published (with its provenance)."""
        found = holder.engine.screener.index.get(entity_id)
        if found is None:
            raise HTTPException(status_code=404, detail=f"no entity with id {entity_id}")
        return JSONResponse(_entity_response(found))

    return _with_body_limit(app, max_body_bytes)


def _with_body_limit(app: FastAPI, max_body_bytes: int) -> FastAPI:
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    return app


def _default_threshold() -> float:
    from redflags.matching import DEFAULT_THRESHOLD

    return float(DEFAULT_THRESHOLD)


@functools.cache
def _algorithm() -> tuple[str, str]:
    from redflags.matching import Matcher

    matcher = Matcher()
    return str(matcher.algorithm), str(matcher.version)


# yente's base schema: a client that does not know the kind of party sends a Thing
_ANY_SCHEMA = {"Thing": "LegalEntity"}


@functools.cache
def _model_properties() -> frozenset[str]:
    return frozenset(p.name for sch in ftm_model.schemata.values() for p in sch.properties.values())


def _clean_query(key: str, example: models.EntityExample) -> tuple[dict[str, Any], list[str]]:
    """The query as the engine takes it, and what was left out of it, value by value: one
    bad cell ("not known" as a birth date) refused a whole batch of 100 queries."""
    schema = _ANY_SCHEMA.get(example.schema_, example.schema_)
    sch = ftm_model.get(schema)
    if sch is None or not sch.matchable:
        raise HTTPException(
            status_code=400, detail=f"query {key}: not a matchable schema: {schema}"
        )
    props: dict[str, list[str]] = {}
    warnings: list[str] = []
    for prop, raw in example.properties.items():
        spec = sch.get(prop)
        if spec is None:
            if prop in _model_properties():
                # another schema's property (a mapper sends birthDate for companies too)
                warnings.append(f"{prop}: not a property of {schema}, ignored")
                continue
            # a misspelt property ("nmae") dropped silently left a query that matches
            # nothing and answered "no match" (FtM refuses it too)
            raise HTTPException(
                status_code=400, detail=f"query {key}: {schema} has no property {prop!r}"
            )
        values = raw if isinstance(raw, list) else [raw]
        clean = [str(v).strip()[:1000] for v in values if isinstance(v, (str, int, float))]
        clean = [v for v in clean if v]
        if clean and spec.type == registry.date:
            clean = _clean_dates(prop, clean, warnings)
        elif clean and spec.type == registry.identifier and spec.format:
            # as FtM cleans it: a bare "9187629" is the IMO number IMO9187629 (found nothing)
            clean = [str(spec.type.clean(v, format=spec.format) or v) for v in clean]
        if clean:
            props[prop] = clean[:50]
    if not props:
        raise HTTPException(status_code=400, detail=f"query {key}: no property to match on")
    return {"id": example.id or key, "schema": schema, "properties": props}, warnings


def _clean_dates(prop: str, values: list[str], warnings: list[str]) -> list[str]:
    """ISO dates from what clients send ("1952/10/07", "07.10.1952"; a day and month that
    cannot be told apart keep the year): compared as written, a right birth date in
    another form counted as a conflict (0.99 -> 0.62). A value that is no date ("not known",
    "1952-13-45") is left out and named, never weighed against the listed dates."""
    from redflags.screening.columns import parse_date

    out: list[str] = []
    for value in values:
        parsed = parse_date(value)
        if parsed is None:
            warnings.append(f"{prop} {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD), "
                            "ignored")
        elif parsed not in out:
            out.append(parsed)
    return out


def _entity_response(entity: FtMEntity | dict[str, Any]) -> dict[str, Any]:
    prov = dict(entity.get("provenance", {}) or {})
    return {
        "id": entity["id"],
        "caption": entity.get("caption") or caption(entity),
        "schema": entity["schema"],
        "properties": entity.get("properties", {}),
        "datasets": list(entity.get("datasets", []) or ([prov["list"]] if "list" in prov else [])),
        "referents": list(entity.get("referents", [])),
        "target": bool(prov),
        "first_seen": None,
        "last_seen": None,
        "last_change": None,
        "provenance": prov or None,
    }


def _scored(hit: ScreeningHit, threshold: float) -> dict[str, Any]:
    data = _entity_response(hit.entity)
    data["score"] = round(hit.score, 4)
    data["match"] = hit.score >= threshold
    data["features"] = {k: round(v.value, 4) for k, v in hit.result.explanations.items()}
    data["explanations"] = {
        k: {
            "score": round(v.value, 4),
            "detail": v.detail,
            "value": round(v.value, 4),
            "contribution": round(v.contribution, 4),
            "query_value": v.query_value,
            "candidate_value": v.candidate_value,
        }
        for k, v in hit.result.explanations.items()
    }
    data["algorithm"] = {"name": hit.result.algorithm, "version": hit.result.algorithm_version}
    if hit.derived:
        data["derived"] = True
        data["evidence"] = hit.evidence
    return data
