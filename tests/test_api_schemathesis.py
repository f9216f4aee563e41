"""Property-based API testing from our own OpenAPI spec: no input may cause a 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from redflags.api.app import create_app  # noqa: E402
from redflags.api.keys import KeyStore  # noqa: E402
from redflags.api.state import EngineHolder  # noqa: E402
from redflags.store import Store  # noqa: E402


def _app(tmp: Path) -> tuple[object, str]:
    import os

    from tests.test_api import listed

    os.environ["REDFLAGS_HOME"] = str(tmp / "home")
    store = tmp / "store.duckdb"
    with Store(store) as st:
        st.import_entities("us_bis_entity_list", "ftm", listed(), checksum="v1")
    holder = EngineHolder.for_store(store, reload_interval=0)
    holder.load()
    keys = KeyStore(tmp / "keys.json")
    token = keys.create("fuzz")
    return create_app(holder, keys, max_batch=10, max_body_bytes=100_000), token


_TMP = Path(__import__("tempfile").mkdtemp(prefix="redflags-schemathesis-"))
APP, TOKEN = _app(_TMP)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: object) -> None:
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})  # type: ignore[attr-defined]
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text
