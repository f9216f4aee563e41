"""What every report of a run states besides its results: which lists (and how old), which
algorithm and threshold, which input. A result without these cannot be defended later."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RunContext:
    """The settings and data versions a run used, as plain values."""

    input: str
    catalog: str
    lists: list[dict[str, Any]]  # ListInfo.to_dict() of each list used
    algorithm: str
    algorithm_version: str
    threshold: float
    limit: int
    columns: str = ""
    generated_at: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def stale_lists(self) -> list[dict[str, Any]]:
        return [i for i in self.lists if i.get("stale")]
