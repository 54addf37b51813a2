"""The synthetic population every subgraph's seed writer derives its records from.

``subgraphs.seed`` generates people in chunks (families never split across chunks) and hands each chunk to
``subgraphs.<name>.seed.write_people(conn, people, rng)``; afterwards ``write_extras(conn, rng, n_people)`` adds
what does not hang off a person (legal entities, foreigners...). ``conn`` is a synchronous SQLAlchemy
``Connection`` inside a transaction; ``rng`` is a ``random.Random`` seeded from (seed, subgraph, chunk index), so
a given ``--seed`` always yields the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class SeedPerson:
    personal_id: str  # 12 digits: province code of birth registration, century+sex, yy, 6 digits
    full_name: str
    sex: str  # "MALE" | "FEMALE"
    date_of_birth: str  # partial date: "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    birth_year: int
    province_code: str  # current province (subgraphs.common.provinces) of permanent residence
    birth_province_code: str  # current province of birth registration
    place_of_birth: str
    birth_registration_place: str
    hometown: str
    ethnicity: str
    religion: str | None
    nationality: str  # "Việt Nam" for citizens
    marital_status: str  # "SINGLE" | "MARRIED" | "DIVORCED" | "WIDOWED"
    permanent_address: str  # "..., <ward>, <province name>"; the province is always the last segment
    temporary_address: str | None
    current_address: str
    old_id_card_number: str | None  # 9-digit CMND, people born before ~2000
    date_of_death: str | None = None
    missing_since: str | None = None
    father_id: str | None = None
    mother_id: str | None = None
    # The spouse of the marriage described by marriage_date: current (MARRIED), late (WIDOWED: date_of_death is
    # set on the spouse) or former (DIVORCED: divorce_date is set). population keeps it only while MARRIED/WIDOWED.
    spouse_id: str | None = None
    marriage_date: str | None = None  # when marital_status is MARRIED/DIVORCED/WIDOWED
    divorce_date: str | None = None
    other_names: list[str] = field(default_factory=list)
    processing_restricted: bool = False  # 004 Art. 9.6: the subject asked to restrict processing
