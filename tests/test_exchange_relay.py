"""The exchange engine against the real NATS JetStream on 4222 (a stream of each test's own): the transactional
outbox, the relay's at-least-once publication with JetStream dedupe, the consumer's exactly-once effect."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import nats
import orjson
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update

from subgraphs.common.db import Database
from subgraphs.common.exchange import Event, RejectedEvent
from subgraphs.common.exchange.consumer import Consumer, decode, filter_subject
from subgraphs.common.exchange.link import NatsLink
from subgraphs.common.exchange.metrics import ExchangeMetrics
from subgraphs.common.exchange.relay import Relay
from subgraphs.common.outbox import add_event, inbox_table, topics
from subgraphs.common.settings import ExchangeSettings
from tests.exchange_fixtures import NATS_URL, World, eventually, stream_messages
from tests.exchange_fixtures import world as world  # the fixture, re-exported
from tests.fixtures.serve import free_port


async def _write(w: World, n: int = 1) -> list[str]:
    ids = []
    async with w.producer.engine.begin() as conn:
        for i in range(n):
            ids.append(await add_event(conn, w.outbox, topics.DEATH_REGISTERED, f"k{i}",
                                       {"personalId": "001090000001", "dateOfDeath": "2026-01-01", "i": i}))
    return ids


async def _pending(w: World) -> int:
    async with w.producer.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(w.outbox)
                                     .where(w.outbox.c.published_at.is_(None))))


async def test_write_commits_while_nats_is_unreachable_and_the_outbox_waits(world: World) -> None:
    down = replace(world.settings("civil_status"), nats_url=f"nats://127.0.0.1:{free_port()}")
    relay = Relay(world.producer, world.outbox, down, ExchangeMetrics())
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(NatsLink(down), stop))
    ids = await _write(world, 3)  # commits although nothing can be published
    await asyncio.sleep(1.0)  # the relay tries (and backs off) meanwhile
    stop.set()
    await asyncio.wait_for(task, 10)
    assert await _pending(world) == 3
    # NATS is back: the same rows go out, in order, and are marked
    up = world.settings("civil_status")
    link = NatsLink(up)
    try:
        relay = Relay(world.producer, world.outbox, up, ExchangeMetrics())
        assert await relay.publish_pending(await link.jetstream()) == 3
    finally:
        await link.close()
    assert await _pending(world) == 0
    assert await stream_messages(up.stream) == 3
    nc = await nats.connect(NATS_URL)
    try:
        sub = await nc.jetstream().pull_subscribe(f"{up.subject_prefix}.>", durable="check", stream=up.stream)
        received = [decode(m.data) for m in await sub.fetch(3, timeout=5)]
    finally:
        await nc.close()
    assert [e.id for e in received] == ids and received[0].topic == topics.DEATH_REGISTERED
    assert received[2].payload["i"] == 2


async def test_a_publication_repeated_after_a_crash_is_dropped_by_the_stream(world: World) -> None:
    settings = world.settings("civil_status")
    link = NatsLink(settings)
    relay = Relay(world.producer, world.outbox, settings, ExchangeMetrics())
    try:
        await _write(world, 2)
        assert await relay.publish_pending(await link.jetstream()) == 2
        # the relay died after JetStream's ack and before marking the rows: they are pending again
        async with world.producer.engine.begin() as conn:
            await conn.execute(update(world.outbox).values(published_at=None))
        assert await relay.publish_pending(await link.jetstream()) == 2
    finally:
        await link.close()
    assert await stream_messages(settings.stream) == 2  # Nats-Msg-Id = event id: no duplicate stored


# -- the consumer framework, on a sink of its own ------------------------------------------------------------------
class Sink:
    """A consumer database whose effect is a row per (key, event id) in ``effect``."""

    def __init__(self, path: Path) -> None:
        self.metadata = MetaData()
        self.inbox = inbox_table(self.metadata, "testsink")
        self.effect = Table("effect", self.metadata, Column("n", Integer, primary_key=True, autoincrement=True),
                            Column("key", String(64)), Column("event_id", String(36)))
        self.db = Database(f"sqlite+aiosqlite:///{path}")
        self.failures_left = 0

    async def create(self) -> None:
        async with self.db.engine.begin() as conn:
            await conn.run_sync(self.metadata.create_all)

    async def handler(self, conn, event: Event) -> None:  # type: ignore[no-untyped-def]
        await conn.execute(insert(self.effect).values(key=event.key, event_id=event.id))
        if event.payload.get("bad"):
            raise RejectedEvent("bad on purpose")
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("transient failure on purpose")  # after the insert: it must be rolled back

    async def effects(self) -> list[tuple[str, str]]:
        async with self.db.engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(select(self.effect.c.key, self.effect.c.event_id)))]


async def _publish(settings, body: dict, msg_id: str) -> None:  # type: ignore[no-untyped-def]
    nc = await nats.connect(NATS_URL)
    try:
        js = nc.jetstream()
        await js.publish(settings.subject(body["topic"]), orjson.dumps(body), stream=settings.stream,
                         headers={"Nats-Msg-Id": msg_id})
    finally:
        await nc.close()


def _body(event_id: str, key: str, **payload: object) -> dict:
    return {"id": event_id, "topic": topics.DEATH_REGISTERED, "key": key, "createdAt": "2026-12-01T00:00:00+00:00",
            "payload": payload}


async def test_an_event_delivered_twice_has_one_effect_and_failures_roll_back(world: World, tmp_path: Path) -> None:
    settings = world.settings("testsink")
    sink = Sink(tmp_path / "sink.db")
    await sink.create()
    metrics = ExchangeMetrics()
    consumer = Consumer(sink.db, sink.inbox, "testsink", {topics.DEATH_REGISTERED: sink.handler}, settings, metrics)
    assert consumer.subject == f"{settings.subject_prefix}.civil_status.>"
    link = NatsLink(settings)
    await link.jetstream()  # creates the stream
    sink.failures_left = 1
    await _publish(settings, _body("e-1", "a"), "m-1")
    # the same event again under another message id: past JetStream's dedupe (a re-publish after its window)
    await _publish(settings, _body("e-1", "a"), "m-2")
    await _publish(settings, _body("e-2", "b", bad=True), "m-3")  # breaks the contract: dropped, not retried
    await _publish(settings, _body("e-3", "c"), "m-4")
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(link, stop))
    try:
        # the failed first delivery of e-1 comes back after its delay and finds e-1 applied
        assert await eventually(lambda: _counted(metrics, "duplicate"), 30)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await link.close()
    assert sorted(await sink.effects()) == [("a", "e-1"), ("c", "e-3")]  # no effect of the failure nor of e-2
    outcomes = {s.labels["outcome"]: s.value for m in metrics.registry.collect() for s in m.samples
                if s.name == "lienthong_exchange_events_total"}
    assert outcomes == {"retried": 1.0, "applied": 2.0, "duplicate": 1.0, "rejected": 1.0}
    lag = [s for m in metrics.registry.collect() for s in m.samples
           if s.name == "lienthong_exchange_propagation_lag_seconds_count"]
    assert sum(s.value for s in lag) == 2.0
    await sink.db.dispose()


async def _counted(metrics: ExchangeMetrics, outcome: str) -> bool:
    return any(s.labels.get("outcome") == outcome and s.value >= 1 for m in metrics.registry.collect()
               for s in m.samples if s.name == "lienthong_exchange_events_total")


def test_malformed_envelopes_are_rejected_and_filters_follow_the_producers() -> None:
    for data in (b"not json", b"{}", orjson.dumps({"id": "x", "topic": "t", "key": "k", "createdAt": "nope",
                                                     "payload": {}}),
                 orjson.dumps({"id": "x", "topic": "t", "key": "k", "createdAt": "2026-01-01T00:00:00",
                               "payload": [1]})):
        try:
            decode(data)
        except RejectedEvent:
            continue
        raise AssertionError(f"accepted {data!r}")
    settings = replace(ExchangeSettings(name="population"), subject_prefix="p")
    assert filter_subject(settings, [topics.PERSON_CREATED]) == "p.population.>"
    assert filter_subject(settings, [topics.BIRTH_REGISTERED, topics.ENFORCEMENT_RECORDED]) == "p.>"


async def test_published_rows_are_pruned_after_their_retention_unpublished_never(world: World) -> None:
    import datetime as dt

    await _write(world, 3)
    async with world.producer.engine.begin() as conn:
        old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        first, second, _third = [r.id for r in await conn.execute(select(world.outbox.c.id)
                                                                   .order_by(world.outbox.c.key))]
        await conn.execute(update(world.outbox).where(world.outbox.c.id == first).values(published_at=old))
        await conn.execute(update(world.outbox).where(world.outbox.c.id == second).values(
            published_at=dt.datetime.now(dt.UTC)))
    relay = Relay(world.producer, world.outbox, world.settings("civil_status"), ExchangeMetrics())
    assert await relay.prune() == 1
    async with world.producer.engine.connect() as conn:
        left = {r.id for r in await conn.execute(select(world.outbox.c.id))}
    assert first not in left and second in left and len(left) == 2


async def test_the_exchange_process_serves_its_metrics_and_health(world: World) -> None:
    import httpx

    from subgraphs.common.exchange.runner import create_app, load_spec

    spec = load_spec("population")
    assert spec is not None and load_spec("gateway_does_not_exist") is None
    app = create_app("population", db=world.population, settings=world.settings("population"), spec=spec)
    runner = app.state.runner
    assert runner.relay is not None and runner.consumer is not None
    assert runner.consumer.subject == f"{world.settings('population').subject_prefix}.civil_status.>"
    runner.metrics.lag.labels("population", topics.BIRTH_REGISTERED).observe(0.042)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://exchange") as client:
        metrics = (await client.get("/metrics")).text
        health = (await client.get("/healthz")).json()
    assert 'lienthong_exchange_propagation_lag_seconds_bucket{consumer="population",le="0.05",' \
           'topic="civil_status.birth_registered"} 1.0' in metrics
    assert health == {"status": "ok", "exchange": "population", "nats": "unreachable"}  # not started: no link


async def test_two_relays_on_postgresql_publish_each_row_once(world: World, pg_database) -> None:  # type: ignore[no-untyped-def]
    """Replicas of a subgraph each run a relay: FOR UPDATE SKIP LOCKED gives each row to one of them."""
    url = pg_database()
    metadata = MetaData()
    from subgraphs.common.outbox import outbox_table

    outbox = outbox_table(metadata, "civil_status")
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            for i in range(120):
                await add_event(conn, outbox, topics.DEATH_REGISTERED, f"k{i}", {"i": i})
        settings = replace(world.settings("civil_status"), batch=10)
        links = [NatsLink(settings), NatsLink(settings)]
        relays = [Relay(db, outbox, settings, ExchangeMetrics()) for _ in links]

        async def drain(relay: Relay, link: NatsLink) -> int:
            total = 0
            while n := await relay.publish_pending(await link.jetstream()):
                total += n
            return total

        counts = await asyncio.gather(*(drain(r, lk) for r, lk in zip(relays, links, strict=True)))
        for link in links:
            await link.close()
        async with db.engine.connect() as conn:
            pending = await conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)))
            attempts = set((await conn.execute(select(outbox.c.attempts))).scalars())
    finally:
        await db.dispose()
    assert sum(counts) == 120 and pending == 0 and attempts == {1}  # no row published by both
    assert await stream_messages(settings.stream) == 120


def test_exchange_settings_follow_the_environment_and_refuse_bad_names() -> None:
    import pytest

    from subgraphs.common.settings import ConfigError

    default = ExchangeSettings.from_env("population", {})
    assert (default.nats_url, default.stream, default.subject_prefix, default.port) == (
        "nats://127.0.0.1:4222", "LIENTHONG", "lienthong", 4011)
    moved = ExchangeSettings.from_env("civil_status", {"CIVIL_STATUS_PORT": "5002", "NATS_URL": "nats://nats:4222",
                                                       "LT_EXCHANGE_STREAM": "PROD_1"})
    assert (moved.port, moved.nats_url, moved.stream) == (5012, "nats://nats:4222", "PROD_1")
    assert moved.subject(topics.PERSON_CREATED) == "lienthong.population.person_created"
    for env in ({"LT_EXCHANGE_STREAM": "a.b"}, {"LT_EXCHANGE_SUBJECTS": "x>"}, {"POPULATION_EXCHANGE_PORT": "0"},
                {"LT_EXCHANGE_ACK_WAIT_S": "soon"}):
        with pytest.raises(ConfigError):
            ExchangeSettings.from_env("population", env)
