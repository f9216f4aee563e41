"""Hostile and broken input: every parser refuses it with a SourceError that names the file,
memory stays bounded, and entity tricks (billion laughs, XXE) never expand or leak."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflags.errors import SourceError
from redflags.sources import eu_xml, uk_ofsi, un_xml
from redflags.sources.base import ParseContext, iter_xml, read_csv_rows

CTX = ParseContext("test")
CANARY = "CANARY-7f3a9c-do-not-leak"

Reader = Callable[[Path], Any]

READERS: dict[str, Reader] = {
    "un_xml.parse": lambda p: list(un_xml.parse(p, CTX)),
    "un_xml.list_date": un_xml.list_date,
    "eu_xml.parse": lambda p: list(eu_xml.parse(p, CTX)),
    "eu_xml.list_date": eu_xml.list_date,
    "uk_ofsi.parse": lambda p: list(uk_ofsi.parse(p, CTX)),
    "uk_ofsi.list_date": uk_ofsi.list_date,
    "read_csv_rows": lambda p: list(read_csv_rows(p)),
    "iter_xml": lambda p: [e.tag for e in iter_xml(p, "INDIVIDUAL")],
}
XML_READERS = {k: v for k, v in READERS.items() if "xml" in k}
UN_XML_NAMES = ["un_xml.parse", "un_xml.list_date", "iter_xml"]


def _refused(reader: Reader, path: Path, match: str | None = None) -> SourceError:
    with pytest.raises(SourceError, match=match) as err:
        reader(path)
    assert str(path) in str(err.value), "every error names the file"
    return err.value


# --- truncated, empty, HTML --------------------------------------------------------------


def test_truncated_un_file_names_file_and_line(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "un" / "un_consolidated_2026-02.xml").read_bytes()
    path = tmp_path / "consolidated.xml"
    path.write_bytes(data[: len(data) // 2])
    err = _refused(READERS["un_xml.parse"], path, match="truncated")
    expected_line = data[: len(data) // 2].count(b"\n") + 1
    assert err.line == expected_line
    assert f"line {expected_line}" in str(err)


def test_truncated_eu_file(tmp_path: Path) -> None:
    data = (Path(__file__).parent / "fixtures" / "eu_fsf_sample.xml").read_bytes()
    path = tmp_path / "eu.xml"
    path.write_bytes(data[: int(len(data) * 0.7)])
    err = _refused(READERS["eu_xml.parse"], path, match="truncated")
    assert err.line is not None and err.line > 1


@pytest.mark.parametrize("name", sorted(READERS))
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / "list.dat"
    path.write_bytes(b"")
    _refused(READERS[name], path, match="empty")


@pytest.mark.parametrize("name", sorted(READERS))
def test_whitespace_only_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / "list.dat"
    path.write_bytes(b"\xef\xbb\xbf  \r\n\r\n\x1a")
    _refused(READERS[name], path, match="empty")


HTML = b"""<!DOCTYPE html>
<html><head><title>503 Service Unavailable</title></head>
<body><h1>Service Unavailable</h1><p>Please try again later.</p></body></html>
"""


@pytest.mark.parametrize("name", sorted(READERS))
def test_html_error_page(tmp_path: Path, name: str) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_bytes(b"\n" + HTML)
    _refused(READERS[name], path, match="HTML")


def test_html_page_saved_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "ConList.xlsx"
    path.write_bytes(HTML)
    _refused(READERS["uk_ofsi.parse"], path, match="HTML")


def test_corrupt_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "ConList.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100)
    _refused(READERS["uk_ofsi.parse"], path, match="XLSX")


def test_xml_that_is_not_the_expected_list(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text("<?xml version='1.0'?><rss><channel><item/></channel></rss>")
    _refused(READERS["un_xml.parse"], path, match="not a UN")
    _refused(READERS["eu_xml.parse"], path, match="not an EU")


# --- encodings ---------------------------------------------------------------------------

CSV_TEXT = (
    "Last Updated,14/04/2025\nName 6,Group ID,Group Type,Alias Type\nÖZ,1,Entity,Primary name\n"
)


def test_utf16_without_bom_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    path.write_bytes(CSV_TEXT.encode("utf-16-le"))
    _refused(READERS["read_csv_rows"], path, match="NUL")
    _refused(READERS["uk_ofsi.parse"], path, match="NUL")


def test_utf16_with_bom_reads_the_same_rows(tmp_path: Path) -> None:
    utf8, utf16 = tmp_path / "a.csv", tmp_path / "b.csv"
    utf8.write_text(CSV_TEXT, encoding="utf-8")
    utf16.write_text(CSV_TEXT, encoding="utf-16")
    assert list(read_csv_rows(utf16)) == list(read_csv_rows(utf8))
    assert list(uk_ofsi.parse(utf16, CTX)) == list(uk_ofsi.parse(utf8, CTX))


def test_binary_file_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    # deterministic "random" bytes, including NULs and bytes cp1252 cannot decode
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(20_000)))
    for name in ("read_csv_rows", "uk_ofsi.parse", "uk_ofsi.list_date"):
        _refused(READERS[name], path)


def test_binary_file_as_xml(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(20_000)))
    for reader in XML_READERS.values():
        _refused(reader, path)


# --- size ----------------------------------------------------------------------------------

MEMORY_PROBE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from redflags.errors import SourceError
    from redflags.sources.base import ParseContext, read_csv_rows
    from redflags.sources.uk_ofsi import parse
    path = Path(sys.argv[1])
    out = {}
    for name, run in (
        ("read_csv_rows", lambda: list(read_csv_rows(path))),
        ("uk_ofsi", lambda: list(parse(path, ParseContext("x")))),
    ):
        try:
            run()
            out[name] = None
        except SourceError as exc:
            out[name] = str(exc)
    # VmHWM, not ru_maxrss: Linux carries the parent's peak across fork+exec into
    # ru_maxrss, so a big pytest process would be blamed on the parser.
    with open("/proc/self/status") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    out["maxrss_mb"] = hwm / 1024
    print(json.dumps(out))
    """
)


