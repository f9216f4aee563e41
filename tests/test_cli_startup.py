"""The CLI starts without the scorer: `redflags --help` must not pay for followthemoney,
pypinyin and the feature code (3.2 s when they were imported eagerly; 1 s without)."""

from __future__ import annotations

import subprocess
import sys


def test_cli_import_leaves_heavy_modules_unloaded() -> None:
    code = (
        "import sys, redflags.cli\n"
        "heavy = [m for m in ('followthemoney', 'pypinyin', 'redflags.matching.features',"
        " 'redflags.matching.scorer') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_lazy_exports_still_resolve() -> None:
    import redflags.matching as matching

    assert matching.Matcher.__name__ == "Matcher"
    assert callable(matching.prepare)
    assert isinstance(matching.DEFAULT_ALGORITHM, str)
