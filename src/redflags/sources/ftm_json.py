"""FollowTheMoney JSON (one entity per line, as OpenSanctions and Aleph export; or a JSON
array) in, and out again with :func:`write_ftm`.

Every schema and property name is checked against the followthemoney model, because a typo'd
property would otherwise vanish silently and an entity could no longer be matched on it.
Files are read as a stream: OpenSanctions' default export is gigabytes. What
``redflags export`` wrote in its own ``provenance`` key (listing date, programmes, source URL,
record id) is read back, so an exported list imported again is the same list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from followthemoney import model as ftm_model

from redflags.errors import SourceError
from redflags.model import FORBIDDEN_PROPERTIES, EntityBuilder, FtMEntity, caption
from redflags.sources.base import ParseContext, check_not_empty_or_html

# Keys OpenSanctions/Aleph/yente put next to id/schema/properties; read and not kept unless
# FtMEntity has room for them.
_KNOWN_KEYS = frozenset(
    {
        "id", "schema", "properties", "caption", "datasets", "referents", "first_seen",
        "last_seen", "last_change", "target", "provenance", "score", "match", "features",
        "explanations", "token", "created_at", "updated_at", "collection_id", "origin",
        "highlight", "links", "bulk", "role", "writeable", "shallow", "profile_id",
    }
)  # fmt: skip
# followthemoney's model.get() measured 17 µs a call here (60,000 calls: 1.0 s of a 6.6 s
# parse of 20,000 entities); schemas are few, so their lookup is memoised.
_schema = lru_cache(maxsize=512)(ftm_model.get)
# 2: reads back redflags' own "provenance" key, so a file imported with 1 is read again
PARSER_VERSION = "2"
_CHUNK = 1 << 16
_MAX_OBJECT_CHARS = 50_000_000
# What `redflags export` writes in its own "provenance" key, read back so that an exported
# list imported again is the same list (a diff of the two found every entity "changed").
# "list" is the list the file is imported as, and "list_version" the store's, so neither is
# taken from the file.
_PROVENANCE_TEXT = ("record_id", "listed_on", "source_url", "enrichment_source", "mentioned_by")
_PROVENANCE_LISTS = ("programs", "citations", "enriched_aliases")


def parse(path: Path, ctx: ParseContext) -> Iterator[FtMEntity]:
    """Stream validated entities from FtM JSON lines or a JSON array of entities.

    Properties the product never records (ethnicity, religion...) are dropped and counted in
    ``ctx.stats["forbidden_property"]``, not refused: OpenSanctions data carries some.
    """
    check_not_empty_or_html(path)
    with open(path, encoding="utf-8-sig") as fh:
        first = _first_char(fh)
        fh.seek(0)
        items = _iter_array(path, fh) if first == "[" else _iter_lines(path, fh)
        for line, data in items:
            yield _entity(path, ctx, line, data)


def write_ftm(
    entities: Iterable[Mapping[str, Any]], fh: IO[str], *, with_provenance: bool = False
) -> int:
    """Write entities as FtM JSON lines (what OpenSanctions/Aleph/yente read); returns count.

    Provenance is redflags' own key; other FtM tools ignore it, so it is off by default.
    """
    count = 0
    for entity in entities:
        out: dict[str, Any] = {
            "id": entity["id"],
            "schema": entity["schema"],
            "caption": entity.get("caption") or caption(dict(entity)),
            "properties": entity.get("properties", {}),
            "datasets": entity.get("datasets", []),
        }
        if entity.get("referents"):
            out["referents"] = entity["referents"]
        if with_provenance and entity.get("provenance"):
            out["provenance"] = entity["provenance"]
        fh.write(json.dumps(out, ensure_ascii=False, sort_keys=False))
        fh.write("\n")
        count += 1
    return count


def _own_provenance(path: Path, line: int, entity_id: str, value: Any) -> dict[str, Any]:
    """The keys of redflags' own ``provenance`` (what the export wrote) that the file holds;
    other FtM producers write none, and a key redflags does not know is ignored."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SourceError(path, '"provenance" is not an object', line=line, record=entity_id)
    out: dict[str, Any] = {}
    for key in _PROVENANCE_TEXT:
        text = value.get(key)
        if text is None:
            continue
        if not isinstance(text, str):
            raise SourceError(path, f"provenance.{key} must be a string", line=line,
                              record=entity_id)
        out[key] = text
    for key in _PROVENANCE_LISTS:
        items = value.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise SourceError(path, f"provenance.{key} must be a list of strings", line=line,
                              record=entity_id)
        out[key] = list(items)
    return out


def _first_char(fh: IO[str]) -> str:
    while True:
        chunk = fh.read(4096)
        if not chunk:
            return ""
        stripped = chunk.lstrip()
        if stripped:
            return stripped[0]


