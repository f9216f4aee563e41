"""The HTML report renders in a real headless Chromium: every card, its script runs, no
console errors. Skipped (with the reason) where Chromium is not installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_screen_report import render, render_one

CHROMIUM = (
    shutil.which("chromium")
    or shutil.which("chromium-browser")
    or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium not installed (apt-get install -y chromium); CI installs it",
)


def dump_dom(html_path: Path, profile: Path, width: int = 1280) -> tuple[str, str]:
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
            f"--window-size={width},900",
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


# Writes, for every row label of a card, its text and the number of lines it takes.
LABEL_PROBE = """<script>(function(){var out=[];
document.querySelectorAll('.card tr>th:only-of-type').forEach(function(th){
var r=document.createRange();r.selectNodeContents(th);
out.push(th.textContent+'|'+r.getClientRects().length);});
var p=document.createElement('pre');p.id='probe';p.textContent=out.join('\\n');
document.body.appendChild(p);})();</script>"""


def test_list_entry_labels_keep_to_one_line_beside_long_values(tmp_path: Path) -> None:
    """At 1300 px the labels wrapped letter by letter ("Li st ver sio n") beside a long
    source URL: values may break anywhere, and had squeezed the labels to nothing."""
    url = ("https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/"
           "part-744/appendix-Supplement%20No.%204%20to%20Part%20744")
    hit = {"list_version": "us_bis_entity_list@bundle-2026-07-09-72a67b35",
           "record_id": "Huawei Technologies Co., Ltd.", "source_url": url,
           "programs": ["Entity List (15 CFR 744 Supp. 4)"], "lists": ["us_bis_entity_list"],
           "citations": ["84 FR 22963, 5/21/19"],
           "properties": {"alias": ["Shenzhen Huawei Technologies", "Huawei Technology"],
                          "address": ["Bantian Huawei Base, Longgang District, Shenzhen"]}}
    page = tmp_path / "probe.html"
    text = render_one(tmp_path, hit, {"name": ["Huawei"]})
    page.write_text(text.replace("</body>", LABEL_PROBE + "</body>"), encoding="utf-8")
    dom, _ = dump_dom(page, tmp_path / "profile", width=1300)
    probe = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert probe, dom[-500:]
    lines = dict(line.rsplit("|", 1) for line in probe.group(1).splitlines())
    assert {"List version", "Programs", "Federal Register", "Also known as"} <= set(lines)
    assert {label: n for label, n in lines.items() if n != "1"} == {}
