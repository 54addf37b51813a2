"""The end-to-end stack: seeded SQLite data, the three subgraphs and our gateway as real processes.

ONE session-scoped fixture (:func:`e2e`) starts everything through the conformance harness helpers
(``tests.conformance.stack``): 1500 people seeded with seed 11, the embedded Rego policy, the hash-chained audit
store in ``<tmp>/audit.db``, keys generated under ``<tmp>/data``. Tests talk HTTP to it with real JWTs and
real headers. Tests needing a differently configured gateway (fail-closed cases) start one more gateway
process over the same subgraphs with :func:`tests.conformance.stack.start_gateway`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.e2e.support import E2E_GATEWAY_SETTINGS, PEOPLE, SEED, E2EStack, register_e2e_grants


@pytest.fixture(scope="session")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2EStack]:
    """Seed, start the subgraphs and the gateway; stop them (by process id) at the end of the session."""
    from tests.conformance.stack import start_gateway, start_subgraphs

    workdir = tmp_path_factory.mktemp("e2e")
    with ExitStack() as services:
        stack = start_subgraphs(workdir, services, people=PEOPLE, seed_value=SEED)
        settings = dict(E2E_GATEWAY_SETTINGS,
                        GATEWAY_AUDIT_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'audit.db'}",
                        GATEWAY_STORE_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'gateway.db'}")
        register_e2e_grants({**stack.env, **settings}, workdir / "lt.db")  # CRIMINAL data under grants
        url = start_gateway(stack, services, "gateway", settings)
        running = E2EStack(stack=stack, url=url, settings=settings, audit_db=workdir / "audit.db",
                           data_db=workdir / "lt.db")
        services.callback(running.close)
        yield running
