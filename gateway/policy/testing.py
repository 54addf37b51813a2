"""``policy test``: discover every ``test_*`` rule in ``policies/*_test.rego`` and evaluate it with regopy.

A test passes when its rule evaluates to ``true``. (regopy 1.5.2 crashes on ``with input as {...}`` when the
rule under test calls a builtin, so the tests call the policy's functions with an explicit input instead.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import regopy

from .bundle import load_bundle

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_TEST = re.compile(r"^(test_\w+)\s+if\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RegoTestResult:
    file: str
    name: str
    passed: bool
    detail: str = ""


def run_rego_tests(directory: Path | str | None = None) -> list[RegoTestResult]:
    """Run every test rule; a file that does not compile yields one failing result."""
    bundle = load_bundle(directory)
    results: list[RegoTestResult] = []
    for test_file, source in bundle.tests:
        package = _PACKAGE.search(source)
        names = sorted(set(_TEST.findall(source)))
        interpreter = regopy.Interpreter()
        try:
            for name, module in bundle.modules:
                interpreter.add_module(name, module)
            interpreter.add_module(test_file, source)
            interpreter.add_data(bundle.data)
        except regopy.RegoError as exc:
            results.append(RegoTestResult(test_file, "<compile>", False, str(exc)[:500]))
            continue
        if package is None or not names:
            results.append(RegoTestResult(test_file, "<discover>", False, "no package or no test_* rules"))
            continue
        for name in names:
            output = interpreter.query(f"data.{package.group(1)}.{name}")
            value = output.results[0].expressions[0] if output.ok() and output.results and output.results[0].expressions else None
            results.append(RegoTestResult(test_file, name, value is True, "" if value is True else str(output)[:300]))
    return results
