"""Aggregate statistics of persons and legal entities under enforcement (000 Art. 8.1.a), by year and province.

A sentence is *under enforcement in year Y* when enforcement began in or before Y and had not ended before Y
(``start_year <= Y <= coalesce(end_year, ∞)``). Counting is done by the database with ``GROUP BY`` over a
recursive CTE of the requested years: one statement whatever the period. The status dimension is the sentence's
*current* status: the database keeps the course of enforcement as events (000 Art. 8.2.e), not a status history.
Small cells are not suppressed here: that is the gateway policy's job; ``offenders`` is declared the cell's
``cellCount`` row fact for it.
"""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Integer, Select, func, literal, select, union_all

from subgraphs.common.classification import DataCategory, ValueKind, field
from subgraphs.common.db import Database
from subgraphs.common.errors import bad_user_input
from subgraphs.common.identifiers import check_range
from subgraphs.common.provinces import BY_CODE, BY_ID_CODE

from .enums import EnforcementStatus, OffenderKind
from .models import TABLES
from .types_common import province_name

PUBLIC = DataCategory.PUBLIC
MIN_YEAR, MAX_YEAR = 1900, 2100
_OPEN_END = 9999  # an ongoing sentence has no end year


@strawberry.type(description="Count of offenders under enforcement in one year, province and status (000 Art. 8.1.a).")
class SentenceStatistic:
    year: int = field(PUBLIC, "Calendar year.", kind=ValueKind.CODE)
    province_code: str = field(
        PUBLIC, "3-digit code of the province whose bodies enforce the sentences.", kind=ValueKind.CODE
    )
    province_name: str = field(PUBLIC, "Name of that province.", kind=ValueKind.TEXT)
    offender_kind: OffenderKind = field(
        PUBLIC, "Natural persons or commercial legal entities (000 Art. 8.1.a).", kind=ValueKind.CODE
    )
    status: EnforcementStatus = field(PUBLIC, "Current status of the sentences counted.", kind=ValueKind.CODE)
    offenders: int = field(
        PUBLIC,
        "Distinct persons (or legal entities) with a sentence under enforcement that year; the cell's size, which "
        "the gateway's small-cell suppression reads (@protectionFact cellCount).",
        kind=ValueKind.COUNT,
        fact="cellCount",
    )
    sentences: int = field(PUBLIC, "Sentences under enforcement that year.", kind=ValueKind.COUNT)


def validate(from_year: int, to_year: int, province_code: str | None) -> None:
    """Raise ``BAD_USER_INPUT`` naming the argument; called before any SQL."""
    check_range(from_year, "fromYear", MIN_YEAR, MAX_YEAR)
    check_range(to_year, "toYear", MIN_YEAR, MAX_YEAR)
    if from_year > to_year:
        raise bad_user_input("fromYear", f"{from_year} is after toYear {to_year}")
    if province_code is not None and province_code not in BY_CODE:
        merged = BY_ID_CODE.get(province_code)
        hint = f"; it is now part of {merged.name}, code {merged.code}" if merged else ""
        raise bad_user_input("provinceCode", f"'{province_code}' is not the code of a current province{hint}")


async def sentence_statistics(
    db: Database, from_year: int, to_year: int, province_code: str | None
) -> list[SentenceStatistic]:
    """The statistics rows for ``from_year..to_year`` (validated by :func:`validate`), in one statement."""
    async with db.engine.connect() as conn:
        rows = (await conn.execute(statistics_statement(from_year, to_year, province_code))).mappings().all()
    return [_statistic(row) for row in rows]


def statistics_statement(from_year: int, to_year: int, province_code: str | None) -> Select[Any]:
    """The one statement behind ``sentenceStatistics`` (also run by the bench's floor, ``bench.floor``)."""
    years = select(literal(from_year, Integer).label("y")).cte("years", recursive=True)
    years = years.union_all(select((years.c.y + 1).label("y")).where(years.c.y < to_year))
    persons, entities = TABLES["sentence"], TABLES["legal_entity_sentence"]
    offender = func.coalesce(persons.c.offender_personal_id, persons.c.foreign_offender_code)
    parts = []
    for kind, table, who in (
        (OffenderKind.PERSON, persons, offender),
        (OffenderKind.LEGAL_ENTITY, entities, entities.c.legal_entity_id),
    ):
        stmt = (
            select(
                years.c.y.label("year"),
                table.c.province_code,
                literal(kind.value).label("offender_kind"),
                table.c.status,
                func.count(func.distinct(who)).label("offenders"),
                func.count().label("sentences"),
            )
            .select_from(years)
            .join(
                table,
                (table.c.start_year <= years.c.y) & (func.coalesce(table.c.end_year, _OPEN_END) >= years.c.y),
            )
            .group_by(years.c.y, table.c.province_code, table.c.status)
        )
        if province_code is not None:
            stmt = stmt.where(table.c.province_code == province_code)
        parts.append(stmt)
    query = union_all(*parts).subquery()
    return select(query).order_by(query.c.year, query.c.province_code, query.c.offender_kind, query.c.status)


def _statistic(row: Any) -> SentenceStatistic:
    return SentenceStatistic(
        year=row["year"],
        province_code=row["province_code"],
        province_name=province_name(row["province_code"]),
        offender_kind=OffenderKind(row["offender_kind"]),
        status=EnforcementStatus[row["status"]],
        offenders=row["offenders"],
        sentences=row["sentences"],
    )
