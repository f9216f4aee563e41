"""Machine-readable results of a screening run: rows CSV, hits CSV, JSON lines and rejects.

One line per input row (with its best hit) answers "which of my suppliers are flagged";
one line per hit answers "why". Writers append and report their byte offsets, so a
checkpoint can record exactly how much is written and a resumed run truncates back to it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from redflags.matching.types import ScreeningHit
from redflags.model import caption

ROWS_COLUMNS = (
    "line", "row_id", "name", "schema", "country", "status", "hit_count", "best_score",
    "best_entity_id", "best_caption", "best_lists", "best_programs", "best_listed_on",
    "best_matched_name", "best_derived", "notes",
)
HITS_COLUMNS = (
    "line", "row_id", "name", "rank", "score", "derived", "entity_id", "caption", "schema",
    "lists",
    "list_version", "programs", "listed_on", "citations", "source_url", "matched_name",
    "algorithm", "explanation",
)
REJECTS_COLUMNS = ("line", "reason", "message", "values")


def hit_lists(entity: Mapping[str, Any]) -> list[str]:
    """The lists naming an entity: its datasets, else the list in its provenance."""
    lists = [str(d) for d in entity.get("datasets") or []]
    prov = entity.get("provenance") or {}
    if not lists and prov.get("list"):
        lists = [str(prov["list"])]
    return lists


def hit_record(hit: ScreeningHit) -> dict[str, Any]:
    """A hit as plain JSON: what the reports show and what workers send back."""
    entity = hit.entity
    prov: Mapping[str, Any] = entity.get("provenance") or {}
    return {
        "entity_id": entity.get("id"),
        "caption": entity.get("caption") or caption(entity),
        "schema": entity.get("schema"),
        "score": round(float(hit.score), 4),
        "match": bool(hit.match),
        "lists": hit_lists(entity),
        "list_version": prov.get("list_version"),
        "record_id": prov.get("record_id"),
        "programs": list(prov.get("programs") or []),
        "listed_on": prov.get("listed_on"),
        "source_url": prov.get("source_url"),
        "citations": list(prov.get("citations") or []),
        # names redflags added (own-script names of listed Chinese companies): not the list's
        "enriched_aliases": list(prov.get("enriched_aliases") or []),
        "enrichment_source": prov.get("enrichment_source"),
        "matched_name": hit.result.matched_name,
        "query_name": hit.result.query_name,
        "algorithm": hit.result.algorithm,
        "algorithm_version": hit.result.algorithm_version,
        "explanation": [e.to_dict() for e in hit.result.explanations.values()],
        "baseline": round(hit.result.baseline, 4),
        "derived": hit.derived,
        "evidence": hit.evidence,
        "properties": entity.get("properties") or {},
    }


def explain_short(record: Mapping[str, Any]) -> str:
    """'name 0.93 (+0.71); country 1.0 (+0.05)' — the explanation in one CSV cell."""
    parts = []
    for e in record.get("explanation") or []:
        parts.append(f"{e['name']} {e['value']:.2f} ({e['contribution']:+.2f})")
    return "; ".join(parts)


@dataclass(frozen=True)
class OutputPaths:
    """Where one run writes: every file shares a prefix, so a run is easy to find and move."""

    prefix: Path

    @classmethod
    def for_input(cls, input_path: Path, output: str | Path | None) -> OutputPaths:
        """``output`` is a directory (existing, or written with a trailing /) or a prefix."""
        stem = input_path.stem or "screening"
        if output is None:
            return cls(Path("redflags-results") / stem)
        text = str(output)
        path = Path(text)
        if path.is_dir() or text.endswith(("/", "\\")):
            return cls(path / stem)
        return cls(path)

    def _with(self, suffix: str) -> Path:
        return self.prefix.with_name(self.prefix.name + suffix)

    @property
    def rows_csv(self) -> Path:
        return self._with(".results.csv")

    @property
    def hits_csv(self) -> Path:
        return self._with(".hits.csv")

    @property
    def jsonl(self) -> Path:
        return self._with(".results.jsonl")

    @property
    def html(self) -> Path:
        return self._with(".report.html")

    @property
    def rejects(self) -> Path:
        return self._with(".rejects.csv")

    @property
    def checkpoint(self) -> Path:
        return self._with(".checkpoint.json")


class ResultWriters:
    """Append-mode writers for every requested output, with their byte offsets."""

    def __init__(
        self, paths: OutputPaths, formats: Sequence[str], rejects_path: Path | None = None
    ) -> None:
        self.paths = paths
        self.files: dict[str, Path] = {}
        if "csv" in formats:
            self.files["rows_csv"] = paths.rows_csv
            self.files["hits_csv"] = paths.hits_csv
        if "jsonl" in formats or "html" in formats:  # the HTML report is rendered from it
            self.files["jsonl"] = paths.jsonl
        self.files["rejects"] = rejects_path or paths.rejects
        self._fh: dict[str, IO[str]] = {}
        self._csv: dict[str, Any] = {}

    def open(self, offsets: Mapping[str, int] | None = None) -> ResultWriters:
        """Open for appending; with ``offsets`` (a resume) truncate each file back to them."""
        headers = {"rows_csv": ROWS_COLUMNS, "hits_csv": HITS_COLUMNS, "rejects": REJECTS_COLUMNS}
        for key, path in self.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            if offsets is not None and key in offsets and path.exists():
                with open(path, "r+b") as raw:
                    raw.truncate(int(offsets[key]))
                mode = "a"
            else:
                mode = "w"
            fh = open(path, mode, encoding="utf-8", newline="")  # noqa: SIM115 - kept open
            self._fh[key] = fh
            if key in headers:
                writer = _SafeWriter(csv.writer(fh, lineterminator="\n"))
                self._csv[key] = writer
                if fh.tell() == 0:
                    writer.writerow(headers[key])
        return self

    def __enter__(self) -> ResultWriters:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for fh in self._fh.values():
            fh.close()
        self._fh.clear()

    def offsets(self) -> dict[str, int]:
        """Flush and return each file's size: what a checkpoint records."""
        out = {}
        for key, fh in self._fh.items():
            fh.flush()
            out[key] = fh.tell()
        return out

    def write_row(self, row: Mapping[str, Any]) -> None:
        """One screened input row with its hits (``row['hits']`` are :func:`hit_record`s)."""
        hits: list[dict[str, Any]] = row["hits"]
        query = row["query"]
        props = query.get("properties", {})
        if "rows_csv" in self._csv:
            best = hits[0] if hits else {}
            self._csv["rows_csv"].writerow([
                row["line"], row["row_id"], row["name"], query.get("schema"),
                ";".join(props.get("country", [])), "hit" if hits else "clear", len(hits),
                best.get("score", ""), best.get("entity_id", ""), best.get("caption", ""),
                ";".join(best.get("lists", [])), ";".join(best.get("programs", [])),
                best.get("listed_on") or "", best.get("matched_name") or "",
                _derived_text(best) if best else "", "; ".join(row.get("notes") or []),
            ])
            for rank, h in enumerate(hits, start=1):
                self._csv["hits_csv"].writerow([
                    row["line"], row["row_id"], row["name"], rank, h["score"],
                    _derived_text(h), h["entity_id"],
                    h["caption"], h["schema"], ";".join(h["lists"]), h.get("list_version") or "",
                    ";".join(h["programs"]), h.get("listed_on") or "",
                    " | ".join(h.get("citations") or []), h.get("source_url") or "",
                    h.get("matched_name") or "",
                    f"{h.get('algorithm')} {h.get('algorithm_version')}", explain_short(h),
                ])
        if "jsonl" in self._fh:
            self._fh["jsonl"].write(_json_line(row))

    def write_reject(self, line: int, code: str, message: str, values: Mapping[str, Any]) -> None:
        clean = {k: _printable(v) for k, v in values.items() if v not in (None, "")}
        self._csv["rejects"].writerow(
            [line, code, message, json.dumps(clean, ensure_ascii=False)]
        )


