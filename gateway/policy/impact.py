"""``policy impact``: what a policy change changes, before it is deployed.

For every agency kind × purpose (and none) × legal basis declared or not × field coordinate of the supergraph
(or, with ``by="category"``, every declared category/kind pair), the decision of the *base* policy (a git ref,
by default the committed ``policies/``) and of the *after* policy (the working tree), and the difference.

Both versions are evaluated by the gateway's own code, :class:`PolicyService` over an :class:`EmbeddedEngine`
(the compiled Rego ``data.lienthong.authz.decision``), one decision per combination for every coordinate at once,
exactly as a request asking for all of them would be decided: nothing here re-implements a rule.
Not covered: root-call refusals (they depend on call arguments) and caller roles (evaluated as ``agency``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .bundle import DEFAULT_POLICY_DIR, load_bundle
from .engines import EmbeddedEngine
from .model import FieldClass
from .service import DEV_PSEUDONYM_KEY, PolicyService
from .types import Caller, Collected, DeclaredPurpose, PolicyRefusal, PolicyResult

NO_PURPOSE = "(none)"
ROW_RULE = "row rule "  # prefix of a row rule's pseudo-coordinate (its condition and coordinates are compared)
LEGAL_BASIS = "impact-report"  # any non-empty reference: the policy only sees whether one was declared


@dataclass(frozen=True, slots=True)
class Verdict:
    """One coordinate's outcome (``effect`` allow / mask / withhold / refused, or a row rule's effect)."""

    effect: str
    mask: str | None = None
    reason: str = ""
    detail: tuple[str, ...] = ()  # a row rule: its condition and coordinates

    @property
    def label(self) -> str:
        if self.effect == "mask":
            return f"mask:{self.mask}"
        return self.effect

    def same(self, other: Verdict | None) -> bool:
        return other is not None and (self.effect, self.mask, self.detail) == (other.effect, other.mask, other.detail)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"effect": self.effect, "mask": self.mask, "reason": self.reason}
        if self.detail:
            out["detail"] = list(self.detail)
        return out


Combination = tuple[str, str, bool]  # agency kind, purpose (or NO_PURPOSE), legal basis declared


@dataclass(slots=True)
class Evaluation:
    """Every verdict of one policy version."""

    version: str
    verdicts: dict[Combination, dict[str, Verdict]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImpactRow:
    agency_kind: str
    purpose: str
    legal_basis: bool
    coordinate: str
    category: str
    kind: str
    before: Verdict | None
    after: Verdict | None

    @property
    def is_row_rule(self) -> bool:
        return self.coordinate.startswith(ROW_RULE)

    @property
    def changed(self) -> bool:
        return self.before is None or self.after is None or not self.before.same(self.after)

    def as_json(self) -> dict[str, Any]:
        return {"agencyKind": self.agency_kind, "purpose": self.purpose, "legalBasis": self.legal_basis,
                "coordinate": self.coordinate, "category": self.category, "kind": self.kind,
                "before": self.before.as_json() if self.before else None,
                "after": self.after.as_json() if self.after else None, "changed": self.changed}


@dataclass(frozen=True, slots=True)
class ImpactReport:
    base: str
    base_version: str
    after_version: str
    rows: list[ImpactRow]  # every row, changed or not

    def changed_rows(self) -> list[ImpactRow]:
        return [r for r in self.rows if r.changed]

    def summary(self) -> dict[str, Any]:
        """Distinct coordinates changed, overall and per agency kind."""
        changed = self.changed_rows()
        fields = [r for r in changed if not r.is_row_rule]
        per_kind: dict[str, set[str]] = {}
        for r in fields:
            per_kind.setdefault(r.agency_kind, set()).add(r.coordinate)
        return {"coordinatesChanged": len({r.coordinate for r in fields}),
                "rowRulesChanged": len({r.coordinate for r in changed if r.is_row_rule}),
                "rowsChanged": len(changed), "rows": len(self.rows),
                "perAgencyKind": {k: len(v) for k, v in sorted(per_kind.items())}}

    def summary_line(self) -> str:
        s = self.summary()
        kinds = ", ".join(f"{k} {n}" for k, n in s["perAgencyKind"].items()) or "none"
        return (f"{s['coordinatesChanged']} coordinates changed, {s['rowRulesChanged']} row rules changed "
                f"({s['rowsChanged']} of {s['rows']} rows); coordinates changed per agency kind: {kinds}")


# --- the two policy versions -------------------------------------------------------------------------------

def git_policy_dir(ref: str, directory: Path, dest: Path) -> Path:
    """Write the policy files of ``directory`` as committed at ``ref`` into ``dest``; returns ``dest``.

    ``directory`` inside a git work tree: its own path at ``ref``; outside one (a temporary copy): the
    project's ``policies/`` at ``ref``."""
    directory = directory.resolve()
    try:
        top = _git(directory, "rev-parse", "--show-toplevel").strip()
        relative = directory.relative_to(Path(top).resolve()).as_posix()
    except (subprocess.CalledProcessError, ValueError, FileNotFoundError):
        top, relative = str(DEFAULT_POLICY_DIR.parent), DEFAULT_POLICY_DIR.name
    names = _git(Path(top), "ls-tree", "-r", "-z", "--name-only", ref, "--", relative).split("\0")
    wanted = [n for n in names if n and (n.endswith(".rego") or (n.endswith(".json") and "/data/" in f"/{n}"))]
    if not wanted:
        raise FileNotFoundError(f"no policy files under {relative}/ at {ref}")
    for name in wanted:
        target = dest / Path(name).relative_to(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        blob = subprocess.run(["git", "-C", top, "show", f"{ref}:{name}"], check=True, capture_output=True).stdout
        target.write_bytes(blob)
    return dest


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout


def targets(fields: Mapping[str, FieldClass], by: str) -> dict[str, FieldClass]:
    """What is decided: every coordinate, or one synthetic coordinate ``CATEGORY/kind`` per declared pair."""
    if by == "coordinate":
        return dict(fields)
    pairs = {(f.category, f.kind) for f in fields.values()}
    return {f"{c}/{k}": FieldClass(c, k) for c, k in sorted(pairs)}


def matrix(*bundles_data: Mapping[str, Any]) -> tuple[list[str], list[str], dict[str, dict[str, Any]]]:
    """Agency kinds, purposes and one representative agency per kind, over both versions' catalogues."""
    kinds: list[str] = []
    purposes: list[str] = []
    agencies: dict[str, dict[str, Any]] = {}
    for data in bundles_data:
        for kind in data.get("agency_kinds") or {}:
            kinds.append(kind)
        for agency in data.get("agencies") or []:
            kinds.append(agency["kind"])
            agencies.setdefault(agency["kind"], agency)
        purposes.extend(p["id"] for p in data.get("purposes") or [])
    return sorted(set(kinds)), [*sorted(set(purposes)), NO_PURPOSE], agencies


async def evaluate(directory: Path, items: Mapping[str, FieldClass], kinds: Iterable[str],
                   purposes: Iterable[str], agencies: Mapping[str, Mapping[str, Any]]) -> Evaluation:
    """One decision per combination, through the gateway's PolicyService and embedded engine."""
    engine = EmbeddedEngine(directory, reload_interval=None, timeout=60.0)
    service = PolicyService(engine, pseudonym_key=DEV_PSEUDONYM_KEY, cache_size=1)
    collected = Collected({c: f.category for c, f in items.items()}, {c: f.kind for c, f in items.items()})
    out = Evaluation(engine.version)
    purposes = list(purposes)
    try:
        for kind in kinds:
            agency = agencies.get(kind) or {"id": kind, "kind": kind, "province": None}
            caller = Caller("policy-impact", agency["id"], kind, agency.get("province"))
            for purpose in purposes:
                for legal in (False, True):
                    declared = DeclaredPurpose(None if purpose == NO_PURPOSE else purpose,
                                               LEGAL_BASIS if legal else None)
                    out.verdicts[(kind, purpose, legal)] = await _decide(service, caller, declared, collected)
    finally:
        await service.close()
    return out


async def _decide(service: PolicyService, caller: Caller, declared: DeclaredPurpose,
                  collected: Collected) -> dict[str, Verdict]:
    try:
        decision = await service.decide(caller, declared, "query", collected)
    except PolicyRefusal as exc:
        refused = Verdict(f"refused:{exc.code}", None, "; ".join(exc.reasons))
        return dict.fromkeys(collected.coordinates, refused)
    result: PolicyResult = decision.result
    verdicts = {c: Verdict(e.effect, e.mask, e.reason) for c, e in result.fields.items()}
    for rule in result.row_rules:
        detail = (json.dumps(rule.when, sort_keys=True, ensure_ascii=False), *sorted(rule.coordinates))
        verdicts[f"{ROW_RULE}{rule.id}"] = Verdict(rule.effect, None, rule.reason, detail)
    return verdicts


def cache_dir() -> Path:
    """Where evaluations are kept by policy version (``$LT_DATA_DIR/cache/policy-impact``, git-ignored)."""
    return Path(os.environ.get("LT_DATA_DIR") or DEFAULT_POLICY_DIR.parent / "data") / "cache" / "policy-impact"


def evaluate_cached(directory: Path, items: Mapping[str, FieldClass], kinds: list[str], purposes: list[str],
                    agencies: Mapping[str, Mapping[str, Any]], cache: Path | None) -> Evaluation:
    """:func:`evaluate`, remembered under the policy's content hash and the matrix: the base version is
    evaluated once, not on every run while its successor is edited (evaluating ~400 coordinates for ~200
    combinations takes regopy about a minute)."""
    version = load_bundle(directory).version
    key = hashlib.sha256(json.dumps([version, {c: [f.category, f.kind] for c, f in sorted(items.items())}, kinds,
                                     purposes, agencies], sort_keys=True, default=str).encode()).hexdigest()[:24]
    path = cache / f"{key}.json" if cache is not None else None
    if path is not None and path.exists():
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Evaluation(raw["version"], {
            (k, p, bool(lb)): {c: Verdict(v[0], v[1], v[2], tuple(v[3])) for c, v in verdicts.items()}
            for k, p, lb, verdicts in raw["verdicts"]})
    result = asyncio.run(evaluate(directory, items, kinds, purposes, agencies))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [[k, p, lb, {c: [v.effect, v.mask, v.reason, list(v.detail)] for c, v in verdicts.items()}]
                for (k, p, lb), verdicts in result.verdicts.items()]
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": result.version, "verdicts": rows}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    return result


def compare(base_label: str, before: Evaluation, after: Evaluation, items: Mapping[str, FieldClass]) -> ImpactReport:
    """Every (combination, coordinate) of either version, with both verdicts."""
    rows: list[ImpactRow] = []
    for combo in sorted(set(before.verdicts) | set(after.verdicts)):
        b, a = before.verdicts.get(combo, {}), after.verdicts.get(combo, {})
        for coordinate in sorted(set(b) | set(a)):
            declared = items.get(coordinate)
            rows.append(ImpactRow(combo[0], combo[1], combo[2], coordinate,
                                  declared.category if declared else "-", declared.kind if declared else "-",
                                  b.get(coordinate), a.get(coordinate)))
    return ImpactReport(base_label, before.version, after.version, rows)


def impact(after_dir: Path, fields: Mapping[str, FieldClass], *, base_ref: str | None = "HEAD",
           base_dir: Path | None = None, by: str = "coordinate", cache: Path | None = None) -> ImpactReport:
    """The report for ``after_dir`` against ``base_dir`` or, when none is given, ``base_ref`` of git.
    ``cache``: a directory where evaluations are remembered by policy version (None: no cache)."""
    items = targets(fields, by)
    with tempfile.TemporaryDirectory(prefix="lt-policy-base-") as tmp:
        if base_dir is None:
            base_dir = git_policy_dir(base_ref or "HEAD", after_dir, Path(tmp))
            label = f"git {base_ref or 'HEAD'}"
        else:
            label = str(base_dir)
        before_bundle, after_bundle = load_bundle(base_dir), load_bundle(after_dir)
        kinds, purposes, agencies = matrix(after_bundle.data, before_bundle.data)
        before = evaluate_cached(base_dir, items, kinds, purposes, agencies, cache)
        after = evaluate_cached(after_dir, items, kinds, purposes, agencies, cache)
    return compare(label, before, after, items)


# --- rendering ---------------------------------------------------------------------------------------------

_HEADERS = ("agency kind", "purpose", "legal basis", "coordinate", "category/kind", "before", "after")


def _cells(row: ImpactRow) -> tuple[str, ...]:
    def show(v: Verdict | None, other: Verdict | None, after: bool) -> str:
        if v is None:
            return "(absent)"
        if after and v.detail and other is not None and other.detail and v.detail != other.detail:
            # a row rule whose condition or coordinates changed: name what differs, not the whole rule
            diff = [f"+{d}" for d in v.detail if d not in other.detail]
            diff += [f"-{d}" for d in other.detail if d not in v.detail]
            return f"{v.label} " + " ".join(diff[:6]) + (" …" if len(diff) > 6 else "")
        return v.label

    return (row.agency_kind, row.purpose, "yes" if row.legal_basis else "no", row.coordinate,
            "row rule" if row.category == "-" else f"{row.category}/{row.kind}", show(row.before, row.after, False),
            show(row.after, row.before, True))


def render_table(report: ImpactReport, rows: list[ImpactRow]) -> str:
    """A fixed-width table for the terminal."""
    cells = [_HEADERS, *(_cells(r) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(_HEADERS))]
    lines = [f"policy impact: {report.base} ({report.base_version}) -> working tree ({report.after_version})"]
    for n, c in enumerate(cells):
        lines.append("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append(report.summary_line())
    return "\n".join(lines)


def render_markdown(report: ImpactReport, rows: list[ImpactRow]) -> str:
    """A Markdown table (for a merge request or the data-protection officer's sign-off)."""
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [f"**Policy impact**: {esc(report.base)} (`{report.base_version}`) → working tree "
             f"(`{report.after_version}`). {report.summary_line()}", "",
             "| " + " | ".join(_HEADERS) + " |", "|" + "---|" * len(_HEADERS)]
    for r in rows:
        c = list(_cells(r))
        c[3], c[5], c[6] = f"`{c[3]}`", f"`{c[5]}`", f"`{c[6]}`"
        lines.append("| " + " | ".join(esc(x) for x in c) + " |")
    return "\n".join(lines)


def render_json(report: ImpactReport, rows: list[ImpactRow]) -> str:
    return json.dumps({"base": report.base, "baseVersion": report.base_version,
                       "afterVersion": report.after_version, "summary": report.summary(),
                       "rows": [r.as_json() for r in rows]}, ensure_ascii=False, indent=2)


RENDERERS = {"table": render_table, "markdown": render_markdown, "json": render_json}
