"""The candidate index: what goes in, what comes back out, and that it survives a restart."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from redflags.errors import RedflagsError
from redflags.matching.index import Index
from redflags.matching.keys import (
    entity_datasets,
    entity_names,
    identifier_key,
    name_keys,
)
from redflags.text import name_tokens, token_kind


def ent(eid: str, schema: str, name: str | list[str], **props: Any) -> dict[str, Any]:
    names = [name] if isinstance(name, str) else name
    properties: dict[str, list[str]] = {"name": names}
    for key, value in props.items():
        properties[key] = value if isinstance(value, list) else [value]
    return {"id": eid, "schema": schema, "properties": properties, "datasets": ["test_list"]}


ENTITIES = [
    ent("p1", "Person", "PUTIN, Vladimir Vladimirovich", nationality="ru"),
    ent(
        "c1", "Company", "Bank Melli Iran", alias="Melli Bank PLC", registrationNumber="10100 1234"
    ),
    ent("v1", "Vessel", "GRACEFUL", imoNumber="IMO 1011551"),
    {"id": "s1", "schema": "Sanction", "properties": {"program": ["RUSSIA-EO14024"]}},
    {"id": "a1", "schema": "Address", "properties": {"full": ["Moscow"]}},
    ent("o1", "Organization", "Abu Sayyaf Group"),
    {
        "id": "p2",
        "schema": "Person",
        "properties": {"firstName": ["Jinping"], "lastName": ["Xi"]},
        "provenance": {"list": "other_list", "record_id": "9"},
    },
]


@pytest.fixture(scope="module")
def index() -> Index:
    return Index.build(ENTITIES, sources={"test_list": "sha256:abc"})


def test_only_matchable_schemata_are_indexed(index: Index) -> None:
    assert len(index) == 5
    ids = {index.entity_id(i) for i in range(len(index))}
    assert ids == {"p1", "c1", "v1", "o1", "p2"}


def test_entities_come_back_whole(index: Index) -> None:
    for original in ENTITIES:
        if original["schema"] in ("Sanction", "Address"):
            assert index.get(original["id"]) is None
        else:
            assert index.get(original["id"]) == original
    assert index.get("nope") is None
    with pytest.raises(IndexError):
        index.entity(len(index))


def test_names_fall_back_to_parts_and_datasets_include_provenance() -> None:
    assert entity_names(ENTITIES[-1]) == ["Jinping Xi"]
    assert entity_datasets(ENTITIES[-1]) == ["other_list"]
    assert entity_names(ENTITIES[1]) == ["Bank Melli Iran", "Melli Bank PLC"]


def test_identifiers_are_normalised() -> None:
    assert identifier_key("IMO 1011551") == identifier_key("imo-1011551") == "i:IMO1011551"
    assert identifier_key("12") is None


def test_save_load_round_trip(index: Index, tmp_path: Path) -> None:
    index.save(tmp_path / "idx")
    loaded = Index.load(tmp_path / "idx")
    assert len(loaded) == len(index)
    assert not loaded.postings.flags.owndata  # a view of the mapped file, not a copy
    assert not loaded.postings.flags.writeable
    for i in range(len(index)):
        assert loaded.entity(i) == index.entity(i)
    np.testing.assert_array_equal(loaded.key_hashes, index.key_hashes)
    np.testing.assert_array_equal(loaded.postings, index.postings)
    assert loaded.manifest["sources"] == {"test_list": "sha256:abc"}
    # saving again over an existing index replaces it whole
    Index.build(ENTITIES[:1]).save(tmp_path / "idx")
    assert len(Index.load(tmp_path / "idx")) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_stale_index_is_rebuilt(tmp_path: Path) -> None:
    calls: list[int] = []

    def entities() -> list[dict[str, Any]]:
        calls.append(1)
        return ENTITIES

    path = tmp_path / "idx"
    assert not Index.is_current(path, {"l": "1"})
    Index.load_or_build(path, {"l": "1"}, entities)
    assert Index.is_current(path, {"l": "1"})
    Index.load_or_build(path, {"l": "1"}, entities)
    assert len(calls) == 1
    assert not Index.is_current(path, {"l": "2"})
    Index.load_or_build(path, {"l": "2"}, entities)
    assert len(calls) == 2


def test_index_without_current_prepared_candidates_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scorer upgrade leaves stored candidates unread; asking for prepared ones rebuilds."""
    from redflags.matching import prepared

    calls: list[int] = []

    def entities() -> list[dict[str, Any]]:
        calls.append(1)
        return ENTITIES

    path = tmp_path / "idx"
    Index.load_or_build(path, {"l": "1"}, entities)
    # built without prepared candidates: current for a plain caller, not for the engine
    assert Index.is_current(path, {"l": "1"})
    assert not Index.is_current(path, {"l": "1"}, prepared=True)
    Index.load_or_build(path, {"l": "1"}, entities, prepared=True)
    assert Index.is_current(path, {"l": "1"}, prepared=True)
    assert Index.load(path).prepared_blob(0) is not None
    monkeypatch.setattr(prepared, "fingerprint", lambda: "other-scorer-code")
    assert Index.is_current(path, {"l": "1"})
    assert not Index.is_current(path, {"l": "1"}, prepared=True)
    Index.load_or_build(path, {"l": "1"}, entities, prepared=True)
    assert len(calls) == 3


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(RedflagsError):
        Index.load(tmp_path / "missing")
    with pytest.raises(RedflagsError):
        Index.build([{"id": "s", "schema": "Sanction", "properties": {}}])
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "manifest.json").write_text('{"format": "other"}')
    with pytest.raises(RedflagsError):
        Index.load(tmp_path / "junk")


