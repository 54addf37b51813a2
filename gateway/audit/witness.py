"""Witnesses: where signed checkpoints are kept outside the audit database.

The database account can rewrite the database, not the witness; ``audit verify`` compares the two. A witness
only ever appends. It stores the checkpoint's JWS text (self-contained: the payload is inside), so a witness
needs no schema and an external service can keep the same bytes.

- :class:`FileWitness` (``file:PATH``, the default): one JWS per line in an append-only file (``O_APPEND``,
  fsync per checkpoint). Put it on storage the database administrator cannot write (another host's mount, a file
  with ``chattr +a``).
- :class:`DirectoryWitness` (``dir:PATH``): one write-once file per checkpoint (created with ``O_EXCL``, never
  rewritten): the shape of an object store with object lock / WORM retention, which can replace it later. Names
  are unique (seq and digest), so several gateways (hosts) may share one directory; reading also takes the
  files of sub-directories, so writers may each have their own (``dir:ROOT/<pod>``) when ``audit verify`` is
  pointed at ``dir:ROOT``.

Every gateway sharing a chain must write where ``audit verify`` reads: a checkpoint in the database that the
witness it reads lacks is a failure (that is how a forged one looks).

An RFC 3161 timestamping service or an object store fits the same :class:`Witness` protocol: ``append`` gets
the checkpoint, ``all`` returns every JWS in the order appended.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

from .signing import Checkpoint


class Witness(Protocol):
    """An append-only store of signed checkpoints outside the audit database."""

    def append(self, checkpoint: Checkpoint) -> None:
        """Make ``checkpoint`` durable in the witness (raises on failure: the caller must not go on)."""

    def latest(self) -> str | None:
        """The JWS of the last checkpoint appended, or None."""

    def all(self) -> list[str]:
        """Every checkpoint's JWS, oldest first."""


class FileWitness:
    """Checkpoints as lines of one append-only file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"file:{self.path}"

    def append(self, checkpoint: Checkpoint) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            # One write of one line: appends from the (lock-serialised) signers never interleave.
            os.write(fd, checkpoint.token.encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)

    def all(self) -> list[str]:
        if not self.path.exists():
            return []
        return [line for line in self.path.read_text().splitlines() if line.strip()]

    def latest(self) -> str | None:
        entries = self.all()
        return entries[-1] if entries else None


class DirectoryWitness:
    """Checkpoints as write-once files ``<seq>-<digest>.jws`` in one directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"dir:{self.path}"

    def append(self, checkpoint: Checkpoint) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(checkpoint.token.encode()).hexdigest()[:16]
        target = self.path / f"{checkpoint.seq:020d}-{digest}.jws"
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o440)
        try:
            os.write(fd, checkpoint.token.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        dir_fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the new name is durable too
        finally:
            os.close(dir_fd)

    def all(self) -> list[str]:
        if not self.path.is_dir():
            return []
        files = sorted(self.path.rglob("*.jws"), key=lambda p: (p.name, str(p)))  # by seq across writers
        return [p.read_text().strip() for p in files]

    def latest(self) -> str | None:
        entries = self.all()
        return entries[-1] if entries else None


def open_witness(spec: str) -> Witness:
    """The witness named by ``GATEWAY_AUDIT_WITNESS``: ``file:PATH``, ``dir:PATH`` (a bare path is a file)."""
    scheme, sep, rest = spec.partition(":")
    if sep and scheme == "dir":
        return DirectoryWitness(Path(rest))
    if sep and scheme == "file":
        return FileWitness(Path(rest))
    if sep and len(scheme) > 1:
        raise ValueError(f"GATEWAY_AUDIT_WITNESS={spec!r}: expected file:PATH or dir:PATH")
    return FileWitness(Path(spec))
