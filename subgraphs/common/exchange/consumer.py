"""A subgraph's durable JetStream pull consumer: each event's effect and its inbox row commit together.

At-least-once delivery (a message is acknowledged only after its transaction committed; an unacknowledged one is
redelivered after the ack wait) plus the inbox (the ids of applied events, checked and written in that same
transaction) give each event exactly one effect, however often it arrives: a retried publication, a consumer
killed between its commit and its ack, two processes sharing the durable consumer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import orjson
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError

from subgraphs.common.db import Database
from subgraphs.common.outbox import as_utc, utcnow
from subgraphs.common.settings import ExchangeSettings
from subgraphs.common.write_tx import write_transaction

from . import Event, Handler, RejectedEvent
from .link import Backoff, NatsLink, wait_or_stop
from .metrics import ExchangeMetrics

log = logging.getLogger("lienthong.exchange.consumer")
FETCH_TIMEOUT_S = 1.0
MAX_DELIVER = 100  # a handler failing this often is a bug: the event stops being redelivered (and is logged)
RETRY_DELAY_S = 2.0


def decode(data: bytes) -> Event:
    """The event in a message body (the envelope of subgraphs.common.outbox); RejectedEvent if malformed."""
    try:
        body = orjson.loads(data)
        event = Event(id=str(body["id"]), topic=str(body["topic"]), key=str(body["key"]),
                      created_at=as_utc(body["createdAt"]), payload=body["payload"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise RejectedEvent(f"not an event envelope: {exc}") from exc
    if not isinstance(event.payload, dict) or len(event.id) > 36:
        raise RejectedEvent("not an event envelope: payload must be an object, id a uuid")
    return event


def filter_subject(settings: ExchangeSettings, topics: list[str]) -> str:
    """The narrowest subject covering ``topics``: ``<prefix>.<producer>.>`` when they share a producer (NATS 2.9
    takes one filter per consumer), else the whole stream."""
    producers = {topic.split(".", 1)[0] for topic in topics}
    if len(producers) == 1:
        return f"{settings.subject_prefix}.{producers.pop()}.>"
    return f"{settings.subject_prefix}.>"


class Consumer:
    """Durable consumer ``name`` applying ``handlers`` (topic → handler) to ``db`` with ``inbox``."""

    def __init__(self, db: Database, inbox: Table, name: str, handlers: Mapping[str, Handler],
                 settings: ExchangeSettings, metrics: ExchangeMetrics) -> None:
        if not handlers:
            raise ValueError("a consumer needs at least one handler")
        self.db, self.inbox, self.name, self.handlers = db, inbox, name, dict(handlers)
        self.settings, self.metrics = settings, metrics
        self.subject = filter_subject(settings, sorted(self.handlers))

    def config(self) -> ConsumerConfig:
        """Durable, explicit ack, from the start of the stream on first creation."""
        return ConsumerConfig(
            durable_name=self.name, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
            ack_wait=float(self.settings.ack_wait_s), max_deliver=MAX_DELIVER, filter_subject=self.subject,
            max_ack_pending=1000,
        )

    async def subscribe(self, js: JetStreamContext) -> JetStreamContext.PullSubscription:
        """Bind to (creating if needed) the durable pull consumer."""
        return await js.pull_subscribe(self.subject, durable=self.name, stream=self.settings.stream,
                                       config=self.config())

    async def apply(self, event: Event) -> str:
        """Apply ``event`` once: ``applied``, ``duplicate`` (its inbox row exists) or ``ignored`` (no handler).
        Raises what the handler raised (the transaction rolled back)."""
        handler = self.handlers.get(event.topic)
        if handler is None:
            return "ignored"
        inbox = self.inbox
        seen = select(inbox.c.event_id).where(inbox.c.event_id == event.id, inbox.c.consumer == self.name)
        try:
            # a write transaction (serialised on SQLite, IMMEDIATE): the subgraph's mutations write the same file
            async with write_transaction(self.db) as conn:
                if (await conn.execute(seen)).first() is not None:
                    return "duplicate"
                await handler(conn, event)
                await conn.execute(insert(inbox).values(event_id=event.id, consumer=self.name, topic=event.topic,
                                                        processed_at=utcnow()))
        except IntegrityError:
            # Another process applied it between our look and our insert (its inbox row won): a duplicate. Any
            # other integrity error is the handler's and is raised for a retry.
            async with self.db.engine.connect() as conn:
                if (await conn.execute(seen)).first() is not None:
                    return "duplicate"
            raise
        return "applied"

    async def handle(self, msg: Msg) -> str:
        """Decode, apply and acknowledge one message; returns the outcome."""
        try:
            event = decode(msg.data)
        except RejectedEvent as exc:
            log.error("consumer %s: %s", self.name, exc)
            await msg.term()
            self.metrics.events.labels(self.name, "?", "rejected").inc()
            return "rejected"
        try:
            outcome = await self.apply(event)
        except RejectedEvent as exc:
            log.error("consumer %s: event %s (%s) rejected: %s", self.name, event.id, event.topic, exc)
            await msg.term()
            outcome = "rejected"
        except Exception as exc:  # the database or a bug: redeliver later
            log.warning("consumer %s: event %s (%s) failed, retrying: %s", self.name, event.id, event.topic, exc)
            await msg.nak(delay=RETRY_DELAY_S)
            self.metrics.events.labels(self.name, event.topic, "retried").inc()
            return "retried"
        else:
            await msg.ack()
            if outcome == "applied":
                lag = (utcnow() - event.created_at).total_seconds()
                self.metrics.lag.labels(self.name, event.topic).observe(max(lag, 0.0))
        self.metrics.events.labels(self.name, event.topic, outcome).inc()
        return outcome

    async def run(self, link: NatsLink, stop: asyncio.Event) -> None:
        """Fetch and handle messages, one at a time in stream order, until ``stop`` is set; reconnects with
        backoff when NATS is unreachable."""
        backoff = Backoff(self.settings.max_backoff_s)
        subscription: JetStreamContext.PullSubscription | None = None
        while not stop.is_set():
            try:
                if subscription is None:
                    subscription = await self.subscribe(await link.jetstream())
                try:
                    # One message per pull: a pull for more waits (the server holds a pull with an expiry open)
                    # until the batch is full or the expiry passes, which made the lag ~0.5 s at 20 births/s.
                    messages = await subscription.fetch(1, timeout=FETCH_TIMEOUT_S)
                except (TimeoutError, NatsTimeoutError):
                    continue
                backoff.reset()
                for msg in messages:
                    await self.handle(msg)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                subscription = None
                delay = backoff.next()
                log.warning("consumer %s: %s: retrying in %.1f s", self.name, exc, delay)
                await wait_or_stop(stop, delay)
