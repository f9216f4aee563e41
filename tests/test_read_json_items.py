"""The JSON-or-JSON-lines reader the ownership sources share."""

from __future__ import annotations

from pathlib import Path

import pytest

from redflags.errors import SourceError
from redflags.sources.base import read_json_items


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "in.json"
    path.write_bytes(data)
    return path


def test_documents_and_lines(tmp_path: Path) -> None:
    assert read_json_items(_file(tmp_path, b'[{"a": 1}, {"b": 2}]')) == [{"a": 1}, {"b": 2}]
    assert read_json_items(_file(tmp_path, b'{"a": 1}')) == [{"a": 1}]
    lines = b'{"a": 1}\n\n[{"b": 2}, {"c": 3}]\n'
    assert read_json_items(_file(tmp_path, lines)) == [{"a": 1}, {"b": 2}, {"c": 3}]
    # an array written one element a line, with a trailing comma the JSON parser refuses
    loose = b'[\n{"a": 1},\n{"b": 2},\n]\n'
    assert read_json_items(_file(tmp_path, loose)) == [{"a": 1}, {"b": 2}]


def test_a_broken_line_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as err:
        read_json_items(_file(tmp_path, b'{"a": 1}\n{"b": \n'))
    assert err.value.line == 2


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not UTF-8"):
        read_json_items(_file(tmp_path, b'{"name": "caf\xe9"}'))
