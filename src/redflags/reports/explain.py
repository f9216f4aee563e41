"""What a feature of an explanation compared, for the reports to show beside it.

The scorer names the pair of names it aligned, and only on the name features: the others
(countries, dates, identifiers, addresses) and the script features ("cjk": a name in
Chinese, Japanese or Korean on either side, even where the pair aligned is Latin) compare
properties of the two entities, shown here from the query and the listed entry. Which
properties, and which script a name is in, are read as the scorer reads them
(``matching.features``): by FollowTheMoney property type, and by its script test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

# entity-level feature -> the FtM property type it compares (dates: ``features.DATE_PROPS``)
FEATURE_TYPES = {"country": "country", "identifier": "identifier", "address": "address"}
SHOWN_VALUES = 3


@cache
def _props_of_type(type_name: str) -> tuple[str, ...]:
    """Every property of that FtM type (an entity has those of its schema only)."""
    from followthemoney import model

    return tuple(sorted({p.name for s in model.schemata.values()
                         for p in s.properties.values() if p.type.name == type_name}))


def compared(
    feature: str, query: Mapping[str, Sequence[str]], listed: Mapping[str, Sequence[str]]
) -> str:
    """'query values ~ listed values' for a feature on properties, the names in its script
    for a script feature, else '' (a name feature: the reports show the pair of names)."""
    from redflags.matching.features import (
        DATE_PROPS,
        NAME_PROPS,
        SCRIPTS,
        WEAK_NAME_PROPS,
        has_cjk,
        main_script,
    )

    kind = feature.rsplit("_", 1)[0]
    props = DATE_PROPS if kind == "date" else \
        _props_of_type(FEATURE_TYPES[kind]) if kind in FEATURE_TYPES else ()
    if props:
        if kind == "date":  # a birth date is never compared with a founding
            props = tuple(p for p in props if query.get(p) and listed.get(p))
        q, c = _values(query, props), _values(listed, props)
        return f"{q} ~ {c}" if q and c else ""
    parts = feature.split("_")
    script = parts[1] if parts[0] == "xs" and len(parts) > 1 else parts[0]
    test: Callable[[str], bool]
    if script == "cjk":
        test = has_cjk
    elif script in SCRIPTS and script != "other":
        def test(name: str) -> bool:
            return main_script(name) == script
    else:
        return ""
    names = (*NAME_PROPS, *WEAK_NAME_PROPS)
    sides = [(side, _values(entity, names, test)) for side, entity in
             (("query", query), ("listed", listed))]
    return "; ".join(f"{side}: {found}" for side, found in sides if found)


def _values(
    entity: Mapping[str, Sequence[Any]], props: Sequence[str],
    test: Callable[[str], bool] | None = None,
) -> str:
    values = [str(v) for p in props for v in entity.get(p) or []
              if test is None or test(str(v))]
    values = list(dict.fromkeys(values))
    more = " …" if len(values) > SHOWN_VALUES else ""
    return ", ".join(values[:SHOWN_VALUES]) + more


__all__ = ["compared"]


_VERDICT_TEXT = {
    "caught": "treated as blocked under",
    "possible": "possibly caught (a share on the path is a range or unstated) under",
    "below_threshold": "below the threshold of",
    "state_owned": "state-owned, as",
    "state_minority": "a minority state holding, as",
    "linked": "linked, as stated by the list, under",
    "information": "for information under",
}


def derived_summary(ev: Mapping[str, Any]) -> str:
    """A derived hit in one plain sentence: not itself listed, why it is flagged, the
    aggregate stake the rule counts, and whether the rule itself needs checking. "30 %
    ... caught under the 50 % rule" read as a bug: the 60 % of two listed owners together
    was only in the JSON, and the rule's "to verify" status was nowhere on screen."""
    screened = (ev.get("screened_entity") or {}).get("caption") or "The screened party"
    verdict = _VERDICT_TEXT.get(str(ev.get("verdict")), f"{ev.get('verdict')} under")
    rule = ev.get("rule_title") or ev.get("rule")
    text = f"{screened} is not itself listed: {verdict} {rule}"
    low, high = ev.get("rule_share_low"), ev.get("rule_share_high")
    if isinstance(low, (int, float)) and ev.get("relation") != "linked":
        total = f"{low:.0%}" if high in (None, low) else f"{low:.0%}–{float(high):.0%}"
        text += (f": listed parties own {total} of it together (this path: "
                 f"{ev.get('listed_name')}, {ev.get('share') or 'share not stated'})")
    else:
        text += f" (through {ev.get('listed_name')})"
    status = str(ev.get("rule_status") or "").rstrip(". ")
    if "to verify" in status:
        text += f". The rule's status needs checking: {status}"
    return text + "."
