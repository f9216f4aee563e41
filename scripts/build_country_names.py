"""Build text/data/country_names.json: country names in other languages -> FtM country code.

    python scripts/build_country_names.py

A file's country column is written in its author's language ("Volksrepublik China" aside,
"Nordkorea", "Royaume-Uni", "Estados Unidos", "Türkei"): rigour's territory list gives the
English names, the places table a few dozen more. The names come from the Unicode CLDR as
Babel ships it (Babel is a dependency of followthemoney; CLDR data is under the Unicode
License, kept in the table's "_licence"). A name that means two countries in two languages
is left out. Written as data, so that no process pays for reading CLDR's locales.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from babel import Locale  # noqa: E402
from babel import __version__ as babel_version  # noqa: E402
from rigour.territories import get_territories  # noqa: E402

from redflags.countries import _fold  # noqa: E402

OUT = REPO / "src" / "redflags" / "text" / "data" / "country_names.json"
LANGUAGES = (
    "de", "fr", "es", "it", "pt", "nl", "ru", "uk", "tr", "pl", "ar", "fa", "zh", "zh_Hant",
    "ja", "ko", "sv", "da", "nb", "fi", "cs", "sk", "hu", "ro", "bg", "sr", "hr", "el", "he",
    "id", "vi", "th", "hi", "ur",
)
LICENCE = (
    "Territory names from the Unicode CLDR as shipped by Babel {version}. Copyright © Unicode, "
    "Inc. Distributed under the Unicode License (https://www.unicode.org/license.txt)."
)


def main() -> None:
    codes = {t.code.upper(): t.ftm_country for t in get_territories()
             if t.ftm_country and len(t.code) == 2}
    seen: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        for key, name in Locale.parse(lang).territories.items():
            code = codes.get(key)
            folded = _fold(name)
            if code and len(folded) > 2:
                seen.setdefault(folded, set()).add(code)
    names = {k: next(iter(v)) for k, v in sorted(seen.items()) if len(v) == 1}
    body = {"_licence": LICENCE.format(version=babel_version), "names": names}
    OUT.write_text(json.dumps(body, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                   encoding="utf-8")
    print(f"{len(names)} names ({len(seen) - len(names)} ambiguous left out) -> {OUT}")


if __name__ == "__main__":
    main()