def test_100mb_single_field_csv_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('Last Updated,14/04/2025\nName 6,Group ID,Group Type,Alias Type\n"')
        chunk = "Я" * (1 << 19)  # 1 MiB of UTF-8; a non-Latin field costs 2 bytes a char
        for _ in range(100):
            fh.write(chunk)
        fh.write('",1,Individual,Primary name\n')
    assert path.stat().st_size > 100 * 1024 * 1024
    proc = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(proc.stdout)
    for name in ("read_csv_rows", "uk_ofsi"):
        message = result[name]
        assert message is not None, f"{name} accepted a 100 MB field"
        assert str(path) in message
        assert "line 3" in message
    assert result["maxrss_mb"] < 400


def test_huge_xml_text_node_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.xml"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<CONSOLIDATED_LIST dateGenerated="2025-01-01"><INDIVIDUALS><INDIVIDUAL>')
        fh.write("<DATAID>1</DATAID><COMMENTS1>")
        for _ in range(24):
            fh.write("x" * (1 << 20))
        fh.write("</COMMENTS1></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>")
    _refused(READERS["un_xml.parse"], path)


# --- entity expansion and external entities ----------------------------------------------


def _laughs() -> str:
    decl = ['<!ENTITY lol0 "lol">']
    decl += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return "<!DOCTYPE CONSOLIDATED_LIST [" + "".join(decl) + "]>"


