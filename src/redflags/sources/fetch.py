"""Downloading official lists: timeouts, retries with backoff, conditional GET, no half files.

A download goes to a staging folder; it only replaces the last good copy after the store
accepted the import. A failed, truncated or HTML-instead-of-data download therefore never
becomes the current version.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from redflags import __version__
from redflags.errors import RedflagsError
from redflags.sources.base import check_not_empty_or_html
from redflags.sources.registry import ListSpec

USER_AGENT = f"redflags/{__version__} (+https://github.com/redflags; sanctions screening)"
MAX_DOWNLOAD_BYTES = 2 * 1024**3

# (url, bytes so far, total bytes or None)
ByteProgress = Callable[[str, int, int | None], None]
Validators = tuple[str | None, str | None]


class DownloadError(RedflagsError):
    """A list could not be downloaded; the current version stays in place."""


@dataclass
class FetchResult:
    spec: ListSpec
    folder: Path
    primary: Path
    not_modified: bool
    fetched_at: datetime
    validators: dict[str, Validators] = field(default_factory=dict)
    bytes: int = 0


@dataclass
class Fetcher:
    """HTTP client settings; tests shrink the backoff and point URLs at a loopback server."""

    timeout: float = 60.0
    retries: int = 3
    backoff: float = 2.0
    client: httpx.Client | None = None

    def _client(self) -> httpx.Client:
        if self.client is None:
            self.client = httpx.Client(
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 20.0)),
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT},
            )
        return self.client

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def fetch_list(
        self,
        spec: ListSpec,
        downloads: Path,
        validators: Callable[[str], Validators],
        progress: ByteProgress | None = None,
        force: bool = False,
    ) -> FetchResult:
        """Download every file of a list into a fresh staging folder under ``downloads``."""
        if not spec.urls:
            raise DownloadError(f"{spec.name} has no official download URL configured")
        base = downloads / spec.name
        current = base / "current"
        stamp = datetime.now(UTC)
        staging = base / f"staging-{stamp:%Y%m%dT%H%M%S%f}"
        staging.mkdir(parents=True, exist_ok=True)
        result = FetchResult(spec, staging, staging / next(iter(spec.urls)), True, stamp)
        try:
            for filename, url in spec.urls.items():
                target = staging / filename
                have_copy = (current / filename).exists()
                etag, modified = validators(url) if (have_copy and not force) else (None, None)
                status, new_validators, size = self._get(url, target, etag, modified, progress)
                if status == 304:
                    shutil.copy2(current / filename, target)
                else:
                    result.not_modified = False
                    result.bytes += size
                    check_not_empty_or_html(target)
                result.validators[url] = new_validators
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return result

    def _get(
        self,
        url: str,
        target: Path,
        etag: str | None,
        modified: str | None,
        progress: ByteProgress | None,
    ) -> tuple[int, Validators, int]:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        last_error: BaseException | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                return self._get_once(url, target, headers, progress)
            except _Retryable as exc:
                last_error = exc.__cause__ or exc
        raise DownloadError(
            f"download of {url} failed after {self.retries + 1} attempts: {last_error}"
        )

    def _get_once(
        self,
        url: str,
        target: Path,
        headers: dict[str, str],
        progress: ByteProgress | None,
    ) -> tuple[int, Validators, int]:
        client = self._client()
        try:
            with client.stream("GET", url, headers=headers) as resp:
                if resp.status_code == 304:
                    return 304, _validators(resp), 0
                if resp.status_code >= 500 or resp.status_code == 429:
                    raise _Retryable(f"HTTP {resp.status_code}")
                if resp.status_code != 200:
                    raise DownloadError(f"download of {url} failed: HTTP {resp.status_code}")
                expected = resp.headers.get("Content-Length")
                total = int(expected) if expected and expected.isdecimal() else None
                size = 0
                with open(target, "wb") as fh:
                    for chunk in resp.iter_bytes(1 << 16):
                        size += len(chunk)
                        if size > MAX_DOWNLOAD_BYTES:
                            raise DownloadError(f"download of {url} exceeds {MAX_DOWNLOAD_BYTES}")
                        fh.write(chunk)
                        if progress:
                            progress(url, size, total)
                if total is not None and size != total and "Content-Encoding" not in resp.headers:
                    raise _Retryable(f"truncated: got {size} of {total} bytes")
                return 200, _validators(resp), size
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise _Retryable(str(exc) or type(exc).__name__) from exc


class _Retryable(Exception):
    pass


def _validators(resp: httpx.Response) -> Validators:
    return resp.headers.get("ETag"), resp.headers.get("Last-Modified")


def promote(result: FetchResult) -> None:
    """Make a staged download the last good copy (after the store accepted it)."""
    base = result.folder.parent
    current = base / "current"
    old = base / "previous"
    if old.exists():
        shutil.rmtree(old)
    if current.exists():
        current.rename(old)
    result.folder.rename(current)
    shutil.rmtree(old, ignore_errors=True)


def discard(result: FetchResult) -> None:
    shutil.rmtree(result.folder, ignore_errors=True)
