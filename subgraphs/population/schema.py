"""GraphQL schema of the population subgraph (Apollo Federation v2): the ``Person`` entity and its root fields.

Every output field is classified with ``@personalData`` (004 Art. 2) and its description cites the article that
makes it personal data. Every non-PUBLIC field but the key ``personalId`` is nullable, root fields and lists too: the
gateway withholds a field as ``null`` + FORBIDDEN_FIELD, and a non-null field would null out its parent (the whole
person, the whole page). ``tests/test_nullability.py`` keeps it so.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.common.classification import DataCategory, DataSubject, ValueKind, classified, field
from subgraphs.common.enums import MaritalStatus, Sex
from subgraphs.common.errors import bad_user_input
from subgraphs.common.execution import SubgraphExecutionContext
from subgraphs.common.identifiers import (
    check_personal_id,
    check_personal_ids,
    check_range,
    personal_id_problem,
)
from subgraphs.common.outbox import as_utc
from subgraphs.common.provinces import BY_ID_CODE
from subgraphs.common.scalars import PartialDate
from subgraphs.common.schema import schema_extensions

from .loaders import PopulationLoaders, search_persons
from .models import RecordSource, normalize_name

B, F, K = DataCategory.BASIC, DataCategory.FAMILY, ValueKind
MAX_IDS = 500
MAX_PAGE = 100
MAX_OFFSET = 10_000  # deep paging through a name search is a scan, not a lookup: narrow the search instead
MAX_NAME_LENGTH = 100


RecordSourceKind = strawberry.enum(RecordSource, name="PopulationRecordSource",
                                   description="Source of a population record (003 Art. 3.2, 11.2).")


def iso_utc(value: dt.datetime | str | None) -> str | None:
    """A stored time as ISO 8601 UTC with a ``Z`` (SQLite returns naive datetimes, stored as UTC)."""
    if value is None:
        return None
    return as_utc(value).isoformat(timespec="seconds").replace("+00:00", "Z")


@strawberry.type(
    directives=[DataSubject(inherit=True)],
    description="Facts about a person that the gateway's row rules read (docs/PROTECTION.md §2): age (004 Art. "
    "20), death or disappearance (004 Art. 19), processing restriction (004 Art. 9.6), province of residence. "
    "A null field is an unknown fact.",
)
class PersonProtectionFacts:
    birth_date: PartialDate | None = field(  # type: ignore[valid-type]
        B, "Date of birth, possibly partial (YYYY, YYYY-MM, YYYY-MM-DD): age and minority, 004 Art. 20.",
        kind=K.DATE,
    )
    deceased: bool | None = field(
        B, "True when a date of death is recorded, false when none is (004 Art. 19).", kind=K.FLAG
    )
    missing: bool | None = field(
        B, "True when the person is declared missing (a missing-since date is recorded), else false; "
        "004 Art. 19.",
        kind=K.FLAG,
    )
    restricted: bool | None = field(
        B, "True when the subject restricted processing of their data (004 Art. 9.6), else false.", kind=K.FLAG
    )
    residence_province_code: str | None = field(
        B, "3-digit code of the current province of permanent residence (subgraphs.common.provinces); "
        "004 Art. 2.3.d.",
        kind=K.CODE,
    )


@strawberry.federation.type(
    keys=["personalId"],
    directives=[DataSubject(field="personalId", facts="protectionFacts")],
    description="A citizen in the national population database (CSDL quốc gia về dân cư); 003 Art. 10.3.b.",
)
class Person:
    personal_id: strawberry.ID = field(
        DataCategory.IDENTIFIER,
        "Personal identification number (số định danh cá nhân), 12 digits; 004 Art. 2.3.g; 003 Art. 10.3.a.",
        kind=K.IDENTIFIER,
    )
    full_name: str | None = field(
        B, "Full name as in the birth registration (họ, chữ đệm và tên); 004 Art. 2.3.a.", kind=K.NAME
    )
    other_names: list[str] | None = field(B, "Other names (tên gọi khác), if any; 004 Art. 2.3.a.", kind=K.NAME)
    date_of_birth: PartialDate | None = field(  # type: ignore[valid-type]
        B, "Date of birth, often only the year (YYYY, YYYY-MM or YYYY-MM-DD); 004 Art. 2.3.b; 003 Art. 10.3.b.",
        kind=K.DATE,
    )
    sex: Sex | None = field(B, "Sex (giới tính); 004 Art. 2.3.c; 003 Art. 10.3.b.", kind=K.CODE)
    place_of_birth: str | None = field(
        B, "Place of birth (nơi sinh); last segment is the province; 004 Art. 2.3.d.", kind=K.ADDRESS
    )
    place_of_birth_registration: str | None = field(
        B, "Place of birth registration (nơi đăng ký khai sinh); last segment is the province; 004 Art. 2.3.d; "
        "003 Art. 10.3.b.",
        kind=K.ADDRESS,
    )
    hometown: str | None = field(
        B, "Hometown (quê quán); last segment is the province; 004 Art. 2.3.d; 003 Art. 10.3.b.", kind=K.ADDRESS
    )
    ethnicity: str | None = field(
        DataCategory.ETHNIC_ORIGIN, "Ethnic group (dân tộc): sensitive, 004 Art. 2.4.c; 003 Art. 10.3.b.",
        kind=K.TEXT,
    )
    religion: str | None = field(
        DataCategory.RELIGION, "Religion (tôn giáo), null when none: sensitive, 004 Art. 2.4.a.", kind=K.TEXT
    )
    nationality: str | None = field(B, "Nationality (quốc tịch); 004 Art. 2.3.đ; 003 Art. 10.3.b.", kind=K.TEXT)
    marital_status: MaritalStatus | None = field(
        F, "Marital status (tình trạng hôn nhân); 004 Art. 2.3.h; 003 Art. 10.3.b.", kind=K.CODE
    )
    permanent_address: str | None = field(
        B, "Permanent residence (nơi thường trú); last segment is the province; 004 Art. 2.3.d; 003 Art. 10.3.b.",
        kind=K.ADDRESS,
    )
    temporary_address: str | None = field(
        B, "Temporary residence (nơi tạm trú), if any; last segment is the province; 004 Art. 2.3.d.",
        kind=K.ADDRESS,
    )
    current_address: str | None = field(
        B, "Current place of residence (nơi ở hiện tại); last segment is the province; 004 Art. 2.3.d; "
        "003 Art. 10.3.b.",
        kind=K.ADDRESS,
    )
    old_id_card_number: str | None = field(
        DataCategory.IDENTIFIER,
        "Former 9-digit identity card number (số chứng minh nhân dân), if any; 004 Art. 2.3.g; 003 Art. 10.3.b.",
        kind=K.IDENTIFIER,
    )
    date_of_death: PartialDate | None = field(  # type: ignore[valid-type]
        B, "Date of death (ngày chết), if deceased; 004 Art. 2.3.b, Art. 19; 003 Art. 10.2.e, 10.3.b.",
        kind=K.DATE,
    )
    missing_since: PartialDate | None = field(  # type: ignore[valid-type]
        B, "Date from which the person is missing (mất tích), if declared; 004 Art. 2.3.b; 003 Art. 10.2.đ.",
        kind=K.DATE,
    )
    processing_restricted: bool | None = field(
        B, "The subject asked to restrict processing of their data (quyền hạn chế xử lý dữ liệu), 004 Art. 9.6.",
        kind=K.FLAG,
    )
    record_source: RecordSourceKind | None = field(
        DataCategory.PUBLIC,
        "Where this record was established from: the citizen's declaration to the population database, or the "
        "civil status database through a birth registration (003 Art. 3.2, 11.1–11.2).",
        kind=K.CODE,
    )
    record_created_at: str | None = field(
        B, "When this record was created in the population database, ISO 8601 UTC (003 Art. 7.2; 000 Art. "
        "8.5.c).",
        kind=K.DATE,
    )
    record_updated_at: str | None = field(
        B, "When this record was last updated, ISO 8601 UTC: a civil status event reaches it through the "
        "exchange (003 Art. 7.2, 11.4; 000 Art. 8.5.c).",
        kind=K.DATE,
    )
    father_id: strawberry.Private[str | None] = None
    mother_id: strawberry.Private[str | None] = None
    spouse_id: strawberry.Private[str | None] = None
    province_code: strawberry.Private[str | None] = None

    @classified(F, "Father (cha), as a Person; 004 Art. 2.3.i; 003 Art. 10.3.b.", kind=K.REFERENCE)
    async def father(self, info: Info) -> Person | None:
        return await _load_optional(info, self.father_id)

    @classified(F, "Mother (mẹ), as a Person; 004 Art. 2.3.i; 003 Art. 10.3.b.", kind=K.REFERENCE)
    async def mother(self, info: Info) -> Person | None:
        return await _load_optional(info, self.mother_id)

    @classified(F, "Spouse (vợ hoặc chồng) while married, or the late spouse of a widow(er); 004 Art. 2.3.h–i; "
                   "003 Art. 10.3.b.", kind=K.REFERENCE)
    async def spouse(self, info: Info) -> Person | None:
        return await _load_optional(info, self.spouse_id)

    @classified(B, "What the gateway's row rules need to know about this person (docs/PROTECTION.md §2): date of "
                   "birth (004 Art. 20), deceased or missing (004 Art. 19), processing restriction (004 Art. 9.6), "
                   "province of residence. Computed from the person's own row: no further lookup.",
                kind=K.REFERENCE)
    def protection_facts(self) -> PersonProtectionFacts | None:
        return PersonProtectionFacts(
            birth_date=self.date_of_birth,
            deceased=self.date_of_death is not None,
            missing=self.missing_since is not None,
            restricted=self.processing_restricted,
            residence_province_code=self.province_code,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Person | None:
        """Entity resolution: batched with every other representation of the request (one ``IN`` query)."""
        personal_id = representation.get("personalId")
        problem = personal_id_problem(personal_id)  # type: ignore[arg-type]
        if problem:
            raise bad_user_input("representations", f"personalId {personal_id!r}: {problem}")
        return await _load_optional(info, personal_id)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Person:
        """Build a Person from a ``person`` row."""
        return cls(
            personal_id=strawberry.ID(row["personal_id"]),
            full_name=row["full_name"],
            other_names=list(row["other_names"] or []),
            date_of_birth=row["date_of_birth"],
            sex=Sex(row["sex"]) if row["sex"] else None,
            place_of_birth=row["place_of_birth"],
            place_of_birth_registration=row["place_of_birth_registration"],
            hometown=row["hometown"],
            ethnicity=row["ethnicity"],
            religion=row["religion"],
            nationality=row["nationality"],
            marital_status=MaritalStatus(row["marital_status"]) if row["marital_status"] else None,
            permanent_address=row["permanent_address"],
            temporary_address=row["temporary_address"],
            current_address=row["current_address"],
            old_id_card_number=row["old_id_card_number"],
            date_of_death=row["date_of_death"],
            missing_since=row["missing_since"],
            processing_restricted=bool(row["processing_restricted"]),
            father_id=row["father_id"],
            mother_id=row["mother_id"],
            spouse_id=row["spouse_id"],
            province_code=row["province_code"],
            record_source=RecordSourceKind(row["source"]) if row.get("source") else None,
            record_created_at=iso_utc(row.get("created_at")),
            record_updated_at=iso_utc(row.get("updated_at")),
        )


@strawberry.type(description="One result of searchPersons.")
class PersonEdge:
    cursor: str = field(DataCategory.PUBLIC, "Opaque position of this result (no personal data in it).", kind=K.CODE)
    # PUBLIC: the Person row carries its own categories and declares its own subject, so the edge needs none.
    node: Person | None = field(DataCategory.PUBLIC, "The person found.", kind=K.REFERENCE)


@strawberry.type(description="Paging state of a person search.")
class PersonPageInfo:
    has_next_page: bool = field(DataCategory.PUBLIC, "Whether more results follow endCursor.", kind=K.FLAG)
    end_cursor: str | None = field(DataCategory.PUBLIC, "Cursor of the last edge; pass it as `after`.", kind=K.CODE)


@strawberry.type(description="A page of persons found by name (cursor paging).")
class PersonConnection:
    # PUBLIC references to rows that declare their own subjects (docs/PROTECTION.md §1): no subject here.
    edges: list[PersonEdge] | None = field(
        DataCategory.PUBLIC, "Persons of this page, in personal id order.", kind=K.REFERENCE
    )
    page_info: PersonPageInfo = field(DataCategory.PUBLIC, "Paging state.", kind=K.REFERENCE)


def _loaders(info: Info) -> PopulationLoaders:
    return info.context.loaders


async def _load_optional(info: Info, personal_id: str | None) -> Person | None:
    if personal_id is None:
        return None
    row = await _loaders(info).person.load(personal_id)
    return Person.from_row(row) if row is not None else None


def encode_cursor(offset: int) -> str:
    """Cursors carry an offset, never a name or an id, so they are PUBLIC."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """Offset following ``cursor``; BAD_USER_INPUT on anything this subgraph did not issue."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        offset = int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad_user_input("after", "not a cursor returned by searchPersons") from None
    if kind != "o" or not 0 <= offset < MAX_OFFSET:
        raise bad_user_input("after", f"not a cursor returned by searchPersons (at most {MAX_OFFSET} results)")
    return offset + 1