# What makes a spreadsheet read a cell as a formula (OWASP "CSV injection"): a supplier
# name from a web form, "=HYPERLINK(...)", ran as one when a manager opened the results.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _SafeWriter:
    """A csv writer whose text cells never start a formula: such a cell gets a leading
    apostrophe, which spreadsheets show as text (and hide)."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow([
            "'" + c if isinstance(c, str) and c.startswith(_FORMULA_START) else c
            for c in cells
        ])


def _json_line(row: Mapping[str, Any]) -> str:
    """One JSON line: orjson (a tenth of json.dumps's time, ~7 % of a job's parent process),
    json for what orjson refuses (a string with an undecodable byte kept as a surrogate)."""
    try:
        return orjson.dumps(row, default=str, option=orjson.OPT_APPEND_NEWLINE).decode("utf-8")
    except TypeError:
        return json.dumps(row, ensure_ascii=False, default=str) + "\n"


def _derived_text(hit: Mapping[str, Any]) -> str:
    """Empty for a direct hit; else the rule and verdict (e.g. "ofac_50_percent: caught")."""
    if not hit.get("derived"):
        return ""
    for ev in hit.get("evidence") or []:
        if isinstance(ev, Mapping) and ev.get("kind") == "derived":
            return f"{ev.get('rule')}: {ev.get('verdict')}"
    return "derived"


def _printable(value: Any) -> Any:
    """Undecodable bytes (kept as surrogate escapes) shown as \\xNN so the file stays UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return value


def read_results(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the rows of a results JSON lines file."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def read_results_by_score(path: Path) -> Iterator[dict[str, Any]]:
    """Rows with hits, strongest best hit first, then by input order.

    Two passes over the file keep memory to two numbers per row with hits, so a report of a
    million-row screening still opens with the hits a reviewer must see first."""
    order: list[tuple[float, int]] = []
    with open(path, "rb") as fh:
        offset = 0
        for raw in fh:
            if raw.strip():
                row = json.loads(raw)
                hits = row.get("hits") or []
                if hits:
                    order.append((-max(float(h.get("score", 0.0)) for h in hits), offset))
            offset += len(raw)
        order.sort()
        for _score, where in order:
            fh.seek(where)
            yield json.loads(fh.readline())
