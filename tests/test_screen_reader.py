"""Reading users' files: format by content, encodings, line numbers, streaming readers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redflags.errors import SourceError
from redflags.screening.columns import Reject, build_query, detect_columns
from redflags.screening.reader import detect_format, open_input


def test_format_is_told_by_content_not_extension(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Company", "Country"])
    ws.append(["Hikvision", "China"])
    xlsx = tmp_path / "really_a_workbook.csv"
    wb.save(xlsx)
    assert detect_format(xlsx) == "xlsx"
    parquet = tmp_path / "data.txt"
    pq.write_table(pa.table({"name": ["ZTE"], "country": ["CN"]}), parquet)
    assert detect_format(parquet) == "parquet"
    jsonl = tmp_path / "x.csv"
    jsonl.write_text('{"name": "Dahua"}\n{"name": "SMIC"}\n', encoding="utf-8")
    assert detect_format(jsonl) == "jsonl"
    tsv = tmp_path / "x.csv2"
    tsv.write_text("name\tcountry\nA, B and C\tDE\n", encoding="utf-8")
    assert detect_format(tsv) == "tsv"
    semi = tmp_path / "x.tsv"
    semi.write_text("name;country\nA, B and C;DE\nD;FR\n", encoding="utf-8")
    assert detect_format(semi) == "csv" and open_input(semi).delimiter == ";"


def test_each_format_yields_the_same_rows(tmp_path: Path) -> None:
    records = [{"name": "Hikvision", "country": "CN"}, {"name": "Müller GmbH", "country": "DE"}]
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("name,country\nHikvision,CN\nMüller GmbH,DE\n", encoding="utf-8")
    jsonl_path = tmp_path / "a.jsonl"
    jsonl_path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    pq_path = tmp_path / "a.parquet"
    pq.write_table(pa.Table.from_pylist(records), pq_path)
    xlsx_path = tmp_path / "a.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])  # a blank first row, as exports often have
    ws.append(["name", "country"])
    for r in records:
        ws.append([r["name"], r["country"]])
    wb.save(xlsx_path)
    for path in (csv_path, jsonl_path, pq_path, xlsx_path):
        src = open_input(path)
        assert src.headers == ["name", "country"], path
        assert [r.values for r in src.rows()] == records, path
    assert [r.line for r in open_input(csv_path).rows()] == [2, 3]
    assert [r.line for r in open_input(xlsx_path).rows()] == [3, 4]
    assert open_input(pq_path).estimate_rows() == 2
    assert open_input(csv_path).estimate_rows() == 2


def test_line_numbers_survive_multiline_fields_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text('name,address\n"A","1 Road\nTown"\n\nB,x\n', encoding="utf-8")
    assert [(r.line, r.values["name"]) for r in open_input(path).rows()] == [(2, "A"), (5, "B")]


def test_cp1252_file_is_decoded_whole(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes(
        "name,country\nSociété Générale,FR\nÇelik A.Ş,TR\n".encode("cp1252", "replace")
    )
    src = open_input(path)
    assert src.encoding == "cp1252"
    assert next(r.values["name"] for r in src.rows()) == "Société Générale"


def test_one_broken_byte_rejects_only_its_row(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "name,country\nZürich Versicherung,CH\n".encode()
        + b"Bad \xff\xfe Name,DE\n"
        + "Ελληνική Εταιρεία,GR\n".encode()
    )
    src = open_input(path)
    cols = detect_columns(src.headers)
    out = [build_query(r.values, cols, r.line) for r in src.rows()]
    assert isinstance(out[1], Reject) and out[1].code == "encoding"
    assert not isinstance(out[0], Reject) and not isinstance(out[2], Reject)


def test_broken_json_line_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"name": "A"}\n{"name": \n[1]\n{"name": "B"}\n', encoding="utf-8")
    rows = list(open_input(path).rows())
    assert [(r.line, r.error is not None) for r in rows] == [
        (1, False),
        (2, True),
        (3, True),
        (4, False),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"<!DOCTYPE html><html><body>502</body></html>", "HTML")],
)
def test_empty_or_html_input_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        open_input(path)


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x1a"),
    max_size=30,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(_text, _text), min_size=1, max_size=8))
def test_csv_values_round_trip(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["name", "note"])
    w.writerows(rows)
    path = tmp_path / "h.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    got = [(r.values["name"], r.values["note"]) for r in open_input(path, "csv", ",").rows()]
    want = [(a, b) for a, b in rows if a.strip() or b.strip()]
    # csv cannot tell \r\n inside a field from \n once it is read back in text mode
    norm = [
        (a.replace("\r\n", "\n").replace("\r", "\n"), b.replace("\r\n", "\n").replace("\r", "\n"))
        for a, b in want
    ]
    got_norm = [
        (a.replace("\r\n", "\n").replace("\r", "\n"), b.replace("\r\n", "\n").replace("\r", "\n"))
        for a, b in got
    ]
    assert got_norm == norm


def test_a_directory_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a directory") as exc:
        open_input(tmp_path)
    assert str(tmp_path) in str(exc.value)


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Company", "Country"])
    ws.append(["Hikvision", "China"])
    path = tmp_path / "suppliers.csv"  # openpyxl itself refuses a workbook by this name
    wb.save(path)
    source = open_input(path)
    assert source.format == "xlsx" and source.headers == ["Company", "Country"]
    assert [r.values for r in source.rows()] == [{"Company": "Hikvision", "Country": "China"}]


# The start of an ELF executable: what `redflags screen ./some-binary` reads.
ELF_HEAD = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x03\x00>\x00\x01\x00\x00\x00" + bytes(40)


@pytest.mark.parametrize("fmt", [None, "csv"])
def test_binary_data_is_not_a_text_table(tmp_path: Path, fmt: str | None) -> None:
    path = tmp_path / "suppliers.csv"
    path.write_bytes(ELF_HEAD + b"name,country\n" + bytes(range(256)) * 4)
    with pytest.raises(SourceError, match="not a text table") as exc:
        open_input(path, fmt)  # detected, or forced with --input-format csv
    assert str(path) in str(exc.value)


def test_binary_without_nul_bytes_is_not_a_text_table(tmp_path: Path) -> None:
    path = tmp_path / "noise.csv"
    path.write_bytes(bytes(b for b in range(1, 256) if b not in b",;|\t\n\r") * 40)
    with pytest.raises(SourceError, match="not a text table"):
        open_input(path)


def test_utf16_text_with_bom_reads_the_same_rows(tmp_path: Path) -> None:
    """Excel's "Unicode text" export: UTF-16 with a BOM, tab separated (NUL bytes that are
    not binary data)."""
    text = "name\tcountry\nMüller GmbH\tDE\n杭州海康威视\tCN\n"
    utf8, utf16 = tmp_path / "a.txt", tmp_path / "b.txt"
    utf8.write_text(text, encoding="utf-8")
    utf16.write_text(text, encoding="utf-16")
    assert open_input(utf16).format == "tsv"
    assert [r.values for r in open_input(utf16).rows()] == [
        r.values for r in open_input(utf8).rows()
    ]


def test_a_workbooks_title_row_and_other_sheets(tmp_path: Path) -> None:
    # a title above the header, and a second sheet of suppliers that a screen of the first
    # sheet alone would miss in silence
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "EU suppliers"
    ws.append(["ACME Corp supplier list"])
    ws.append([])
    ws.append(["Vendor Name", "Country"])
    ws.append(["Hikvision", "China"])
    other = wb.create_sheet("Asia")
    other.append(["Vendor Name", "Country"])
    other.append(["Bank Melli Iran", "Iran"])
    wb.create_sheet("empty")
    path = tmp_path / "book.xlsx"
    wb.save(path)
    src = open_input(path)
    assert src.headers == ["Vendor Name", "Country"] and src.header_line == 3
    assert [(r.line, r.values["Vendor Name"]) for r in src.rows()] == [(4, "Hikvision")]
    assert src.sheet == "EU suppliers" and src.other_sheets == ["Asia"]
    asia = open_input(path, sheet="Asia")
    assert [r.values["Vendor Name"] for r in asia.rows()] == ["Bank Melli Iran"]
    assert open_input(path, sheet="2").sheet == "Asia"
    with pytest.raises(SourceError, match=r"no sheet 'Africa'.*'Asia'"):
        open_input(path, sheet="Africa")
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("name\nX\n", encoding="utf-8")
    with pytest.raises(SourceError, match="--sheet is for Excel"):
        open_input(csv_path, sheet="1")
    # a one-column sheet keeps its first row as the header
    single = openpyxl.Workbook()
    single.active.append(["name"])
    single.active.append(["Hikvision"])
    single.save(tmp_path / "one.xlsx")
    assert [r.values for r in open_input(tmp_path / "one.xlsx").rows()] == [
        {"name": "Hikvision"}
    ]


@pytest.mark.parametrize("body", [
    'name,country\nHikvision,CN,extra,fields\nSberbank\n"unterminated,RU\n',  # sniffer fails
    "name,country\nAcme,DE\nBosch,DE\n",
    "name;country\nAcme;DE\nBosch;DE\n",
])
def test_a_header_is_split_by_its_own_delimiter_despite_broken_rows(
        tmp_path: Path, body: str) -> None:
    """One broken row must not make "name,country" one column ("no name column found")."""
    path = tmp_path / "in.csv"
    path.write_text(body, encoding="utf-8")
    assert open_input(path).headers == ["name", "country"]


def test_titles_group_rows_and_excels_sep_line_sit_above_the_header(tmp_path: Path) -> None:
    """An ERP export puts a title, a "Stand:" date, a row of merged group headings or
    Excel's "sep=;" above the header: each was taken for the header ("no name column
    found"), and with --map the real header was screened as a supplier."""
    sap = tmp_path / "sap.csv"
    sap.write_text("Lieferantenstamm Buchungskreis 1000;;Stand: 28.11.2026\n\n"
                   "Lieferant;Name 1;Name 2;Land\n100001;Mahan Air;;IR\n100002;Siemens AG;;DE\n",
                   encoding="utf-8")
    sep = tmp_path / "sep.csv"
    sep.write_text("sep=;\nName;Land\nMahan Air;IR\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Lieferantenstamm"])
    ws.append([])
    ws.append(["Stammdaten", None, None, "Identifikation"])
    ws.append(["Lieferant", "Name 1", "Land", "USt-IdNr."])
    ws.append(["100001", "Mahan Air", "IR", None])
    book = tmp_path / "sap.xlsx"
    wb.save(book)
    for path, line in ((sap, 3), (sep, 2), (book, 4)):
        src = open_input(path)
        cols = detect_columns(src.headers)
        rows = list(src.rows())
        assert src.header_line == line, path.name
        q = build_query(rows[0].values, cols, rows[0].line)
        assert not isinstance(q, Reject) and q.name == "Mahan Air", path.name
        assert rows[0].line == line + 1
    assert open_input(sep).delimiter == ";"
    # a data row that reads like a header (a type "Company") is no header: the first is
    plain = tmp_path / "plain.csv"
    plain.write_text("ID,Party,Type\n1,ACME,Company\n2,Beta,Person\n", encoding="utf-8")
    src = open_input(plain)
    assert src.headers == ["ID", "Party", "Type"] and len(list(src.rows())) == 2
