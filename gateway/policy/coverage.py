"""``policy test --coverage``: which rules and which catalogue entries the Rego tests exercise.

regopy has no coverage report (OPA's ``opa test --coverage`` needs the OPA binary, not installed here), so:

- **rules**: the tests run once on an instrumented copy of the policy (rego_source): a clause — a rule's head
  or one of its ``else`` branches — is *covered* when its body succeeded at least once during the tests, i.e.
  when some test made it produce its value. (OPA counts evaluated expressions, a finer measure.)
- **catalogue entries** (``data/*.json``: each agency, each purpose and each of its attributes, each entry of
  ``rules.json`` down to list members): an entry is *exercised* when deleting it from the data (a flag:
  negating it) makes at least one passing test fail (a mutation test: the tests depend on it, not merely read it). Catalogues and keys the
  Rego modules never name (e.g. ``rules.policy_arguments``, read by the gateway) are listed apart and not counted.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import regopy

from .bundle import PolicyBundle
from .rego_source import Clause, capture_prints, instrument, mask, parse_hits
from .testing import RegoTest, discover, evaluate_tests

Mutation = Callable[[dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class Entry:
    name: str  # e.g. purposes[statistics].masks_by_kind.date, rules.criminal.agency_kinds[court]
    mutate: Mutation = field(compare=False, repr=False)
    read_by_policy: bool = True


@dataclass(slots=True)
class CoverageReport:
    clauses: list[Clause]
    hits: dict[int, int]  # clause id -> times its body succeeded during the tests
    entries: list[tuple[Entry, bool]]  # entry, exercised
    tests: int
    failed_tests: list[str]

    @property
    def rule_percent(self) -> float:
        covered = sum(1 for c in self.clauses if self.hits.get(c.id))
        return 100.0 * covered / len(self.clauses) if self.clauses else 100.0

    @property
    def counted_entries(self) -> list[tuple[Entry, bool]]:
        return [(e, ok) for e, ok in self.entries if e.read_by_policy]

    @property
    def catalogue_percent(self) -> float | None:
        counted = self.counted_entries
        return 100.0 * sum(ok for _, ok in counted) / len(counted) if counted else None


def rule_coverage(bundle: PolicyBundle, selected: Sequence[RegoTest]) -> tuple[dict[int, int], list[Clause], list[str]]:
    """Run the tests on the instrumented policy; hits per clause, the clauses, the tests that failed."""
    files, clauses = instrument(bundle.modules)
    with capture_prints() as printed:
        results = evaluate_tests(files, bundle.tests, bundle.data, selected)
    hits: dict[int, int] = {}
    for cid, _ in parse_hits(printed[0]):
        hits[cid] = hits.get(cid, 0) + 1
    return hits, clauses, [f"{r.file}::{r.name}" for r in results if not r.passed]


def _remove_at(path: Sequence[Any], member: Any = None) -> Mutation:
    """A mutation deleting ``data[path...]`` (a key), or ``member`` from the list there."""
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for step in path[:-1]:
            node = node[step]
        if member is None:
            del node[path[-1]]
        else:
            node[path[-1]] = [m for m in node[path[-1]] if m != member]
    return mutate


def _flip(path: Sequence[Any]) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = not node[path[-1]]
    return mutate


_DOCUMENTATION = re.compile(r"^(article|articles|.*_article)$")  # citations beside a tunable (data/rules.json)


def _leaves(prefix: str, path: list[Any], value: Any, words: set[str] | None = None) -> Iterator[Entry]:
    """Entries of a nested catalogue value: every key, down to the members of lists of scalars. With ``words``
    (the names the code uses), a key that only documents its entry (``article``, ``*_article``) and that the
    code never names is not read: deleting a citation changes no decision."""
    if isinstance(value, dict) and value:
        for k, v in value.items():
            name = f"{prefix}.{k}" if str(k).isidentifier() else f"{prefix}[{k}]"
            if words is not None and _DOCUMENTATION.match(str(k)) and k not in words:
                yield from (Entry(e.name, e.mutate, False) for e in _leaves(name, [*path, k], v))
                continue
            yield from _leaves(name, [*path, k], v, words)
    elif isinstance(value, list) and all(not isinstance(m, dict | list) for m in value):
        for m in value:  # an empty list has nothing to exercise
            yield Entry(f"{prefix}[{m}]", _remove_at(path, m))
    elif isinstance(value, bool):
        yield Entry(prefix, _flip(path))  # deleting a false flag is often the same as keeping it
    else:
        yield Entry(prefix, _remove_at(path))


def catalogue_entries(bundle: PolicyBundle) -> list[Entry]:
    """Every entry of the catalogues, marked with whether the Rego modules name it at all."""
    code = "\n".join(source for _, source in bundle.modules)
    words = set(re.findall(r"[A-Za-z_]\w*", mask(code)))  # names in code, not in comments or strings
    entries: list[Entry] = []
    for top, value in bundle.data.items():
        read = re.search(rf"\bdata\.{re.escape(top)}\b", code) is not None
        if isinstance(value, list) and all(isinstance(x, dict) and "id" in x for x in value):
            items = [(f"{top}[{item['id']}]", [top, index], item) for index, item in enumerate(value)]
            for label, path, item in items:
                entries.append(Entry(label, _remove_at(path), read))
                for key, attribute in item.items():
                    if key != "id":  # an attribute the policy never names is not read (name_vi)
                        entries += [Entry(e.name, e.mutate, read and key in words and e.read_by_policy)
                                    for e in _leaves(f"{label}.{key}", [*path, key], attribute, words)]
        elif isinstance(value, dict):
            for key, attribute in value.items():  # rules.<key>: named in the policy or read by the gateway only
                entries += [Entry(e.name, e.mutate, read and key in words and e.read_by_policy)
                            for e in _leaves(f"{top}.{key}", [top, key], attribute, words)]
        else:
            entries += [Entry(e.name, e.mutate, read) for e in _leaves(top, [top], value)]
    return entries


def _fails(bundle: PolicyBundle, data: dict[str, Any], selected: Sequence[RegoTest]) -> bool:
    """Whether some of ``selected`` (all passing on the real data) fails on ``data``."""
    try:
        results = evaluate_tests(bundle.modules, bundle.tests, data, selected)
    except regopy.RegoError:
        return True
    return not all(r.passed for r in results)


def measure(bundle: PolicyBundle, *, catalogue: bool = True,
            only: Callable[[Entry], bool] | None = None) -> CoverageReport:
    """Rule coverage, and (``catalogue``) the mutation test of every catalogue entry ``only`` selects."""
    selected, problems = discover(bundle.tests)
    hits, clauses, failed = rule_coverage(bundle, selected)
    failed += [f"{p.file}::{p.name}" for p in problems]
    passing = [t for t in selected if f"{t.file}::{t.name}" not in failed]
    entries: list[tuple[Entry, bool]] = []
    if catalogue:
        for entry in catalogue_entries(bundle):
            if only is not None and not only(entry):
                continue
            if not entry.read_by_policy:
                entries.append((entry, False))
                continue
            data = copy.deepcopy(bundle.data)
            entry.mutate(data)
            entries.append((entry, _fails(bundle, data, passing)))
    return CoverageReport(clauses, hits, entries, len(selected), failed)


def render(report: CoverageReport, *, show_all: bool = False) -> str:
    """The text report: method, uncovered clauses (every clause with ``show_all``), catalogue entries."""
    lines = ["coverage method: rules = clauses whose body succeeded in some test (instrumented evaluation, "
             "regopy has no coverage API); catalogue = entries whose deletion (a flag: negation) fails some test "
             "(mutation)."]
    for c in report.clauses:
        n = report.hits.get(c.id, 0)
        if show_all or not n:
            lines.append(f"  {'covered' if n else 'NOT COVERED':<12} {c.where:<22} {c.label}  ({n} hits)")
    covered = sum(1 for c in report.clauses if report.hits.get(c.id))
    lines.append(f"rules: {covered}/{len(report.clauses)} clauses covered ({report.rule_percent:.1f}%)")
    if report.entries:
        for entry, ok in report.entries:
            if not entry.read_by_policy:
                if show_all:
                    lines.append(f"  {'not read':<12} {entry.name}  (no Rego module names it)")
            elif show_all or not ok:
                lines.append(f"  {'exercised' if ok else 'NOT EXERCISED':<12} {entry.name}")
        counted = report.counted_entries
        unread = len(report.entries) - len(counted)
        lines.append(f"catalogue: {sum(ok for _, ok in counted)}/{len(counted)} entries exercised "
                     f"({report.catalogue_percent or 0:.1f}%); {unread} entries not read by the Rego policy")
    if report.failed_tests:
        lines.append(f"failing tests (coverage measured on the passing ones): {', '.join(report.failed_tests)}")
    return "\n".join(lines)
