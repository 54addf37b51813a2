"""Tables of the civil-status subgraph (CSDL hộ tịch điện tử), on their own SQLModel registry.

One row per registered civil status event (003 Art. 3.1): single-table inheritance, the ``kind`` column selects
which of the kind-specific columns are meaningful. One wide table, not one table per kind, because every read
of a person's events must be ONE statement whatever kinds it holds (batched ``_entities``), and because the
registration metadata common to every kind (number, book, date, authority, signer) is most of the row anyway.

Persons involved are personal ids, not foreign keys: the persons live in the population database (003 Art. 10).
``civil_status_party`` indexes every event under each person whose civil status it changes (003 Art. 7.1: the
individual and the father, mother, spouse, guardian...), so "the events of person X" is one indexed join.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, false
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from subgraphs.common.outbox import inbox_table, outbox_table
from subgraphs.common.write_keys import write_keys_table


class Base(SQLModel, registry=registry()):
    """Base of this subgraph's tables; its own registry keeps them out of the other subgraphs' metadata."""


_ID = 12  # personal identification number (số định danh cá nhân)
_NAME = 100
_PLACE = 250


class CivilStatusEventRow(Base, table=True):
    """A civil status event as entered in the civil status book (Sổ hộ tịch) and the electronic database."""

    __tablename__ = "civil_status_event"
    __table_args__ = (
        Index("ix_civil_status_event_subject_id", "subject_id"),
        # Registration numbers are unique within a book, not nationally: the index is not unique and the root
        # field `civilStatusRecords` returns a list.
        Index("ix_civil_status_event_registration_number", "registration_number"),
        Index("ix_civil_status_event_province_date", "registration_province_code", "registration_date"),
    )

    # Assigned by the writer (seed, registration software), never by a sequence: ids must be known before the
    # party rows that reference them are written in the same executemany batch.
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind: str = Field(max_length=32)  # CivilStatusEventKind value
    # Null only for a birth registered here whose child has no personal identification number yet: population
    # issues it and its ``population.person_created`` event links the registration (003 Art. 11.1).
    subject_id: str | None = Field(default=None, max_length=_ID)
    # Registration metadata common to every kind (003 Art. 3.1.a: "số đăng ký, quyển số, ngày, tháng, năm đăng
    # ký, tên cơ quan đăng ký ...; họ tên, chức vụ của người ký").
    registration_number: str = Field(max_length=40)
    book_number: str | None = Field(default=None, max_length=20)
    registration_date: str = Field(max_length=10)  # PartialDate: old books often give only the year
    registering_authority: str = Field(max_length=200)
    registration_province_code: str = Field(max_length=3)  # current province (003 Art. 8.4 scoping)
    # Registered at a Vietnamese representative mission abroad (Cơ quan đại diện): the records the foreign affairs
    # body exploits (003 Art. 8.3). False for the registration bodies in Viet Nam.
    registered_at_mission: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    signer_name: str | None = Field(default=None, max_length=_NAME)
    signer_title: str | None = Field(default=None, max_length=_NAME)

    # BIRTH (003 Art. 3.1.a): the information established at birth registration.
    full_name: str | None = Field(default=None, max_length=_NAME)
    date_of_birth: str | None = Field(default=None, max_length=10)
    sex: str | None = Field(default=None, max_length=6)
    place_of_birth: str | None = Field(default=None, max_length=_PLACE)
    ethnicity: str | None = Field(default=None, max_length=40)
    nationality: str | None = Field(default=None, max_length=60)
    hometown: str | None = Field(default=None, max_length=_PLACE)
    father_id: str | None = Field(default=None, max_length=_ID)
    mother_id: str | None = Field(default=None, max_length=_ID)
    declarant_name: str | None = Field(default=None, max_length=_NAME)
    declarant_id: str | None = Field(default=None, max_length=_ID)
    declarant_relationship: str | None = Field(default=None, max_length=40)

    # MARRIAGE.
    husband_id: str | None = Field(default=None, max_length=_ID)
    wife_id: str | None = Field(default=None, max_length=_ID)

    # MARITAL_STATUS_CONFIRMATION (Giấy xác nhận tình trạng hôn nhân).
    confirmed_marital_status: str | None = Field(default=None, max_length=8)
    intended_use: str | None = Field(default=None, max_length=200)
    valid_until: str | None = Field(default=None, max_length=10)

    # GUARDIANSHIP / GUARDIANSHIP_END.
    guardian_id: str | None = Field(default=None, max_length=_ID)
    guardianship_basis: str | None = Field(default=None, max_length=16)

    # PARENT_CHILD_RECOGNITION: the subject is the child.
    parent_id: str | None = Field(default=None, max_length=_ID)
    parent_role: str | None = Field(default=None, max_length=8)

    # ADOPTION: the subject is the adopted child.
    adoptive_father_id: str | None = Field(default=None, max_length=_ID)
    adoptive_mother_id: str | None = Field(default=None, max_length=_ID)

    # CHANGE / CORRECTION / SUPPLEMENT / ETHNICITY_REDETERMINATION; `reason` also ends a guardianship.
    changed_item: str | None = Field(default=None, max_length=20)
    old_value: str | None = Field(default=None, max_length=_PLACE)
    new_value: str | None = Field(default=None, max_length=_PLACE)
    reason: str | None = Field(default=None, max_length=_PLACE)

    # DEATH.
    date_of_death: str | None = Field(default=None, max_length=10)
    place_of_death: str | None = Field(default=None, max_length=_PLACE)
    cause_of_death: str | None = Field(default=None, max_length=200)

    # COURT_DECISION_RECORDING and FOREIGN_EVENT_RECORDING.
    court: str | None = Field(default=None, max_length=200)
    decision_number: str | None = Field(default=None, max_length=40)
    decision_date: str | None = Field(default=None, max_length=10)
    decision_kind: str | None = Field(default=None, max_length=32)
    recorded_event: str | None = Field(default=None, max_length=32)
    foreign_country: str | None = Field(default=None, max_length=60)
    foreign_authority: str | None = Field(default=None, max_length=200)
    foreign_document_number: str | None = Field(default=None, max_length=40)
    foreign_document_date: str | None = Field(default=None, max_length=10)
    other_party_id: str | None = Field(default=None, max_length=_ID)  # ex-spouse, spouse married abroad...
    # FOREIGN_EVENT_RECORDING: who asked for the recording (003 Art. 3.1.b, người yêu cầu ghi chú).
    requester_id: str | None = Field(default=None, max_length=_ID)
    requester_name: str | None = Field(default=None, max_length=_NAME)

    # BIRTH: the legal representative the population database shares for persons born before 2016 (003 Art.
    # 10.3.b).
    legal_representative_id: str | None = Field(default=None, max_length=_ID)
    legal_representative_name: str | None = Field(default=None, max_length=_NAME)

    # Identity papers (giấy tờ tùy thân) of the persons involved, by role (FATHER, MOTHER, DECLARANT,
    # REQUESTER): {"kind", "number", "issuingAuthority", "issuingCountry", "issueDate", "holderName",
    # "holderNationality"} (003 Art. 3.1.a, 3.1.b). A document per event, not columns: a birth has up to three,
    # most kinds none, and the read stays one row. Absent keys keep it small (a million births' worth is loaded
    # by COPY): no issuingCountry means Việt Nam, no holderName a holder named by their Person; a declarant who
    # is the father or mother showed the paper recorded for that parent, unless one is recorded as DECLARANT.
    identity_papers: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))

    # Every record: where it came from (003 Art. 3.2, CivilStatusRecordSource), the scanned page of the book
    # for digitised records (003 Art. 3.1.d), and when it was created and last updated in the database (003
    # Art. 7.2; 000 Art. 8.5.c).
    source: str = Field(max_length=24)
    register_page_scan: str | None = Field(default=None, max_length=200)
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class CivilStatusPartyRow(Base, table=True):
    """Index of events by every person whose civil status they record (subject, spouses, parents in a
    recognition or adoption, guardian). Birth parents are NOT indexed: a child's birth is not an event of the
    parent's own civil status (they are reachable from ``BirthRegistration.father/mother``)."""

    __tablename__ = "civil_status_party"
    __table_args__ = (Index("ix_civil_status_party_personal_id", "personal_id", "event_id"),)

    event_id: int = Field(primary_key=True, foreign_key="civil_status_event.id")
    personal_id: str = Field(primary_key=True, max_length=_ID)
    role: str = Field(max_length=20)


# Change events for the population database, written in the transaction of the registration (003 Art. 10.2,
# 11.1-11.2; subgraphs.common.outbox), and the ids of the population events this database has applied.
OUTBOX = outbox_table(Base.metadata, "civil_status")
INBOX = inbox_table(Base.metadata, "civil_status")
# the gateway's write keys with the first result of each registration: a retry writes nothing (write_keys)
WRITE_KEYS = write_keys_table(Base.metadata, "civil_status")

EVENT = CivilStatusEventRow.__table__  # type: ignore[attr-defined]
PARTY = CivilStatusPartyRow.__table__  # type: ignore[attr-defined]
EVENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENT.columns)
