"""Transactional outbox and inbox: how a subgraph tells the other databases what changed (issue 15).

The decrees make the databases exchange data: a birth registration gives the child a personal identification
number from the national population database and civil status events update that record (003 Art. 10.2, 11.1–11.2,
11.4); criminal enforcement data is updated within 24 hours of any change, automatically (000 Art. 8.5.c–d).

How a writer uses it (in its own module, e.g. ``subgraphs/civil_status/models.py`` and its mutation)::

    from subgraphs.common.outbox import add_event, inbox_table, outbox_table, topics

    OUTBOX = outbox_table(Base.metadata, "civil_status")   # table "civil_status_outbox"
    INBOX = inbox_table(Base.metadata, "civil_status")     # "civil_status_inbox": only if it also consumes events

    async with db.session() as session:         # ONE transaction: the write and its event commit together
        session.add(registration)
        await add_event(session, OUTBOX, topics.BIRTH_REGISTERED, registration.id, payload)
        await session.commit()

``add_event`` only inserts a row: nothing talks to NATS inside the write, so a write commits when NATS is down and
its event waits in the outbox. The relay (``subgraphs.common.exchange.relay``) publishes unpublished rows to NATS
JetStream with ``Nats-Msg-Id`` = event id (JetStream drops a re-publish within its duplicate window) and marks a
row published only after JetStream's ack: at-least-once delivery. Consumers (``subgraphs.common.exchange.consumer``)
record each processed event id in their ``inbox`` table in the same transaction as the effect, so a redelivered
event has no second effect. The migration that creates the tables: :func:`create_outbox` / :func:`create_inbox`
called from an alembic revision of the subgraph (``op`` is alembic's), e.g. ``create_outbox(op, "civil_status")``.
Table names carry the subgraph's name because the three subgraphs may share one PostgreSQL database
(docker-compose.yml does).

Event contract (payload = a JSON object; ``key`` = the aggregate key named below). Dates are ISO strings
(``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` where the decrees allow a partial date); unknown values are ``null`` or
absent; a consumer ignores fields it does not know (the contract only grows). docs/EVENTS.md is the same contract.

``civil_status.birth_registered`` (key: registration id) — 003 Art. 11.1–11.2
    ``registrationId`` (str, required: the civil status database's id of the birth registration),
    ``registrationNumber`` (str), ``fullName`` (str, required), ``sex`` (``MALE``/``FEMALE``, required),
    ``dateOfBirth`` (``YYYY-MM-DD``, required), ``placeOfBirth`` (str), ``registrationProvinceCode`` (3-digit
    province code of the registering authority, required: the first digits of the new personalId),
    ``placeOfBirthRegistration`` (str), ``hometown`` (str), ``ethnicity`` (str), ``nationality`` (str),
    ``fatherPersonalId`` / ``motherPersonalId`` (12 digits, if known), ``registeredAt`` (ISO datetime).
``population.person_created`` (key: new personalId) — published by population, consumed by civil_status to link
    the registration to the person: ``registrationId`` (str, the birth_registered event's), ``personalId`` (str,
    12 digits), ``birthEventId`` (the birth_registered event's id).
``civil_status.death_registered`` (key: personalId) — 003 Art. 10.2.e
    ``personalId`` (required), ``dateOfDeath`` (required), ``registrationId``, ``registrationNumber``.
``civil_status.marriage_registered`` (key: registration id) — 003 Art. 10.2.b
    ``registrationId``, ``spouses`` (list of the two personalIds, required), ``date`` (required),
    ``registrationNumber``.
``civil_status.divorce_recorded`` (key: registration id) — 003 Art. 10.2.b (court decision recorded)
    ``registrationId``, ``spouses`` (the two personalIds, required), ``date`` (effective date, required),
    ``courtDecisionRef`` (court, number and date of the judgment/decision, required).
``civil_status.change_recorded`` (key: personalId) — 003 Art. 10.2.c (change, correction, supplement)
    ``personalId`` (required), ``registrationId``, ``date``, ``changes`` (object: population field name in
    camelCase among ``fullName``, ``dateOfBirth``, ``sex``, ``placeOfBirth``, ``hometown``, ``ethnicity``,
    ``nationality`` → new value; other names are ignored by population and reported by the reconciliation).
``sentences.enforcement_recorded`` (key: sentence id) — 000 Art. 8.1.b, 8.5.c–d
    ``sentenceId`` (required), ``personalId`` (offender, if a person), ``eventId``, ``kind`` (the enforcement
    event kind, e.g. ``POSTPONEMENT``, ``REDUCTION``, ``RELEASE``, ``TRANSFER``, ``ESCAPE``, ``DEATH``,
    ``COMPLETION``), ``effectiveDate`` (required), ``newStatus`` (the sentence status after the event).

On the wire (NATS subject ``<prefix>.<topic>``, e.g. ``lienthong.civil_status.birth_registered``) the message body
is the envelope :func:`envelope`: ``{"id", "topic", "key", "createdAt", "payload"}``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import orjson
from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text, insert


def outbox_name(subgraph: str) -> str:
    """``<subgraph>_outbox``: unique when the subgraphs share one database."""
    return f"{_checked(subgraph)}_outbox"


def inbox_name(subgraph: str) -> str:
    """``<subgraph>_inbox``."""
    return f"{_checked(subgraph)}_inbox"


def _checked(subgraph: str) -> str:
    if not isinstance(subgraph, str) or not subgraph.isidentifier() or not subgraph.islower():
        raise ValueError(f"subgraph name {subgraph!r}: the lower-case subgraph name (e.g. 'civil_status')")
    return subgraph


class topics:  # a namespace of constants, read as topics.BIRTH_REGISTERED
    """The topics of the event contract (see the module docstring)."""

    BIRTH_REGISTERED = "civil_status.birth_registered"
    DEATH_REGISTERED = "civil_status.death_registered"
    MARRIAGE_REGISTERED = "civil_status.marriage_registered"
    DIVORCE_RECORDED = "civil_status.divorce_recorded"
    CHANGE_RECORDED = "civil_status.change_recorded"
    ENFORCEMENT_RECORDED = "sentences.enforcement_recorded"
    PERSON_CREATED = "population.person_created"
    ALL = (BIRTH_REGISTERED, DEATH_REGISTERED, MARRIAGE_REGISTERED, DIVORCE_RECORDED, CHANGE_RECORDED,
           ENFORCEMENT_RECORDED, PERSON_CREATED)


def _utc_datetime() -> DateTime:
    return DateTime(timezone=True)


def outbox_table(metadata: MetaData, subgraph: str) -> Table:
    """The outbox table ``<subgraph>_outbox`` on ``metadata`` (the subgraph's ``Base.metadata``): one row per
    change event."""
    name = outbox_name(subgraph)
    return Table(
        name,
        metadata,
        Column("id", String(36), primary_key=True),  # uuid4 text; also the NATS Nats-Msg-Id
        Column("topic", String(100), nullable=False),
        Column("key", String(64), nullable=False),  # aggregate key (registration id, personalId, sentence id)
        Column("payload", Text, nullable=False),  # JSON object
        Column("created_at", _utc_datetime(), nullable=False),
        Column("published_at", _utc_datetime(), nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", String(300), nullable=True),
        Index(f"ix_{name}_pending", "published_at", "created_at"),
    )


def inbox_table(metadata: MetaData, subgraph: str) -> Table:
    """The inbox table ``<subgraph>_inbox`` on ``metadata``: ids of the events a consumer has applied
    (idempotency)."""
    name = inbox_name(subgraph)
    return Table(
        name,
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("consumer", String(64), primary_key=True),  # one database may host several consumers
        Column("topic", String(100), nullable=False),
        Column("processed_at", _utc_datetime(), nullable=False),
    )


def utcnow() -> dt.datetime:
    """Now, timezone-aware UTC (what every created/updated/published time stores)."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | str) -> dt.datetime:
    """A stored time as aware UTC: SQLite returns naive datetimes (stored as UTC by this module)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def event_values(topic: str, key: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The outbox row of a new event (a fresh id, created now, unpublished)."""
    if topic not in topics.ALL:
        raise ValueError(f"unknown topic {topic!r}: add it to subgraphs.common.outbox.topics and docs/EVENTS.md")
    if not isinstance(payload, dict):
        raise TypeError("an event payload is a JSON object (dict)")
    return {
        "id": str(uuid.uuid4()),
        "topic": topic,
        "key": str(key),
        "payload": orjson.dumps(payload).decode(),
        "created_at": utcnow(),
        "published_at": None,
        "attempts": 0,
    }


async def add_event(conn_or_session: Any, table: Table, topic: str, key: str, payload: dict[str, Any]) -> str:
    """Insert an event into ``table`` through the caller's open transaction and return its id.

    ``conn_or_session``: an ``AsyncConnection`` or ``AsyncSession`` (sqlmodel's included) in the transaction of
    the write the event describes; the caller commits (or rolls back: then the event never existed)."""
    values = event_values(topic, key, payload)
    await conn_or_session.execute(insert(table).values(**values))
    return values["id"]


def add_event_sync(conn_or_session: Any, table: Table, topic: str, key: str, payload: dict[str, Any]) -> str:
    """:func:`add_event` for a synchronous ``Connection`` or ``Session`` (seeding, scripts)."""
    values = event_values(topic, key, payload)
    conn_or_session.execute(insert(table).values(**values))
    return values["id"]


def envelope(row: Any) -> bytes:
    """The message body of an outbox row on NATS: ``{"id", "topic", "key", "createdAt", "payload"}``."""
    return orjson.dumps({
        "id": row.id,
        "topic": row.topic,
        "key": row.key,
        "createdAt": as_utc(row.created_at).isoformat(),
        "payload": orjson.loads(row.payload),
    })


def create_outbox(op: Any, subgraph: str) -> None:
    """Create ``<subgraph>_outbox`` from an alembic revision (``op`` = ``alembic.op``); same columns as the model.
    Its downgrade: ``drop_outbox(op, subgraph)``."""
    import sqlalchemy as sa

    name = outbox_name(subgraph)

    op.create_table(
        name,
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(f"ix_{name}_pending", name, ["published_at", "created_at"], unique=False)


def create_inbox(op: Any, subgraph: str) -> None:
    """Create ``<subgraph>_inbox`` from an alembic revision; its downgrade: ``drop_inbox(op, subgraph)``."""
    import sqlalchemy as sa

    name = inbox_name(subgraph)

    op.create_table(
        name,
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("consumer", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "consumer"),
    )


def drop_outbox(op: Any, subgraph: str) -> None:
    """Downgrade of :func:`create_outbox`."""
    name = outbox_name(subgraph)
    op.drop_index(f"ix_{name}_pending", table_name=name)
    op.drop_table(name)


def drop_inbox(op: Any, subgraph: str) -> None:
    """Downgrade of :func:`create_inbox`."""
    op.drop_table(inbox_name(subgraph))
