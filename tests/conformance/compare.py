"""Compare two gateways' responses to the same operation and write a readable failure report.

``data`` must be equal (JSON equality, list order included); ``errors`` must agree on the set of
``(path, extensions.code)`` pairs (messages differ between implementations and are ignored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .generator import Operation


@dataclass
class Outcome:
    status: int
    body: Any

    @property
    def data(self) -> Any:
        return self.body.get("data") if isinstance(self.body, dict) else None

    def error_keys(self) -> list[tuple[str, str]]:
        errors = self.body.get("errors") if isinstance(self.body, dict) else None
        keys = {
            (
                "/".join(str(p) for p in (e.get("path") or [])),
                str((e.get("extensions") or {}).get("code")),
            )
            for e in errors or []
        }
        return sorted(keys)


@dataclass
class Difference:
    operation: Operation
    ours: Outcome
    apollo: Outcome
    reasons: list[str]

    def render(self) -> str:
        return (
            f"### {self.operation.name}: {'; '.join(self.reasons)}\n\n"
            f"```graphql\n{self.operation.query}```\n\nvariables: `{json.dumps(self.operation.variables, ensure_ascii=False)}`\n\n"
            f"ours (HTTP {self.ours.status}):\n```json\n{_dump(self.ours.body)}\n```\n\n"
            f"Apollo Gateway (HTTP {self.apollo.status}):\n```json\n{_dump(self.apollo.body)}\n```\n"
        )


def _dump(body: Any) -> str:
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k != "extensions"}
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True)[:6000]


def compare(operation: Operation, ours: Outcome, apollo: Outcome) -> Difference | None:
    reasons = []
    if ours.data != apollo.data:
        reasons.append("data differs")
    if ours.error_keys() != apollo.error_keys():
        reasons.append(f"errors differ: ours {ours.error_keys()} vs Apollo {apollo.error_keys()}")
    return Difference(operation, ours, apollo, reasons) if reasons else None


def write_report(path: Path, differences: list[Difference], total: int) -> None:
    lines = [f"# Conformance: {len(differences)} difference(s) in {total} operations\n"]
    lines += [d.render() for d in differences]
    path.write_text("\n".join(lines), encoding="utf-8")


def save_regression(directory: Path, difference: Difference) -> Path:
    """Keep an operation that once differed, replayed by every later run."""
    directory.mkdir(parents=True, exist_ok=True)
    digest = abs(hash(difference.operation.query)) % 10**8
    path = directory / f"{difference.operation.name.lower()}-{digest:08d}.json"
    path.write_text(difference.operation.as_json() + "\n", encoding="utf-8")
    return path


def load_regressions(directory: Path) -> list[Operation]:
    operations = []
    for path in sorted(directory.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        operations.append(Operation(body.get("operationName") or path.stem, body["query"], body.get("variables") or {}))
    return operations
