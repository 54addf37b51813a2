"""Fixtures of the exchange tests: the real NATS JetStream on 4222 with a stream of the test's own, SQLite
databases of a producer (a civil status outbox) and of population, and helpers to wait for effects."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import nats
import pytest
from sqlalchemy import MetaData

from subgraphs.common.db import Database
from subgraphs.common.migrations import upgrade
from subgraphs.common.outbox import outbox_table
from subgraphs.common.settings import ExchangeSettings

NATS_URL = "nats://127.0.0.1:4222"


def nats_unreachable() -> str | None:
    """Why the NATS server of this machine cannot be used, or None."""
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=1):
            return None
    except OSError as exc:
        return f"NATS JetStream on 127.0.0.1:4222 unreachable: {exc}"


def exchange_settings(name: str, tag: str) -> ExchangeSettings:
    """Settings with a stream and subject prefix of this test only."""
    return replace(ExchangeSettings(name=name), nats_url=NATS_URL, stream=f"LT_TEST_{tag}",
                   subject_prefix=f"lt_test_{tag}", poll_interval_s=0.02, max_backoff_s=0.5, ack_wait_s=2)


async def delete_stream(stream: str) -> None:
    nc = await nats.connect(NATS_URL)
    try:
        js = nc.jetstream()
        try:
            await js.delete_stream(stream)
        except nats.js.errors.NotFoundError:
            pass
    finally:
        await nc.close()


async def stream_messages(stream: str) -> int:
    """How many messages the stream holds."""
    nc = await nats.connect(NATS_URL)
    try:
        return (await nc.jetstream().stream_info(stream)).state.messages
    finally:
        await nc.close()


@dataclass
class World:
    """A producer database with a civil status outbox, a migrated population database, the test's settings."""

    tag: str
    producer: Database
    outbox: Any
    population: Database
    population_url: str
    settings: Callable[[str], ExchangeSettings]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    reason = nats_unreachable()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    tag = secrets.token_hex(4)
    metadata = MetaData()
    outbox = outbox_table(metadata, "civil_status")
    producer = Database(f"sqlite+aiosqlite:///{tmp_path / 'civil_status.db'}")
    async with producer.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    population_url = f"sqlite+aiosqlite:///{tmp_path / 'population.db'}"
    await asyncio.to_thread(upgrade, "population", population_url)
    population = Database(population_url)
    try:
        yield World(tag, producer, outbox, population, population_url, lambda name: exchange_settings(name, tag))
    finally:
        await producer.dispose()
        await population.dispose()
        await delete_stream(f"LT_TEST_{tag}")


async def eventually(check: Callable[[], Awaitable[bool]], deadline_s: float = 30.0) -> bool:
    """Poll ``check`` until true or the (generous) deadline passes: not a timed assertion."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline_s
    while loop.time() < end:
        if await check():
            return True
        await asyncio.sleep(0.05)
    return await check()
