"""`redflags import`: a list file you have, with the date the file does not say."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from redflags.cli import app, lists_cmds
from redflags.model import EntityBuilder
from redflags.store import Store


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REDFLAGS_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(lists_cmds, "_prebuild_index", lambda store: None)
    path = tmp_path / "s.duckdb"
    seed = EntityBuilder("Company", "x-1", "seed")
    seed.add("name", "Seed Co")
    with Store(path) as st:  # not empty: no seeding from the bundle
        st.import_entities("seed", "ftm", [seed.to_dict()], checksum="s")
    return path


def _import(store: Path, tmp_path: Path, *extra: str) -> object:
    blocklist = tmp_path / "blocklist.csv"
    blocklist.write_text("Name\nAcme Trading\nBeta Ltd\n", encoding="utf-8")
    return CliRunner().invoke(app, ["import", str(blocklist), "--list", "mine", "--format",
                                    "custom", "--store", str(store), *extra])


def test_list_date_of_a_file_that_does_not_say_it(store: Path, tmp_path: Path) -> None:
    result = _import(store, tmp_path, "--list-date", "2026-01-02")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    with Store(store) as st:
        (version,) = st.versions("mine")
    assert version["list_date"] == "2026-01-02"


def test_without_a_date_the_import_says_how_to_give_it(store: Path, tmp_path: Path) -> None:
    result = _import(store, tmp_path)
    assert result.exit_code == 0 and "--list-date" in result.output  # type: ignore[attr-defined]


def test_a_bad_list_date_is_refused(store: Path, tmp_path: Path) -> None:
    result = _import(store, tmp_path, "--list-date", "02/01/2026")
    assert result.exit_code == 2 and "not a date" in result.output  # type: ignore[attr-defined]


def test_import_skips_blank_rows_and_says_how_many(store: Path, tmp_path: Path) -> None:
    """A trailing ",," line from Excel aborted the whole import ("row has no name")."""
    blocklist = tmp_path / "excel.csv"
    blocklist.write_text("Name,Country\nAcme Trading,RU\nBeta Ltd,IR\n,\n,\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(blocklist), "--list", "mine", "--format",
                                      "custom", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "blank rows skipped: 2" in result.output
    with Store(store) as st:
        (version,) = st.versions("mine")
    assert version["entity_count"] == 4  # two parties and their Sanctions


def test_replacing_one_row_of_a_small_list_is_accepted(store: Path, tmp_path: Path) -> None:
    """The shrink guard refused this as "loses 2 of 8 entities (25% > 20%)"."""
    blocklist = tmp_path / "four.csv"
    rows = ["1,Acme Trading,RU", "2,Beta Holdings,IR", "3,Gamma Corp,CN", "4,Delta Ltd,KP"]
    args = ["import", str(blocklist), "--list", "mine", "--format", "custom",
            "--store", str(store)]
    blocklist.write_text("\n".join(["id,name,country", *rows]) + "\n", encoding="utf-8")
    assert CliRunner().invoke(app, args).exit_code == 0
    rows[3] = "5,Epsilon GmbH,SY"
    blocklist.write_text("\n".join(["id,name,country", *rows]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "+2 -2 ~0 vs previous" in result.output


def test_an_undated_list_has_no_age_and_is_neither_stale_nor_fresh() -> None:
    """age_days fell back to the import date: a just-imported list of any age was "0 d"."""
    from datetime import date, datetime

    from redflags.store.catalog import ListInfo

    long_ago = datetime(2020, 1, 1)
    undated = ListInfo("mine", "mine", "mine@v", None, long_ago, 4, "store")
    today = date(2026, 3, 1)
    assert undated.age_days(today) is None
    assert not undated.stale(today)
    assert undated.to_dict()["age_days"] is None
    dated = ListInfo("mine", "mine", "mine@v", "2026-01-01", long_ago, 4, "store")
    assert dated.age_days(today) == 59 and dated.stale(today)  # 30 days for a user's list
    # an official list without a date of its own (OFAC's CSV files) ages from the day
    # `redflags update` downloaded it, so that it turns stale when updates stop...
    sdn = ListInfo("us_ofac_sdn", "SDN", "us_ofac_sdn@v", None, datetime(2026, 2, 10), 9,
                   "store", fetched_at=datetime(2026, 2, 1))
    assert sdn.age_days(today) == 28 and sdn.stale(today)
    # ...but imported by hand, its import date says nothing of its age: an OFAC CSV of
    # 2025-12 imported today was "0 d", fresh
    by_hand = ListInfo("us_ofac_sdn", "SDN", "us_ofac_sdn@v", None, today, 9, "store")
    assert by_hand.age_days(today) is None and not by_hand.stale(today)
    assert by_hand.to_dict()["age_days"] is None


def test_lists_shows_an_undated_list_as_undated(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    assert _import(store, tmp_path).exit_code == 0  # type: ignore[attr-defined]
    wide = Console(width=160, record=True)
    monkeypatch.setattr(lists_cmds, "console", wide)
    lists_cmds.lists(store=store, as_json=False)
    text = wide.export_text()
    (row,) = [line for line in text.splitlines() if line.startswith("mine ")]
    assert row.split()[:3] == ["mine", "undated", "?"]
    assert "0 d" not in row
    assert "mine, seed: no list date" in text


def test_the_same_file_with_a_list_date_gives_the_date(store: Path, tmp_path: Path) -> None:
    """`lists` says to import an undated list again with --list-date: the same file was
    "unchanged" and kept no date."""
    assert _import(store, tmp_path).exit_code == 0  # type: ignore[attr-defined]
    result = _import(store, tmp_path, "--list-date", "2026-01-02")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert _import(store, tmp_path, "--list-date", "2026-01-02").output.startswith(  # type: ignore[attr-defined]
        "= mine: same file")
    with Store(store) as st:
        (current,) = [v for v in st.current_versions() if v["list"] == "mine"]
        assert current["list_date"] == "2026-01-02"
        assert len(st.versions("mine")) == 2


def test_lists_keeps_its_counts_on_a_narrow_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    monkeypatch.setenv("REDFLAGS_HOME", str(tmp_path / "home"))  # the bundled snapshot
    narrow = Console(width=80, record=True)
    monkeypatch.setattr(lists_cmds, "console", narrow)
    lists_cmds.lists(store=None, as_json=False)
    header = next(line for line in narrow.export_text().splitlines() if "list date" in line)
    assert "age" in header and "parties" in header and "title" in header


def test_a_configured_list_not_loaded_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A European user is bound by the EU list first: on a fresh install nothing said it was
    absent, and `--list eu_fsf` answered "unknown list"."""
    from rich.console import Console

    from redflags.errors import RedflagsError
    from redflags.screening.engine import load_engine

    monkeypatch.setenv("REDFLAGS_HOME", str(tmp_path / "home"))  # the bundled snapshot
    wide = Console(width=200, record=True)
    monkeypatch.setattr(lists_cmds, "console", wide)
    lists_cmds.lists(store=None, as_json=False)
    text = " ".join(wide.export_text().split())
    assert "not loaded:" in text and "eu_fsf (EU Consolidated Financial Sanctions List)" in text
    assert "run `redflags update" in text and "eu_fsf`" in text
    with pytest.raises(RedflagsError, match=r"not loaded yet: eu_fsf; run `redflags update"):
        load_engine(lists=["eu_fsf"])


