"""Per-request data access of the civil-status subgraph.

Everything a ``Person`` contributes here (``birthRegistration`` and ``civilStatusEvents``) is read through ONE
loader, so ``_entities`` for N persons asking for both costs one ``SELECT … JOIN … WHERE personal_id IN (…)``,
whatever N (up to ``MAX_BATCH`` ids per statement). Persons have a handful of events each, so loading all of a
person's events and filtering kinds in Python is cheaper than one statement per distinct ``kinds`` argument.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import select

from subgraphs.common.db import Database

from .models import EVENT, PARTY

Row = Mapping[str, Any]
# SQLite accepts 32 766 bound parameters, PostgreSQL 65 535: 2 000 ids per statement keeps a wide margin.
MAX_BATCH = 2000
_ORDER = (EVENT.c.registration_date, EVENT.c.id)


class CivilStatusLoaders:
    """The data loaders of one request (never shared between requests: their cache is per caller)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.events_of: DataLoader = DataLoader(self._load_events_of, max_batch_size=MAX_BATCH)

    async def _load_events_of(self, personal_ids: Sequence[str]) -> list[list[Row]]:
        """For each id, in order, the events in which that person is a party, oldest first."""
        query = (
            select(PARTY.c.personal_id.label("_party_id"), EVENT)
            .join(EVENT, EVENT.c.id == PARTY.c.event_id)
            .where(PARTY.c.personal_id.in_(list(dict.fromkeys(personal_ids))))
            .order_by(*_ORDER)
        )
        grouped: dict[str, list[Row]] = defaultdict(list)
        async with self.db.engine.connect() as conn:
            for row in (await conn.execute(query)).mappings():
                grouped[row["_party_id"]].append(row)
        return [grouped.get(pid, []) for pid in personal_ids]


def make_loaders(db: Database) -> CivilStatusLoaders:
    """Factory handed to ``create_subgraph_app``: fresh loaders for every request."""
    return CivilStatusLoaders(db)


async def events_by_registration_number(db: Database, registration_number: str) -> list[Row]:
    """Every event entered under ``registration_number`` (unique within a book, not nationally)."""
    query = select(EVENT).where(EVENT.c.registration_number == registration_number).order_by(*_ORDER)
    async with db.engine.connect() as conn:
        return list((await conn.execute(query)).mappings())


async def event_by_id(db: Database, event_id: int) -> Row | None:
    """One event by its record id, or None."""
    async with db.engine.connect() as conn:
        return (await conn.execute(select(EVENT).where(EVENT.c.id == event_id))).mappings().first()


async def events_registered_in(
    db: Database, province_code: str, year: int, kinds: Sequence[str] | None, offset: int, limit: int
) -> list[Row]:
    """One page of the events registered in a province during a year, in registration order."""
    # registration_date is a partial date string: every value of the year sorts between "YYYY" and "YYYY-99".
    query = select(EVENT).where(
        EVENT.c.registration_province_code == province_code,
        EVENT.c.registration_date >= f"{year:04d}",
        EVENT.c.registration_date < f"{year:04d}-99",
    )
    if kinds:
        query = query.where(EVENT.c.kind.in_(list(kinds)))
    query = query.order_by(*_ORDER).offset(offset).limit(limit)
    async with db.engine.connect() as conn:
        return list((await conn.execute(query)).mappings())
