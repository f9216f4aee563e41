"""The bundled snapshot: what it holds, that it is used with an empty store, and that the
build script reproduces it byte for byte."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from redflags.store import Store, bundle, open_catalog

REPO = Path(__file__).resolve().parents[1]


def test_manifest_holds_only_openly_licensed_lists() -> None:
    man = bundle.manifest()
    names = {e["list"] for e in man["lists"]}
    assert {"us_ofac_sdn", "us_ofac_cons", "us_bis_entity_list", "us_bis_meu", "us_dhs_uflpa",
            "us_fcc_covered", "us_dod_1260h", "us_ofac_nscmic", "un_sc", "gb_ofsi"} <= names
    for entry in man["lists"]:
        assert any(ok in entry["licence"] for ok in bundle.ALLOWED_LICENCES), entry["list"]
        assert "opensanctions" not in entry["source_file"].lower()
        assert bundle.list_file(entry).exists()
    assert man["snapshot_date"]


def test_empty_store_reads_the_bundle(tmp_path: Path) -> None:
    catalog = open_catalog(tmp_path / "none.duckdb")
    assert catalog.origin == "bundle"
    # the span of the lists' own dates, oldest first: the newest list's date alone hid an
    # SDN list of 2024-05-03
    dates = sorted(e["list_date"] for e in bundle.manifest()["lists"] if e.get("list_date"))
    assert f"lists dated {dates[0]} to {dates[-1]}" in catalog.description
    ids = set()
    for entity in catalog.iter_entities(["us_fcc_covered"]):
        ids.add(entity["id"])
        assert entity["provenance"]["list_version"].startswith("us_fcc_covered@bundle-")
    assert len(ids) == next(
        e["entity_count"] for e in bundle.manifest()["lists"] if e["list"] == "us_fcc_covered"
    )


def test_first_write_seeds_the_store(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as st:
        reports = st.seed_from_bundle()
        assert {r.list for r in reports} == {e["list"] for e in bundle.manifest()["lists"]}
    assert open_catalog(tmp_path / "s.duckdb").origin == "store"


def test_build_is_reproducible(shared_data: Path, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("build_bundle", REPO / "scripts/build_bundle.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_bundle"] = module
    spec.loader.exec_module(module)
    small = {k: v for k, v in module.SOURCES.items() if k in {"us_fcc_covered", "us_bis_meu"}}
    monkeypatch.setattr(module, "SOURCES", small)
    built = module.build(shared_data, tmp_path)
    shipped = {e["list"]: e for e in bundle.manifest()["lists"]}
    for entry in built["lists"]:
        assert entry["sha256"] == shipped[entry["list"]]["sha256"], entry["list"]


def test_the_bundled_sdn_list_carries_aliases_and_addresses() -> None:
    """The SDN primary file of 2024-05-03 came without its aliases and addresses; the bundle
    joins those of 2025-12-24 by entry number (scripts/build_bundle.py SUPPLEMENTS)."""
    import gzip
    import json

    entry = next(e for e in bundle.manifest()["lists"] if e["list"] == "us_ofac_sdn")
    assert [s["file"].rsplit("/", 1)[-1] for s in entry["supplement_files"]] == ["add.csv",
                                                                                  "alt.csv"]
    wanted = {"ofac-10391", "ofac-22325"}  # the IRGC; KOREA ZINC INDUSTRIAL GROUP
    found = {}
    with gzip.open(bundle.list_file(entry), "rt", encoding="utf-8") as fh:
        for line in fh:
            if any(f'"{w}"' in line for w in wanted):
                ent = json.loads(line)
                if ent["id"] in wanted:
                    found[ent["id"]] = ent["properties"]
    assert "SEPAH PASDARAN" in found["ofac-10391"]["alias"]
    assert "kp" in found["ofac-22325"]["country"]
