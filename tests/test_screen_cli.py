"""`redflags screen` end to end with a fake engine: outputs, summary and exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from redflags.cli import screen_cmd
from tests.screen_fakes import FakeEngine


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    import redflags.screening.engine as engine_mod

    monkeypatch.setattr(engine_mod, "load_engine", lambda *a, **k: FakeEngine())
    app = typer.Typer()
    app.command()(screen_cmd.screen)

    @app.command()
    def other() -> None:  # two commands, so "screen" is addressed by name as in the real CLI
        pass

    return app


def invoke(app: typer.Typer, *args: Any) -> Any:
    return CliRunner().invoke(app, ["screen", *map(str, args)], catch_exceptions=False)


def test_screen_writes_outputs_and_fails_on_hit(app: typer.Typer, tmp_path: Path) -> None:
    src = tmp_path / "suppliers.xlsx.csv"  # a misleading name: the content decides
    src.write_text("Supplier;Land\nHikvision;China\nBosch GmbH;Germany\n;\nn/a;DE\n",
                   encoding="utf-8")
    out = tmp_path / "out"
    res = invoke(app, src, "--workers", 1, "-o", f"{out}/", "--fail-on-hit",
                 "--map", "name=Supplier")
    assert res.exit_code == 3, res.output
    assert "Rows read 3 = screened 2 + rejected 1" in res.output
    stem = src.stem
    for suffix in (".results.csv", ".hits.csv", ".results.jsonl", ".report.html",
                   ".rejects.csv", ".checkpoint.json"):
        assert (out / (stem + suffix)).exists(), suffix
    html = (out / (stem + ".report.html")).read_text(encoding="utf-8")
    assert html.count('<section class="card"') == 1 and "84 FR 54004" in html


def test_no_hit_exits_zero_and_format_selects_outputs(app: typer.Typer, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("name\nBosch GmbH\n", encoding="utf-8")
    res = invoke(app, src, "--workers", 1, "-o", tmp_path / "run", "--format", "csv",
                 "--fail-on-hit")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "run.results.csv").exists()
    assert not (tmp_path / "run.results.jsonl").exists()
    assert not (tmp_path / "run.report.html").exists()


def test_errors_exit_two(app: typer.Typer, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("amount,spend\n1,2\n", encoding="utf-8")
    res = invoke(app, src, "--workers", 1)
    assert res.exit_code == 2 and "no name column" in res.output
    res = invoke(app, tmp_path / "missing.csv")
    # the console wraps the message after a long temporary path: read it unwrapped
    assert res.exit_code == 2 and "does not exist" in " ".join(res.output.split())
    res = invoke(app, src, "--format", "pdf")
    assert res.exit_code == 2 and "pdf" in res.output


def test_a_run_that_screened_no_row_fails(app: typer.Typer, tmp_path: Path) -> None:
    """Every row rejected (a column of account numbers mapped as the name) printed a
    reconciled summary and passed --fail-on-hit with exit 0: a CI gate saw no hit."""
    src = tmp_path / "in.csv"
    src.write_text("Vendor;Land\n100004;IR\n100005;DE\n", encoding="utf-8")
    res = invoke(app, src, "--workers", 1, "-o", tmp_path / "run", "--fail-on-hit")
    out = " ".join(res.output.split())
    assert res.exit_code == 2 and "no row was screened: all 2 rows were rejected" in out


def test_a_file_with_a_header_and_no_rows_says_so(app: typer.Typer, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("name,country\n", encoding="utf-8")
    res = invoke(app, src, "--workers", 1, "-o", tmp_path / "run")
    assert res.exit_code == 0 and "no rows under its header" in " ".join(res.output.split())


def test_an_output_that_cannot_be_written_exits_two_before_screening(
        app: typer.Typer, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("name\nBosch GmbH\n", encoding="utf-8")
    res = invoke(app, src, "--workers", 1, "-o", src / "out")  # a folder under a file
    assert res.exit_code == 2 and "it is a file" in " ".join(res.output.split()), res.output
    assert "Rows read" not in res.output


@pytest.mark.parametrize(("content", "message"), [
    (None, "is a directory"),
    (b"\x7fELF\x02\x01\x01\x00" + bytes(64) + b"name,x\n", "not a text table"),
])
def test_a_path_that_is_no_table_exits_two(app: typer.Typer, tmp_path: Path,
                                           content: bytes | None, message: str) -> None:
    src = tmp_path / "in"
    if content is None:
        src.mkdir()
    else:
        src.write_bytes(content)
    res = invoke(app, src, "--workers", 1)
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())  # the error console wraps long lines
    assert f"{src}: {message}" in text and "Traceback" not in text


def test_resume_of_a_finished_run_screens_nothing_again(app: typer.Typer, tmp_path: Path) -> None:
    from tests import screen_fakes

    src = tmp_path / "in.csv"
    src.write_text("name\nHikvision\nBosch GmbH\n", encoding="utf-8")
    first = invoke(app, src, "--workers", 1, "-o", tmp_path / "run")
    assert first.exit_code == 0, first.output
    before = len(screen_fakes.CALLS)
    again = invoke(app, src, "--workers", 1, "-o", tmp_path / "run", "--resume")
    assert again.exit_code == 0 and len(screen_fakes.CALLS) == before
    assert "Rows read 2 = screened 2 + rejected 0" in again.output
    assert (tmp_path / "run.report.html").read_text(encoding="utf-8").count('class="card"') == 1


@pytest.mark.parametrize("threshold", ["1.5", "-0.1"])
def test_threshold_outside_zero_to_one_is_refused(app: typer.Typer, tmp_path: Path,
                                                  threshold: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text("name\nHikvision\n", encoding="utf-8")
    res = invoke(app, src, "--threshold", threshold, "-o", tmp_path / "run")
    assert res.exit_code == 2 and "--threshold" in res.output, res.output
    assert not (tmp_path / "run.results.csv").exists()


def test_other_sheets_of_a_workbook_are_named(app: typer.Typer, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["name"])
    wb.active.append(["Bosch GmbH"])
    asia = wb.create_sheet("Asia")
    asia.append(["name"])
    asia.append(["Hikvision"])
    src = tmp_path / "book.xlsx"
    wb.save(src)
    res = invoke(app, src, "--workers", 1, "-o", tmp_path / "a", "--format", "csv")
    assert res.exit_code == 0 and "'Asia'" in " ".join(res.output.split())
    res = invoke(app, src, "--workers", 1, "-o", tmp_path / "b", "--format", "csv",
                 "--sheet", "Asia", "--fail-on-hit")
    assert res.exit_code == 3, res.output  # Hikvision, on the second sheet, is a hit
