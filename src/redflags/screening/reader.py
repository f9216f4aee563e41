"""Streams the rows of a user's file, whatever its format, with the line each came from.

The format is told by content (a ``.csv`` that is really an Excel workbook is common), and
every reader streams so memory stays flat on a file of millions of rows. Bytes that are not
valid text are kept as surrogate escapes so the one broken row, not the file, is rejected.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from redflags.errors import SourceError
from redflags.screening.columns import names_a_party
from redflags.sources.base import CTRL_Z, MAX_FIELD_BYTES, check_not_empty_or_html, sniff_head

FORMATS = ("csv", "tsv", "xlsx", "jsonl", "parquet")
SAMPLE_BYTES = 1 << 20
_DELIMITERS = ",;\t|"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text" export starts so
# Control bytes that text tables do contain: tab, LF, FF, CR and the DOS end-of-file mark.
_TEXT_CONTROLS = frozenset(b"\t\n\x0c\r\x1a")
_MAX_CONTROL_SHARE = 0.05


@dataclass(frozen=True)
class InputRow:
    """One record: ``line`` is where a person finds it (file line, sheet row, record no.)."""

    line: int
    values: dict[str, str | None]
    error: str | None = None


def detect_format(path: Path) -> str:
    """csv, tsv, xlsx, jsonl or parquet, from the first bytes, not the extension."""
    check_not_empty_or_html(path)
    head = sniff_head(path, 64 * 1024)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    stripped = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceError(path, "legacy .xls workbooks are not supported: save it as .xlsx or CSV")
    encoding = "utf-16" if head.startswith(_UTF16_BOMS) else "utf-8"
    check_text(path, head, encoding)
    return "tsv" if sniff_delimiter(head, encoding) == "\t" else "csv"


def check_text(path: Path, head: bytes, encoding: str = "utf-8") -> None:
    """Refuse binary data read as a table: its "columns" would be garbage in an error later.

    NUL bytes never occur in text (but in UTF-16, which only a BOM tells reliably); other
    control bytes do, rarely, in a broken row, so only a real share of them counts."""
    if encoding.startswith("utf-16"):
        return
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    if b"\x00" in head or controls > _MAX_CONTROL_SHARE * len(head):
        raise SourceError(
            path,
            "not a text table: the file holds binary data (NUL or control bytes); screen a "
            "CSV, TSV, XLSX, JSON lines or Parquet file",
        )


def sniff_delimiter(head: bytes, encoding: str = "utf-8") -> str:
    """The delimiter that splits the first lines into the most, equally wide, columns."""
    text = head.decode(encoding, errors="replace")
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line short
    header = lines[0] if lines else ""

    def header_width(delim: str) -> int:
        return len(next(csv.reader([header], delimiter=delim), []))

    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
        # a broken row (an unterminated quote, ragged widths) can lead the sniffer to a
        # delimiter the header does not hold: "name,country" read as one column said "no
        # name column found"
        if header_width(sniffed) > 1 or max(map(header_width, _DELIMITERS)) == 1:
            return sniffed
    except csv.Error:
        pass
    widest = max(_DELIMITERS, key=header_width)
    split = header_width(widest) > 1
    best, best_score = widest if split else ",", 0
    for delim in _DELIMITERS:
        if split and header_width(delim) < 2:
            continue  # one column where the header shows several: not the delimiter
        counts = [len(next(csv.reader([ln], delimiter=delim))) for ln in lines] or [1]
        score = min(counts) if max(counts) - min(counts) <= 1 else 0
        if score > best_score:
            best, best_score = delim, score
    return best


def detect_encoding(path: Path) -> str:
    """utf-16 after its BOM, else utf-8-sig unless the sample is clearly not UTF-8 (then
    Windows-1252).

    A single bad byte in a UTF-8 file rejects only its row; a file in which most non-ASCII
    lines fail UTF-8 is a legacy export and decoded as cp1252 throughout.
    """
    sample = sniff_head(path, SAMPLE_BYTES)
    if sample.startswith(_UTF16_BOMS):
        return "utf-16"
    if len(sample) == SAMPLE_BYTES:
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    bad = good = 0
    for line in sample.splitlines():
        if max(line, default=0) < 0x80:
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    return "cp1252" if bad > good else "utf-8-sig"


class InputFile:
    """An input file opened for screening: its format, headers and a row stream."""

    def __init__(
        self,
        path: Path | str,
        fmt: str | None = None,
        delimiter: str | None = None,
        sheet: str | None = None,
    ) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(self.path, "file does not exist")
        if self.path.is_dir():
            raise SourceError(self.path, "is a directory, not a file: name the file to screen")
        self.format = fmt or detect_format(self.path)
        if self.format not in FORMATS:
            raise SourceError(self.path, f"unknown format {self.format!r}; one of {FORMATS}")
        self.encoding = "utf-8"
        self.delimiter = ","
        # a workbook: the sheet read, the other sheets that hold data (the screen says so:
        # a second sheet ignored in silence is a false negative), the header's row
        self.sheet: str | None = None
        self.other_sheets: list[str] = []
        self.header_line = 0
        # blank rows between records, skipped (trailing ones, a sheet's formatted emptiness,
        # are not counted): the summary says so, so that its row count reconciles with the
        # file's line count
        self.blank_rows = 0
        if self.format == "xlsx":
            self.sheet, self.other_sheets = self._pick_sheet(sheet)
        elif sheet is not None:
            raise SourceError(self.path, f"--sheet is for Excel workbooks; this is {self.format}")
        if self.format in ("csv", "tsv"):
            self.encoding = detect_encoding(self.path)
            head = sniff_head(self.path, 64 * 1024)
            check_text(self.path, head, self.encoding)  # also when --input-format forced it
            declared = _declared_delimiter(head, self.encoding)
            self.delimiter = delimiter or declared or (
                "\t" if self.format == "tsv" else sniff_delimiter(head, self.encoding)
            )
        self.headers: list[str] = self._read_headers()

    def describe(self) -> str:
        extra = ""
        if self.format in ("csv", "tsv"):
            extra = f", {self.encoding}, delimiter {self.delimiter!r}"
        return f"{self.path.name} ({self.format}{extra})"

    def estimate_rows(self) -> int | None:
        """About how many records follow the header, for a progress bar (one fast pass)."""
        if self.format == "parquet":
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(self.path).metadata.num_rows)
        if self.format == "xlsx":
            return None
        lines, last = 0, b"\n"
        with open(self.path, "rb") as fh:
            while chunk := fh.read(1 << 22):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        lines += last != b"\n"
        return max(0, lines - (1 if self.format in ("csv", "tsv") else 0))

    def rows(self) -> Iterator[InputRow]:
        """Every record after the header, in file order."""
        reader = {
            "csv": self._csv_rows,
            "tsv": self._csv_rows,
            "xlsx": self._xlsx_rows,
            "jsonl": self._jsonl_rows,
            "parquet": self._parquet_rows,
        }[self.format]
        return reader(header=False)

    # ---- headers ------------------------------------------------------------------------------

    def _read_headers(self) -> list[str]:
        if self.format == "parquet":
            import pyarrow.parquet as pq

            return [str(n) for n in pq.ParquetFile(self.path).schema_arrow.names]
        if self.format == "jsonl":
            seen: dict[str, None] = {}
            for i, row in enumerate(self._jsonl_rows(header=True)):
                for key in row.values:
                    seen.setdefault(key, None)
                if i >= 200:
                    break
            return list(seen)
        for row in (self._csv_rows if self.format in ("csv", "tsv") else self._xlsx_rows)(
            header=True
        ):
            return _unique([v or f"column{i + 1}" for i, v in enumerate(row.values.values())])
        raise SourceError(self.path, "no header row")

    # ---- readers -------------------------------------------------------------------------------

    def _csv_rows(self, header: bool) -> Iterator[InputRow]:
        csv.field_size_limit(MAX_FIELD_BYTES)
        # surrogateescape keeps a bad byte for its row's reject; UTF-16 has no such bytes
        errors = "replace" if self.encoding == "utf-16" else "surrogateescape"
        with open(self.path, encoding=self.encoding, errors=errors, newline="") as fh:
            reader = csv.reader(_strip_ctrl_z(fh), delimiter=self.delimiter)
            headers: list[str] | None = None
            pending = 0
            while True:
                start = reader.line_num + 1
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise SourceError(self.path, f"malformed CSV: {exc}", line=start) from None
                if not fields or all(not f.strip() for f in fields):
                    pending += headers is not None
                    continue
                if headers is None:
                    if header:
                        found = _header_row(_csv_scan(start, fields, reader))
                        if found is not None:
                            self.header_line, texts = found
                            yield InputRow(self.header_line,
                                           {str(i): t for i, t in enumerate(texts)})
                        return
                    if start < self.header_line:
                        continue  # a title, an Excel "sep=" line, a group row above it
                    headers = self.headers
                    continue
                values: dict[str, str | None] = dict.fromkeys(headers)
                for h, f in zip(headers, fields, strict=False):
                    values[h] = f
                self.blank_rows += pending
                pending = 0
                yield InputRow(start, values)

    @contextmanager
    def _workbook(self) -> Iterator[Any]:
        """The workbook, read-only; closed with its file on leaving the block."""
        import openpyxl

        # a file object, not the path: openpyxl refuses a workbook by its name's extension
        # ("does not support .csv file format"), and a workbook saved as .csv is common
        with open(self.path, "rb") as fh:
            try:
                wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            except Exception as exc:  # openpyxl raises many kinds for a broken zip/workbook
                raise SourceError(
                    self.path, f"cannot open as an Excel workbook: {exc}"
                ) from None
            try:
                yield wb
            finally:
                wb.close()

    def _pick_sheet(self, wanted: str | None) -> tuple[str, list[str]]:
        """The sheet to read (``wanted``: its name or 1-based number; else the first) and
        the other sheets with data in their first rows."""
        with self._workbook() as wb:
            names = list(wb.sheetnames)
            if wanted is None:
                chosen = names[0]
            elif wanted in names:
                chosen = wanted
            elif wanted.isdecimal() and 1 <= int(wanted) <= len(names):
                chosen = names[int(wanted) - 1]
            else:
                raise SourceError(self.path, f"no sheet {wanted!r}; the workbook has "
                                  + ", ".join(repr(n) for n in names))
            others = [n for n in names if n != chosen and any(
                any(_cell_text(c) for c in cells)
                for cells in wb[n].iter_rows(values_only=True, max_row=HEADER_SCAN_ROWS))]
            return chosen, others

    def _xlsx_rows(self, header: bool) -> Iterator[InputRow]:
        with self._workbook() as wb:
            ws = wb[self.sheet] if self.sheet else wb.worksheets[0]
            rows = ((number, [_cell_text(c) for c in cells])
                    for number, cells in enumerate(ws.iter_rows(values_only=True), start=1))
            if header:
                found = _header_row(rows)
                if found is not None:
                    self.header_line, texts = found
                    yield InputRow(self.header_line, {str(i): t for i, t in enumerate(texts)})
                return
            headers = self.headers
            pending = 0
            for number, texts in rows:
                if number <= self.header_line:
                    continue
                if all(not t for t in texts):
                    pending += 1
                    continue
                values: dict[str, str | None] = dict.fromkeys(headers)
                for h, t in zip(headers, texts, strict=False):
                    values[h] = t
                self.blank_rows += pending
                pending = 0
                yield InputRow(number, values)

    def _jsonl_rows(self, header: bool) -> Iterator[InputRow]:
        with open(self.path, "rb") as fh:
            for number, raw in enumerate(fh, start=1):
                text = raw.decode("utf-8", errors="surrogateescape").strip().lstrip("\ufeff")
                if not text or text == CTRL_Z:
                    continue
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as exc:
                    if not header:
                        yield InputRow(number, {}, error=f"invalid JSON: {exc.msg}")
                    continue
                if not isinstance(obj, dict):
                    if not header:
                        yield InputRow(number, {}, error="JSON line is not an object")
                    continue
                yield InputRow(number, {str(k): _cell_text(v) for k, v in obj.items()})

    def _parquet_rows(self, header: bool) -> Iterator[InputRow]:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(self.path)
        number = 0
        for batch in pf.iter_batches(batch_size=4096):
            for record in batch.to_pylist():
                number += 1
                yield InputRow(number, {str(k): _cell_text(v) for k, v in record.items()})


def _unique(headers: list[str]) -> list[str]:
    """Repeated headers get a suffix, so no column silently shadows another."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        n = seen.get(h, 0) + 1
        seen[h] = n
        out.append(h if n == 1 else f"{h}_{n}")
    return out


