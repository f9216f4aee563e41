"""`redflags serve` and `redflags keys`: the HTTP API and its keys."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from redflags.cli.common import StoreOption, console, err_console, friendly_errors, resolve_store
from redflags.errors import RedflagsError

keys_app = typer.Typer(help="Manage API keys (stored hashed).", no_args_is_help=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@friendly_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    store: StoreOption = None,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="Serve without API keys (loopback only).")
    ] = False,
    reload_interval: Annotated[
        float, typer.Option(help="Seconds between checks for new list versions (0 = never).")
    ] = 5.0,
    max_batch: Annotated[int, typer.Option(help="Most queries in one /match request.")] = 100,
) -> None:
    """Serve the yente-compatible matching API (POST /match/{dataset}, /search, /entities...)."""
    import os

    import uvicorn

    from redflags.api.keys import KeyStore

    if no_auth and not _is_loopback(host):
        raise RedflagsError(
            f"--no-auth is refused on {host}: without keys the API may only listen on loopback"
        )
    if not no_auth and len(KeyStore()) == 0:
        raise RedflagsError(
            "no API keys exist: create one with `redflags keys create NAME`, or run with "
            "--no-auth on 127.0.0.1 for local use"
        )
    path = resolve_store(store)
    if workers > 1:
        # Build (or check) the index once before workers start, so each only memory-maps it
        # (several processes would each build it).
        from redflags.screening.engine import load_engine

        engine = load_engine(path, on_build=lambda m: err_console.print(m))
        err_console.print(
            f"Serving {len(engine.lists)} lists from the {engine.catalog.description}")
    else:
        # one process listens at once and loads (or builds) the index in the background:
        # /readyz answers 503, and /match 503 with Retry-After, until it is ready
        err_console.print(f"Listening on {host}:{port}; loading the lists (the first start "
                          "builds the index: a minute or so); /readyz says when ready")
    os.environ["REDFLAGS_SERVE_STORE"] = str(path)
    os.environ["REDFLAGS_SERVE_NO_AUTH"] = "1" if no_auth else ""
    os.environ["REDFLAGS_SERVE_RELOAD"] = str(reload_interval)
    os.environ["REDFLAGS_SERVE_MAX_BATCH"] = str(max_batch)
    uvicorn.run(
        "redflags.api.server:app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


@keys_app.command("create")
@friendly_errors
def keys_create(name: Annotated[str, typer.Argument(help="A name for the client.")]) -> None:
    """Create an API key; the token is shown once."""
    from redflags.api.keys import KeyStore

    store = KeyStore()
    token = store.create(name)
    console.print(f"API key [bold]{name}[/] created. Send it as 'Authorization: Bearer <key>':")
    console.print(token, soft_wrap=True)
    err_console.print(f"(stored hashed in {store.path}; it cannot be shown again)")


@keys_app.command("list")
@friendly_errors
def keys_list() -> None:
    """List API keys (names, creation dates, hints)."""
    from redflags.api.keys import KeyStore

    for key in KeyStore().list():
        console.print(f"{key.name}\t{key.created_at}\t{key.hint}")


@keys_app.command("revoke")
@friendly_errors
def keys_revoke(name: Annotated[str, typer.Argument(help="The key to revoke.")]) -> None:
    """Revoke an API key."""
    from redflags.api.keys import KeyStore

    KeyStore().revoke(name)
    console.print(f"revoked {name}")
