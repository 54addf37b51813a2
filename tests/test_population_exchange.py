"""Population's side of the exchange (issue 15): the handlers of the civil status events, and the whole path
relay → JetStream → population consumer in a process killed with SIGKILL mid-stream (nothing lost, nothing
duplicated)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from subgraphs.common.db import Database
from subgraphs.common.exchange import Event, RejectedEvent
from subgraphs.common.exchange.link import NatsLink
from subgraphs.common.exchange.metrics import ExchangeMetrics
from subgraphs.common.exchange.relay import Relay
from subgraphs.common.identifiers import birth_century_and_sex, personal_id_problem
from subgraphs.common.outbox import add_event, as_utc, topics, utcnow
from subgraphs.population.exchange import HANDLERS
from subgraphs.population.identity import new_personal_id
from subgraphs.population.models import OUTBOX, PERSON
from tests.exchange_fixtures import World, eventually
from tests.exchange_fixtures import world as world  # the fixture, re-exported
from tests.fixtures.serve import free_port

REPO = Path(__file__).resolve().parents[1]


def _birth(registration: str, sex: str = "FEMALE", born: str = "2026-11-20", province: str = "002") -> dict:
    return {"registrationId": registration, "registrationNumber": f"{registration}/2026", "fullName": "Lò Thị Mai",
            "sex": sex, "dateOfBirth": born, "registrationProvinceCode": province, "placeOfBirth": "Tỉnh Tuyên Quang",
            "fatherPersonalId": None, "motherPersonalId": None}


async def _apply(db: Database, topic: str, payload: dict, key: str = "k") -> None:
    event = Event(id=f"ev-{key}-{topic}", topic=topic, key=key, created_at=utcnow(), payload=payload)
    async with db.engine.begin() as conn:
        await HANDLERS[topic](conn, event)


async def _person(conn: AsyncConnection, **where: str) -> dict | None:
    query = select(PERSON)
    for column, value in where.items():
        query = query.where(PERSON.c[column] == value)
    row = (await conn.execute(query)).mappings().first()
    return dict(row) if row else None


def test_issued_numbers_encode_province_century_sex_and_year() -> None:
    for province, year, sex in (("001", 2026, "FEMALE"), ("002", 1999, "MALE"), ("079", 2100, "MALE")):
        number = new_personal_id(province, year, sex)
        assert personal_id_problem(number) is None
        assert birth_century_and_sex(number) == (1900 + 100 * ((year - 1900) // 100), sex)
        assert number[4:6] == f"{year % 100:02d}"
    assert new_personal_id("002", 2026, "FEMALE", serial=7) == "008326000007"  # a former code: today's province
    for bad in (("999", 2026, "MALE"), ("001", 1850, "MALE"), ("001", 2026, "OTHER")):
        with pytest.raises(ValueError):
            new_personal_id(*bad)


async def test_a_birth_creates_one_person_and_announces_its_number(world: World) -> None:
    db = world.population
    await _apply(db, topics.BIRTH_REGISTERED, _birth("KS-1"), "KS-1")
    await _apply(db, topics.BIRTH_REGISTERED, _birth("KS-1"), "KS-1")  # the same registration again
    async with db.engine.connect() as conn:
        person = await _person(conn, source_reference="KS-1")
        count = await conn.scalar(select(func.count()).select_from(PERSON))
        announced = (await conn.execute(select(OUTBOX.c.topic, OUTBOX.c.key, OUTBOX.c.payload))).all()
    assert count == 1 and person is not None
    pid = person["personal_id"]
    assert pid[:3] == "008" and pid[3] == "3" and pid[4:6] == "26"  # Tuyên Quang, 21st century female, 2026
    assert person["source"] == "CIVIL_STATUS_DATABASE" and person["marital_status"] == "SINGLE"
    assert person["full_name"] == "Lò Thị Mai" and person["birth_year"] == 2026
    assert (utcnow() - as_utc(person["created_at"])).total_seconds() < 3600
    assert {(t, k) for t, k, _ in announced} == {(topics.PERSON_CREATED, pid)}  # both announce the same number
    assert all('"registrationId":"KS-1"' in p and f'"personalId":"{pid}"' in p for _, _, p in announced)


@pytest.mark.parametrize("change", [{"sex": "X"}, {"dateOfBirth": "2026-02-30"}, {"registrationProvinceCode": "999"},
                                    {"fullName": None}, {"dateOfBirth": "1850-01-01"},
                                    {"fatherPersonalId": "12345"}])
async def test_a_birth_breaking_the_contract_is_rejected_and_writes_nothing(world: World, change: dict) -> None:
    with pytest.raises(RejectedEvent):
        await _apply(world.population, topics.BIRTH_REGISTERED, {**_birth("KS-2"), **change})
    async with world.population.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(PERSON)) == 0
        assert await conn.scalar(select(func.count()).select_from(OUTBOX)) == 0


async def test_marriage_divorce_change_and_death_update_the_record(world: World) -> None:
    db = world.population
    await _apply(db, topics.BIRTH_REGISTERED, _birth("KS-A", "MALE", "1990-01-02", "001"), "a")
    await _apply(db, topics.BIRTH_REGISTERED, _birth("KS-B", "FEMALE", "1992-03-04", "079"), "b")
    async with db.engine.connect() as conn:
        a = (await _person(conn, source_reference="KS-A"))["personal_id"]  # type: ignore[index]
        b = (await _person(conn, source_reference="KS-B"))["personal_id"]  # type: ignore[index]
    await _apply(db, topics.MARRIAGE_REGISTERED, {"spouses": [a, b], "date": "2020-05-05"}, "m")
    async with db.engine.connect() as conn:
        assert (await _person(conn, personal_id=a))["spouse_id"] == b  # type: ignore[index]
        assert (await _person(conn, personal_id=b))["marital_status"] == "MARRIED"  # type: ignore[index]
    with pytest.raises(RejectedEvent):  # a divorce needs the court's decision
        await _apply(db, topics.DIVORCE_RECORDED, {"spouses": [a, b], "date": "2024-01-01"}, "d0")
    await _apply(db, topics.DIVORCE_RECORDED, {"spouses": [a, b], "date": "2024-01-01",
                                               "courtDecisionRef": "TAND Hà Nội 12/2024/QĐST-HNGĐ"}, "d")
    await _apply(db, topics.CHANGE_RECORDED, {"personalId": b, "changes": {"fullName": "Lò Thị Mây",
                                                                           "nationality": "Việt Nam"}}, "c")
    await _apply(db, topics.MARRIAGE_REGISTERED, {"spouses": [a, b], "date": "2025-01-01"}, "m2")
    await _apply(db, topics.DEATH_REGISTERED, {"personalId": a, "dateOfDeath": "2026-06-01"}, "x")
    async with db.engine.connect() as conn:
        pa, pb = await _person(conn, personal_id=a), await _person(conn, personal_id=b)
    assert pa and pb and pa["date_of_death"] == "2026-06-01"
    assert pb["marital_status"] == "WIDOWED" and pb["spouse_id"] == a  # the late spouse is kept
    assert pb["full_name"] == "Lò Thị Mây" and pb["name_search"] == " lo thi may " and pb["nationality"] == "Việt Nam"
    assert as_utc(pb["updated_at"]) >= as_utc(pb["created_at"])
    with pytest.raises(RejectedEvent):  # nobody with that number
        await _apply(db, topics.DEATH_REGISTERED, {"personalId": "001090999999", "dateOfDeath": "2026-01-01"}, "y")


# -- the whole path, with the consumer killed mid-stream --------------------------------------------------------
BIRTHS = 400


def _consumer_process(world: World, port: int) -> subprocess.Popen[bytes]:
    settings = world.settings("population")
    env = {**os.environ, "POPULATION_DATABASE_URL": world.population_url, "NATS_URL": settings.nats_url,
           "LT_EXCHANGE_STREAM": settings.stream, "LT_EXCHANGE_SUBJECTS": settings.subject_prefix,
           "POPULATION_EXCHANGE_PORT": str(port), "LT_EXCHANGE_ACK_WAIT_S": "2", "GATEWAY_ENV": "test"}
    return subprocess.Popen([sys.executable, "-m", "subgraphs.common.exchange", "population"], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _counts(db: Database) -> tuple[int, int, int]:
    async with db.engine.connect() as conn:
        persons = await conn.scalar(select(func.count()).select_from(PERSON))
        registrations = await conn.scalar(select(func.count(func.distinct(PERSON.c.source_reference))))
        announced = await conn.scalar(select(func.count()).select_from(OUTBOX))
    return int(persons or 0), int(registrations or 0), int(announced or 0)


async def test_a_consumer_killed_mid_stream_loses_nothing_and_duplicates_nothing(world: World) -> None:
    async with world.producer.engine.begin() as conn:
        for i in range(BIRTHS):
            await add_event(conn, world.outbox, topics.BIRTH_REGISTERED, f"KS-{i}", _birth(f"KS-{i}"))
    settings = world.settings("civil_status")
    link = NatsLink(settings)
    relay = Relay(world.producer, world.outbox, settings, ExchangeMetrics())
    try:
        while await relay.publish_pending(await link.jetstream()):
            pass
    finally:
        await link.close()
    port = free_port()
    first = _consumer_process(world, port)
    try:
        assert await eventually(lambda: _partly(world.population), 60), "the consumer applied nothing"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = await _counts(world.population)
    assert 0 < at_kill[0] < BIRTHS, f"not killed mid-stream: {at_kill}"
    second = _consumer_process(world, port)
    try:
        assert await eventually(lambda: _done(world.population), 90), await _counts(world.population)
        await asyncio.sleep(2.5)  # past the ack wait (2 s): anything redelivered would have landed by now
    finally:
        second.terminate()
        second.wait(10)
    assert await _counts(world.population) == (BIRTHS, BIRTHS, BIRTHS)


async def _partly(db: Database) -> bool:
    return (await _counts(db))[0] >= 30


async def _done(db: Database) -> bool:
    return (await _counts(db))[0] >= BIRTHS