@strawberry.type
class Query:
    @classified(B, "The person with this personal identification number, or null; 003 Art. 10.3.", kind=K.REFERENCE)
    async def person(self, info: Info, personal_id: strawberry.ID) -> Person | None:
        return await _load_optional(info, check_personal_id(personal_id, "personalId"))

    @classified(B, f"Persons by personal identification number (at most {MAX_IDS}), in the order given, null for "
                   "unknown ids; 003 Art. 10.3.", kind=K.REFERENCE)
    async def persons(self, info: Info, personal_ids: list[strawberry.ID]) -> list[Person | None] | None:
        ids = check_personal_ids(personal_ids, "personalIds", limit=MAX_IDS)
        rows = await _loaders(info).person.load_many(ids)
        return [Person.from_row(row) if row is not None else None for row in rows]

    @classified(B, "Persons whose full name contains the words of `name` (accents and case ignored), optionally "
                   "born in `birthYear` and living in `provinceCode` (current or former 3-digit code); 003 Art. 10.3.",
                kind=K.REFERENCE)
    async def search_persons(
        self,
        info: Info,
        name: str,
        birth_year: int | None = strawberry.UNSET,
        province_code: str | None = strawberry.UNSET,
        first: int | None = 20,
        after: str | None = strawberry.UNSET,
    ) -> PersonConnection | None:
        # UNSET defaults keep the SDL exactly `birthYear: Int`; an explicit null means "not given" as well.
        birth_year, province_code, after = (
            None if value is strawberry.UNSET else value for value in (birth_year, province_code, after)
        )
        first = 20 if first is None else first
        if len(name) > MAX_NAME_LENGTH or not normalize_name(name):
            raise bad_user_input("name", f"give 1 to {MAX_NAME_LENGTH} characters with at least one letter")
        if birth_year is not None:
            check_range(birth_year, "birthYear", 1850, dt.date.today().year)
        province = None
        if province_code is not None:
            if province_code not in BY_ID_CODE:
                raise bad_user_input("provinceCode", f"'{province_code}' is not a province code")
            province = BY_ID_CODE[province_code].code  # a former code means the province that absorbed it
        check_range(first, "first", 1, MAX_PAGE)
        offset = decode_cursor(after) if after is not None else 0
        rows = await search_persons(
            info.context.db, name, birth_year=birth_year, province_code=province, offset=offset, limit=first + 1
        )
        edges = [PersonEdge(cursor=encode_cursor(offset + i), node=Person.from_row(r)) for i, r in enumerate(rows)]
        page = edges[:first]
        return PersonConnection(
            edges=page,
            page_info=PersonPageInfo(has_next_page=len(edges) > first, end_cursor=page[-1].cursor if page else None),
        )


schema = strawberry.federation.Schema(
    query=Query, types=[Person], extensions=schema_extensions(), execution_context_class=SubgraphExecutionContext
)