def _iter_lines(path: Path, fh: IO[str]) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(fh, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            yield number, json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(
                path, f"invalid JSON (truncated file?): {exc.msg}", line=number
            ) from None


def _iter_array(path: Path, fh: IO[str]) -> Iterator[tuple[int, Any]]:
    """Objects of a top-level JSON array, decoded one at a time from a sliding buffer.

    The standard library has no streaming decoder and ijson is not a dependency; this reads
    64 kB chunks and lets ``raw_decode`` take one element at a time.
    """
    decoder = json.JSONDecoder()
    buf = ""
    pos = 0
    line = 1  # line number at buf[pos]
    eof = False
    started = False

    def fill() -> bool:
        nonlocal buf, pos, eof
        chunk = fh.read(_CHUNK)
        if not chunk:
            eof = True
            return False
        buf = buf[pos:] + chunk
        pos = 0
        return True

    def skip_ws() -> None:
        nonlocal pos, line
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf) or not fill():
                return

    skip_ws()
    if buf[pos : pos + 1] != "[":
        raise SourceError(path, "expected a JSON array", line=line)
    pos += 1
    while True:
        skip_ws()
        if pos >= len(buf):
            raise SourceError(path, "truncated JSON array: no closing ]", line=line)
        if buf[pos] == "]":
            return
        if started:
            if buf[pos] != ",":
                raise SourceError(path, "invalid JSON array: expected ',' or ']'", line=line)
            pos += 1
            skip_ws()
        while True:
            try:
                obj, end = decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if eof or len(buf) - pos > _MAX_OBJECT_CHARS:
                    raise SourceError(
                        path, f"invalid or truncated JSON: {exc.msg}",
                        line=line + buf.count("\n", pos, exc.pos),
                    ) from None  # fmt: skip
                fill()
        # A value that ends exactly at the buffer's end may be a cut-off number; all FtM
        # elements are objects, which close with "}", so that cannot happen here.
        start_line = line
        line += buf.count("\n", pos, end)
        pos = end
        started = True
        yield start_line, obj


def _entity(path: Path, ctx: ParseContext, line: int, data: Any) -> FtMEntity:
    if not isinstance(data, dict):
        raise SourceError(path, "line is not a JSON object", line=line)
    entity_id = data.get("id")
    schema_name = data.get("schema")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise SourceError(path, "entity has no id", line=line)
    if not isinstance(schema_name, str) or _schema(schema_name) is None:
        raise SourceError(
            path, f"unknown FollowTheMoney schema {schema_name!r}", line=line, record=entity_id
        )
    schema = _schema(schema_name)
    assert schema is not None  # checked above
    properties = data.get("properties") or {}
    if not isinstance(properties, dict):
        raise SourceError(path, '"properties" is not an object', line=line, record=entity_id)
    builder = EntityBuilder(schema_name, entity_id)
    for prop, values in properties.items():
        prop_def = schema.get(prop)
        if prop_def is None:
            raise SourceError(
                path,
                f"schema {schema_name} has no property {prop!r}",
                line=line,
                record=entity_id,
            )
        if prop in FORBIDDEN_PROPERTIES:
            ctx.count("forbidden_property")
            continue
        if prop_def.stub:
            # reverse side of a link (Thing.sanctions): the link entity itself says it
            ctx.count("reverse_property")
            continue
        if isinstance(values, str):
            values = [values]
        if isinstance(values, list):
            # nested exports (yente, Aleph) put the linked entity where its id belongs
            values = [v.get("id") if isinstance(v, dict) else v for v in values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise SourceError(
                path,
                f"property {prop!r} must be a list of strings",
                line=line,
                record=entity_id,
            )
        builder.add(prop, values)
    datasets = data.get("datasets")
    if isinstance(datasets, list) and datasets and all(isinstance(d, str) for d in datasets):
        builder.datasets = list(datasets)
    else:
        builder.datasets = [ctx.list_name]
    builder.set_provenance(list=ctx.list_name, list_version=ctx.options.get("list_date"))
    own = _own_provenance(path, line, entity_id, data.get("provenance"))
    if own:  # exported by redflags: as written (a party a record only names has no id)
        builder.set_provenance(**own)
        if "mentioned_by" in own:  # even when empty: it marks the party as not listed
            builder.provenance["mentioned_by"] = own["mentioned_by"]
    else:
        builder.set_provenance(record_id=entity_id, source_url=ctx.source_url)
    entity = builder.to_dict()
    referents = data.get("referents")
    if isinstance(referents, list) and referents:
        entity["referents"] = [str(r) for r in referents]
    if isinstance(data.get("caption"), str) and data["caption"]:
        entity["caption"] = data["caption"]
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        ctx.count("unknown_key", len(unknown))
    return entity
