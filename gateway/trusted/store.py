"""The registered documents: one JSON file, written atomically under a lock, re-read when it changes.

File format (``$LT_DATA_DIR/trusted-documents.json`` by default, ``GATEWAY_TRUSTED_DOCUMENTS_FILE``)::

    {"documents": {"<sha256 hex of the exact text>": {"body": "query …", "name": "PersonCard",
                                                      "agencies": ["tand-ha-noi", "vksnd-ha-noi"],
                                                      "registered_at": "2026-12-03T06:00:00Z"}}}

``agencies: ["*"]`` trusts the document for every caller (e.g. a data subject's accessLog query). The hash is
of the exact text a client sends, as in Apollo's persisted-query manifests: a reformatted document is another
document. The gateway only reads the file; the CLI writes it (``fcntl`` lock + rename, so a reader never sees a
half-written file).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

ALL_AGENCIES = "*"
RELOAD_INTERVAL_S = 1.0  # how stale the gateway's view of the file may be after `documents register`


def document_sha256(body: str) -> str:
    """The hash clients send (``extensions.persistedQuery.sha256Hash``): sha256 of the UTF-8 text, hex."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    """One registered document and the agencies it is trusted for."""

    sha256: str
    body: str
    name: str | None = None
    agencies: frozenset[str] = field(default_factory=frozenset)
    registered_at: str | None = None

    def trusted_for(self, agency: str | None) -> bool:
        return ALL_AGENCIES in self.agencies or (agency is not None and agency in self.agencies)

    def to_json(self) -> dict[str, Any]:
        return {"body": self.body, "name": self.name, "agencies": sorted(self.agencies),
                "registered_at": self.registered_at}


def _parse(data: Any, path: Path) -> dict[str, TrustedDocument]:
    entries = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise ValueError(f"{path}: expected {{\"documents\": {{<sha256>: {{...}}}}}}")
    out: dict[str, TrustedDocument] = {}
    for sha, entry in entries.items():
        body = entry.get("body") if isinstance(entry, dict) else None
        if not isinstance(body, str) or document_sha256(body) != sha:
            raise ValueError(f"{path}: document {sha[:12]}… has no body or its body does not hash to its key")
        out[sha] = TrustedDocument(sha, body, entry.get("name"), frozenset(entry.get("agencies") or ()),
                                   entry.get("registered_at"))
    return out


class TrustedDocumentStore:
    """Read side (the gateway: :meth:`get`, reloaded when the file changes) and write side (the CLI)."""

    def __init__(self, path: Path, *, clock: Any = time.monotonic) -> None:
        self.path = Path(path)
        self._clock = clock
        self._documents: Mapping[str, TrustedDocument] = MappingProxyType({})
        self._stamp: tuple[int, int] | None = None
        self._checked = float("-inf")
        self.reload()

    # ------------------------------------------------------------------ read
    def reload(self) -> None:
        """Re-read the file if it changed (a missing file is an empty store)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._documents, self._stamp = MappingProxyType({}), None
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._documents = MappingProxyType(_parse(json.loads(self.path.read_text(encoding="utf-8")),
                                                      self.path))
            self._stamp = stamp

    def get(self, sha256: str) -> TrustedDocument | None:
        """The document registered under ``sha256`` (the file re-checked at most every second)."""
        now = self._clock()
        if now - self._checked >= RELOAD_INTERVAL_S:
            self._checked = now
            with contextlib.suppress(OSError, ValueError):  # keep the last good view of a broken file
                self.reload()
        return self._documents.get(sha256)

    def documents(self) -> list[TrustedDocument]:
        self.reload()
        return sorted(self._documents.values(), key=lambda d: (d.name or "", d.sha256))

    # ------------------------------------------------------------------ write (CLI)
    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, TrustedDocument]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = (_parse(json.loads(self.path.read_text(encoding="utf-8")), self.path)
                       if self.path.exists() else {})
            yield current
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"documents": {k: v.to_json() for k, v in sorted(current.items())}},
                                      ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)
        self._stamp = None
        self.reload()

    def register(self, body: str, agencies: Iterable[str], name: str | None = None) -> TrustedDocument:
        """Trust ``body`` for ``agencies`` (added to those it already has); returns the entry."""
        sha = document_sha256(body)
        with self._locked() as current:
            previous = current.get(sha)
            entry = TrustedDocument(
                sha, body, name or (previous.name if previous else None),
                frozenset(agencies) | (previous.agencies if previous else frozenset()),
                previous.registered_at if previous else datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
            current[sha] = entry
        return entry

    def remove(self, sha256: str, agencies: Iterable[str] = ()) -> bool:
        """Withdraw ``agencies`` from a document, or the whole document when none are named; False if absent."""
        withdrawn = frozenset(agencies)
        with self._locked() as current:
            entry = current.get(sha256)
            if entry is None:
                return False
            remaining = entry.agencies - withdrawn if withdrawn else frozenset()
            if remaining:
                current[sha256] = TrustedDocument(sha256, entry.body, entry.name, remaining, entry.registered_at)
            else:
                del current[sha256]
        return True
