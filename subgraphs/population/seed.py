"""Seed writer of the population subgraph: one ``person`` row per ``SeedPerson`` (see subgraphs.seed.world).

Every row says where it came from and when it was recorded (003 Art. 3.2, 7.2; 000 Art. 8.5.c): seeded persons
were collected by the population database itself (RESIDENT_DECLARATION); the record was created when the national
population database went live (1 July 2021) or, for a person born later, on the day of birth, and last updated on
the day of death if any. The times are functions of the person (same rows on every seeding path).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

from subgraphs.seed.bulk import bulk_insert
from subgraphs.seed.world import SeedPerson

from .models import PERSON, RecordSource, normalize_name

DATABASE_LIVE = dt.datetime(2021, 7, 1, 1, 0, tzinfo=dt.UTC)  # the national population database went live
_RESIDENT = RecordSource.RESIDENT_DECLARATION.value


@lru_cache(maxsize=65_536)  # a million persons share a few tens of thousands of dates
def recorded_at(date: str | None) -> dt.datetime:
    """When a record dated ``date`` (a partial date, or none) entered the database: not before it went live."""
    if date is None or len(date) < 10:
        return DATABASE_LIVE
    when = dt.datetime(int(date[:4]), int(date[5:7]), int(date[8:10]), 2, 0, tzinfo=dt.UTC)  # 09:00 in Viet Nam
    return max(when, DATABASE_LIVE)

# The population database names the current spouse (or the late one of a widow(er)); a former spouse after a
# divorce lives only in the civil status records (003 Art. 10.2.b).
_SPOUSE_KEPT = frozenset({"MARRIED", "WIDOWED"})


def person_row(p: SeedPerson) -> dict[str, Any]:
    """The ``person`` row of a seed person."""
    return {
        "personal_id": p.personal_id,
        "full_name": p.full_name,
        "name_search": normalize_name(p.full_name),
        "other_names": list(p.other_names),
        "date_of_birth": p.date_of_birth,
        "birth_year": p.birth_year,
        "sex": p.sex,
        "place_of_birth": p.place_of_birth,
        "place_of_birth_registration": p.birth_registration_place,
        "hometown": p.hometown,
        "ethnicity": p.ethnicity,
        "religion": p.religion,
        "nationality": p.nationality,
        "marital_status": p.marital_status,
        "permanent_address": p.permanent_address,
        "temporary_address": p.temporary_address,
        "current_address": p.current_address,
        "province_code": p.province_code,
        "old_id_card_number": p.old_id_card_number,
        "date_of_death": p.date_of_death,
        "missing_since": p.missing_since,
        "father_id": p.father_id,
        "mother_id": p.mother_id,
        "spouse_id": p.spouse_id if p.marital_status in _SPOUSE_KEPT else None,
        "processing_restricted": p.processing_restricted,
        "source": _RESIDENT,
        "created_at": recorded_at(p.date_of_birth),
        "updated_at": max(recorded_at(p.date_of_birth), recorded_at(p.date_of_death)),
    }


def write_people(conn: Connection, people: Sequence[SeedPerson], rng: random.Random) -> int:
    """Insert ``people`` into ``person``. ``rng`` is unused: this table is a projection of the world itself."""
    del rng
    return bulk_insert(conn, PERSON, [person_row(p) for p in people])


def write_extras(conn: Connection, rng: random.Random, n_people: int) -> int:
    """Nothing beyond persons lives in the population database."""
    del conn, rng, n_people
    return 0
