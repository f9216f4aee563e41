"""The HTTP API: yente request/response shapes, keys, limits, and hot reload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from redflags.api.app import create_app
from redflags.api.keys import KeyStore
from redflags.api.state import EngineHolder
from redflags.errors import RedflagsError
from redflags.model import EntityBuilder, FtMEntity
from redflags.store import Store


def listed() -> Iterator[FtMEntity]:
    b = EntityBuilder("Company", "bis-hikvision", "us_bis_entity_list")
    b.add("name", "Hangzhou Hikvision Digital Technology Co., Ltd.")
    b.add("alias", "Hikvision")
    b.add("country", "China")
    b.set_provenance(list="us_bis_entity_list", record_id="1", citations=["84 FR 54004"])
    yield b.to_dict()
    p = EntityBuilder("Person", "ofac-1", "us_bis_entity_list")
    p.add("name", "Viktor Anatolyevich BOUT")
    p.add("birthDate", "1967-01-13")
    p.set_provenance(list="us_bis_entity_list", record_id="2")
    yield p.to_dict()
    s = EntityBuilder("Sanction", "bis-hikvision-sanction", "us_bis_entity_list")
    s.add("entity", "bis-hikvision")
    s.add("program", "Entity List")
    yield s.to_dict()


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REDFLAGS_HOME", str(tmp_path / "home"))
    store = tmp_path / "store.duckdb"
    with Store(store) as st:
        st.import_entities("us_bis_entity_list", "ftm", listed(), checksum="v1")
    return store


@pytest.fixture()
def keys(tmp_path: Path) -> tuple[KeyStore, str]:
    ks = KeyStore(tmp_path / "keys.json")
    return ks, ks.create("erp")


@pytest.fixture()
def client(env: Path, keys: tuple[KeyStore, str]) -> TestClient:
    holder = EngineHolder.for_store(env, reload_interval=0)
    holder.load()
    app = create_app(holder, keys[0], max_batch=5, max_body_bytes=50_000)
    return TestClient(app)


def auth(keys: tuple[KeyStore, str], scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {keys[1]}"}


YENTE_BODY: dict[str, Any] = {
    "weights": {},
    "queries": {
        "supplier-17": {
            "schema": "Company",
            "properties": {"name": ["Hikvision"], "country": ["cn"]},
        },
        "person-2": {"schema": "Person", "properties": {"name": ["Viktor Bout"],
                                                         "birthDate": ["1967-01-13"]}},
    },
}


def test_requires_a_key(client: TestClient, keys: tuple[KeyStore, str]) -> None:
    assert client.post("/match/default", json=YENTE_BODY).status_code == 401
    bad = client.post("/match/default", json=YENTE_BODY, headers={"Authorization": "Bearer x"})
    assert bad.status_code == 401 and "traceback" not in bad.text.lower()
    assert client.post("/match/default", json=YENTE_BODY, headers=auth(keys)).status_code == 200
    # OpenSanctions' hosted API style, which existing yente clients send
    assert client.post("/match/default", json=YENTE_BODY,
                       headers=auth(keys, "ApiKey")).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_keys_are_stored_hashed(keys: tuple[KeyStore, str]) -> None:
    ks, token = keys
    assert token not in ks.path.read_text()
    assert ks.verify(token) == "erp" and ks.verify(token + "x") is None


def test_yente_match_shape(client: TestClient, keys: tuple[KeyStore, str]) -> None:
    resp = client.post(
        "/match/default",
        params={"algorithm": "logic-v2", "threshold": 0.7, "limit": 3},
        json=YENTE_BODY,
        headers=auth(keys),
    )
    assert resp.status_code == 200
    data = resp.json()
    assert set(data) >= {"responses", "limit", "matcher", "algorithm", "list_versions"}
    assert data["limit"] == 3
    assert set(data["responses"]) == {"supplier-17", "person-2"}
    first = data["responses"]["supplier-17"]
    assert first["status"] == 200 and first["total"]["relation"] == "eq"
    assert first["query"]["schema"] == "Company"
    top = first["results"][0]
    for key in ("id", "caption", "schema", "properties", "datasets", "referents", "target",
                "first_seen", "last_seen", "last_change", "score", "match", "features",
                "explanations"):
        assert key in top, key
    assert top["id"] == "bis-hikvision" and top["match"] is True
    assert 0.0 <= top["score"] <= 1.0
    assert top["datasets"] == ["us_bis_entity_list"]
    assert all("contribution" in e and "score" in e for e in top["explanations"].values())
    assert data["list_versions"]["us_bis_entity_list"].startswith("us_bis_entity_list@")
    person = data["responses"]["person-2"]["results"][0]
    assert person["id"] == "ofac-1"


def test_dataset_filters_and_exclusions(client: TestClient, keys: tuple[KeyStore, str]) -> None:
    h = auth(keys)
    assert client.post("/match/nope", json=YENTE_BODY, headers=h).status_code == 404
    r = client.post("/match/us_bis_entity_list", json=YENTE_BODY, headers=h,
                    params={"exclude_entity_ids": ["bis-hikvision"]}).json()
    assert all(x["id"] != "bis-hikvision" for x in r["responses"]["supplier-17"]["results"])
    r = client.post("/match/default", json=YENTE_BODY, headers=h,
                    params={"exclude_dataset": ["us_bis_entity_list"]}).json()
    assert r["responses"]["supplier-17"]["results"] == []


def test_limits_and_bad_requests(client: TestClient, keys: tuple[KeyStore, str]) -> None:
    h = auth(keys)
    many = {"queries": {str(i): {"schema": "Company", "properties": {"name": ["x"]}}
                        for i in range(6)}}
    r = client.post("/match/default", json=many, headers=h)
    assert r.status_code == 400 and "too many queries" in r.json()["detail"]
    huge = {"queries": {"a": {"schema": "Company", "properties": {"name": ["x" * 60_000]}}}}
    assert client.post("/match/default", json=huge, headers=h).status_code == 413
    bad_schema = {"queries": {"a": {"schema": "Banana", "properties": {"name": ["x"]}}}}
    assert client.post("/match/default", json=bad_schema, headers=h).status_code == 400
    r = client.post("/match/default", content=b"{not json", headers=h)
    assert r.status_code == 422
    assert client.post("/match/default", json=YENTE_BODY, headers=h,
                       params={"algorithm": "magic"}).status_code == 400
    # typos that would screen against nothing and answer "no match"
    r = client.post("/match/default", json=YENTE_BODY, headers=h,
                    params={"include_dataset": ["nosuch"]})
    assert r.status_code == 400 and "nosuch" in r.json()["detail"]
    typo = {"queries": {"a": {"schema": "Company", "properties": {"nmae": ["Hikvision"]}}}}
    r = client.post("/match/default", json=typo, headers=h)
    assert r.status_code == 400 and "'nmae'" in r.json()["detail"]
    # a date that is none is left out and named, never compared as written; the rest of
    # the query and of the batch is screened (one "not known" refused 100 queries)
    bad_date = {"queries": {"a": {"schema": "Person", "properties": {
        "name": ["Viktor Bout"], "birthDate": ["1952-13-45"]}},
        "b": {"schema": "Person", "properties": {"name": ["Viktor Bout"],
                                                  "birthDate": ["not known"]}}}}
    r = client.post("/match/default", json=bad_date, headers=h)
    assert r.status_code == 200
    for key, value in (("a", "1952-13-45"), ("b", "not known")):
        resp = r.json()["responses"][key]
        assert resp["warnings"] == [f"birthDate {value!r} is not a date (YYYY, YYYY-MM or "
                                    "YYYY-MM-DD), ignored"]
        assert "birthDate" not in resp["query"]["properties"]
        assert resp["results"][0]["id"] == "ofac-1"
    for props in ({}, {"name": [""]}, {"name": []}):
        empty = {"queries": {"a": {"schema": "Company", "properties": props}}}
        r = client.post("/match/default", json=empty, headers=h)
        assert r.status_code == 400 and "no property" in r.json()["detail"], props
    year = {"queries": {"a": {"schema": "Person", "properties": {
        "name": ["Vladimir Putin"], "birthDate": ["1952"]}}}}
    assert client.post("/match/default", json=year, headers=h).status_code == 200


def test_search_entities_catalog_algorithms(client: TestClient, keys: tuple[KeyStore, str]) -> None:
    h = auth(keys)
    s = client.get("/search/default", params={"q": "hikvision"}, headers=h).json()
    assert s["results"][0]["id"] == "bis-hikvision"
    assert s["total"] == {"value": len(s["results"]), "relation": "eq"}
    # "total" is what was found (with "gte" when a next page may hold more), not the page
    none = client.get("/search/default", params={"q": "hikvision", "offset": 1},
                      headers=h).json()
    assert none["results"] == [] and none["total"] == {"value": 1, "relation": "eq"}
    e = client.get("/entities/bis-hikvision", headers=h)
    assert e.status_code == 200
    assert e.json()["provenance"]["citations"] == ["84 FR 54004"]
    assert client.get("/entities/unknown", headers=h).status_code == 404
    cat = client.get("/catalog", headers=h).json()
    assert "us_bis_entity_list" in cat["current"]
    algos = client.get("/algorithms", headers=h).json()
    assert algos["default"] == algos["algorithms"][0]["name"]
    assert client.get("/readyz").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/match/{dataset}" in spec["paths"]


def test_hot_reload_keeps_inflight_engine(env: Path) -> None:
    holder = EngineHolder.for_store(env, reload_interval=0)
    holder.load()
    old = holder.engine  # what a request in flight holds
    assert not holder.check_reload()  # nothing changed
    with Store(env) as st:
        b = EntityBuilder("Company", "new-co", "us_bis_entity_list")
        b.add("name", "Brand New Listed Trading Company")
        st.import_entities("us_bis_entity_list", "ftm", [*listed(), b.to_dict()], checksum="v2")
    assert holder.check_reload()
    new = holder.engine
    assert new is not old and holder.reloads == 1
    q = {"schema": "Company", "properties": {"name": ["Brand New Listed Trading"]}}
    assert old.thread_screener().screen(q, limit=1) == [] or \
        old.thread_screener().screen(q, limit=1)[0].entity["id"] != "new-co"
    assert new.thread_screener().screen(q, limit=1)[0].entity["id"] == "new-co"


def test_no_auth_refused_off_loopback() -> None:
    from typer.testing import CliRunner

    from redflags.cli import app

    result = CliRunner().invoke(app, ["serve", "--no-auth", "--host", "0.0.0.0"])
    assert result.exit_code != 0
    assert "loopback" in result.output


def _match(client: TestClient, h: dict[str, str], props: dict[str, Any], schema: str = "Person",
           path: str = "/match/default", **params: Any) -> dict[str, Any]:
    r = client.post(path, json={"queries": {"q": {"schema": schema, "properties": props}}},
                    headers=h, params=params)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()["responses"]["q"]
    return out


def test_dates_in_other_forms_are_the_same_date(client: TestClient,
                                                 keys: tuple[KeyStore, str]) -> None:
    """"1967/01/13" was compared as written against 1967-01-13: a conflict, the true hit
    fell from 0.99 to ~0.6 and below a yente client's 0.7."""
    h = auth(keys)
    iso = _match(client, h, {"name": ["Viktor Bout"], "birthDate": ["1967-01-13"]})
    for form in ("1967/01/13", "13.01.1967", "1967-1-13"):
        other = _match(client, h, {"name": ["Viktor Bout"], "birthDate": [form]})
        assert other["query"]["properties"]["birthDate"] == ["1967-01-13"], form
        assert other["results"][0]["score"] == iso["results"][0]["score"], form
        assert other["warnings"] == []


