"""API keys: random bearer tokens, stored only as SHA-256 hashes in a private JSON file.

A token carries 256 bits of randomness, so a fast hash is enough (no password stretching);
comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from redflags.config import data_dir
from redflags.errors import RedflagsError

TOKEN_PREFIX = "rf_"


@dataclass(frozen=True)
class ApiKey:
    name: str
    digest: str
    created_at: str
    hint: str


def keys_path() -> Path:
    return Path(os.environ.get("REDFLAGS_KEYS", data_dir() / "api_keys.json"))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class KeyStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or keys_path()
        self._mtime: float | None = None
        self._keys: dict[str, ApiKey] = {}

    def _load(self) -> dict[str, ApiKey]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            self._keys, self._mtime = {}, None
            return self._keys
        if mtime != self._mtime:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise RedflagsError(f"{self.path}: not valid JSON ({exc})") from None
            self._keys = {k["name"]: ApiKey(**k) for k in raw.get("keys", [])}
            self._mtime = mtime
        return self._keys

    def _save(self, keys: dict[str, ApiKey]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        body = {"keys": [k.__dict__ for k in keys.values()]}
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(body, fh, indent=2)
        os.replace(tmp, self.path)

    def create(self, name: str) -> str:
        """Create a key and return its token: shown once, never stored in clear."""
        if not name or not name.replace("-", "").replace("_", "").isalnum():
            raise RedflagsError("key names use letters, digits, '-' and '_'")
        keys = dict(self._load())
        if name in keys:
            raise RedflagsError(f"a key named {name!r} exists; revoke it first")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        keys[name] = ApiKey(
            name=name,
            digest=_digest(token),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            hint=token[:7] + "…",
        )
        self._save(keys)
        return token

    def revoke(self, name: str) -> None:
        keys = dict(self._load())
        if name not in keys:
            raise RedflagsError(f"no key named {name!r}")
        del keys[name]
        self._save(keys)

    def list(self) -> list[ApiKey]:
        return sorted(self._load().values(), key=lambda k: k.name)

    def verify(self, token: str) -> str | None:
        """The key's name when the token is valid, else None."""
        digest = _digest(token)
        for key in self._load().values():
            if hmac.compare_digest(key.digest, digest):
                return key.name
        return None

    def __len__(self) -> int:
        return len(self._load())
