"""Ours vs Apollo Gateway on ≥ 300 generated operations over seeded data: zero differences required.

The stack (seed → three subgraphs → Apollo Gateway → our gateway) starts once for the module. Differences are
written to ``<tmp>/conformance-report.md`` (operation text + both responses); with ``CONFORMANCE_RECORD=1`` the
differing operations are also saved under ``tests/conformance/regressions/``, which every run replays.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from graphql import build_ast_schema, parse

from tests.conformance.compare import Outcome, compare, load_regressions, save_regression, write_report
from tests.conformance.generator import Operation, OperationGenerator
from tests.conformance.pools import read_pools
from tests.conformance.stack import ROOT, Stack, post, start_stack
from tests.node.node_env import node_modules

pytestmark = pytest.mark.node
OPERATIONS = 320
REGRESSIONS = Path(__file__).parent / "regressions"
UNEXPECTED_CODES = {"INTERNAL_SERVER_ERROR", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "None"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    node_modules()
    with start_stack(tmp_path_factory.mktemp("conformance"), ROOT / "schema.graphql") as running:
        yield running


@pytest.fixture(scope="module")
def operations(stack: Stack) -> list[Operation]:
    schema = build_ast_schema(parse((ROOT / "schema.graphql").read_text()))
    generated = OperationGenerator(schema, read_pools(stack.workdir / "lt.db"), seed=7).generate(OPERATIONS)
    return load_regressions(REGRESSIONS) + generated


def _send(url: str, headers: dict[str, str], operation: Operation) -> Outcome:
    status, body = post(url, {"query": operation.query, "variables": operation.variables,
                              "operationName": operation.name}, headers)
    return Outcome(status, body)


def _run_all(url: str, headers: dict[str, str], operations: list[Operation]) -> list[Outcome]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda op: _send(url, headers, op), operations))


def test_generator_covers_the_required_features(operations: list[Operation]) -> None:
    text = "\n".join(op.query for op in operations)
    assert len(operations) >= 300
    for feature in ("fragment ", "... on ", "@skip(", "@include(", "__typename", "Alt", "$v1", "r1: "):
        assert feature in text, feature
    assert sum(1 for op in operations if "sentences" in op.query and "civilStatusEvents" in op.query) > 20


def test_apollo_gateway_answers_every_operation(stack: Stack, operations: list[Operation]) -> None:
    """Sanity of the generator and the harness: valid operations, only expected error codes."""
    outcomes = _run_all(stack.apollo_url, {}, operations)
    bad = [(op.name, o.status, o.error_keys()) for op, o in zip(operations, outcomes, strict=True)
           if o.status != 200 or {code for _, code in o.error_keys()} & UNEXPECTED_CODES]
    assert not bad, f"{bad[:5]}\n{stack.log_tail('apollo')}"
    with_data = sum(1 for o in outcomes if isinstance(o.data, dict) and any(v for v in o.data.values()))
    assert with_data > len(operations) // 2
    assert any(code == "BAD_USER_INPUT" for o in outcomes for _, code in o.error_keys())


def test_ours_matches_apollo(stack: Stack, operations: list[Operation], tmp_path: Path) -> None:
    if stack.ours_url is None:
        print(f"SKIP: our gateway is not runnable: {stack.ours_reason}")
        pytest.skip(f"our gateway is not runnable: {stack.ours_reason}")
    apollo = _run_all(stack.apollo_url, {}, operations)
    ours = _run_all(stack.ours_url, stack.ours_headers, operations)
    differences = [d for op, o, a in zip(operations, ours, apollo, strict=True) if (d := compare(op, o, a))]
    if differences:
        report = tmp_path / "conformance-report.md"
        write_report(report, differences, len(operations))
        if os.environ.get("CONFORMANCE_RECORD") == "1":
            for difference in differences:
                save_regression(REGRESSIONS, difference)
        first = differences[0].render()[:4000]
        pytest.fail(f"{len(differences)} of {len(operations)} operations differ; report: {report}\n\n{first}")
