"""A small JSON sidecar that lets an interrupted screening continue where it stopped.

It records how many input records are fully written and each output's size at that moment;
outputs are appended in input order, so truncating them to those sizes and skipping that many
records resumes without screening (or writing) any row twice. The sidecar is replaced
atomically, so a crash mid-write leaves the previous checkpoint intact.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redflags.errors import RedflagsError

CHECKPOINT_VERSION = 1


@dataclass
class Checkpoint:
    """Progress of one run: counts, summary tallies and output offsets."""

    input: str
    input_fingerprint: str
    options: dict[str, Any]
    rows_done: int = 0
    screened: int = 0
    rejected: int = 0
    rows_with_hits: int = 0
    hits: int = 0
    hits_by_list: dict[str, int] = field(default_factory=dict)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    top_hits: list[dict[str, Any]] = field(default_factory=list)
    offsets: dict[str, int] = field(default_factory=dict)
    list_versions: dict[str, str] = field(default_factory=dict)
    blank_rows: int = 0  # skipped between records (``InputFile.blank_rows``), not rows read
    complete: bool = False
    updated_at: str = ""
    version: int = CHECKPOINT_VERSION

    def save(self, path: Path) -> None:
        self.updated_at = datetime.now(UTC).isoformat(timespec="seconds")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(asdict(self), fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise RedflagsError(f"cannot read checkpoint {path}: {exc}") from None
        if data.get("version") != CHECKPOINT_VERSION:
            raise RedflagsError(f"checkpoint {path} has an unknown version; delete it to restart")
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def check_compatible(self, input_fingerprint: str, options: dict[str, Any]) -> None:
        """Refuse to resume a different file or different settings: the halves would not
        be one consistent screening."""
        if input_fingerprint != self.input_fingerprint:
            raise RedflagsError(
                f"--resume: the input file changed since the checkpoint ({self.input}); "
                "run again without --resume"
            )
        changed = sorted(k for k in set(options) | set(self.options)
                         if options.get(k) != self.options.get(k))
        if changed:
            raise RedflagsError(
                "--resume: options differ from the interrupted run ("
                + ", ".join(f"{k}: {self.options.get(k)!r} -> {options.get(k)!r}" for k in changed)
                + ")"
            )


    def check_same_lists(self, now: dict[str, str]) -> None:
        """Refuse to resume against other list versions: the first rows' hits came from the
        lists of the interrupted run, and the report would name only the new ones."""
        before = self.list_versions
        if not before or not now or before == now:
            return
        changed = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
        raise RedflagsError(
            "--resume: the lists changed since the interrupted run ("
            + ", ".join(f"{k}: {before.get(k) or 'none'} -> {now.get(k) or 'none'}"
                        for k in changed[:5])
            + (f", and {len(changed) - 5} more" if len(changed) > 5 else "")
            + "); run again without --resume to screen every row against the current lists"
        )


def file_fingerprint(path: Path) -> str:
    """Size plus hashes of the first and last MiB: cheap, and catches edits and appends."""
    size = path.stat().st_size
    h = hashlib.sha256(str(size).encode())
    with open(path, "rb") as fh:
        h.update(fh.read(1 << 20))
        if size > 1 << 20:
            fh.seek(max(size - (1 << 20), 1 << 20))
            h.update(fh.read())
    return h.hexdigest()[:32]
