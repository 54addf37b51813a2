"""The write path of the civil-status mutations (issue 15): ONE transaction per registration holding what the
database must confirm, the event row, its party index, its change event in the outbox (subgraphs.common.outbox)
and its write record for the gateway's audit (subgraphs.common.writes); an error anywhere writes nothing.

Record ids are assigned here, not by a sequence (models): ``max(id) + 1`` in the transaction; two concurrent
registrations taking the same id make the second fail on the primary key, and it is retried whole. On PostgreSQL
the persons a registration concerns are locked for the transaction (advisory locks), so that two registrations of
the same death or two marriages of the same person cannot both pass their checks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from subgraphs.common import writes
from subgraphs.common.db import Database
from subgraphs.common.errors import bad_user_input
from subgraphs.common.outbox import add_event, topics, utcnow
from subgraphs.common.write_keys import run_write

from .enums import CivilStatusItem
from .models import EVENT, EVENT_COLUMNS, OUTBOX, PARTY, WRITE_KEYS
from .person import iso_utc
from .validation import NewEvent

Row = Mapping[str, Any]
Check = Callable[[AsyncConnection, NewEvent], Awaitable[None]]
Publish = Callable[[Row], tuple[str, str, dict[str, Any]]]
After = Callable[[AsyncConnection, Row], Awaitable[None]]
SOURCE = "REGISTRATION_SOFTWARE"  # entered through the shared registration software (003 Art. 3.2.a)
# population's names of the items a change or correction amends (subgraphs.common.outbox, change_recorded)
POPULATION_ITEMS = {"FULL_NAME": "fullName", "DATE_OF_BIRTH": "dateOfBirth", "PLACE_OF_BIRTH": "placeOfBirth",
                    "HOMETOWN": "hometown"}
ITEM_COLUMNS = {"FULL_NAME": "full_name", "DATE_OF_BIRTH": "date_of_birth", "PLACE_OF_BIRTH": "place_of_birth",
                "HOMETOWN": "hometown"}
AMENDMENTS = ("CHANGE", "CORRECTION", "SUPPLEMENT")
assert set(ITEM_COLUMNS) == set(POPULATION_ITEMS) == {i.value for i in CivilStatusItem}, "map every amendable item"


async def _lock_persons(conn: AsyncConnection, personal_ids: list[str]) -> None:
    if conn.dialect.name == "postgresql":
        for pid in sorted(set(personal_ids)):  # one order for every writer: no deadlock
            await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"civil_status:{pid}"})


async def _insert(conn: AsyncConnection, new: NewEvent) -> dict[str, Any]:
    event_id = (await conn.execute(select(func.max(EVENT.c.id)))).scalar() or 0
    event_id += 1
    now = utcnow()
    row: dict[str, Any] = {
        **dict.fromkeys(EVENT_COLUMNS),  # the full row, as a read returns it
        **new.columns,
        "id": event_id,
        "kind": new.kind,
        "subject_id": new.subject_id,
        "source": SOURCE,
        "register_page_scan": None,
        "registered_at_mission": False,
        "created_at": now,
        "updated_at": now,
    }
    if row["registration_number"] is None:  # numbered like the books: record id / year
        row["registration_number"] = f"{event_id:08d}/{row['registration_date'][:4]}"
    else:
        await _number_unused(conn, row)
    await conn.execute(insert(EVENT).values(**row))
    parties = [{"event_id": event_id, "personal_id": pid, "role": role} for role, pid in new.parties.items()
               if pid != new.subject_id]
    if new.subject_id is not None:
        parties.insert(0, {"event_id": event_id, "personal_id": new.subject_id, "role": "SUBJECT"})
    if parties:
        await conn.execute(insert(PARTY), parties)
    return row


async def _number_unused(conn: AsyncConnection, row: Row) -> None:
    taken = select(EVENT.c.id).where(
        EVENT.c.registration_number == row["registration_number"],
        EVENT.c.registering_authority == row["registering_authority"],
        EVENT.c.book_number.is_(None) if row["book_number"] is None else EVENT.c.book_number == row["book_number"],
    ).limit(1)
    if (await conn.execute(taken)).first() is not None:
        raise bad_user_input("input.registrationNumber", "already entered in this book of this authority")


def hashable(row: Row) -> dict[str, Any]:
    """A record's values for its write hash (times as ISO UTC, as served)."""
    return {k: (iso_utc(v) if k in ("created_at", "updated_at") else v) for k, v in row.items()}


