"""What a feature of an explanation compared, for the reports to show beside it.

The scorer names the pair of names it aligned, and only on the name features: the others
(countries, dates, identifiers, addresses) and the script features ("cjk": a name in
Chinese, Japanese or Korean on either side, even where the pair aligned is Latin) compare
properties of the two entities, shown here from the query and the listed entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# The properties each entity-level feature reads (``matching.features.evidence_features``).
FEATURE_PROPS: dict[str, tuple[str, ...]] = {
    "country": ("country", "nationality", "citizenship", "jurisdiction", "mainCountry", "flag"),
    "date": ("birthDate", "incorporationDate"),
    "identifier": (
        "registrationNumber", "leiCode", "isinCode", "taxNumber", "innCode", "ogrnCode",
        "uscCode", "idNumber", "passportNumber", "swiftBic", "imoNumber", "dunsCode",
        "vatCode", "okpoCode", "kppCode", "npiCode",
    ),
    "address": ("address",),
}
NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
_KANA = "\u3040-\u30ff"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HANGUL = "\u1100-\u11ff\uac00-\ud7af"
SCRIPTS: dict[str, re.Pattern[str]] = {
    "cjk": re.compile(f"[{_KANA}{_HAN}{_HANGUL}]"),
    "han": re.compile(f"[{_HAN}]"),
    "hangul": re.compile(f"[{_HANGUL}]"),
    "kana": re.compile(f"[{_KANA}]"),
    "arabic": re.compile("[\u0600-\u06ff\u0750-\u077f]"),
    "hebrew": re.compile("[\u0590-\u05ff]"),
    "cyrillic": re.compile("[\u0400-\u04ff]"),
}
SHOWN_VALUES = 3


def compared(
    feature: str, query: Mapping[str, Sequence[str]], listed: Mapping[str, Sequence[str]]
) -> str:
    """'query values ~ listed values' for a feature on properties, the names in its script
    for a script feature, else '' (a name feature: the reports show the pair of names)."""
    props = FEATURE_PROPS.get(feature.rsplit("_", 1)[0])
    if props:
        if feature.startswith("date_"):  # a birth date is never compared with a founding
            props = tuple(p for p in props if query.get(p) and listed.get(p))
        q, c = _values(query, props), _values(listed, props)
        return f"{q} ~ {c}" if q and c else ""
    parts = feature.split("_")
    script = SCRIPTS.get(parts[1] if parts[0] == "xs" and len(parts) > 1 else parts[0])
    if script is None:
        return ""
    sides = [(side, _values(entity, NAME_PROPS, script)) for side, entity in
             (("query", query), ("listed", listed))]
    return "; ".join(f"{side}: {names}" for side, names in sides if names)


def _values(
    entity: Mapping[str, Sequence[Any]], props: Sequence[str],
    script: re.Pattern[str] | None = None,
) -> str:
    values = [str(v) for p in props for v in entity.get(p) or []
              if script is None or script.search(str(v))]
    values = list(dict.fromkeys(values))
    more = " …" if len(values) > SHOWN_VALUES else ""
    return ", ".join(values[:SHOWN_VALUES]) + more


__all__ = ["compared"]
