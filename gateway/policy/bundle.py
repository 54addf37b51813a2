"""Loading the policy directory: Rego modules, data catalogues and the policy version (a content hash)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The rule every engine evaluates (OPA REST path ``/v1/data/lienthong/authz/decision``).
DECISION_PATH = "lienthong/authz/decision"
DEFAULT_POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"


@dataclass(frozen=True, slots=True)
class PolicyBundle:
    """Everything an engine needs, read from one directory at one moment."""

    directory: Path
    modules: tuple[tuple[str, str], ...]  # (file name, source), tests excluded
    tests: tuple[tuple[str, str], ...]  # *_test.rego
    data: dict[str, Any]  # the data/*.json documents merged at the root of ``data``
    version: str

    def catalogue(self, name: str) -> Any:
        """A top-level data document, e.g. ``row_attributes``."""
        return self.data.get(name)


def policy_files(directory: Path) -> list[Path]:
    """The files that make up the policy (their content defines the version)."""
    return sorted([*directory.glob("*.rego"), *(directory / "data").glob("*.json")])


def compute_version(directory: Path) -> str:
    """Content hash of the policy: Rego modules (tests excluded) and data catalogues."""
    digest = hashlib.sha256()
    for path in policy_files(directory):
        if path.name.endswith("_test.rego"):
            continue
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def policy_fingerprint(directory: Path) -> str:
    """Content hash of every policy file, tests included: a reload looks again only when this changes."""
    digest = hashlib.sha256()
    for path in policy_files(directory):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:  # removed while listed: the next look sees the new state
            digest.update(b"\1")
        digest.update(b"\0")
    return digest.hexdigest()


def load_bundle(directory: Path | str | None = None) -> PolicyBundle:
    """Read ``directory`` (default: the repository's ``policies/``). Data files must not share top-level keys."""
    root = Path(directory) if directory is not None else DEFAULT_POLICY_DIR
    modules: list[tuple[str, str]] = []
    tests: list[tuple[str, str]] = []
    for path in sorted(root.glob("*.rego")):
        target = tests if path.name.endswith("_test.rego") else modules
        target.append((path.name, path.read_text(encoding="utf-8")))
    data: dict[str, Any] = {}
    for path in sorted((root / "data").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        clash = set(document) & set(data)
        if clash:
            raise ValueError(f"{path}: top-level keys {sorted(clash)} already defined by another data file")
        data.update(document)
    if not modules:
        raise FileNotFoundError(f"no Rego modules in {root}")
    return PolicyBundle(root, tuple(modules), tuple(tests), data, compute_version(root))
