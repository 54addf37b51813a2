"""Argument values for generated operations: ids that exist in the seeded data, ids that do not, and malformed
ids that the subgraphs reject with ``BAD_USER_INPUT``. Read straight from the seeded SQLite database (ordered,
so the same seed gives the same pools)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Pools:
    person_ids: list[str]
    sentence_ids: list[str]
    legal_entity_ids: list[str]
    event_ids: list[str]
    registration_numbers: list[str]
    foreign_codes: list[str]
    province_codes: list[str]
    registration_years: list[int]
    name_fragments: list[str]
    unknown: dict[str, str] = field(default_factory=dict)
    malformed: dict[str, str] = field(default_factory=dict)


def _column(conn: sqlite3.Connection, sql: str) -> list:
    return [row[0] for row in conn.execute(sql)]


def read_pools(database: Path) -> Pools:
    """Pools from the seeded database file."""
    conn = sqlite3.connect(database)
    try:
        person_ids = _column(conn, "SELECT personal_id FROM person ORDER BY personal_id")
        offenders = _column(conn, "SELECT DISTINCT offender_personal_id FROM sentence "
                                  "WHERE offender_personal_id IS NOT NULL ORDER BY 1")
        subjects = _column(conn, "SELECT DISTINCT personal_id FROM civil_status_party ORDER BY 1 LIMIT 60")
        names = _column(conn, "SELECT full_name FROM person ORDER BY personal_id LIMIT 40")
        return Pools(
            # people with sentences and civil status events come first, so hops return data
            person_ids=list(dict.fromkeys([*offenders, *subjects, *person_ids[:80]])),
            sentence_ids=[str(v) for v in _column(conn, "SELECT id FROM sentence ORDER BY id")],
            legal_entity_ids=[str(v) for v in _column(conn, "SELECT id FROM legal_entity ORDER BY id")],
            event_ids=[str(v) for v in _column(conn, "SELECT id FROM civil_status_event ORDER BY id LIMIT 80")],
            registration_numbers=_column(conn, "SELECT DISTINCT registration_number FROM civil_status_event "
                                               "ORDER BY 1 LIMIT 60"),
            foreign_codes=_column(conn, "SELECT identification_code FROM foreign_offender ORDER BY 1"),
            province_codes=_column(conn, "SELECT DISTINCT registration_province_code FROM civil_status_event "
                                         "ORDER BY 1 LIMIT 10"),
            registration_years=[int(y) for y in _column(
                conn, "SELECT DISTINCT substr(registration_date, 1, 4) FROM civil_status_event ORDER BY 1 DESC LIMIT 6")],
            name_fragments=sorted({n.split()[-1] for n in names if n} | {n.split()[0] for n in names if n}),
            unknown={"personalId": "001099000001", "id": "999999", "registrationNumber": "KHONG-CO/0000",
                     "identificationCode": "ZZ0000000"},
            malformed={"personalId": "12-34", "id": "not-an-id", "registrationNumber": "",
                       "identificationCode": ""},
        )
    finally:
        conn.close()
