"""Compare our gateway's answer with the reference answer, and write the Markdown report.

The rule, per operation:
- the reference is the operation's hand-written ``expected`` when set (the spec's answer, where Apollo Gateway is
  known to be wrong; Apollo's own answer is then only reported), else Apollo Gateway's answer;
- ``data`` must be exactly equal, key order included (a GraphQL response's keys follow the selection order), and
  present in both or absent in both; numbers compare by value (``2`` and ``2.0`` are the same JSON number);
- ``errors`` are compared as multisets of keys: an error's key is its ``path`` (``None`` when it has none) plus,
  when the REFERENCE error has an ``extensions.code``, that code; a reference error without a code is matched by
  any of our errors at the same path. Messages, locations and other extensions are ignored (they differ between
  implementations);
- an operation whose name ends in ``_refused`` is one the reference refuses (HTTP 4xx): ours must answer the
  same status and errors; any other operation Apollo does not answer with HTTP 200 marks the case as broken;
- fetches: the number of subgraph requests our gateway made must not exceed Apollo Gateway's for the same
  operation (both counted from the subgraph servers' logs).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .case import Op
from .harness import Answer, CaseRun

MISSING = "<absent>"
# An operation the reference refuses before execution (HTTP 4xx, e.g. GRAPHQL_VALIDATION_FAILED) is named so.
REFUSED_SUFFIX = "_refused"
REPORT = Path(os.environ.get("FEDERATION_REPORT", Path(tempfile.gettempdir()) / "federation-report.md"))
# FEDERATION_REPORT_ALL=1: the answers of passing operations too (to check what a new case really returns).
REPORT_ALL = os.environ.get("FEDERATION_REPORT_ALL") == "1"


@dataclass
class Verdict:
    """The outcome of one operation: ``reasons`` is empty when ours matches the reference."""

    case: str
    op: Op
    reasons: list[str] = field(default_factory=list)
    ours: Answer | None = None
    apollo: Answer | None = None
    apollo_vs_expected: list[str] = field(default_factory=list)  # only when ``op.expected`` is set

    @property
    def id(self) -> str:
        return f"{self.case}::{self.op.name}"

    @property
    def ok(self) -> bool:
        return not self.reasons


def _canonical(value: Any) -> str:
    """JSON text that keeps key order, so that two equal texts mean equal data in the same order."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values, object key order included; numbers compare by value (``2`` and ``2.0`` are one
    JSON number: Node prints the first, Python the second)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return a == b
    return type(a) is type(b) and a == b


def _error_path(error: dict[str, Any]) -> tuple[Any, ...] | None:
    path = error.get("path")
    return tuple(path) if isinstance(path, list) else None


def compare_bodies(ours: dict[str, Any], reference: dict[str, Any], label: str = "ours") -> list[str]:
    """Why ``ours`` differs from ``reference`` (empty: they agree), by the rule of the module docstring;
    ``label`` names the side compared (``ours``, or ``Apollo`` for the information on hand-written answers)."""
    reasons: list[str] = []
    ours_data, ref_data = ours.get("data", MISSING), reference.get("data", MISSING)
    if not same_json(ours_data, ref_data):
        if ours_data == ref_data:
            reasons.append("data: same values, different key order")
        else:
            reasons.append(f"data differs: {label} {_short(ours_data)} vs reference {_short(ref_data)}")
    ours_errors = [e for e in ours.get("errors") or () if isinstance(e, dict)]
    ref_errors = [e for e in reference.get("errors") or () if isinstance(e, dict)]
    remaining = Counter((_error_path(e), (e.get("extensions") or {}).get("code")) for e in ours_errors)
    missing: list[str] = []
    for error in sorted(ref_errors, key=lambda e: (e.get("extensions") or {}).get("code") is None):
        path, code = _error_path(error), (error.get("extensions") or {}).get("code")
        candidates = [key for key in remaining if remaining[key] and key[0] == path and (code is None or key[1] == code)]
        if candidates:
            remaining[candidates[0]] -= 1
        else:
            missing.append(f"{_path_text(path)}{f' {code}' if code else ''}")
    extra = [f"{_path_text(path)}{f' {code}' if code else ''}" for (path, code), n in remaining.items()
             for _ in range(n)]
    if missing:
        reasons.append(f"errors missing from {label}: {', '.join(missing)}")
    if extra:
        reasons.append(f"errors only in {label}: {', '.join(extra)}")
    return reasons


def _path_text(path: tuple[Any, ...] | None) -> str:
    return "/".join(str(p) for p in path) if path is not None else "(no path)"


def _short(value: Any, limit: int = 300) -> str:
    text = _canonical(value)
    return text if len(text) <= limit else text[:limit] + "…"


