"""``policy test``: discover every ``test_*`` rule in ``policies/*_test.rego`` and evaluate it with regopy.

A test passes when its rule evaluates to ``true``. (regopy 1.5.2 crashes on ``with input as {...}`` when the
rule under test calls a builtin, so the tests call the policy's functions with an explicit input instead.)

The policy and every test file are compiled once into one bundle whose entry points are the tests (about ten
times faster than a query per test, which recompiles everything: this runs on every reload of the gateway).
When that bundle does not compile, each test file is compiled alone so that the failure names its file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import regopy

from .bundle import PolicyBundle, load_bundle

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_TEST = re.compile(r"^(test_\w+)\s+if\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RegoTestResult:
    file: str
    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class RegoTest:
    """One ``test_*`` rule: its file, name and entry point (``package/path/test_name``)."""

    file: str
    name: str
    entrypoint: str


def discover(tests: Sequence[tuple[str, str]]) -> tuple[list[RegoTest], list[RegoTestResult]]:
    """The test rules of ``tests`` (file name, source), and a failing result per file without any."""
    found: list[RegoTest] = []
    problems: list[RegoTestResult] = []
    for test_file, source in tests:
        package = _PACKAGE.search(source)
        names = sorted(set(_TEST.findall(source)))
        if package is None or not names:
            problems.append(RegoTestResult(test_file, "<discover>", False, "no package or no test_* rules"))
            continue
        path = package.group(1).replace(".", "/")
        found.extend(RegoTest(test_file, name, f"{path}/{name}") for name in names)
    return found, problems


def evaluate_tests(modules: Sequence[tuple[str, str]], tests: Sequence[tuple[str, str]], data: object,
                   selected: Sequence[RegoTest]) -> list[RegoTestResult]:
    """Compile ``modules`` + ``tests`` with ``data`` once and evaluate every selected test.
    Raises ``regopy.RegoError`` (or returns nothing usable) when the bundle does not compile."""
    builder = regopy.Interpreter()
    for name, source in (*modules, *tests):
        builder.add_module(name, source)
    builder.add_data(data)
    compiled = builder.build(None, [t.entrypoint for t in selected])
    if not compiled.ok():
        raise regopy.RegoError("the policy and its tests do not compile together")
    runner = regopy.Interpreter()
    results: list[RegoTestResult] = []
    for test in selected:
        output = runner.query_bundle_entrypoint(compiled, test.entrypoint)
        value = output.results[0].expressions[0] if output.ok() and output.results and output.results[0].expressions else None
        results.append(RegoTestResult(test.file, test.name, value is True, "" if value is True else str(output)[:300]))
    return results


def run_bundle_tests(bundle: PolicyBundle) -> list[RegoTestResult]:
    """Every test of ``bundle``; a file that does not compile yields one failing result."""
    selected, results = discover(bundle.tests)
    try:
        return results + evaluate_tests(bundle.modules, bundle.tests, bundle.data, selected)
    except regopy.RegoError:
        pass
    for test_file, source in bundle.tests:
        mine = [t for t in selected if t.file == test_file]
        if not mine:
            continue
        try:
            results += evaluate_tests(bundle.modules, [(test_file, source)], bundle.data, mine)
        except regopy.RegoError as exc:
            results.append(RegoTestResult(test_file, "<compile>", False, str(exc)[:500]))
    return results


def run_rego_tests(directory: Path | str | None = None) -> list[RegoTestResult]:
    """Run every test rule of the policy directory (default: the repository's ``policies/``)."""
    return run_bundle_tests(load_bundle(directory))


def failure_summary(results: Sequence[RegoTestResult], limit: int = 5) -> str | None:
    """None when every test passed (and there is one), else a one-line reason naming the failures."""
    failed = [r for r in results if not r.passed]
    if not results:
        return "no Rego tests found (every x.rego has x_test.rego)"
    if not failed:
        return None
    names = ", ".join(f"{r.file}::{r.name}" for r in failed[:limit]) + (" …" if len(failed) > limit else "")
    return f"{len(failed)} of {len(results)} Rego tests fail: {names}"
