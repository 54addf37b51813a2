"""The sentences subgraph's schema: root fields and the federated schema object.

Root fields validate their arguments before any database access and answer ``BAD_USER_INPUT`` naming the
argument (``subgraphs.common.errors``). Each carries the category of what it returns.
"""

from __future__ import annotations

import re

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from subgraphs.common.classification import DataCategory, ValueKind, classified
from subgraphs.common.errors import bad_user_input
from subgraphs.common.execution import SubgraphExecutionContext
from subgraphs.common.federation import Schema
from subgraphs.common.identifiers import check_personal_id
from subgraphs.common.provinces import BY_CODE
from subgraphs.common.schema import schema_extensions
from subgraphs.common.writes import WriteRecords

from . import statistics
from .enums import FacilityKind
from .models import TABLES
from .mutation_root import Mutation
from .statistics import SentenceStatistic
from .types_common import Facility
from .types_entity import LegalEntity
from .types_person import ForeignOffender, Person, Sentence

CRIMINAL, PUBLIC = DataCategory.CRIMINAL, DataCategory.PUBLIC
# Record ids are short opaque tokens; passports and foreigners' identification codes are alphanumeric.
_RECORD_ID = re.compile(r"^[A-Za-z0-9-]{1,32}$")
_FOREIGN_CODE = re.compile(r"^[A-Z0-9]{5,40}$")


def _check_record_id(value: str, argument: str = "id") -> str:
    if not _RECORD_ID.match(value):
        raise bad_user_input(argument, "a record id has 1 to 32 letters, digits or dashes")
    return value


@strawberry.type
class Query:
    @classified(CRIMINAL, "A natural person's sentence by id (000 Art. 8.2).", kind=ValueKind.REFERENCE)
    async def sentence(self, info: Info, id: strawberry.ID) -> Sentence | None:
        row = await info.context.loaders.sentence.load(_check_record_id(str(id)))
        return Sentence.from_row(row) if row else None

    @classified(
        CRIMINAL, "Sentences of a citizen by personal identification number, oldest first (000 Art. 8.2.c).", kind=ValueKind.REFERENCE
    )
    async def sentences_of(self, info: Info, personal_id: strawberry.ID) -> list[Sentence] | None:
        rows = await info.context.loaders.sentences_by_person.load(check_personal_id(str(personal_id)))
        return [Sentence.from_row(r) for r in rows]

    @classified(
        PUBLIC, "A commercial legal entity serving a sentence (000 Art. 8.3); not personal data (004 Art. 2.1).", kind=ValueKind.REFERENCE
    )
    async def legal_entity(self, info: Info, id: strawberry.ID) -> LegalEntity | None:
        row = await info.context.loaders.legal_entity.load(_check_record_id(str(id)))
        return LegalEntity.from_row(row) if row else None

    @classified(
        CRIMINAL, "A foreigner serving a sentence, by passport number or identification code (000 Art. 8.2.c).", kind=ValueKind.REFERENCE
    )
    async def foreign_offender(self, info: Info, identification_code: str) -> ForeignOffender | None:
        code = identification_code.strip().upper()
        if not _FOREIGN_CODE.match(code):
            raise bad_user_input("identificationCode", "5 to 40 letters or digits")
        row = await info.context.loaders.foreign_offender.load(code)
        return ForeignOffender.from_row(row) if row else None

    @classified(
        PUBLIC,
        "Facilities enforcing sentences, by id, optionally of one province and kind, with their staff, premises "
        "and equipment (000 Art. 2.2, 8.1.c); not personal data.", kind=ValueKind.REFERENCE,
    )
    async def facilities(
        self, info: Info, province_code: str | None = None, kind: FacilityKind | None = None
    ) -> list[Facility]:
        table = TABLES["facility"]
        stmt = select(table).order_by(table.c.id)
        if province_code is not None:
            if province_code not in BY_CODE:
                raise bad_user_input("provinceCode", "a 3-digit code of a province (e.g. '001' for Hà Nội)")
            stmt = stmt.where(table.c.province_code == province_code)
        if kind is not None:
            stmt = stmt.where(table.c.kind == kind.name)
        async with info.context.db.engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [Facility.from_row(r) for r in rows]

    @classified(
        PUBLIC,
        "Persons and legal entities under enforcement per year, province and status, from fromYear to toYear "
        "inclusive (000 Art. 8.1.a); aggregates only, no personal data.", kind=ValueKind.REFERENCE,
    )
    async def sentence_statistics(
        self, info: Info, from_year: int, to_year: int, province_code: str | None = strawberry.UNSET
    ) -> list[SentenceStatistic]:
        province = province_code or None  # UNSET (argument omitted) and null both mean: every province
        statistics.validate(from_year, to_year, province)
        return await statistics.sentence_statistics(info.context.db, from_year, to_year, province)


schema = Schema(
    query=Query,
    mutation=Mutation,
    types=[Person, Sentence, ForeignOffender, LegalEntity],
    extensions=[*schema_extensions(), WriteRecords],
    execution_context_class=SubgraphExecutionContext,
)
