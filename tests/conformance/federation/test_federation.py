"""Federation conformance: every operation of every case in ``cases/``, ours vs Apollo Gateway (or the spec).

Test ids are ``case::op``. The comparison rule is in ``compare.py``; the report (per case: op, pass/fail, diff,
fetch counts) is written to ``$TMPDIR/federation-report.md`` when the session ends. A failing test here is a
finding about our gateway (or, when Apollo answered an error status, about the case).
"""

from __future__ import annotations

import pytest

from tests.conformance.federation.case import Case, Op, load_cases
from tests.conformance.federation.compare import REPORT, Verdict, judge
from tests.conformance.federation.harness import Federation

pytestmark = pytest.mark.node
CASES = load_cases()
PARAMS = [pytest.param(case, op, id=f"{case.name}::{op.name}") for case in CASES for op in case.operations]


def test_case_names_and_ops_are_unique() -> None:
    assert len({case.name for case in CASES}) == len(CASES)
    for case in CASES:
        names = [op.name for op in case.operations]
        assert len(set(names)) == len(names), case.name
        assert case.features and case.subgraphs and case.operations, case.name
        assert all(op.note for op in case.operations if op.expected is not None), f"{case.name}: say why in note"


def _gateway_refusal_only(case: Case, info: dict[str, object]) -> bool:
    """Apollo composition succeeded but Apollo Gateway refuses the supergraph (e.g. the context spec, which it
    does not implement), and every operation carries the spec's answer: the case needs no Apollo reference."""
    errors = info.get("errors") or []
    return (isinstance(errors, list) and bool(errors)
            and all(isinstance(e, dict) and e.get("code") == "GATEWAY" for e in errors)
            and all(op.expected is not None for op in case.operations))


def test_every_case_composes(federation: Federation) -> None:
    by_name = {case.name: case for case in CASES}
    broken = {name: info.get("errors") for name, info in federation.composed.items()
              if not info.get("ok") and not _gateway_refusal_only(by_name[name], info)}
    assert not broken, broken


@pytest.mark.parametrize(("case", "op"), PARAMS)
def test_operation(federation: Federation, verdicts: list[Verdict], case: Case, op: Op) -> None:
    verdict = judge(federation.run(case.name), op)
    verdicts.append(verdict)
    assert verdict.ok, f"{verdict.id}: {'; '.join(verdict.reasons)} (details in {REPORT})"
