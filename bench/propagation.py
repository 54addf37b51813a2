"""Propagation lag under a bounded load (issue 15): births written to a civil status outbox at a fixed rate, relayed
to NATS JetStream, applied by population's consumer in its own process (``python -m subgraphs.common.exchange
population``, as ``make run`` starts it). Lag of a birth = the person's ``created_at`` (set by the consumer inside
the transaction that also records the event in its inbox) − the event's ``created_at`` (set inside the writer's
transaction). Both clocks are this machine's.

    python -m bench.propagation --births 500 --rate 20 [--database sqlite|postgres]

Needs NATS JetStream on 127.0.0.1:4222 (and PostgreSQL on 127.0.0.1:5432 for ``--database postgres``); it uses a
stream of its own (deleted afterwards), sends nothing anywhere else and stops by itself (``--timeout``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import nats
from sqlalchemy import MetaData, func, select

from subgraphs.common.db import Database
from subgraphs.common.exchange.link import NatsLink
from subgraphs.common.exchange.metrics import ExchangeMetrics
from subgraphs.common.exchange.relay import Relay
from subgraphs.common.migrations import upgrade
from subgraphs.common.outbox import add_event, as_utc, outbox_table, topics
from subgraphs.common.settings import ExchangeSettings
from subgraphs.population.models import PERSON

REPO = Path(__file__).resolve().parents[1]
NATS_URL = "nats://127.0.0.1:4222"


def _birth(i: int) -> dict[str, object]:
    return {"registrationId": f"B{i}", "registrationNumber": f"{i}/2026", "fullName": f"Nguyễn Văn Bench {i}",
            "sex": "MALE" if i % 2 else "FEMALE", "dateOfBirth": "2026-11-30", "registrationProvinceCode": "001"}


async def _connected(url: str, within_s: float) -> bool:
    """Whether the exchange process's /healthz reports a NATS connection within ``within_s``."""
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        try:
            body = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=1).read())
            if b'"nats":"connected"' in body:
                return True
        except OSError:
            pass
        await asyncio.sleep(0.2)
    return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]




async def run(births: int, rate: float, database: str, wait_s: float) -> dict[str, float]:
    tag = secrets.token_hex(4)
    settings = replace(ExchangeSettings(name="civil_status"), nats_url=NATS_URL, stream=f"LT_BENCH_{tag}",
                       subject_prefix=f"lt_bench_{tag}")
    workdir = Path(tempfile.mkdtemp(prefix="lt-propagation-"))
    if database == "postgres":
        from tests.postgres import create_database, drop_database

        producer_url, population_url = create_database(), create_database()
    else:
        producer_url = f"sqlite+aiosqlite:///{workdir / 'civil_status.db'}"
        population_url = f"sqlite+aiosqlite:///{workdir / 'population.db'}"
    metadata = MetaData()
    outbox = outbox_table(metadata, "civil_status")
    producer = Database(producer_url)
    async with producer.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await asyncio.to_thread(upgrade, "population", population_url)
    population = Database(population_url)
    env = {**os.environ, "POPULATION_DATABASE_URL": population_url, "NATS_URL": NATS_URL,
           "LT_EXCHANGE_STREAM": settings.stream, "LT_EXCHANGE_SUBJECTS": settings.subject_prefix,
           "POPULATION_EXCHANGE_PORT": str(port := _free_port())}
    consumer = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "subgraphs.common.exchange", "population", env=env, cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    link, stop = NatsLink(settings), asyncio.Event()
    relay = asyncio.create_task(Relay(producer, outbox, settings, ExchangeMetrics()).run(link, stop))
    try:
        if not await _connected(f"http://127.0.0.1:{port}/healthz", 60):  # imported, connected, bound
            raise SystemExit("the population exchange process did not connect to NATS")
        await asyncio.sleep(1.0)
        start = time.monotonic()
        for i in range(births):  # a bounded, paced load: one transaction per birth, as a mutation writes it
            async with producer.engine.begin() as conn:
                await add_event(conn, outbox, topics.BIRTH_REGISTERED, f"B{i}", _birth(i))
            await asyncio.sleep(max(0.0, start + (i + 1) / rate - time.monotonic()))
        written_s = time.monotonic() - start
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            async with population.engine.connect() as conn:
                if await conn.scalar(select(func.count()).select_from(PERSON)) >= births:
                    break
            await asyncio.sleep(0.2)
        async with producer.engine.connect() as conn:
            rows = (await conn.execute(select(outbox.c.key, outbox.c.created_at, outbox.c.published_at))).all()
            created = {key: as_utc(at) for key, at, _ in rows}
            relayed = {key: (as_utc(done) - as_utc(at)).total_seconds() for key, at, done in rows if done}
        async with population.engine.connect() as conn:
            applied = {ref: as_utc(at) for ref, at in
                       await conn.execute(select(PERSON.c.source_reference, PERSON.c.created_at))}
    finally:
        stop.set()
        await asyncio.wait_for(relay, 10)
        await link.close()
        consumer.terminate()
        await asyncio.wait_for(consumer.wait(), 10)
        await producer.dispose()
        await population.dispose()
        nc = await nats.connect(NATS_URL)
        await nc.jetstream().delete_stream(settings.stream)
        await nc.close()
        if database == "postgres":
            drop_database(producer_url)
            drop_database(population_url)
    lags = [(applied[k] - created[k]).total_seconds() for k in created if k in applied]
    return {"births": births, "applied": len(lags), "rate": rate, "written_s": round(written_s, 2),
            "p50_ms": round(percentile(lags, 0.50) * 1000, 1), "p90_ms": round(percentile(lags, 0.90) * 1000, 1),
            "p99_ms": round(percentile(lags, 0.99) * 1000, 1), "max_ms": round(max(lags) * 1000, 1),
            "mean_ms": round(statistics.fmean(lags) * 1000, 1),
            "relay_p50_ms": round(percentile(list(relayed.values()), 0.5) * 1000, 1)}


def main(argv: list[str] | None = None) -> int:
    """CLI: prints the figures as one Markdown table row and returns 1 if a birth did not arrive."""
    parser = argparse.ArgumentParser(prog="python -m bench.propagation", description=__doc__.split("\n")[0])
    parser.add_argument("--births", type=int, default=500)
    parser.add_argument("--rate", type=float, default=20.0, help="births per second")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the last births")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.births, args.rate, args.database, args.timeout))
    print("| database | births | rate/s | applied | p50 ms | p90 ms | p99 ms | max ms | mean ms | of which relay p50 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.database} | {result['births']} | {result['rate']:g} | {result['applied']} | {result['p50_ms']} | "
          f"{result['p90_ms']} | {result['p99_ms']} | {result['max_ms']} | {result['mean_ms']} | "
          f"{result['relay_p50_ms']} |")
    return 0 if result["applied"] == result["births"] else 1


if __name__ == "__main__":
    sys.exit(main())
