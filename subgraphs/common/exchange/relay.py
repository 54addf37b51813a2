"""The relay: publishes a subgraph's unpublished outbox rows to JetStream, at least once, in creation order.

A row is marked published only after JetStream acknowledged it (the ack means the stream stored it). The message
id header ``Nats-Msg-Id`` is the event id, so a row published again after a crash between the ack and the mark is
dropped by the stream's duplicate window. When NATS is unreachable nothing is marked, rows wait in the outbox, and
the relay retries with exponential backoff; writes in the subgraph never wait for it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from nats.js import JetStreamContext
from sqlalchemy import Table, delete, func, select, update

from subgraphs.common.db import Database
from subgraphs.common.outbox import envelope, utcnow
from subgraphs.common.settings import ExchangeSettings

from .link import Backoff, NatsLink, wait_or_stop
from .metrics import ExchangeMetrics

log = logging.getLogger("lienthong.exchange.relay")
PUBLISH_TIMEOUT_S = 5.0
PUBLISHED_KEPT = dt.timedelta(days=7)  # published rows kept this long, then pruned (the stream keeps 30 days)
PRUNE_EVERY_S = 3600.0
WRITE_KEYS_KEPT = dt.timedelta(days=7)  # a retry under a write key later than this writes again


class PublishFailed(RuntimeError):
    """Publishing a row failed; the rows before it in the batch were marked published."""


class Relay:
    """Outbox ``table`` of ``db`` → the stream of ``settings``."""

    def __init__(self, db: Database, table: Table, settings: ExchangeSettings, metrics: ExchangeMetrics) -> None:
        self.db, self.table, self.settings, self.metrics = db, table, settings, metrics

    async def pending(self) -> int:
        """How many rows wait to be published."""
        async with self.db.engine.connect() as conn:
            count = await conn.scalar(select(func.count()).select_from(self.table)
                                      .where(self.table.c.published_at.is_(None)))
        return int(count or 0)

    async def prune(self, older_than: dt.timedelta = PUBLISHED_KEPT) -> int:
        """Delete rows published more than ``older_than`` ago (kept a while to answer "was it sent, when?");
        returns how many. Unpublished rows are never deleted."""
        t = self.table
        async with self.db.engine.begin() as conn:
            result = await conn.execute(delete(t).where(t.c.published_at.is_not(None),
                                                        t.c.published_at < utcnow() - older_than))
            # the writer's kept write keys (subgraphs.common.write_keys), in the same database: kept as long as
            # published events, far beyond the gateway's Idempotency-Key lifetime (24 h by default)
            keys = t.metadata.tables.get(t.name.removesuffix("_outbox") + "_write_keys")
            if keys is not None:
                await conn.execute(delete(keys).where(keys.c.created_at < utcnow() - WRITE_KEYS_KEPT))
        return int(result.rowcount or 0)

    async def publish_pending(self, js: JetStreamContext) -> int:
        """Publish one batch of unpublished rows, oldest first; returns how many were published. Raises
        :class:`PublishFailed` at the first row JetStream did not acknowledge (its attempt counted)."""
        t = self.table
        query = (select(t).where(t.c.published_at.is_(None)).order_by(t.c.created_at, t.c.id)
                 .limit(self.settings.batch))
        failure: Exception | None = None
        async with self.db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)  # two relays (replicas) never take the same rows
            rows = (await conn.execute(query)).all()
            done: list[str] = []
            for row in rows:
                try:
                    await js.publish(self.settings.subject(row.topic), envelope(row), timeout=PUBLISH_TIMEOUT_S,
                                     stream=self.settings.stream, headers={"Nats-Msg-Id": row.id})
                except Exception as exc:  # any failure: this row and the rest stay pending, order kept
                    failure = exc
                    await conn.execute(update(t).where(t.c.id == row.id).values(
                        attempts=t.c.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:300]))
                    break
                done.append(row.id)
                self.metrics.published.labels(self.settings.name, row.topic).inc()
            if done:
                await conn.execute(update(t).where(t.c.id.in_(done)).values(published_at=utcnow(),
                                                                             attempts=t.c.attempts + 1))
        if failure is not None:
            self.metrics.publish_failures.labels(self.settings.name).inc()
            raise PublishFailed(str(failure)) from failure
        return len(done)

    async def run(self, link: NatsLink, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set: a full batch is followed at once by the next, an idle outbox is polled
        every ``poll_interval_s``, a failure (NATS or the database unreachable) waits with backoff."""
        backoff = Backoff(self.settings.max_backoff_s)
        next_prune = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                if loop.time() >= next_prune:
                    await self.prune()
                    next_prune = loop.time() + PRUNE_EVERY_S
                js = await link.jetstream()
                self.metrics.connected.labels(self.settings.name).set(1)
                published = await self.publish_pending(js)
                backoff.reset()
                if published < self.settings.batch:
                    self.metrics.pending.labels(self.settings.name).set(0 if published == 0 else await self.pending())
                    await wait_or_stop(stop, self.settings.poll_interval_s)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS down, a timeout, the database away: wait and try again
                self.metrics.connected.labels(self.settings.name).set(1 if link.connected else 0)
                delay = backoff.next()
                log.warning("relay %s: %s: retrying in %.1f s", self.settings.name, exc, delay)
                try:
                    self.metrics.pending.labels(self.settings.name).set(await self.pending())
                except Exception:  # the database may be the thing that is down
                    pass
                await wait_or_stop(stop, delay)