def test_export_writes_a_party_two_lists_hold_under_one_id_once(
        store: Path, tmp_path: Path) -> None:
    """OFAC gives VTB Bank one id on its SDN and its sectoral list: an FtM export must hold
    each id once (Aleph, yente and nomenklatura expect it), with both lists' names."""
    import json

    twin = EntityBuilder("Company", "x-1", "other")
    twin.add("name", "Seed Co")
    twin.add("alias", "Seed Company Limited")
    person = EntityBuilder("Person", "x-2", "other")
    person.add("name", "Jane Seed")
    with Store(store) as st:
        st.import_entities("other", "ftm", [twin.to_dict(), person.to_dict()], checksum="o")
    out = tmp_path / "all.ftm.json"
    result = CliRunner().invoke(app, ["export", str(out), "--store", str(store)])
    assert result.exit_code == 0, result.output
    entities = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = [e["id"] for e in entities]
    assert sorted(ids) == ["x-1", "x-2"]
    (merged,) = [e for e in entities if e["id"] == "x-1"]
    assert merged["properties"]["alias"] == ["Seed Company Limited"]
    assert merged["datasets"] == ["other", "seed"]


def test_an_exported_list_imported_again_is_the_same_list(store: Path, tmp_path: Path) -> None:
    """Export, then import --format ftm, lost listing dates, programmes and source URLs
    (written in the export's "provenance" key), and `diff` called every entity changed."""
    blocklist = tmp_path / "mine.csv"
    blocklist.write_text(
        "id,name,country,program,listed on\n"
        "A1,Acme Trading LLC,RU,Internal watch,2024-02-01\n"
        "A2,Jane Roe,IR,Internal watch;Board decision,2023-05-06\n"
        "A3,Gamma Corp,CN,,\n",
        encoding="utf-8",
    )
    run = CliRunner().invoke
    base = ["--list", "mine", "--store", str(store), "--list-date", "2026-01-02"]
    first = run(app, ["import", str(blocklist), "--format", "custom", *base,
                      "--source-url", "https://example.org/mine.csv"])
    assert first.exit_code == 0, first.output
    exported = tmp_path / "mine.ftm.json"
    result = run(app, ["export", str(exported), "--list", "mine", "--store", str(store)])
    assert result.exit_code == 0, result.output
    again = run(app, ["import", str(exported), "--format", "ftm", *base])
    assert again.exit_code == 0, again.output
    assert "+0 -0 ~0 vs previous" in again.output
    with Store(store) as st:
        old, new = sorted(st.versions("mine"), key=lambda v: v["imported_at"])
        acme = st.get_entity("mine-a1")
    assert acme is not None
    assert acme["provenance"]["listed_on"] == "2024-02-01"
    assert acme["provenance"]["programs"] == ["Internal watch"]
    assert acme["provenance"]["source_url"] == "https://example.org/mine.csv"
    assert acme["provenance"]["list_version"] == new["version_id"]
    diff = run(app, ["diff", old["version_id"], new["version_id"], "--store", str(store)])
    assert diff.exit_code == 0, diff.output
    assert diff.output.split() == ["added:", "0", "removed:", "0", "changed:", "0"]


