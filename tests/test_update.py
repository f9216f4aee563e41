"""`update` against a loopback HTTP server: conditional GET, retries, truncation, bad pages."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from redflags.errors import RedflagsError
from redflags.sources.fetch import Fetcher
from redflags.sources.registry import ListSpec
from redflags.store import Store
from redflags.store.duck import current_path
from redflags.store.update import update_lists


@dataclass
class Route:
    body: bytes
    etag: str = '"v1"'
    fail_times: int = 0  # answer 503 this many times first
    truncate: bool = False  # announce more bytes than sent
    requests: list[dict[str, str]] = field(default_factory=list)


class Server:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                route = routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                route.requests.append(dict(self.headers))
                if route.fail_times > 0:
                    route.fail_times -= 1
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", route.etag)
                length = len(route.body) + (1000 if route.truncate else 0)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(route.body)
                if route.truncate:
                    self.wfile.flush()
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def ftm_lines(n: int, tag: str = "") -> bytes:
    lines = []
    for i in range(n):
        lines.append(
            json.dumps(
                {"id": f"e-{i}", "schema": "Company", "properties": {"name": [f"Firm {i}{tag}"]}}
            )
        )
    return ("\n".join(lines) + "\n").encode()


def spec_for(server: Server, path: str = "/list.ftm.json") -> ListSpec:
    return ListSpec(
        "t_list",
        "Test list",
        "ftm",
        "Test",
        "public domain",
        urls={"list.ftm.json": server.base + path},
    )


def run(store: Store, spec: ListSpec, tmp: Path, **kw: object) -> str:
    fetcher = Fetcher(timeout=5, retries=2, backoff=0.0)
    try:
        (outcome,) = update_lists(store, [spec], tmp / "dl", fetcher, **kw)  # type: ignore[arg-type]
    finally:
        fetcher.close()
    return outcome.status + (f": {outcome.message}" if outcome.message else "")


def test_update_then_not_modified(server: Server, tmp_path: Path) -> None:
    server.routes["/list.ftm.json"] = Route(ftm_lines(50))
    spec = spec_for(server)
    with Store(tmp_path / "s.duckdb") as st:
        assert run(st, spec, tmp_path) == "updated"
        v1 = st.current_version("t_list")
        assert run(st, spec, tmp_path).startswith("not-modified")
        route = server.routes["/list.ftm.json"]
        assert route.requests[-1].get("If-None-Match") == '"v1"'
        assert st.current_version("t_list") == v1
        assert (tmp_path / "dl" / "t_list" / "current" / "list.ftm.json").exists()


def _fetched_at(st: Store) -> object:
    (row,) = [v for v in st.current_versions() if v["list"] == "t_list"]
    return row["fetched_at"]


def test_an_unchanged_list_counts_as_fetched_again(server: Server, tmp_path: Path) -> None:
    """A list without its own date ages from its last download: found unchanged by
    `update` (a 304, or the same bytes), it aged on from the first download and was
    reported stale the morning it was checked."""
    server.routes["/list.ftm.json"] = route = Route(ftm_lines(50))
    spec = spec_for(server)
    with Store(tmp_path / "s.duckdb") as st:
        assert run(st, spec, tmp_path) == "updated"
        v1, first = st.current_version("t_list"), _fetched_at(st)
        st.con.execute("UPDATE versions SET fetched_at = TIMESTAMP '2026-01-01 00:00:00'")
        assert run(st, spec, tmp_path).startswith("not-modified")
        second = _fetched_at(st)
        assert st.current_version("t_list") == v1 and second >= first  # type: ignore[operator]
        route.etag = '"v2"'  # a new ETag, the same bytes: imported as unchanged
        st.con.execute("UPDATE versions SET fetched_at = TIMESTAMP '2026-01-01 00:00:00'")
        assert run(st, spec, tmp_path) == "unchanged"
        assert st.current_version("t_list") == v1 and _fetched_at(st) >= second  # type: ignore[operator]
        # ...and so do readers of the published versions (`redflags lists`, a server)
        published = json.loads(current_path(tmp_path / "s.duckdb").read_text())
        assert not str(published["versions"][0]["fetched_at"]).startswith("2026-01-01")


def test_retries_after_server_errors(server: Server, tmp_path: Path) -> None:
    server.routes["/list.ftm.json"] = Route(ftm_lines(5), fail_times=2)
    with Store(tmp_path / "s.duckdb") as st:
        assert run(st, spec_for(server), tmp_path) == "updated"
    assert len(server.routes["/list.ftm.json"].requests) == 3


def test_persistent_failure_keeps_current(server: Server, tmp_path: Path) -> None:
    server.routes["/list.ftm.json"] = Route(ftm_lines(20))
    spec = spec_for(server)
    with Store(tmp_path / "s.duckdb") as st:
        run(st, spec, tmp_path)
        v1 = st.current_version("t_list")
        server.routes["/list.ftm.json"] = Route(ftm_lines(20, "x"), etag='"v2"', fail_times=10)
        status = run(st, spec, tmp_path)
        assert status.startswith("failed") and "503" in status
        assert st.current_version("t_list") == v1


def test_truncated_download_never_replaces(server: Server, tmp_path: Path) -> None:
    server.routes["/list.ftm.json"] = Route(ftm_lines(20))
    spec = spec_for(server)
    with Store(tmp_path / "s.duckdb") as st:
        run(st, spec, tmp_path)
        v1 = st.current_version("t_list")
        server.routes["/list.ftm.json"] = Route(ftm_lines(30, "y"), etag='"v2"', truncate=True)
        status = run(st, spec, tmp_path)
        assert status.startswith("failed")
        assert st.current_version("t_list") == v1
        names = {e["properties"]["name"][0] for e in st.iter_entities()}
        assert "Firm 0" in names


def test_html_error_page_is_refused(server: Server, tmp_path: Path) -> None:
    server.routes["/list.ftm.json"] = Route(ftm_lines(20))
    spec = spec_for(server)
    with Store(tmp_path / "s.duckdb") as st:
        run(st, spec, tmp_path)
        v1 = st.current_version("t_list")
        server.routes["/list.ftm.json"] = Route(
            b"<!DOCTYPE html><html><body>Service unavailable</body></html>", etag='"v3"'
        )
        status = run(st, spec, tmp_path)
        assert "HTML" in status and f"downloaded from {server.base}/list.ftm.json" in status
        assert st.current_version("t_list") == v1


def test_suspicious_shrink_is_refused(server: Server, tmp_path: Path) -> None:
    server.routes["/list.ftm.json"] = Route(ftm_lines(100))
    spec = spec_for(server)
    with Store(tmp_path / "s.duckdb") as st:
        run(st, spec, tmp_path)
        v1 = st.current_version("t_list")
        server.routes["/list.ftm.json"] = Route(ftm_lines(50), etag='"v4"')
        status = run(st, spec, tmp_path)
        assert status.startswith("failed") and "loses 50 of 100" in status
        assert st.current_version("t_list") == v1
        assert run(st, spec, tmp_path, force=True) == "updated"
        assert st.current_version("t_list") != v1


def test_a_mirror_serves_the_official_file_names(server: Server, tmp_path: Path) -> None:
    # an organisation's own copy of the lists (or a proxy) under the official file names
    from redflags.store.update import mirrored

    server.routes["/copies/list.ftm.json"] = Route(ftm_lines(20))
    official = spec_for(server, "/nowhere.json")  # the official URL is not reachable
    (spec,) = mirrored([official], server.base + "/copies/")
    assert spec.urls == {"list.ftm.json": server.base + "/copies/list.ftm.json"}
    with Store(tmp_path / "s.duckdb") as st:
        assert run(st, spec, tmp_path) == "updated"
    with pytest.raises(RedflagsError, match="http"):
        mirrored([official], "/srv/lists")
