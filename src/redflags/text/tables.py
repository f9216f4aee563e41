"""Loads the text tables shipped as data, once per process.

Tables are data (not code) so linguists can extend them without touching the matcher.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import yaml


def _read(name: str) -> str:
    return resources.files("redflags.text").joinpath("data").joinpath(name).read_text("utf-8")


@cache
def load_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_read(name))
    return data


@cache
def load_yaml(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(_read(name))
    return data
