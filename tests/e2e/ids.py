"""Ids for each case, picked by querying the seeded SQLite database (tables of the three subgraphs)."""

from __future__ import annotations

import datetime as dt

from tests.e2e.support import E2EStack

# A person "visible" to any purpose: alive, not missing, no processing restriction.
_VISIBLE = "p.date_of_death IS NULL AND p.missing_since IS NULL AND p.processing_restricted = 0"
HOME_PROVINCE = "001"  # stp-ha-noi, ubnd-phuong-hoan-kiem


def _one(e2e: E2EStack, sql: str, *params: object) -> str:
    rows = e2e.rows(sql, params)
    assert rows, f"the seeded data has no row for: {sql}"
    return str(rows[0][0])


def adult_offender(e2e: E2EStack) -> str:
    """A visible adult with at least one sentence."""
    adult_born_before = f"{dt.date.today().year - 19}"
    return _one(e2e, f"SELECT p.personal_id FROM person p JOIN sentence s ON s.offender_personal_id = p.personal_id "
                     f"WHERE {_VISIBLE} AND p.date_of_birth < ? ORDER BY p.personal_id", adult_born_before)


def offender_sentence(e2e: E2EStack, personal_id: str) -> str:
    return _one(e2e, "SELECT id FROM sentence WHERE offender_personal_id = ? ORDER BY id", personal_id)


def minor(e2e: E2EStack) -> str:
    """A visible person under 18 today (full date of birth known)."""
    limit = dt.date.today().replace(year=dt.date.today().year - 17).isoformat()
    return _one(e2e, f"SELECT p.personal_id FROM person p WHERE {_VISIBLE} AND length(p.date_of_birth) = 10 "
                     f"AND p.date_of_birth > ? ORDER BY p.personal_id", limit)


def restricted(e2e: E2EStack) -> str:
    return _one(e2e, "SELECT personal_id FROM person WHERE processing_restricted = 1 AND date_of_death IS NULL "
                     "AND missing_since IS NULL ORDER BY personal_id")


def deceased(e2e: E2EStack) -> str:
    return _one(e2e, "SELECT personal_id FROM person WHERE date_of_death IS NOT NULL AND processing_restricted = 0 "
                     "ORDER BY personal_id")


def missing(e2e: E2EStack) -> str:
    return _one(e2e, "SELECT personal_id FROM person WHERE missing_since IS NOT NULL AND date_of_death IS NULL "
                     "AND processing_restricted = 0 ORDER BY personal_id")


def visible_adult(e2e: E2EStack, offset: int = 0) -> str:
    """A visible adult without sentences, with a father on record."""
    return _one(e2e, f"SELECT p.personal_id FROM person p WHERE {_VISIBLE} AND p.date_of_birth < '1990' "
                     f"AND p.father_id IS NOT NULL AND p.religion IS NOT NULL AND p.personal_id NOT IN "
                     f"(SELECT offender_personal_id FROM sentence WHERE offender_personal_id IS NOT NULL) "
                     f"ORDER BY p.personal_id LIMIT 1 OFFSET ?", offset)


def subject_in_two_provinces(e2e: E2EStack) -> tuple[str, int, int]:
    """A visible person with civil status events registered in the home province and elsewhere:
    (personalId, events at home, events elsewhere), counting the events the person is the subject of."""
    rows = e2e.rows(
        f"SELECT e.subject_id, sum(e.registration_province_code = ?), sum(e.registration_province_code != ?) "
        f"FROM civil_status_event e JOIN person p ON p.personal_id = e.subject_id WHERE {_VISIBLE} "
        f"GROUP BY e.subject_id HAVING sum(e.registration_province_code = ?) > 0 "
        f"AND sum(e.registration_province_code != ?) > 0 ORDER BY e.subject_id LIMIT 1",
        (HOME_PROVINCE,) * 4)
    assert rows, "no person with civil status events in two provinces"
    return str(rows[0][0]), int(rows[0][1]), int(rows[0][2])


def everyone_resides_at_home(e2e: E2EStack, event_ids: list[str]) -> set[str]:
    """Of ``event_ids``, those every person of which (subject and parties) resides in the home province: a
    home justice department exploits them wherever they were registered (003 Art. 8.4)."""
    marks = ",".join("?" * len(event_ids))
    rows = e2e.rows(
        f"SELECT x.event_id FROM civil_status_party x LEFT JOIN person p ON p.personal_id = x.personal_id "
        f"WHERE x.event_id IN ({marks}) GROUP BY x.event_id "
        f"HAVING sum(coalesce(p.province_code = ?, 0)) = count(*)", (*event_ids, HOME_PROVINCE))
    return {str(r[0]) for r in rows}


def registration_elsewhere(e2e: E2EStack) -> str:
    """A registration number whose only record was registered outside the home province, none of whose
    persons resides in the home province."""
    return _one(e2e, "SELECT e.registration_number FROM civil_status_event e WHERE e.registration_province_code != ? "
                     "AND e.registration_number IN (SELECT registration_number FROM civil_status_event "
                     "GROUP BY registration_number HAVING count(*) = 1) AND NOT EXISTS (SELECT 1 FROM "
                     "civil_status_party x JOIN person p ON p.personal_id = x.personal_id WHERE x.event_id = e.id "
                     "AND p.province_code = ?) ORDER BY e.registration_number", HOME_PROVINCE, HOME_PROVINCE)


def death_with_cause(e2e: E2EStack) -> str:
    """Id of a death registration with a cause of death, registered in the home province."""
    return _one(e2e, "SELECT id FROM civil_status_event WHERE kind = 'DEATH' AND cause_of_death IS NOT NULL "
                     "AND registration_province_code = ? ORDER BY id", HOME_PROVINCE)


def minor_offender(e2e: E2EStack) -> str:
    """A visible person under 18 today with a sentence."""
    limit = dt.date.today().replace(year=dt.date.today().year - 18).isoformat()
    return _one(e2e, f"SELECT p.personal_id FROM person p JOIN sentence s ON s.offender_personal_id = p.personal_id "
                     f"WHERE {_VISIBLE} AND length(p.date_of_birth) = 10 AND p.date_of_birth > ? "
                     f"ORDER BY p.personal_id", limit)


def mission_registration_year(e2e: E2EStack) -> tuple[str, int]:
    """(province, year) of registrations with one registered at a representative mission abroad and one that was
    not, all of them on one page of ``civilStatusRegistrations`` (at most 200)."""
    rows = e2e.rows("SELECT registration_province_code, substr(registration_date, 1, 4) FROM civil_status_event "
                    "GROUP BY 1, 2 HAVING sum(registered_at_mission) > 0 AND sum(1 - registered_at_mission) > 0 "
                    "AND count(*) <= 200 ORDER BY sum(registered_at_mission) DESC, 1, 2 LIMIT 1")
    assert rows, "the seeded data has no registration at a representative mission abroad"
    return str(rows[0][0]), int(rows[0][1])


def registrations_of(e2e: E2EStack, province: str, year: int, at_mission: bool) -> set[str]:
    """Registration numbers of ``province`` and ``year`` registered at a mission abroad, or not."""
    rows = e2e.rows("SELECT registration_number FROM civil_status_event WHERE registration_province_code = ? "
                    "AND substr(registration_date, 1, 4) = ? AND registered_at_mission = ?",
                    (province, f"{year:04d}", int(at_mission)))
    return {str(r[0]) for r in rows}