async def register(db: Database, info: Any, new: NewEvent, record_type: str, *, check: Check, publish: Publish,
                   arguments: Mapping[str, Any], after: After | None = None) -> Row:
    """Write ``new`` in one transaction: ``check`` (raises ``BAD_USER_INPUT``), the row and its parties, ``after``
    (updates of other rows, recording their own writes), the outbox event ``publish`` gives, the write record,
    and the gateway's write key with the row (``arguments``: the mutation's, for the key; a replay under the key
    returns the first row and writes nothing, subgraphs.common.write_keys). A lost race (a taken id, SQLite's
    lock held by another process) is retried whole."""

    async def write(conn: AsyncConnection) -> Row:
        await _lock_persons(conn, new.subjects)
        await check(conn, new)
        row = await _insert(conn, new)
        if after is not None:
            await after(conn, row)
        topic, key, payload = publish(row)
        await add_event(conn, OUTBOX, topic, key, payload)
        writes.record_write(info, record_type, str(row["id"]), before=None, after=hashable(row),
                            subjects=new.subjects)
        return row

    return await run_write(db, info, WRITE_KEYS, arguments, write)


# -- what the database must confirm --------------------------------------------------------------------------

async def death_of(conn: AsyncConnection, personal_id: str) -> Row | None:
    query = select(EVENT).where(EVENT.c.kind == "DEATH", EVENT.c.subject_id == personal_id).limit(1)
    return (await conn.execute(query)).mappings().first()


async def birth_of(conn: AsyncConnection, personal_id: str) -> Row | None:
    query = (select(EVENT).where(EVENT.c.kind == "BIRTH", EVENT.c.subject_id == personal_id)
             .order_by(EVENT.c.id).limit(1))
    return (await conn.execute(query)).mappings().first()


async def current_spouse(conn: AsyncConnection, personal_id: str) -> str | None:
    """The spouse of the person's marriage in force per the civil status records: the last marriage (here or
    recorded from abroad) not dissolved by a divorce or annulment since, and whose other spouse is not dead."""
    query = (select(EVENT).join(PARTY, PARTY.c.event_id == EVENT.c.id)
             .where(PARTY.c.personal_id == personal_id,
                    EVENT.c.kind.in_(("MARRIAGE", "FOREIGN_EVENT_RECORDING", "COURT_DECISION_RECORDING")))
             .order_by(EVENT.c.registration_date, EVENT.c.id))
    spouse: str | None = None
    for row in (await conn.execute(query)).mappings():
        if row["kind"] == "MARRIAGE":
            spouse = row["wife_id"] if row["husband_id"] == personal_id else row["husband_id"]
            continue
        other = row["other_party_id"] if row["subject_id"] == personal_id else row["subject_id"]
        ends = row["decision_kind"] in ("DIVORCE", "MARRIAGE_ANNULMENT") or row["recorded_event"] in (
            "DIVORCE", "MARRIAGE_ANNULMENT")
        if row["kind"] == "FOREIGN_EVENT_RECORDING" and row["recorded_event"] == "MARRIAGE":
            spouse = other
        elif ends and other == spouse:
            spouse = None
    if spouse is not None and await death_of(conn, spouse) is not None:
        return None
    return spouse


async def current_value(conn: AsyncConnection, birth: Row, item: str) -> str | None:
    """The recorded value of ``item``: the last amendment's new value, else the birth registration's."""
    query = (select(EVENT.c.new_value).where(EVENT.c.subject_id == birth["subject_id"],
                                             EVENT.c.kind.in_(AMENDMENTS), EVENT.c.changed_item == item)
             .order_by(EVENT.c.registration_date.desc(), EVENT.c.id.desc()).limit(1))
    last = (await conn.execute(query)).first()
    return last[0] if last is not None else birth[ITEM_COLUMNS[item]]


async def annotate_birth(conn: AsyncConnection, info: Any, birth: Row, subjects: list[str]) -> None:
    """Note an amendment on the birth record the same working day (003 Art. 7.2.b): its updated time moves."""
    now = utcnow()
    await conn.execute(update(EVENT).where(EVENT.c.id == birth["id"]).values(updated_at=now))
    writes.record_write(info, "BirthRegistration", str(birth["id"]), before=hashable(birth),
                        after=hashable({**birth, "updated_at": now}), subjects=subjects)


def registered_at(row: Row) -> str | None:
    return iso_utc(row["created_at"])


__all__ = ["register", "topics"]
