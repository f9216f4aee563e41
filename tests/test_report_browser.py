"""The HTML report renders in a real headless Chromium: every card, its script runs, no
console errors. Skipped (with the reason) where Chromium is not installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_screen_report import render

CHROMIUM = (
    shutil.which("chromium")
    or shutil.which("chromium-browser")
    or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium not installed (apt-get install -y chromium); CI installs it",
)


def dump_dom(html_path: Path, profile: Path) -> tuple[str, str]:
    assert CHROMIUM is not None
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            html_path.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, proc.stderr


def test_report_renders_every_card_without_console_errors(tmp_path: Path) -> None:
    html_path, cards = render(tmp_path)
    dom, log = dump_dom(html_path, tmp_path / "profile")
    found = re.findall(r'<section class="card[^"]*" id="(hit-\d+-\d+)"', dom)
    assert len(found) == cards == 4
    # the inline script ran: it counts the cards it shows
    assert re.search(r'<span id="shown">4</span>', dom), dom[:500]
    errors = [ln for ln in log.splitlines() if "CONSOLE" in ln or "Uncaught" in ln]
    assert errors == []