def _strip_ctrl_z(fh: IO[str]) -> Iterator[str]:
    for line in fh:
        if CTRL_Z in line:
            line = line.replace(CTRL_Z, "")
            if not line.strip():
                continue
        yield line


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else (
            value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="surrogateescape")
    if isinstance(value, list | tuple):
        return "; ".join(t for t in (_cell_text(v) for v in value) if t)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


# Rows of a sheet searched for its header, below a title ("ACME Corp supplier list").
HEADER_SCAN_ROWS = 10


def _header_row(
    rows: Iterator[tuple[int, list[str | None]]],
) -> tuple[int, list[str | None]] | None:
    """A file's header: within its first ``HEADER_SCAN_ROWS`` rows, the first that names a
    column of names ("Name 1", "Lieferantenname"), else its first non-empty row, unless that
    row holds one cell (a title) and a row of several cells follows. Above an ERP export's
    header come titles, "Stand: 28.11.2026", group rows of merged cells ("Stammdaten",
    "Identifikation"), Excel's "sep=;": each was taken for the header ("no name column
    found")."""
    first: tuple[int, list[str | None]] | None = None
    several: tuple[int, list[str | None]] | None = None
    widest_above = 0  # a row above the header is narrower (a data row is as wide)
    for number, texts in rows:
        filled = sum(1 for t in texts if t)
        if not filled:
            continue
        if first is None:
            first = (number, texts)
        if filled > 1 and several is None:
            several = (number, texts)
        if filled > max(1, widest_above) and names_a_party([t for t in texts if t]):
            return number, texts
        widest_above = max(widest_above, filled)
        if number - first[0] >= HEADER_SCAN_ROWS:
            break
    if first is not None and sum(1 for t in first[1] if t) > 1:
        return first
    return several or first


def _csv_scan(start: int, fields: list[str], reader: Any) -> Iterator[tuple[int, list[str | None]]]:
    """The first rows of a CSV file as (line, cells), for ``_header_row``."""
    yield start, [f.strip() or None for f in fields]
    for _ in range(HEADER_SCAN_ROWS):
        line = reader.line_num + 1
        try:
            row = next(reader)
        except (StopIteration, csv.Error):
            return
        yield line, [f.strip() or None for f in row]


def _declared_delimiter(head: bytes, encoding: str) -> str | None:
    """Excel's first line "sep=;" names the delimiter (and is no header)."""
    first = head[:64].decode(encoding, errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    first = first.strip()
    if first.lower().startswith("sep=") and len(first) == 5:
        return first[4]
    return None


def open_input(
    path: Path | str,
    fmt: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> InputFile:
    return InputFile(path, fmt, delimiter, sheet)


__all__ = [
    "FORMATS", "InputFile", "InputRow", "check_text", "detect_encoding", "detect_format",
    "open_input",
]
