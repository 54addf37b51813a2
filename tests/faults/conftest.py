"""One ``python -m gateway dev`` stack per session (what ``make run`` runs) on free loopback ports; the fault
tests kill its subgraphs, and start more gateway processes over them for the audit and policy outages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.support import DevStack, dev_stack


@pytest.fixture(scope="session")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with dev_stack(tmp_path_factory.mktemp("faults")) as stack:
        yield stack
