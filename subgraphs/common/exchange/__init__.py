"""Propagation between the databases over NATS JetStream (issue 15): relay, consumers, their runner.

What a subgraph provides to take part (module ``subgraphs/<name>/exchange.py``, function ``exchange_spec()``)::

    from subgraphs.common.exchange import Event, ExchangeSpec
    from subgraphs.common.outbox import topics
    from .models import INBOX, OUTBOX

    async def on_person_created(conn: AsyncConnection, event: Event) -> None:
        # the effect, on conn: inside the transaction that also records event.id in the inbox
        await conn.execute(update(BIRTH).where(...).values(personal_id=event.payload["personalId"]))

    def exchange_spec() -> ExchangeSpec:
        return ExchangeSpec(outbox=OUTBOX, inbox=INBOX, handlers={topics.PERSON_CREATED: on_person_created})

``python -m subgraphs.common.exchange <name>`` (started by ``make run``) then runs the relay of ``outbox`` (if any)
and one durable JetStream pull consumer per subgraph, named ``<name>``, subscribed to the topics of ``handlers``.
A handler must not commit; raising makes the event retried (negatively acknowledged and redelivered with a
delay; its inbox row is not written, its effect rolled back), raising :class:`RejectedEvent` (a payload that breaks
the contract) drops it for good (logged, counted in ``lienthong_exchange_events_total{outcome="rejected"}``; the
reconciliation reports what it left undone). A handler may add events to its own outbox on ``conn`` (population
publishes ``population.person_created`` that way): they commit with the effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection


class RejectedEvent(ValueError):
    """The event breaks the contract (a required field missing or invalid): retrying cannot help."""


@dataclass(frozen=True, slots=True)
class Event:
    """An event as a consumer sees it: the outbox row, decoded (see subgraphs.common.outbox for the contract)."""

    id: str
    topic: str
    key: str
    created_at: dt.datetime  # aware UTC, when the writer's transaction added it
    payload: Mapping[str, Any]


Handler = Callable[[AsyncConnection, Event], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ExchangeSpec:
    """What a subgraph publishes (its outbox) and consumes (its inbox and a handler per topic)."""

    outbox: Table | None = None
    inbox: Table | None = None
    handlers: Mapping[str, Handler] = field(default_factory=dict)
