"""civil_status consumes ``population.person_created``: the birth registered here is linked to the person the
population database created (003 Art. 10.3.a, 11.1), once, whatever the redeliveries; events that break the
contract are rejected. Run through the consumer of subgraphs.common.exchange (its inbox), without NATS."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from test_civil_status_mutations import BIRTH, _couple, birth_input, people
from test_civil_status_support import Subgraph, seeded_database, serving

from subgraphs.civil_status.exchange import exchange_spec, on_person_created
from subgraphs.civil_status.models import EVENT, PARTY
from subgraphs.common.exchange import Event, RejectedEvent
from subgraphs.common.exchange.consumer import Consumer
from subgraphs.common.exchange.metrics import ExchangeMetrics
from subgraphs.common.outbox import topics
from subgraphs.common.settings import ExchangeSettings

ENTITIES = """query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person {
  birthRegistration { id fullName subject { personalId } } civilStatusEvents { id kind } } } }"""


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    yield from seeded_database(request, tmp_path / "cs.db", list(people()[:40]))


@pytest.fixture
async def subgraph(url: str, internal_keys: Any) -> AsyncIterator[Subgraph]:
    async with serving(url, internal_keys) as sg:
        yield sg


def created(registration_id: str, personal_id: str) -> Event:
    return Event(id=str(uuid.uuid4()), topic=topics.PERSON_CREATED, key=personal_id,
                 created_at=dt.datetime.now(dt.UTC),
                 payload={"registrationId": registration_id, "personalId": personal_id, "birthEventId": "x"})


def consumer(sg: Subgraph) -> Consumer:
    spec = exchange_spec()
    assert spec.outbox is not None and spec.inbox is not None and set(spec.handlers) == {topics.PERSON_CREATED}
    return Consumer(sg.db, spec.inbox, "civil_status", spec.handlers, ExchangeSettings(name="civil_status"),
                    ExchangeMetrics())


async def test_person_created_links_the_birth_once(subgraph: Subgraph) -> None:
    father, mother = _couple()
    body = await subgraph.query(BIRTH, {"input": birth_input(father, mother)})
    registration = body["data"]["registerBirth"]["id"]
    child = "079226000123"  # what population issued: province of the registration, born 2026, male
    c = consumer(subgraph)
    event = created(registration, child)
    assert await c.apply(event) == "applied"
    assert await c.apply(event) == "duplicate"  # a redelivery: the inbox has it
    assert await c.apply(created(registration, child)) == "applied"  # another event of the same link: no change
    async with subgraph.db.engine.connect() as conn:
        row = (await conn.execute(select(EVENT).where(EVENT.c.id == int(registration)))).mappings().one()
        parties = (await conn.execute(select(PARTY).where(PARTY.c.event_id == int(registration)))).all()
    assert row["subject_id"] == child and row["updated_at"] >= row["created_at"]
    assert [(p.personal_id, p.role) for p in parties] == [(child, "SUBJECT")]
    person = (await subgraph.query(ENTITIES, {"reps": [{"__typename": "Person", "personalId": child}]}))
    entity = person["data"]["_entities"][0]
    assert entity["birthRegistration"] == {"id": registration, "fullName": "Nguyễn Minh Khang",
                                           "subject": {"personalId": child}}
    assert [e["kind"] for e in entity["civilStatusEvents"]] == ["BIRTH"]


async def test_events_that_break_the_contract_are_rejected(subgraph: Subgraph) -> None:
    father, mother = _couple()
    body = await subgraph.query(BIRTH, {"input": birth_input(father, mother)})
    registration = body["data"]["registerBirth"]["id"]
    async with subgraph.db.engine.connect() as conn:
        death = (await conn.execute(select(EVENT.c.id).where(EVENT.c.kind != "BIRTH").limit(1))).scalar_one()
    for event in (created("abc", "079226000124"), created(registration, "12345"),
                  created("999999999", "079226000125"), created(str(death), "079226000126")):
        with pytest.raises(RejectedEvent):
            await on_person_created_in(subgraph, event)
    await on_person_created_in(subgraph, created(registration, "079226000127"))
    with pytest.raises(RejectedEvent, match="another person"):  # linked already: never re-linked
        await on_person_created_in(subgraph, created(registration, "079226000128"))


async def on_person_created_in(sg: Subgraph, event: Event) -> None:
    async with sg.db.engine.begin() as conn:
        await on_person_created(conn, event)