def _un_doc(doctype: str, name: str, padding: int = 0, encoding: str = "utf-8") -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
    if padding:  # a comment before the DOCTYPE pushes it past a naive byte sniff
        head += "<!--" + "x" * padding + "-->"
    body = (
        '<CONSOLIDATED_LIST dateGenerated="2025-01-01"><INDIVIDUALS><INDIVIDUAL>'
        f"<DATAID>1</DATAID><REFERENCE_NUMBER>QDi.999</REFERENCE_NUMBER>"
        f"<FIRST_NAME>{name}</FIRST_NAME><COMMENTS1>{name}</COMMENTS1>"
        "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    return (head + doctype + body).encode(encoding)


def _eu_doc(doctype: str, name: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + doctype.replace("CONSOLIDATED_LIST", "export")
        + '<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2025-01-01">'
        '<sanctionEntity logicalId="1"><subjectType code="person"/>'
        f'<nameAlias wholeName="x" strong="true"/><remark>{name}</remark>'
        "</sanctionEntity></export>"
    ).encode()


VARIANTS = [
    pytest.param({}, id="plain"),
    pytest.param({"padding": 70_000}, id="doctype-after-64KiB"),
    pytest.param({"encoding": "utf-16"}, id="utf-16"),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", UN_XML_NAMES)
def test_billion_laughs_refused(tmp_path: Path, variant: dict[str, Any], name: str) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_bytes(_un_doc(_laughs(), "&lol9;", **variant))
    _refused(XML_READERS[name], path, match="refused")


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", UN_XML_NAMES)
def test_external_entity_refused_and_never_read(
    tmp_path: Path, variant: dict[str, Any], name: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(CANARY)
    doctype = f'<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    path = tmp_path / "consolidated.xml"
    path.write_bytes(_un_doc(doctype, "&xxe;", **variant))
    err = _refused(XML_READERS[name], path, match="refused")
    assert CANARY not in str(err)


@pytest.mark.parametrize("payload", ["laughs", "xxe"])
def test_eu_parser_refuses_entities(tmp_path: Path, payload: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(CANARY)
    if payload == "laughs":
        doctype, ref = _laughs(), "&lol9;"
    else:
        doctype = f'<!DOCTYPE export [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        ref = "&xxe;"
    path = tmp_path / "eu.xml"
    path.write_bytes(_eu_doc(doctype, ref))
    for name in ("eu_xml.parse", "eu_xml.list_date"):
        err = _refused(XML_READERS[name], path, match="refused")
        assert CANARY not in str(err)


def test_external_dtd_is_never_loaded(tmp_path: Path) -> None:
    """A DOCTYPE pointing at a local file declares no entities in the document itself; the
    file is parsed without ever loading it, so its content cannot appear anywhere."""
    secret = tmp_path / "secret.dtd"
    secret.write_text(f'<!ENTITY leak "{CANARY}">')
    doctype = f'<!DOCTYPE CONSOLIDATED_LIST SYSTEM "{secret.as_uri()}">'
    path = tmp_path / "consolidated.xml"
    path.write_bytes(_un_doc(doctype, "Plain Name"))
    try:
        entities = un_xml.parse(path, CTX)
        text = json.dumps(list(entities), ensure_ascii=False)
    except SourceError as exc:
        text = str(exc)
    assert CANARY not in text


# --- fuzzing: whatever the bytes, the only failure is a SourceError -----------------------

SMALL_UN = _un_doc("", "ERIC BADEGE")
SMALL_EU = _eu_doc("", "remark")
SMALL_CSV = CSV_TEXT.encode("utf-8")


def _only_source_errors(reader: Reader, data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"list{suffix}"
        path.write_bytes(data)
        try:
            reader(path)
        except SourceError as exc:
            assert str(path) in str(exc)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(SMALL_UN)), st.binary(max_size=8))
def test_fuzz_un_xml(cut: int, junk: bytes) -> None:
    _only_source_errors(READERS["un_xml.parse"], SMALL_UN[:cut] + junk, ".xml")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(SMALL_EU)), st.binary(max_size=8))
def test_fuzz_eu_xml(cut: int, junk: bytes) -> None:
    _only_source_errors(READERS["eu_xml.parse"], SMALL_EU[:cut] + junk, ".xml")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(SMALL_CSV)), st.binary(max_size=8))
def test_fuzz_uk_csv(cut: int, junk: bytes) -> None:
    _only_source_errors(READERS["uk_ofsi.parse"], SMALL_CSV[:cut] + junk, ".csv")


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    for name in ("un_xml.parse", "eu_xml.parse", "uk_ofsi.parse"):
        _only_source_errors(READERS[name], data, ".dat")


def _small_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in CSV_TEXT.splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SMALL_XLSX = _small_xlsx()


def test_small_xlsx_parses() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ConList.xlsx"
        path.write_bytes(SMALL_XLSX)
        (entity, _sanction) = list(uk_ofsi.parse(path, CTX))
    assert entity["properties"]["name"] == ["ÖZ"]


@settings(max_examples=60, deadline=None)
@given(st.integers(4, len(SMALL_XLSX) - 1), st.integers(0, 255), st.integers(0, len(SMALL_XLSX)))
def test_fuzz_xlsx(pos: int, byte: int, cut: int) -> None:
    data = bytearray(SMALL_XLSX[:cut] if cut > pos else SMALL_XLSX)
    if pos < len(data):
        data[pos] = byte
    _only_source_errors(READERS["uk_ofsi.parse"], bytes(data), ".xlsx")
