"""Registrations entered in civil_status reach population through the real NATS JetStream (a stream of this
test's own), and the personal id population issues comes back: the exchange runners of both subgraphs in
process, over one SQLite database both use (as docker-compose shares one PostgreSQL database)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from test_civil_status_mutations import BIRTH, DEATH, REGISTRATION
from test_civil_status_support import Subgraph, open_subgraph

from subgraphs.civil_status.models import EVENT, OUTBOX
from subgraphs.common.db import Database
from subgraphs.common.exchange.metrics import ExchangeMetrics
from subgraphs.common.exchange.runner import ExchangeRunner, load_spec
from subgraphs.common.identifiers import birth_century_and_sex
from subgraphs.population.models import PERSON
from subgraphs.seed.runner import seed
from tests.exchange_fixtures import delete_stream, eventually, exchange_settings, nats_unreachable


@pytest.fixture
async def exchange(tmp_path: Path, internal_keys: Any) -> AsyncIterator[tuple[Subgraph, Database]]:
    reason = nats_unreachable()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    url = f"sqlite+aiosqlite:///{tmp_path / 'lt.db'}"
    await asyncio.to_thread(seed, 300, seed=5, database_url_override=url, subgraphs=("population", "civil_status"))
    tag = secrets.token_hex(4)
    db = Database(url)
    runners = []
    for name in ("civil_status", "population"):
        spec = load_spec(name)
        assert spec is not None
        runners.append(ExchangeRunner(name, spec, db, exchange_settings(name, tag), ExchangeMetrics()))
    stop = asyncio.Event()
    tasks = [asyncio.create_task(r.run(stop)) for r in runners]
    sg = await open_subgraph(url, internal_keys)
    try:
        yield sg, db
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 20)
        await sg.close()
        await db.dispose()
        await delete_stream(f"LT_TEST_{tag}")


async def _one(db: Database, query: Any) -> Any:
    async with db.engine.connect() as conn:
        return (await conn.execute(query)).mappings().first()


async def test_a_birth_gets_its_personal_id_and_a_death_reaches_population(exchange: tuple[Subgraph, Database]
                                                                          ) -> None:
    sg, db = exchange
    father = await _one(db, select(PERSON).where(PERSON.c.sex == "MALE", PERSON.c.marital_status == "MARRIED",
                                                 PERSON.c.date_of_death.is_(None), PERSON.c.spouse_id.is_not(None),
                                                 PERSON.c.missing_since.is_(None)).limit(1))
    data = {**REGISTRATION, "fullName": "Phạm Gia Bảo", "dateOfBirth": "2026-05-02", "sex": "FEMALE",
            "placeOfBirth": "Bệnh viện Hùng Vương, Phường Chợ Lớn, Thành phố Hồ Chí Minh",
            "fatherPersonalId": father["personal_id"], "motherPersonalId": father["spouse_id"],
            "declarantName": father["full_name"], "declarantPersonalId": father["personal_id"]}
    body = await sg.query(BIRTH, {"input": data})
    assert "errors" not in body, body
    registration = int(body["data"]["registerBirth"]["id"])

    async def linked() -> bool:
        row = await _one(db, select(EVENT.c.subject_id).where(EVENT.c.id == registration))
        return row["subject_id"] is not None

    assert await eventually(linked), "the birth was not linked to a personal id"
    child = (await _one(db, select(EVENT.c.subject_id).where(EVENT.c.id == registration)))["subject_id"]
    person = await _one(db, select(PERSON).where(PERSON.c.personal_id == child))
    assert person["full_name"] == "Phạm Gia Bảo" and person["father_id"] == father["personal_id"]
    assert child[:3] == "079" and birth_century_and_sex(child) == (2000, "FEMALE") and child[4:6] == "26"
    entities = await sg.query("""query($r: [_Any!]!) { _entities(representations: $r) { ... on Person {
      birthRegistration { id } } } }""", {"r": [{"__typename": "Person", "personalId": child}]})
    assert entities["data"]["_entities"][0]["birthRegistration"] == {"id": str(registration)}

    death = {**REGISTRATION, "personalId": father["personal_id"], "dateOfDeath": "2026-05-28"}
    assert "errors" not in await sg.query(DEATH, {"input": death})

    async def recorded() -> bool:
        row = await _one(db, select(PERSON.c.date_of_death).where(PERSON.c.personal_id == father["personal_id"]))
        return row["date_of_death"] == "2026-05-28"

    assert await eventually(recorded), "population did not record the death"

    async def drained() -> bool:  # every civil status event went out
        async with db.engine.connect() as conn:
            return not (await conn.execute(select(OUTBOX.c.id).where(OUTBOX.c.published_at.is_(None)))).all()

    # the relay marks a row published once JetStream acknowledged it, which may come after population already
    # consumed the event: wait for the mark, not only for its effect
    assert await eventually(drained), "an outbox row was never marked published"
