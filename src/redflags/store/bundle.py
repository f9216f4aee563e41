"""The bundled default: a dated snapshot of openly licensed lists shipped in the package.

Built reproducibly by ``scripts/build_bundle.py`` from the official files; read here.
Only public-domain (US government), UN and OGL (UK) lists may be bundled; OpenSanctions'
CC BY-NC data never is.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from redflags.model import FtMEntity

BUNDLE_PACKAGE = "redflags.data"
BUNDLE_DIR = "default"
MANIFEST = "manifest.json"
ALLOWED_LICENCES = ("public domain", "UN public information", "Open Government Licence")


def bundle_path() -> Path:
    return Path(str(resources.files(BUNDLE_PACKAGE).joinpath(BUNDLE_DIR)))


def manifest() -> dict[str, Any]:
    path = bundle_path() / MANIFEST
    if not path.exists():
        return {"snapshot_date": None, "lists": []}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def available() -> bool:
    return bool(manifest().get("lists"))


def list_file(entry: dict[str, Any]) -> Path:
    return bundle_path() / str(entry["file"])


def iter_list(entry: dict[str, Any]) -> Iterator[FtMEntity]:
    with gzip.open(list_file(entry), "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
