"""Build text/data/han_hangul.json, the Korean readings of Han characters, from Unihan.

    python scripts/build_hanja_table.py PATH/TO/Unihan_Readings.txt

The source is the Unicode Character Database's Unihan_Readings.txt (field kHangul; the Unicode
License allows distributing derived data with its notice, kept in the table's "_licence").
Unihan lists each reading with its sources: "0" is the KS X 1001 standard, "N" a reading
approved for personal names (인명용); the table keeps at most two readings a character.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "redflags" / "text" / "data" / "han_hangul.json"
LICENCE = (
    "Derived from Unihan_Readings.txt (kHangul) of the Unicode Character Database {version}. "
    "Copyright © 1991-2021 Unicode, Inc. Distributed under the Unicode License (Unicode, Inc. "
    "License Agreement - Data Files and Software, "
    "https://www.unicode.org/license.txt): permission is granted to use, copy and distribute "
    "the data files and derived works, provided this notice is kept."
)


def main() -> None:
    path = Path(sys.argv[1])
    text = path.read_text(encoding="utf-8")
    version = re.search(r"Unicode version: (\S+)", text)
    table: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "\tkHangul\t" not in line:
            continue
        code, _, values = line.split("\t")
        char = chr(int(code[2:], 16))
        readings = [v.split(":") for v in values.split()]
        # the common reading used in names first (金: 김 of KS X 1001 and the name list, not
        # 금), then a common one (兒: 아 before the name-only 예), then Unihan's order
        ordered = sorted(readings, key=lambda r: ("0" not in r[1] or "N" not in r[1],
                                                  "0" not in r[1]))
        table[char] = list(dict.fromkeys(r for r, _ in ordered))[:2]
    doc = {
        "_doc": "Korean (Hangul) readings of Han characters, name readings first: Korean "
                "names written in Han (Hanja) are read this way, not in Mandarin.",
        "_licence": LICENCE.format(version=version.group(1) if version else "?"),
        "readings": {c: " ".join(r) for c, r in sorted(table.items())},
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(table)} characters -> {OUT}")


if __name__ == "__main__":
    main()
