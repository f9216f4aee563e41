"""The uvicorn factory: each worker process builds its app from the environment."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from redflags.api.app import create_app
from redflags.api.keys import KeyStore
from redflags.api.state import EngineHolder


def app() -> FastAPI:
    store = os.environ.get("REDFLAGS_SERVE_STORE")
    holder = EngineHolder.for_store(
        Path(store) if store else None,
        reload_interval=float(os.environ.get("REDFLAGS_SERVE_RELOAD", "5")),
    )
    holder.start(load=True)  # listens at once; /readyz says when the lists are loaded
    keys = None if os.environ.get("REDFLAGS_SERVE_NO_AUTH") else KeyStore()
    return create_app(
        holder, keys, max_batch=int(os.environ.get("REDFLAGS_SERVE_MAX_BATCH", "100"))
    )
