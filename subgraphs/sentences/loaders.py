"""Per-request data loaders: every lookup is one ``IN (...)`` statement per batch, whatever the number of keys.

A request for N persons' sentences with their charges, penalties, obligations, events and facilities therefore
costs a constant number of statements (one per loader that the query touches), never N.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import Column, String, Table, select, type_coerce
from sqlalchemy.engine import RowMapping

from subgraphs.common.db import Database

from .models import TABLES

Row = RowMapping


@cache
def _columns(table: Table) -> tuple[Any, ...]:
    """The table's columns, its record times read as the driver gives them: SQLite's text is parsed only if a
    ``createdAt``/``updatedAt`` field is selected (types_records.iso_utc), not for every row of every query (a
    datetime parse per row and column was ~15 % of a 200-person answer's CPU). Same SQL, same column names."""
    return tuple(type_coerce(c, String).label(c.name) if c.name in ("created_at", "updated_at") else c
                 for c in table.c)


async def _fetch(db: Database, table: Table, column: Column[Any], keys: Sequence[Any], order: Sequence[str]) -> list[Row]:
    stmt = select(*_columns(table)).where(column.in_(list(keys))).order_by(*(table.c[name] for name in order))
    async with db.engine.connect() as conn:
        return list((await conn.execute(stmt)).mappings().all())


def _grouped(db: Database, table: str, column: str, order: Sequence[str] = ("position",)) -> DataLoader:
    """Loader of key -> list of rows of ``table`` whose ``column`` equals the key (ordered by ``order``)."""
    t = TABLES[table]

    async def batch(keys: list[Any]) -> list[list[Row]]:
        groups: dict[Any, list[Row]] = defaultdict(list)
        for row in await _fetch(db, t, t.c[column], keys, order):
            groups[row[column]].append(row)
        return [groups.get(key, []) for key in keys]

    return DataLoader(batch)


def _single(db: Database, table: str, column: str) -> DataLoader:
    """Loader of key -> the row of ``table`` whose ``column`` equals the key, or None."""
    t = TABLES[table]

    async def batch(keys: list[Any]) -> list[Row | None]:
        found = {row[column]: row for row in await _fetch(db, t, t.c[column], keys, ())}
        return [found.get(key) for key in keys]

    return DataLoader(batch)


def _deaths(db: Database) -> DataLoader:
    """Loader of a foreign offender's identification code -> whether a death (DEATH enforcement event) is
    recorded in the course of one of their sentences; one ``IN (...)`` statement per batch."""
    sentences, events = TABLES["sentence"], TABLES["enforcement_event"]

    async def batch(keys: list[Any]) -> list[bool]:
        stmt = (
            select(sentences.c.foreign_offender_code)
            .distinct()
            .join(events, events.c.sentence_id == sentences.c.id)
            .where(sentences.c.foreign_offender_code.in_(list(keys)), events.c.kind == "DEATH")
        )
        async with db.engine.connect() as conn:
            dead = set((await conn.execute(stmt)).scalars().all())
        return [key in dead for key in keys]

    return DataLoader(batch)


def _catalogue(db: Database, table: str, column: str) -> DataLoader:
    """Loader over a small reference table (facilities: some dozens of rows). The table is read once per
    request, by one shared task, so lookups issued at different depths of a query (a sentence's facility, an
    event's facility) share that single statement even while it is in flight."""
    t = TABLES[table]
    fetched: asyncio.Future[dict[Any, Row]] | None = None

    async def read() -> dict[Any, Row]:
        async with db.engine.connect() as conn:
            return {row[column]: row for row in (await conn.execute(select(*_columns(t)))).mappings().all()}

    async def batch(keys: list[Any]) -> list[Row | None]:
        nonlocal fetched
        if fetched is None:
            fetched = asyncio.ensure_future(read())
        found = await fetched
        return [found.get(key) for key in keys]

    return DataLoader(batch)


@dataclass
class Loaders:
    """This request's loaders (a fresh set per request: no cache outlives it, so no data crosses callers)."""

    sentence: DataLoader
    sentences_by_person: DataLoader
    sentences_by_foreigner: DataLoader
    judgment: DataLoader
    facility: DataLoader
    foreign_offender: DataLoader
    foreigner_deaths: DataLoader
    legal_entity: DataLoader
    entity_sentences: DataLoader
    charges: DataLoader
    penalties: DataLoader
    obligations: DataLoader
    events: DataLoader
    entity_charges: DataLoader
    entity_penalties: DataLoader
    entity_obligations: DataLoader
    entity_events: DataLoader
    status_history: DataLoader
    entity_status_history: DataLoader
    facility_resources: DataLoader
    equipment: DataLoader


def make_loaders(db: Database) -> Loaders:
    """Build the loaders of one request (passed to ``create_subgraph_app``)."""
    by_date = ("enforcement_started_on", "id")
    return Loaders(
        sentence=_single(db, "sentence", "id"),
        sentences_by_person=_grouped(db, "sentence", "offender_personal_id", by_date),
        sentences_by_foreigner=_grouped(db, "sentence", "foreign_offender_code", by_date),
        judgment=_single(db, "judgment", "id"),
        facility=_catalogue(db, "facility", "id"),
        foreign_offender=_single(db, "foreign_offender", "identification_code"),
        foreigner_deaths=_deaths(db),
        legal_entity=_single(db, "legal_entity", "id"),
        entity_sentences=_grouped(db, "legal_entity_sentence", "legal_entity_id", ("start_year", "id")),
        charges=_grouped(db, "charge", "sentence_id"),
        penalties=_grouped(db, "penalty", "sentence_id"),
        obligations=_grouped(db, "civil_obligation", "sentence_id"),
        events=_grouped(db, "enforcement_event", "sentence_id"),
        entity_charges=_grouped(db, "charge", "entity_sentence_id"),
        entity_penalties=_grouped(db, "penalty", "entity_sentence_id"),
        entity_obligations=_grouped(db, "civil_obligation", "entity_sentence_id"),
        entity_events=_grouped(db, "enforcement_event", "entity_sentence_id"),
        status_history=_grouped(db, "status_change", "sentence_id"),
        entity_status_history=_grouped(db, "status_change", "entity_sentence_id"),
        facility_resources=_grouped(db, "facility_resources", "facility_id", ("reported_on", "id")),
        equipment=_grouped(db, "facility_equipment", "report_id"),
    )