def test_lookup_finds_only_present_keys(index: Index) -> None:
    pos, lengths = index.lookup(name_keys("Vladimir Putin") | {"t:zzzzzz", "i:NOPE1234"})
    assert len(pos) > 0
    assert (lengths >= 1).all()
    assert len(np.unique(pos)) == len(pos)
    pos, _ = index.lookup({"t:zzzzzz"})
    assert len(pos) == 0


# Latin, Cyrillic and Greek letters: reordering must hold whatever the script.
_LETTERS = "abcdefghijklmnopqrstuvwxyzабвгдежзиклмнопрстуфхцчшэюяαβγδεζηθικλμνξοπρστυφχψω"
_name = st.lists(st.text(alphabet=_LETTERS, min_size=3, max_size=10), min_size=1, max_size=5)


@settings(max_examples=80, deadline=None)
@given(_name, st.randoms(use_true_random=False))
def test_reordered_names_share_the_joined_key(tokens: list[str], rnd: random.Random) -> None:
    # the text layer may join initials or canonicalise multi-word legal forms, which depends
    # on order; reordering is promised for name words.
    assume(all(token_kind(t) == "name" for t in name_tokens(" ".join(tokens))))
    assume(all(len(name_tokens(t)) == 1 for t in tokens))
    name = " ".join(tokens)
    shuffled = tokens[:]
    rnd.shuffle(shuffled)
    a, b = name_keys(name), name_keys(" ".join(shuffled))
    assert name_keys(name) == a  # deterministic
    joined_a = {k for k in a if k.startswith("j:")}
    joined_b = {k for k in b if k.startswith("j:")}
    assert joined_a == joined_b


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8), st.data())
def test_one_edit_of_a_short_name_shares_a_key(word: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(word) - 1))
    op = data.draw(st.sampled_from(["delete", "substitute", "insert", "transpose"]))
    letter = data.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
    if op == "delete":
        typo = word[:i] + word[i + 1 :]
    elif op == "substitute":
        typo = word[:i] + letter + word[i + 1 :]
    elif op == "insert":
        typo = word[:i] + letter + word[i:]
    else:
        j = min(i + 1, len(word) - 1)
        chars = list(word)
        chars[i], chars[j] = chars[j], chars[i]
        typo = "".join(chars)
    # (a typo that turns a word into a legal form, "ab" -> AB/jsc, is another name)
    assume(len(typo) >= 2)
    assume(all(token_kind(t) == "name" for t in name_tokens(word) + name_tokens(typo)))
    assert name_keys(word) & name_keys(typo)


