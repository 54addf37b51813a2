"""Session fixtures of the federation conformance suite: the running subgraphs and gateways, the verdicts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conformance.federation.case import Case, load_cases
from tests.conformance.federation.compare import REPORT, Verdict, write_report
from tests.conformance.federation.harness import Federation


def _selected_cases(session: pytest.Session) -> list[str]:
    """The cases of the operations this session will run (``-k`` may have selected a few)."""
    # other modules of a whole-suite run parametrize a "case" of their own: only this suite's Case counts
    names = {item.callspec.params["case"].name for item in session.items
             if hasattr(item, "callspec") and isinstance(item.callspec.params.get("case"), Case)}
    return sorted(names)


@pytest.fixture(scope="session")
def verdicts() -> list[Verdict]:
    return []


@pytest.fixture(scope="session")
def federation(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
               verdicts: list[Verdict]) -> Iterator[Federation]:
    running = Federation(tmp_path_factory.mktemp("federation"), load_cases())
    try:
        running.start()
        running.prefetch(_selected_cases(request.session))
        yield running
    finally:
        if verdicts:
            write_report(REPORT, verdicts, running.runs)
            print(f"\nfederation report: {REPORT}")
        running.close()
