"""A birth registered through the gateway reaches the population database with its new personal identification
number, and the registration is linked back to it (issue 15; 003 Art. 11.1–11.2): in-process gateway, the real
subgraphs over HTTP, the real exchange processes' runners (relay + consumer of population and civil_status) on the
real NATS JetStream with a stream of this test's own. The wait is bounded and generous (not a timed assertion)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import pytest_asyncio

from subgraphs.common.db import Database
from subgraphs.common.exchange.metrics import ExchangeMetrics
from subgraphs.common.exchange.runner import ExchangeRunner, load_spec
from subgraphs.common.identifiers import birth_century_and_sex, personal_id_problem
from subgraphs.common.settings import ExchangeSettings
from tests.exchange_fixtures import NATS_URL, delete_stream, eventually, nats_unreachable
from tests.test_writes_e2e import HANOI_REGISTRY, REGISTER, Stack, birth_input, count, headers
from tests.test_writes_e2e import gateway as gateway  # the fixtures, re-exported
from tests.test_writes_e2e import stack as stack

# the gateway fixture lives on the module's event loop (its audit writer's futures too): so do these tests
pytestmark = pytest.mark.asyncio(loop_scope="module")

PERSON = """query Person($id: ID!) { person(personalId: $id) { personalId fullName sex dateOfBirth recordSource } }"""


@pytest_asyncio.fixture(loop_scope="module")
async def exchange(stack: Stack) -> AsyncIterator[dict[str, ExchangeRunner]]:
    reason = nats_unreachable()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    tag = secrets.token_hex(4)
    stop, runners, tasks = asyncio.Event(), {}, []
    db = Database(stack.data_url)
    for name in ("population", "civil_status"):
        settings = replace(ExchangeSettings(name=name), nats_url=NATS_URL, stream=f"LT_TEST_{tag}",
                           subject_prefix=f"lt_test_{tag}", poll_interval_s=0.02, max_backoff_s=0.5)
        spec = load_spec(name)
        assert spec is not None, name
        runners[name] = ExchangeRunner(name, spec, db, settings, ExchangeMetrics())
        tasks.append(asyncio.create_task(runners[name].run(stop)))
    try:
        yield runners
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 15)
        await db.dispose()
        await delete_stream(f"LT_TEST_{tag}")


async def test_a_birth_registered_through_the_gateway_gets_its_personal_id(
        stack: Stack, gateway, exchange: dict[str, ExchangeRunner]) -> None:  # type: ignore[no-untyped-def]
    name = "Đặng Thị Liên Thông"
    response = await gateway.execute(REGISTER, birth_input(name), "RegisterBirth",
                                     headers(stack, HANOI_REGISTRY, "civil_status_registration"))
    assert response.status == 200 and response.body["data"]["registerBirth"], response.body
    registration = count(stack, "SELECT id FROM civil_status_event WHERE kind = 'BIRTH' AND full_name = :n", n=name)

    async def linked() -> bool:
        return count(stack, "SELECT count(*) FROM civil_status_event WHERE id = :i AND subject_id IS NOT NULL",
                     i=registration) == 1

    assert await eventually(linked, 60), "the registration was not linked to a new person"
    [(personal_id, persons)] = _rows(stack, "SELECT subject_id, (SELECT count(*) FROM person WHERE "
                                            "source_reference = :r) FROM civil_status_event WHERE id = :i",
                                     r=str(registration), i=registration)
    assert persons == 1 and personal_id_problem(personal_id) is None
    assert personal_id[:3] == "001" and birth_century_and_sex(personal_id) == (2000, "FEMALE")
    assert personal_id[4:6] == "26"
    read = await gateway.execute(PERSON, {"id": personal_id}, "Person",
                                 headers(stack, HANOI_REGISTRY, "civil_status_registration"))
    person = read.body["data"]["person"]
    assert person["personalId"] == personal_id and person["fullName"] == name, read.body
    assert person["dateOfBirth"] == "2026-11-02" and person["recordSource"] == "CIVIL_STATUS_DATABASE"
    lag = [s for m in exchange["population"].metrics.registry.collect() for s in m.samples
           if s.name == "lienthong_exchange_propagation_lag_seconds_count"]
    assert sum(s.value for s in lag) >= 1  # the lag of that birth was measured


def _rows(stack: Stack, sql: str, **params: object) -> list[tuple]:
    from sqlalchemy import create_engine, text

    from subgraphs.common.db import sync_url

    engine = create_engine(sync_url(stack.data_url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()
