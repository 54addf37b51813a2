"""Tables of the criminal judgment enforcement database (000 Art. 8), on this subgraph's own registry.

Enumerated columns hold the names of the enums in :mod:`.enums` as strings (portable between SQLite and
PostgreSQL, and a new enum value needs no ALTER TYPE). Child rows (charges, penalties, civil obligations,
enforcement events) belong either to a natural person's ``sentence`` or to a ``legal_entity_sentence``; a CHECK
keeps exactly one owner.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, MetaData, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from subgraphs.common.db import timestamp_field
from subgraphs.common.outbox import outbox_table
from subgraphs.common.write_keys import write_keys_table

# Named constraints, so that Alembic batch migrations on SQLite can address them later.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(SQLModel, registry=registry(metadata=MetaData(naming_convention=NAMING))):
    """Base of the sentences subgraph's tables (a registry of its own: the three subgraphs never share tables)."""


class _Recorded(Base):
    """Where a record came from and when this database created and last changed it, on every table.

    ``source`` is one of :class:`.enums.RecordSource` (000 Art. 9.1: reports, case files, the national aggregate
    database, other lawful sources; Art. 10.1: the origin of electronic data must be identifiable) and
    ``source_agency`` the body that supplied it (000 Art. 9.3: it answers for its accuracy). ``created_at`` and
    ``updated_at`` (UTC) let a supervisor check that a change was recorded within 24 hours (000 Art. 8.5.c); the
    database fills them (and ``source``) when an insert does not, so the seed's COPY leaves them out."""

    source: str = Field(default="CASE_FILE", max_length=30, sa_column_kwargs={"server_default": "CASE_FILE"})
    source_agency: str | None = Field(default=None, max_length=300)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


class FacilityRow(_Recorded, table=True):
    """A body enforcing sentences: prison, detention centre, provincial enforcement agency (000 Art. 2.2)."""

    __tablename__ = "facility"
    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    province_code: str = Field(max_length=3)
    managing_authority: str = Field(max_length=200)


class JudgmentRow(_Recorded, table=True):
    """The judgment or decision enforced (000 Art. 8.2.a, 8.3.a)."""

    __tablename__ = "judgment"
    id: str = Field(primary_key=True, max_length=32)
    kind: str = Field(max_length=20)
    trial_level: str = Field(max_length=20)
    number: str = Field(max_length=60)
    issued_on: date
    effective_on: date
    court_name: str = Field(max_length=200)
    court_province_code: str = Field(max_length=3)


class ForeignOffenderRow(_Recorded, table=True):
    """A foreigner serving a sentence, keyed by passport number or identification code (000 Art. 8.2.c)."""

    __tablename__ = "foreign_offender"
    identification_code: str = Field(primary_key=True, max_length=40)
    id_kind: str = Field(max_length=30)
    full_name: str = Field(max_length=200)
    nationality: str = Field(max_length=100)
    date_of_birth: str | None = Field(default=None, max_length=10)
    sex: str | None = Field(default=None, max_length=10)


class LegalEntityRow(_Recorded, table=True):
    """A commercial legal entity serving a sentence (000 Art. 8.3.b)."""

    __tablename__ = "legal_entity"
    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=300)
    enterprise_code: str = Field(max_length=20, index=True)
    province_code: str = Field(max_length=3)
    head_office_address: str = Field(max_length=300)
    legal_representative: str | None = Field(default=None, max_length=200)
    # The representative's personal id (a Person of the population database): the entity's data subject.
    legal_representative_personal_id: str | None = Field(default=None, max_length=12)


class SentenceRow(_Recorded, table=True):
    """One natural person's sentence under one ruling: background, offence, facility, status (000 Art. 8.2)."""

    __tablename__ = "sentence"
    __table_args__ = (
        CheckConstraint(
            "(offender_personal_id IS NULL) <> (foreign_offender_code IS NULL)", name="one_offender"
        ),
    )
    id: str = Field(primary_key=True, max_length=32)
    judgment_id: str = Field(foreign_key="judgment.id", max_length=32)
    offender_personal_id: str | None = Field(default=None, max_length=12, index=True)
    foreign_offender_code: str | None = Field(
        default=None, foreign_key="foreign_offender.identification_code", max_length=40, index=True
    )
    offence_summary: str = Field(sa_type=Text)
    offence_date: date
    minor_at_offence: bool = False
    name_at_judgment: str = Field(max_length=200)
    aliases: str | None = Field(default=None, max_length=200)
    occupation: str | None = Field(default=None, max_length=200)
    education_level: str | None = Field(default=None, max_length=20)
    prior_convictions: int = 0
    residence_at_judgment: str | None = Field(default=None, max_length=300)
    facility_id: str | None = Field(default=None, foreign_key="facility.id", max_length=32)
    supervising_authority: str | None = Field(default=None, max_length=300)
    enforcement_started_on: date | None = None
    expected_end_on: date | None = None
    status: str = Field(max_length=40)
    province_code: str = Field(max_length=3)
    start_year: int = Field(index=True)
    end_year: int | None = None
    residence_after_release: str | None = Field(default=None, max_length=300)
    workplace_after_release: str | None = Field(default=None, max_length=300)


