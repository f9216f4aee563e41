"""Source parsers, one module per official format, and the registry of known lists."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from redflags.errors import RedflagsError
from redflags.sources.base import ParseContext, Parser

# format name -> "module:function"; imported lazily so a command loads only what it uses.
FORMATS: dict[str, str] = {
    "ofac-csv": "redflags.sources.ofac_csv:parse",
    "ofac-xml": "redflags.sources.ofac_xml:parse",
    "csl-csv": "redflags.sources.csl:parse_csv",
    "csl-json": "redflags.sources.csl:parse_json",
    "bis-dpl": "redflags.sources.bis_dpl:parse",
    "us-json": "redflags.sources.us_json:parse",
    "un-xml": "redflags.sources.un_xml:parse",
    "uk-ofsi": "redflags.sources.uk_ofsi:parse",
    "eu-xml": "redflags.sources.eu_xml:parse",
    "ftm": "redflags.sources.ftm_json:parse",
    "custom": "redflags.sources.custom:parse",
    # ownership and control sources: stored as FtM party + link entities like any list
    "bods": "redflags.ownership.ftm_entities:parse_bods",
    "gleif": "redflags.ownership.ftm_entities:parse_gleif",
    "uk-psc": "redflags.ownership.ftm_entities:parse_uk_psc",
    "ownership-csv": "redflags.ownership.ftm_entities:parse_csv",
}

# formats whose versions are ownership data, not lists of listed parties
OWNERSHIP_FORMATS = frozenset({"bods", "gleif", "uk-psc", "ownership-csv"})


def get_parser(fmt: str) -> Parser:
    target = FORMATS.get(fmt)
    if target is None:
        known = ", ".join(sorted(FORMATS))
        raise RedflagsError(f"unknown format {fmt!r}; known formats: {known}")
    module_name, func = target.split(":")
    parser: Parser = getattr(import_module(module_name), func)
    return parser


def guess_format(path: Path) -> str | None:
    """Guess a format from the file's content where names are ambiguous (UN, OFAC and EU all
    publish a "consolidated.xml"), else from well-known official file names."""
    name = path.name.lower()
    if path.is_file() and name.endswith(".xml"):
        head = _head(path)
        if b"CONSOLIDATED_LIST" in head:
            return "un-xml"
        if b"sdnList" in head:
            return "ofac-xml"
        if b"fsd/export" in head or b"<export" in head:
            return "eu-xml"
        if b"RelationshipData" in head or b"gleif" in head.lower():
            return "gleif"
    if name in {"sdn.csv", "cons_prim.csv", "add.csv", "alt.csv"}:
        return "ofac-csv"
    if name == "dpl.txt" or name.startswith("denied_persons"):
        return "bis-dpl"
    if name.startswith(("conlist", "ofsi")):
        return "uk-ofsi"
    if "consolidated_screening_list" in name or name == "consolidated.csv":
        return "csl-csv"
    if name.endswith((".ftm.json", ".ftm.jsonl", ".ijson")):
        return "ftm"
    if path.is_file() and name.endswith((".csv", ".tsv", ".tab", ".txt")):
        head = _head(path, 2048).lower()
        if b"entity_number" in head and b"source" in head:  # the CSL, renamed
            return "csl-csv"
        from redflags.sources.custom import has_name_header

        if has_name_header(path):  # a user's own list: a header with a name column
            return "custom"
    return None


def _head(path: Path, size: int = 4096) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


__all__ = ["FORMATS", "OWNERSHIP_FORMATS", "ParseContext", "Parser", "get_parser", "guess_format"]
