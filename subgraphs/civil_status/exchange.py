"""What the civil status database takes part in of the exchange with the population database (issue 15).

- It publishes its outbox (``civil_status_outbox``): the change events its mutations write (``mutations``).
- It consumes ``population.person_created``: the population database issued the personal identification number
  of a child whose birth was registered here (003 Art. 10.3.a, 11.1); the registration is linked to the person
  (its subject becomes that id, the person is indexed as its subject) and its updated time moves (003 Art. 7.2).

The handler is idempotent on its own (an event naming the id already linked changes nothing) besides the
consumer's inbox; an event that breaks the contract, names no birth registered here or another person than the
one already linked is a :class:`RejectedEvent` (the reconciliation reports it).
"""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from subgraphs.common.exchange import Event, ExchangeSpec, RejectedEvent
from subgraphs.common.identifiers import personal_id_problem
from subgraphs.common.outbox import topics, utcnow

from .models import EVENT, INBOX, OUTBOX, PARTY


async def on_person_created(conn: AsyncConnection, event: Event) -> None:
    """Link the birth registration ``registrationId`` to the new ``personalId``."""
    registration = event.payload.get("registrationId")
    personal_id = event.payload.get("personalId")
    if not isinstance(registration, str) or not registration.isdigit() or len(registration) > 18:
        raise RejectedEvent("registrationId: the id of a birth registration of the civil status database")
    if not isinstance(personal_id, str) or personal_id_problem(personal_id):
        raise RejectedEvent(f"personalId: {personal_id_problem(personal_id) if isinstance(personal_id, str) else ''}")
    row = (await conn.execute(select(EVENT.c.kind, EVENT.c.subject_id).where(EVENT.c.id == int(registration))
                              )).first()
    if row is None or row.kind != "BIRTH":
        raise RejectedEvent(f"no birth registration {registration} in the civil status database")
    if row.subject_id == personal_id:
        return  # linked already (a redelivery after the inbox was pruned, or a replay)
    if row.subject_id is not None:
        raise RejectedEvent(f"birth registration {registration} is linked to another person already")
    linked = await conn.execute(update(EVENT).where(EVENT.c.id == int(registration), EVENT.c.subject_id.is_(None))
                                .values(subject_id=personal_id, updated_at=utcnow()))
    if linked.rowcount != 1:  # linked by a concurrent delivery in between: retried, then seen as linked
        raise RuntimeError(f"birth registration {registration} changed while being linked")
    await conn.execute(insert(PARTY).values(event_id=int(registration), personal_id=personal_id, role="SUBJECT"))


def exchange_spec() -> ExchangeSpec:
    """The civil status database's part of the exchange (``python -m subgraphs.common.exchange civil_status``)."""
    return ExchangeSpec(outbox=OUTBOX, inbox=INBOX, handlers={topics.PERSON_CREATED: on_person_created})