def test_yente_client_defaults(client: TestClient, keys: tuple[KeyStore, str]) -> None:
    """yente's clients call /match/sanctions, send Thing for any party, send another
    schema's property, and read only results at or above the threshold."""
    h = auth(keys)
    sanctions = _match(client, h, {"name": ["Hikvision"]}, schema="Thing",
                       path="/match/sanctions")
    assert sanctions["results"][0]["id"] == "bis-hikvision"
    mixed = _match(client, h, {"name": ["Hikvision"], "birthDate": ["1990"]}, schema="Company")
    assert mixed["warnings"] == ["birthDate: not a property of Company, ignored"]
    assert mixed["results"][0]["id"] == "bis-hikvision"
    # nothing under the threshold comes back, unless a lower cutoff asks for it
    weak = _match(client, h, {"name": ["Viktor Boutin"]})
    assert all(r["match"] for r in weak["results"])
    assert weak["total"]["value"] == len(weak["results"])
    near = _match(client, h, {"name": ["Viktor Boutin"]}, cutoff=0.0)
    assert len(near["results"]) > len(weak["results"])
    assert [r["score"] for r in near["results"]] == sorted(
        (r["score"] for r in near["results"]), reverse=True)
    # a dataset that no entity carries is a 404, dotted or not (it answered "no match")
    r = client.post("/match/us_bis_entity_list.2024", headers=h, json={
        "queries": {"q": {"schema": "Company", "properties": {"name": ["Hikvision"]}}}})
    assert r.status_code == 404