def test_chunked_build_equals_single_chunk(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    from redflags.matching import index as index_module

    monkeypatch.setattr(index_module._Builder, "CHUNK", 2)
    chunked = Index.build(ENTITIES, sources={"test_list": "sha256:abc"})
    np.testing.assert_array_equal(chunked.key_hashes, index.key_hashes)
    np.testing.assert_array_equal(chunked.key_offsets, index.key_offsets)
    np.testing.assert_array_equal(chunked.postings, index.postings)
    np.testing.assert_allclose(chunked.key_weights, index.key_weights)
    assert [chunked.entity(i) for i in range(len(chunked))] == list(index)
    assert chunked.get("p2") == ENTITIES[-1]


def test_pickles_as_its_directory(tmp_path: Path) -> None:
    import pickle

    index = Index.build(ENTITIES)
    with pytest.raises(TypeError):
        pickle.dumps(index)
    index.save(tmp_path / "idx")
    loaded = Index.load(tmp_path / "idx")
    data = pickle.dumps(loaded)
    assert len(data) < 1000
    assert pickle.loads(data).get("p1") == index.get("p1")


def test_parallel_build_equals_single_process(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redflags.matching import index as index_module

    monkeypatch.setattr(index_module._Builder, "BATCH", 2)
    entities = [*ENTITIES, {**ent("d2", "Company", "Other Co"), "datasets": ["third_list"]}]
    single = Index.build(entities)
    parallel = Index.build(entities, workers=2)
    np.testing.assert_array_equal(parallel.key_hashes, single.key_hashes)
    np.testing.assert_array_equal(parallel.postings, single.postings)
    np.testing.assert_allclose(parallel.key_weights, single.key_weights)
    np.testing.assert_array_equal(parallel.schema_codes, single.schema_codes)
    np.testing.assert_array_equal(parallel.dataset_masks, single.dataset_masks)
    np.testing.assert_array_equal(parallel.name_offsets, single.name_offsets)
    assert parallel.datasets == single.datasets
    assert list(parallel) == list(single)


def test_index_of_the_previous_format_is_rebuilt_not_misread(tmp_path: Path) -> None:
    """Format 4 added each name's sorted-words form: an index saved by format 3 (yesterday's
    installation) is not current, a direct load says to rebuild it, and the engine's
    load_or_build rebuilds it whole."""
    import json

    from redflags.matching.index import FORMAT_VERSION

    path = tmp_path / "idx"
    Index.load_or_build(path, {"l": "1"}, lambda: ENTITIES)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["format_version"] = FORMAT_VERSION - 1
    (path / "manifest.json").write_text(json.dumps(manifest))
    (path / "sorted_names.npy").unlink()
    (path / "sorted_name_ends.npy").unlink()
    assert not Index.is_current(path, {"l": "1"})
    with pytest.raises(RedflagsError, match="rebuild"):
        Index.load(path)
    rebuilt = Index.load_or_build(path, {"l": "1"}, lambda: ENTITIES)
    assert Index.is_current(path, {"l": "1"})
    loaded = Index.load(path)
    assert len(loaded) == len(rebuilt)
    # every stored sorted-words form is the name's words sorted
    names = loaded.name_bytes
    for p in range(len(names.ends) - 1):
        norm = bytes(names.data[names.ends[p] : names.ends[p + 1]]).decode()
        got = bytes(names.sorted_data[names.sorted_ends[p] : names.sorted_ends[p + 1]]).decode()
        assert got == " ".join(sorted(norm.split()))
