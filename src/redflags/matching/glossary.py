"""What each Matcher feature measures, in words, for whoever reads an explanation.

The texts are data (``glossary.yaml``); a feature of the per-script families
(``xs_arabic_phonetic``...) is described by its family's entry.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

_FAMILY = re.compile(r"^xs_([a-z]+?)(_phonetic|_gap)?$")


@cache
def _texts() -> dict[str, str]:
    raw = resources.files("redflags.matching").joinpath("glossary.yaml").read_text("utf-8")
    return {str(k): str(v) for k, v in yaml.safe_load(raw)["features"].items()}


def describe(feature: str) -> str:
    """The feature's meaning, or "" for a name the glossary does not know."""
    texts = _texts()
    if feature in texts:
        return texts[feature]
    m = _FAMILY.match(feature)
    if m is None:
        return ""
    template = texts.get(f"xs_{{script}}{m.group(2) or ''}", "")
    if m.group(1) == "other":
        return template.replace("{script} script", "another script")
    return template.replace("{script}", m.group(1).capitalize())


def entries() -> list[tuple[str, str]]:
    """Every entry as written (a script family as ``xs_<script>...``), for a legend."""
    return [(k.replace("{script}", "<script>"), v.replace("{script}", "<script>")) for k, v in
            _texts().items()]


__all__ = ["describe", "entries"]