def judge(run: CaseRun, op: Op) -> Verdict:
    """The verdict on ``op`` of ``run``."""
    verdict = Verdict(run.case.name, op, ours=run.ours.get(op.name), apollo=run.apollo.get(op.name))
    apollo, ours = verdict.apollo, verdict.ours
    if op.expected is None and apollo is None:
        verdict.reasons.append(f"no reference: {run.apollo_error or 'Apollo Gateway gave no answer'}")
        return verdict
    if ours is None:
        verdict.reasons.append(run.ours_error or "our gateway gave no answer")
        return verdict
    refused = op.name.endswith(REFUSED_SUFFIX)
    if apollo is not None and op.expected is None and (apollo.status != 200) != refused:
        verdict.reasons.append(
            f"Apollo Gateway answered HTTP {apollo.status}: the case is broken, fix it" if not refused else
            f"Apollo Gateway answered HTTP {apollo.status} to an operation named *{REFUSED_SUFFIX}")
    # a request error (no "data" in the hand-written answer) may come with a 4xx status, as Apollo's does
    request_error = op.expected is not None and "data" not in op.expected
    if ours.status != 200 and not (apollo is not None and apollo.status == ours.status) and not (
            request_error and 400 <= ours.status < 500):
        verdict.reasons.append(f"ours answered HTTP {ours.status}")
    reference = op.expected if op.expected is not None else apollo.as_json  # type: ignore[union-attr]
    verdict.reasons.extend(compare_bodies(ours.as_json, reference))
    # Apollo's plan is the yardstick only where Apollo's answer is: a hand-written answer means its plan is wrong
    if apollo is not None and op.expected is None and ours.fetches > apollo.fetches:
        verdict.reasons.append(f"more fetches: ours {ours.fetches} > Apollo {apollo.fetches}")
    if op.expected is not None and apollo is not None:
        verdict.apollo_vs_expected = compare_bodies(apollo.as_json, op.expected, "Apollo")
    return verdict


def _dump(value: Any) -> str:
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "extensions"}
    return json.dumps(value, ensure_ascii=False, indent=2)[:5000]


def write_report(path: Path, verdicts: list[Verdict], runs: dict[str, CaseRun]) -> None:
    """Markdown: a summary per feature, then per case a table of its operations and the details of failures."""
    failed = [v for v in verdicts if not v.ok]
    lines = ["# Federation conformance: ours vs Apollo Gateway", "",
             f"{len(verdicts)} operations in {len({v.case for v in verdicts})} cases: {len(verdicts) - len(failed)} "
             f"agree, {len(failed)} differ.", "", "## Operations per feature", "", "| feature | ops | differ |",
             "|---|---|---|"]
    features: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        for feature in runs[verdict.case].case.features:
            features.setdefault(feature, []).append(verdict)
    for feature, group in sorted(features.items()):
        lines.append(f"| {feature} | {len(group)} | {sum(1 for v in group if not v.ok)} |")
    for case_name in sorted({v.case for v in verdicts}):
        run = runs[case_name]
        lines += ["", f"## {case_name}", "", f"features: {', '.join(run.case.features)}", ""]
        if run.apollo_error:
            lines += [f"Apollo: {run.apollo_error}", ""]
        if run.ours_error:
            lines += [f"ours: {run.ours_error}", ""]
        lines += ["| op | result | fetches ours / Apollo | diff |", "|---|---|---|---|"]
        case_verdicts = [v for v in verdicts if v.case == case_name]
        for v in case_verdicts:
            fetches = f"{v.ours.fetches if v.ours else '-'} / {v.apollo.fetches if v.apollo else '-'}"
            diff = "; ".join(v.reasons).replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {v.op.name} | {'pass' if v.ok else 'FAIL'} | {fetches} | {diff} |")
        for v in case_verdicts:
            if v.apollo_vs_expected:
                lines += ["", f"{v.op.name}: Apollo Gateway differs from the hand-written answer (for information): "
                          f"{'; '.join(v.apollo_vs_expected)}"]
            if v.ok and not REPORT_ALL:
                continue
            lines += ["", f"### {v.id}{'' if v.ok else ': FAIL'}", "", f"```graphql\n{v.op.query.strip()}\n```", "",
                      f"variables: `{json.dumps(v.op.variables)}`", ""]
            if v.op.note:
                lines += [f"note: {v.op.note}", ""]
            if v.ours is not None:
                lines += [f"ours (HTTP {v.ours.status}):", f"```json\n{_dump(v.ours.body)}\n```", ""]
            if v.op.expected is not None:
                lines += ["expected (hand-written):", f"```json\n{_dump(v.op.expected)}\n```", ""]
            if v.apollo is not None:
                lines += [f"Apollo Gateway (HTTP {v.apollo.status}):", f"```json\n{_dump(v.apollo.body)}\n```"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