def test_a_bare_imo_number_is_the_imo_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             keys: tuple[KeyStore, str]) -> None:
    """Trade documents write an IMO number as its seven digits; the list writes IMO9187629
    and a query of the digits found nothing (FtM, so yente, reads them as the IMO number)."""
    monkeypatch.setenv("REDFLAGS_HOME", str(tmp_path / "home"))
    store = tmp_path / "vessels.duckdb"
    v = EntityBuilder("Vessel", "ofac-artavil", "us_ofac_sdn")
    v.add("name", "ARTAVIL")
    v.add("imoNumber", "IMO9187629")
    v.set_provenance(list="us_ofac_sdn", record_id="3")
    with Store(store) as st:
        st.import_entities("us_ofac_sdn", "ftm", [v.to_dict()], checksum="v1")
    holder = EngineHolder.for_store(store, reload_interval=0)
    holder.load()
    client = TestClient(create_app(holder, keys[0]))
    out = _match(client, auth(keys), {"imoNumber": ["9187629"]}, schema="Vessel")
    assert out["query"]["properties"]["imoNumber"] == ["IMO9187629"]
    assert [r["id"] for r in out["results"]] == ["ofac-artavil"]


def test_the_server_listens_while_the_index_loads(env: Path, keys: tuple[KeyStore, str]) -> None:
    """A first start built the index for minutes before it listened: a load balancer saw
    "connection refused" and a liveness probe killed it mid-build. It answers at once now,
    503 with Retry-After until the lists are loaded, and says why if they cannot be."""
    import threading

    from redflags.screening.engine import load_engine

    release = threading.Event()

    def slow_load() -> Any:
        release.wait(timeout=60)
        return load_engine(env)

    holder = EngineHolder(slow_load, lambda: "fp", reload_interval=0)
    client = TestClient(create_app(holder, keys[0]))
    holder.start(load=True)
    h = auth(keys)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    r = client.post("/match/default", json=YENTE_BODY, headers=h)
    assert r.status_code == 503 and r.headers["retry-after"] == "10"
    release.set()
    assert holder._thread is not None
    holder._thread.join(timeout=60)
    assert client.get("/readyz").status_code == 200
    assert client.post("/match/default", json=YENTE_BODY, headers=h).status_code == 200

    def broken() -> Any:
        raise RedflagsError("no lists available")

    failed = EngineHolder(broken, lambda: "fp", reload_interval=0)
    failed.start(load=True)
    assert failed._thread is not None
    failed._thread.join(timeout=10)
    r = TestClient(create_app(failed, keys[0])).get("/readyz")
    assert r.status_code == 503 and "could not be loaded: no lists available" in r.json()["detail"]
