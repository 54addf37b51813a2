"""GraphQL schema of the civil-status subgraph (Apollo Federation v2).

Root fields validate every argument before any database access (``BAD_USER_INPUT`` naming the argument).
"""

from __future__ import annotations

import re

import strawberry
from strawberry.types import Info

from subgraphs.common.classification import DataCategory as C
from subgraphs.common.classification import ValueKind as K
from subgraphs.common.classification import classified
from subgraphs.common.errors import bad_user_input
from subgraphs.common.execution import SubgraphExecutionContext
from subgraphs.common.federation import Schema
from subgraphs.common.identifiers import check_range
from subgraphs.common.provinces import BY_CODE
from subgraphs.common.schema import schema_extensions
from subgraphs.common.writes import WriteRecords

from . import loaders
from .enums import CivilStatusEventKind
from .events import EVENT_TYPES, CivilStatusEvent
from .mutations import Mutation
from .person import Person, event_from_row

# Numbers as written in civil status books: "123", "05/2016", "KS-079-2016/000123"...
_REGISTRATION_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]*$")
MAX_REGISTRATION_NUMBER = 40
MAX_PAGE = 200
FIRST_YEAR = 1900  # the oldest civil status books digitised (003 Art. 3.2.b)
LAST_YEAR = 2100


def check_registration_number(value: str) -> str:
    """Return the number if well-formed, else ``BAD_USER_INPUT`` naming ``registrationNumber``."""
    if not value or not value.strip():
        raise bad_user_input("registrationNumber", "must not be empty")
    if len(value) > MAX_REGISTRATION_NUMBER:
        raise bad_user_input("registrationNumber", f"at most {MAX_REGISTRATION_NUMBER} characters")
    if not _REGISTRATION_NUMBER.match(value):
        raise bad_user_input("registrationNumber", "only letters, digits, '.', '/' and '-' are allowed")
    return value


def check_event_id(value: str) -> int:
    """Event ids are positive integers rendered as strings."""
    if not value.isdigit() or len(value) > 18:
        raise bad_user_input("id", "not a civil status record id")
    return int(value)


@strawberry.type
class Query:
    @classified(
        C.BASIC,
        "Civil status records entered under a registration number (số đăng ký); registration numbers are unique "
        "within a civil status book, so several records may share one (003 Art. 3.1, 8, 13).",
        kind=K.REFERENCE,
    )
    async def civil_status_records(self, info: Info, registration_number: str) -> list[CivilStatusEvent] | None:
        number = check_registration_number(registration_number)
        return [
            event_from_row(r) for r in await loaders.events_by_registration_number(info.context.db, number)
        ]

    @classified(C.BASIC, "One civil status record by its id, or null (003 Art. 8).", kind=K.REFERENCE)
    async def civil_status_event(self, info: Info, id: strawberry.ID) -> CivilStatusEvent | None:
        row = await loaders.event_by_id(info.context.db, check_event_id(str(id)))
        return None if row is None else event_from_row(row)

    @classified(
        C.BASIC,
        "Civil status records registered in a province during a year, in registration order: what a justice "
        "department or commune registry exploits for its own area (003 Art. 8.1, 8.4, 14). `first` at most 200.",
        kind=K.REFERENCE,
    )
    async def civil_status_registrations(
        self,
        info: Info,
        province_code: str,
        year: int,
        kinds: list[CivilStatusEventKind] | None = None,
        first: int = 20,
        offset: int = 0,
    ) -> list[CivilStatusEvent] | None:
        if province_code not in BY_CODE:
            raise bad_user_input("provinceCode", f"{province_code!r} is not the code of a current province")
        check_range(year, "year", FIRST_YEAR, LAST_YEAR)
        check_range(first, "first", 1, MAX_PAGE)
        check_range(offset, "offset", 0, 1_000_000)
        if kinds is not None and not kinds:
            raise bad_user_input("kinds", "give at least one kind, or omit the argument for every kind")
        rows = await loaders.events_registered_in(
            info.context.db, province_code, year, [k.value for k in kinds] if kinds else None, offset, first
        )
        return [event_from_row(r) for r in rows]


schema = Schema(
    query=Query,
    mutation=Mutation,
    types=[Person, *EVENT_TYPES],
    extensions=[*schema_extensions(), WriteRecords],
    execution_context_class=SubgraphExecutionContext,
)
