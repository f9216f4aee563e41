"""What every source parser shares: its context, its signature, and safe ways to open files.

A parser is a function ``parse(path, ctx) -> Iterator[FtMEntity]`` that streams entities; it
raises :class:`redflags.errors.SourceError` naming the file and line/record for bad input.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

from redflags.errors import SourceError
from redflags.model import FtMEntity

# One field longer than this is not a list record but a broken or hostile file.
MAX_FIELD_BYTES = 1_000_000
# Lines are read at most this long, so a hostile file with one giant line costs a few MB, not
# the size of the line (measured: a 100 MB one-line CSV peaked at 287 MB RSS before this).
MAX_LINE_CHARS = 4 * MAX_FIELD_BYTES
CTRL_Z = "\x1a"


@dataclass(frozen=True)
class ParseContext:
    """What a parser knows about the list it reads; never about the store or matching."""

    list_name: str
    source_url: str | None = None
    publisher: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    # What a parser skipped or dropped besides the entities it yields (reason -> count), e.g.
    # a repeated header row, so the caller can reconcile file rows with entities.
    stats: dict[str, int] = field(default_factory=dict)

    def count(self, reason: str, n: int = 1) -> None:
        self.stats[reason] = self.stats.get(reason, 0) + n


Parser = Callable[[Path, ParseContext], Iterator[FtMEntity]]


def sniff_head(path: Path, size: int = 4096) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


def check_not_empty_or_html(path: Path) -> None:
    """Refuse the two commonest broken downloads: nothing, or an HTML error page."""
    if not path.exists():
        raise SourceError(path, "file does not exist")
    head = sniff_head(path)
    if not head.strip(b"\x00\x1a \r\n\t\xef\xbb\xbf"):
        raise SourceError(path, "file is empty")
    lower = head.lstrip(b"\xef\xbb\xbf \r\n\t").lower()
    if lower.startswith((b"<!doctype html", b"<html")) or b"<html" in lower[:512]:
        raise SourceError(path, "file is an HTML page, not list data (a failed download?)", line=1)


def open_text(path: Path, encodings: tuple[str, ...] = ("utf-8-sig", "cp1252")) -> IO[str]:
    """Open a text file in the first encoding that decodes it entirely.

    OFAC files are Windows-1252; most others are UTF-8. Decoding is checked over the whole
    file in a streaming pass, so a wrong guess never yields mojibake halfway through.
    """
    check_not_empty_or_html(path)
    if sniff_head(path, 2) in (b"\xff\xfe", b"\xfe\xff"):
        encodings = ("utf-16",)  # Excel's "Unicode text" export; the BOM says so for sure
    errors: list[str] = []
    for enc in encodings:
        try:
            with open(path, encoding=enc, newline="") as fh:
                lines = 1
                while chunk := fh.read(1 << 20):
                    if "\x00" in chunk:  # cp1252 decodes anything; NULs betray binary data
                        line = lines + chunk[: chunk.index("\x00")].count("\n")
                        raise SourceError(
                            path,
                            "NUL bytes in a text file: binary data, or UTF-16 without a BOM",
                            line=line,
                        )
                    lines += chunk.count("\n")
        except UnicodeDecodeError as exc:
            line = _line_of_offset(path, exc.start)
            errors.append(f"{enc} fails at byte {exc.start} (line {line})")
            continue
        return open(path, encoding=enc, newline="")
    raise SourceError(path, "cannot decode text: " + "; ".join(errors))


def read_json(path: Path) -> Any:
    """A whole JSON document (for list files of a few MB), or a SourceError with the line."""
    check_not_empty_or_html(path)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"invalid or truncated JSON: {exc.msg}", line=exc.lineno) from None
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text: {exc.reason}") from None


def read_json_items(path: Path) -> list[Any]:
    """A JSON document or JSON lines, as one list of items: a document that is an array
    gives its elements, any other document itself; a line may hold one item or an array,
    and may end with a comma or be a bare bracket (arrays written one element a line)."""
    check_not_empty_or_html(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text: {exc.reason}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        items: list[Any] = []
        for lineno, line in enumerate(text.splitlines(), 1):
            line = line.strip().rstrip(",")
            if not line or line in ("[", "]"):
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SourceError(path, f"invalid JSON: {exc.msg}", line=lineno) from None
            items.extend(item if isinstance(item, list) else [item])
        return items
    return data if isinstance(data, list) else [data]


def _line_of_offset(path: Path, offset: int) -> int:
    with open(path, "rb") as fh:
        return fh.read(offset).count(b"\n") + 1


def read_csv_rows(
    path: Path,
    *,
    delimiter: str = ",",
    encodings: tuple[str, ...] = ("utf-8-sig", "cp1252"),
) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) for a CSV file, stripping a trailing Ctrl-Z line.

    Guards against a single huge field (the csv module would otherwise buffer it whole).
    """
    csv.field_size_limit(MAX_FIELD_BYTES)
    with open_text(path, encodings) as fh:
        reader = csv.reader(_strip_ctrl_z(fh), delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise SourceError(path, f"malformed CSV: {exc}", line=reader.line_num) from None
            except _LineTooLongError:
                raise SourceError(
                    path,
                    f"a line longer than {MAX_LINE_CHARS:,} characters: not list data",
                    line=reader.line_num + 1,
                ) from None
            if not row or (len(row) == 1 and not row[0].strip(CTRL_Z + " \r\n")):
                continue
            yield reader.line_num, row


class _LineTooLongError(Exception):
    pass


def _strip_ctrl_z(fh: IO[str]) -> Iterator[str]:
    while line := fh.readline(MAX_LINE_CHARS):
        if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise _LineTooLongError
        if CTRL_Z in line:
            line = line.replace(CTRL_Z, "")
            if not line.strip():
                continue
        yield line


def null(value: str | None, markers: tuple[str, ...] = ("-0-",)) -> str | None:
    """Map list null markers (OFAC's ``-0-``) and blanks to None."""
    if value is None:
        return None
    v = value.strip()
    if not v or v in markers:
        return None
    return v


def safe_xml_parser() -> etree.XMLParser:
    """An lxml parser that never resolves entities, never touches the network and never
    builds huge trees: defeats billion-laughs and external-entity (XXE) files."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_blank_text=True,
    )


def iter_xml(path: Path, tag: str | tuple[str, ...]) -> Iterator[etree._Element]:
    """Stream elements by (local) tag name with a safe iterparse; clears each after use.

    Raises SourceError with the line for truncated or malformed XML, and refuses any DTD
    that declares entities.
    """
    check_not_empty_or_html(path)
    tags = (tag,) if isinstance(tag, str) else tag
    _refuse_entity_declarations(path)
    checked = False
    try:
        for event, elem in etree.iterparse(
            str(path),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            remove_blank_text=True,
        ):
            if event == "start":
                if not checked:
                    # The byte sniff above misses declarations past 64 KiB or in UTF-16;
                    # the parsed internal DTD subset does not.
                    _refuse_parsed_entities(path, elem)
                    checked = True
                continue
            if etree.QName(elem).localname in tags:
                yield elem
                elem.clear(keep_tail=False)
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise SourceError(path, f"malformed or truncated XML: {exc.msg}", line=line) from None


def root_attribute(path: Path, name: str) -> str | None:
    """An attribute of the root element (e.g. a list's generation date), read safely
    without parsing the rest of the file."""
    check_not_empty_or_html(path)
    _refuse_entity_declarations(path)
    try:
        for _event, elem in etree.iterparse(
            str(path), events=("start",), resolve_entities=False, no_network=True, load_dtd=False
        ):
            _refuse_parsed_entities(path, elem)
            value = elem.get(name)
            return value.strip() if value else None
    except etree.XMLSyntaxError as exc:
        raise SourceError(path, f"malformed XML: {exc.msg}", line=exc.lineno) from None
    return None


def _refuse_parsed_entities(path: Path, root: etree._Element) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.entities()):
        raise SourceError(path, "XML declares entities (DTD); refused for safety", line=1)


def _refuse_entity_declarations(path: Path) -> None:
    """XML lists never declare entities; a file that does is hostile or broken."""
    head = sniff_head(path, 65536)
    if b"<!ENTITY" in head or b"<!entity" in head:
        line = head[: head.find(b"<!ENTITY")].count(b"\n") + 1 if b"<!ENTITY" in head else None
        raise SourceError(path, "XML declares entities (DTD); refused for safety", line=line)


def xml_text(elem: etree._Element | None) -> str | None:
    if elem is None or elem.text is None:
        return None
    text = " ".join(elem.text.split())
    return text or None


def local_children(elem: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in elem if isinstance(c.tag, str) and etree.QName(c).localname == name]


def local_child(elem: etree._Element, name: str) -> etree._Element | None:
    for c in elem:
        if isinstance(c.tag, str) and etree.QName(c).localname == name:
            return c
    return None


def bytes_reader(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
