"""Per-request data access of the population subgraph.

Every person read goes through one :class:`PopulationLoaders` per request, so that ``_entities`` for N
representations, ``persons(personalIds:)`` and ``father``/``mother``/``spouse`` over a list each cost one
``SELECT … WHERE personal_id IN (…)`` per resolution level, whatever N (up to ``MAX_BATCH``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import select

from subgraphs.common.db import Database

from .models import PERSON, normalize_name

Row = Mapping[str, Any]
# SQLite accepts 32 766 bound parameters per statement, PostgreSQL 65 535: 2 000 keeps a margin on both while a
# request touching 500 persons, their parents and spouses still fits in one statement per level.
MAX_BATCH = 2000


class PopulationLoaders:
    """The data loaders of one request (never shared between requests: their cache is per caller)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.person: DataLoader = DataLoader(self._load_persons, max_batch_size=MAX_BATCH)

    async def _load_persons(self, personal_ids: Sequence[str]) -> list[Row | None]:
        """Rows for ``personal_ids`` in order, None for ids the database does not hold."""
        async with self.db.engine.connect() as conn:
            result = await conn.execute(select(PERSON).where(PERSON.c.personal_id.in_(list(personal_ids))))
            by_id = {row["personal_id"]: row for row in result.mappings()}
        return [by_id.get(pid) for pid in personal_ids]


def make_loaders(db: Database) -> PopulationLoaders:
    """Factory handed to ``create_subgraph_app``: fresh loaders for every request."""
    return PopulationLoaders(db)


async def search_persons(
    db: Database,
    name: str,
    *,
    birth_year: int | None,
    province_code: str | None,
    offset: int,
    limit: int,
) -> list[Row]:
    """One page of persons whose name contains the words of ``name`` in sequence (accents and case ignored),
    ordered by personal id; ``limit`` rows from ``offset``.

    Personal id order (the primary key) keeps broad searches ("Nguyễn" matches a third of the country) a short
    index walk, while narrow ones go through the trigram index and sort a few hundred rows.
    """
    query = select(PERSON).where(PERSON.c.name_search.like(f"%{_escape_like(normalize_name(name))}%", escape="\\"))
    if birth_year is not None:
        query = query.where(PERSON.c.birth_year == birth_year)
    if province_code is not None:
        query = query.where(PERSON.c.province_code == province_code)
    query = query.order_by(PERSON.c.personal_id).offset(offset).limit(limit)
    async with db.engine.connect() as conn:
        return list((await conn.execute(query)).mappings())


def _escape_like(value: str) -> str:
    # normalize_name keeps only letters, digits and spaces, but escaping keeps the query safe if that changes.
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