class LegalEntitySentenceRow(_Recorded, table=True):
    """A commercial legal entity's sentence under one ruling (000 Art. 8.3)."""

    __tablename__ = "legal_entity_sentence"
    id: str = Field(primary_key=True, max_length=32)
    legal_entity_id: str = Field(foreign_key="legal_entity.id", max_length=32, index=True)
    judgment_id: str = Field(foreign_key="judgment.id", max_length=32)
    offence_summary: str = Field(sa_type=Text)
    enforcing_authority: str = Field(max_length=300)
    status: str = Field(max_length=40)
    province_code: str = Field(max_length=3)
    start_year: int = Field(index=True)
    end_year: int | None = None


_ONE_OWNER = "(sentence_id IS NULL) <> (entity_sentence_id IS NULL)"


class _OwnedRow(_Recorded):
    """Columns of a row that belongs to exactly one sentence of a person or of a legal entity (``one_owner``
    check in each table), kept in the judgment's order (``position``)."""

    id: int | None = Field(default=None, primary_key=True)
    sentence_id: str | None = Field(default=None, foreign_key="sentence.id", max_length=32, index=True)
    entity_sentence_id: str | None = Field(
        default=None, foreign_key="legal_entity_sentence.id", max_length=32, index=True
    )
    position: int


class ChargeRow(_OwnedRow, table=True):
    """A crime the offender was convicted of, by Criminal Code article, clause and point (000 Art. 8.2.a)."""

    __tablename__ = "charge"
    __table_args__ = (CheckConstraint(_ONE_OWNER, name="one_owner"),)
    article: int
    clause: int | None = None
    point: str | None = Field(default=None, max_length=4)
    offence_name: str = Field(max_length=300)


class PenaltyRow(_OwnedRow, table=True):
    """A principal or additional penalty, or a judicial measure (``role``), 000 Art. 8.2.a, 8.2.đ."""

    __tablename__ = "penalty"
    __table_args__ = (CheckConstraint(_ONE_OWNER, name="one_owner"),)
    role: str = Field(max_length=12)  # PRINCIPAL | ADDITIONAL | MEASURE
    kind: str = Field(max_length=40)
    term_months: int | None = None
    amount: int | None = Field(default=None, sa_type=BigInteger)
    suspended: bool = False
    probation_months: int | None = None
    details: str | None = Field(default=None, sa_type=Text)
    medical_ground: str | None = Field(default=None, sa_type=Text)


class CivilObligationRow(_OwnedRow, table=True):
    """A civil obligation in the criminal judgment (000 Art. 8.2.đ, 8.3.c)."""

    __tablename__ = "civil_obligation"
    __table_args__ = (CheckConstraint(_ONE_OWNER, name="one_owner"),)
    description: str = Field(max_length=300)
    amount: int = Field(sa_type=BigInteger)
    amount_paid: int = Field(default=0, sa_type=BigInteger)
    beneficiary: str = Field(max_length=300)
    beneficiary_kind: str = Field(max_length=20)
    status: str = Field(max_length=30)


class EnforcementEventRow(_OwnedRow, table=True):
    """One step in the course of enforcement (000 Art. 8.2.e for persons, 8.3.d for legal entities)."""

    __tablename__ = "enforcement_event"
    __table_args__ = (CheckConstraint(_ONE_OWNER, name="one_owner"),)
    kind: str = Field(max_length=40)
    event_date: date
    decision_number: str | None = Field(default=None, max_length=60)
    authority: str = Field(max_length=300)
    note: str | None = Field(default=None, sa_type=Text)
    health_ground: str | None = Field(default=None, sa_type=Text)
    months_reduced: int | None = None
    facility_id: str | None = Field(default=None, foreign_key="facility.id", max_length=32)
    successor_name: str | None = Field(default=None, max_length=300)


class FacilityResourcesRow(_Recorded, table=True):
    """A facility's staff, premises and equipment as reported for one period (000 Art. 8.1.c; reports are a
    source under Art. 9.1.a)."""

    __tablename__ = "facility_resources"
    id: str = Field(primary_key=True, max_length=48)
    facility_id: str = Field(foreign_key="facility.id", max_length=32, index=True)
    reported_on: date
    staff: int  # nhân lực: officers and employees
    capacity: int  # cơ sở vật chất: persons the premises are built to hold
    persons_held: int | None = None
    floor_area_m2: int | None = None  # accommodation floor area
    notes: str | None = Field(default=None, sa_type=Text)


class FacilityEquipmentRow(_Recorded, table=True):
    """One kind of technical or professional equipment in a resources report (000 Art. 8.1.c)."""

    __tablename__ = "facility_equipment"
    id: int | None = Field(default=None, primary_key=True)
    report_id: str = Field(foreign_key="facility_resources.id", max_length=48, index=True)
    position: int
    kind: str = Field(max_length=40)
    quantity: int
    in_working_order: int | None = None


class StatusChangeRow(_OwnedRow, table=True):
    """One entry of a sentence's status history: the status it entered, when, and the event that caused it
    (000 Art. 8.1.b: tình hình, kết quả thi hành án)."""

    __tablename__ = "status_change"
    __table_args__ = (CheckConstraint(_ONE_OWNER, name="one_owner"),)
    status: str = Field(max_length=40)
    since: date
    cause: str | None = Field(default=None, max_length=40)  # the enforcement event kind; None: the ruling itself
    decision_number: str | None = Field(default=None, max_length=60)


OUTBOX = outbox_table(Base.metadata, "sentences")  # change events for the other databases (000 Art. 8.5.d; subgraphs.common.outbox)
WRITE_KEYS = write_keys_table(Base.metadata, "sentences")  # a retried write returns its first result (write_keys)

TABLES = Base.metadata.tables