@pytest.mark.parametrize("command", [["lists"], ["check", "Acme"], ["export", "-"],
                                     ["graph", "Acme"]])
def test_a_store_that_does_not_exist_is_an_error_not_the_bundle(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    """A mistyped --store read the bundled lists instead, without a word."""
    monkeypatch.setenv("REDFLAGS_HOME", str(tmp_path / "home"))
    missing = tmp_path / "typo" / "store.duckdb"
    result = CliRunner().invoke(app, [*command, "--store", str(missing)])
    assert result.exit_code == 2, result.output
    assert "no store at" in " ".join(result.output.split())


def test_an_older_list_date_is_refused_and_says_force(store: Path, tmp_path: Path) -> None:
    assert _import(store, tmp_path, "--list-date", "2026-02-27").exit_code == 0  # type: ignore[attr-defined]
    result = _import(store, tmp_path, "--list-date", "2025-11-20")
    assert result.exit_code != 0  # type: ignore[attr-defined]
    text = " ".join(result.output.split())  # type: ignore[attr-defined]
    assert "mine is dated 2025-11-20, older than the current version's 2026-02-27" in text
    assert "--force" in text
    with Store(store) as st:
        (current,) = [v for v in st.current_versions() if v["list"] == "mine"]
        assert current["list_date"] == "2026-02-27" and len(st.versions("mine")) == 1
    forced = _import(store, tmp_path, "--list-date", "2025-11-20", "--force")
    assert forced.exit_code == 0, forced.output  # type: ignore[attr-defined]


def test_an_official_list_imported_by_hand_without_a_date_is_undated(
    store: Path, shared_data: Path
) -> None:
    """`redflags import .../ofac/cons_2025-12/ --list us_ofac_cons` showed "0 d", fresh,
    for data ~344 days old; the same files downloaded by `redflags update` age from then."""
    from datetime import datetime, timedelta

    from redflags.store import open_catalog

    folder = shared_data / "ofac" / "cons_2025-12"
    with Store(store) as st:
        st.import_file("us_ofac_cons", "ofac-csv", folder)
    (info,) = [i for i in open_catalog(store).lists() if i.name == "us_ofac_cons"]
    assert info.list_date is None and info.fetched_at is None
    assert info.age_days() is None and not info.stale()

    fetched = datetime.now() - timedelta(days=3)
    with Store(store) as st:
        st.import_file("us_ofac_cons", "ofac-csv", folder / "cons_prim.csv", force=True,
                       fetched_at=fetched)
    from redflags.store.duck import current_path

    for published in (True, False):  # the published JSON, then the database itself
        if not published:
            current_path(store).unlink()
        (info,) = [i for i in open_catalog(store).lists() if i.name == "us_ofac_cons"]
        assert info.fetched_at is not None and info.age_days() in (2, 3, 4)


def test_a_format_that_cannot_be_guessed_lists_the_formats_and_custom(
    store: Path, tmp_path: Path
) -> None:
    """"cannot tell the format … pass --format" left a new user guessing the names."""
    from redflags.sources import FORMATS

    blocklist = tmp_path / "blocklist.csv"
    # (a "Name", "Company" or "Supplier" column is guessed as a custom list: this has none)
    blocklist.write_text("Partner,Country\nAcme Trading,RU\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(blocklist), "--list", "my_blocklist",
                                      "--store", str(store)])
    assert result.exit_code != 0
    text = " ".join(result.output.split())
    assert "cannot tell the format" in text
    assert all(fmt in text for fmt in FORMATS)
    assert "--format custom" in text and "--option name=COLUMN" in text
    with Store(store) as st:
        assert st.current_version("my_blocklist") is None
