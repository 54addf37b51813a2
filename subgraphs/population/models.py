"""Tables of the population subgraph (CSDL quốc gia về dân cư), on their own SQLModel registry.

One row per citizen. Columns follow the basic personal data of Decree 13/2023 Art. 2.3 and what the population
database shares with the civil status database (003 Art. 10.3.b). Relations to father, mother and spouse are
personal ids (not foreign keys: a parent may be unknown to this database or loaded in a later chunk).
"""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime
from functools import lru_cache

from sqlalchemy import JSON, Column, Index
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from subgraphs.common.db import timestamp_field
from subgraphs.common.outbox import inbox_table, outbox_table

from .restrictions import restriction_table


class Base(SQLModel, registry=registry()):
    """Base of this subgraph's tables; its own registry keeps them out of the other subgraphs' metadata."""


class RecordSource(enum.Enum):
    """Where a person record was established from (003 Art. 3.2 names the sources of the civil status database;
    the population database's own are the citizen's declaration and the civil status database, 003 Art. 11.2)."""

    RESIDENT_DECLARATION = "RESIDENT_DECLARATION"  # collected by the population database itself
    CIVIL_STATUS_DATABASE = "CIVIL_STATUS_DATABASE"  # created from a birth registration (003 Art. 11.1-11.2)


class PersonRow(Base, table=True):
    """A person in the national population database."""

    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_birth_year", "birth_year"),
        Index("ix_person_province_code", "province_code"),
        # searchPersons' infix LIKE: a pg_trgm GIN index on PostgreSQL (migration 0002). SQLite has no such index
        # type and gets a plain b-tree of the same name, so that one model describes both schemas.
        Index(
            "ix_person_name_trgm", "name_search", postgresql_using="gin", postgresql_ops={"name_search": "gin_trgm_ops"}
        ),
    )

    personal_id: str = Field(primary_key=True, max_length=12)
    full_name: str = Field(max_length=100)
    # " nguyen van an ": lower case, no diacritics, padded with spaces so that a search for whole words is
    # `LIKE '% van an %'` on every database (see normalize_name); on PostgreSQL a pg_trgm GIN index serves it.
    name_search: str = Field(max_length=110)
    other_names: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    date_of_birth: str | None = Field(default=None, max_length=10)
    birth_year: int | None = None
    sex: str | None = Field(default=None, max_length=6)
    place_of_birth: str | None = Field(default=None, max_length=200)
    place_of_birth_registration: str | None = Field(default=None, max_length=200)
    hometown: str | None = Field(default=None, max_length=200)
    ethnicity: str | None = Field(default=None, max_length=40)
    religion: str | None = Field(default=None, max_length=40)
    nationality: str | None = Field(default=None, max_length=60)
    marital_status: str | None = Field(default=None, max_length=8)
    permanent_address: str | None = Field(default=None, max_length=250)
    temporary_address: str | None = Field(default=None, max_length=250)
    current_address: str | None = Field(default=None, max_length=250)
    # Current province (3-digit code, subgraphs.common.provinces) of the permanent address: the filter of
    # searchPersons(provinceCode:).
    province_code: str | None = Field(default=None, max_length=3)
    old_id_card_number: str | None = Field(default=None, max_length=12)
    date_of_death: str | None = Field(default=None, max_length=10)
    missing_since: str | None = Field(default=None, max_length=10)
    father_id: str | None = Field(default=None, max_length=12)
    mother_id: str | None = Field(default=None, max_length=12)
    spouse_id: str | None = Field(default=None, max_length=12)
    processing_restricted: bool = Field(default=False)
    # Provenance and times (003 Art. 3.2, 7.2; 000 Art. 8.5.c). The database fills them when an insert leaves them
    # out, so the seed's COPY writes them without a Python step per row.
    source: str = Field(default=RecordSource.RESIDENT_DECLARATION.value, max_length=30,
                        sa_column_kwargs={"server_default": RecordSource.RESIDENT_DECLARATION.value})
    # The birth registration id a CIVIL_STATUS_DATABASE record was created from: at most one person per
    # registration, whatever the exchange redelivers.
    source_reference: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


PERSON = PersonRow.__table__  # type: ignore[attr-defined]
OUTBOX = outbox_table(Base.metadata, "population")  # population.person_created (subgraphs.common.outbox)
INBOX = inbox_table(Base.metadata, "population")  # civil status events applied (subgraphs.population.exchange)
RESTRICTION = restriction_table(Base.metadata)  # 004 Art. 9.6: since when and why (subgraphs.population.restrictions)


@lru_cache(maxsize=65_536)  # names repeat a lot (seeding a million rows, search arguments)
def normalize_name(name: str) -> str:
    """Lower case, without diacritics (đ → d), single-spaced and padded with one space on both sides, so that
    ``" van an "`` matches whole words of ``" nguyen van an "`` whatever the accents typed."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    words = "".join(ch if ch.isalnum() else " " for ch in bare).split()
    return f" {' '.join(words)} " if words else ""
