"""What the population database does with the civil status database's events (003 Art. 10.2, 11.1–11.2, 11.4).

- ``civil_status.birth_registered`` → issue the child's personal identification number (subgraphs.population
  .identity) and create the person (source CIVIL_STATUS_DATABASE, the registration id as ``source_reference``),
  then publish ``population.person_created`` (registration id → personalId) in the same transaction.
- ``civil_status.death_registered`` → date of death; a married spouse becomes WIDOWED (the late spouse is kept).
- ``civil_status.marriage_registered`` → both MARRIED, each the other's spouse.
- ``civil_status.divorce_recorded`` → both DIVORCED, no spouse (the former one lives in the civil status records).
- ``civil_status.change_recorded`` → the changed items of 003 Art. 10.2.c.

Every handler runs inside the consumer's transaction (subgraphs.common.exchange.consumer) and sets
``updated_at``. A payload that breaks the contract (subgraphs.common.outbox) is a :class:`RejectedEvent`; the
reconciliation (``python -m subgraphs.reconcile``) reports what it left undone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from subgraphs.common.exchange import Event, ExchangeSpec, RejectedEvent
from subgraphs.common.identifiers import personal_id_problem
from subgraphs.common.outbox import add_event, topics, utcnow
from subgraphs.common.provinces import BY_ID_CODE
from subgraphs.common.scalars import parse_partial_date

from .identity import new_personal_id
from .models import INBOX, OUTBOX, PERSON, RecordSource, normalize_name

ISSUE_ATTEMPTS = 20  # a random 6-digit serial collides rarely; 20 collisions in a row means a full year/province
CHANGEABLE = {"fullName": "full_name", "dateOfBirth": "date_of_birth", "sex": "sex", "placeOfBirth": "place_of_birth",
              "hometown": "hometown", "ethnicity": "ethnicity", "nationality": "nationality"}


def _text(payload: Mapping[str, Any], name: str, *, required: bool = False, limit: int = 200) -> str | None:
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise RejectedEvent(f"{name} is required")
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise RejectedEvent(f"{name}: a string of at most {limit} characters")
    return value


def _personal_id(payload: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = _text(payload, name, required=required, limit=12)
    if value is not None and personal_id_problem(value):
        raise RejectedEvent(f"{name}: {personal_id_problem(value)}")
    return value


def _date(payload: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = _text(payload, name, required=required, limit=10)
    if value is not None:
        try:
            parse_partial_date(value)
        except ValueError as exc:
            raise RejectedEvent(f"{name}: {exc}") from None
    return value


def _sex(payload: Mapping[str, Any], name: str = "sex", *, required: bool = False) -> str | None:
    value = _text(payload, name, required=required, limit=6)
    if value is not None and value not in ("MALE", "FEMALE"):
        raise RejectedEvent(f"{name}: MALE or FEMALE")
    return value


async def _existing(conn: AsyncConnection, *personal_ids: str) -> dict[str, Any]:
    rows = (await conn.execute(select(PERSON).where(PERSON.c.personal_id.in_(personal_ids)))).mappings().all()
    found = {row["personal_id"]: row for row in rows}
    missing = [pid for pid in personal_ids if pid not in found]
    if missing:
        raise RejectedEvent(f"unknown to the population database: {', '.join(missing)}")
    return found


async def on_birth_registered(conn: AsyncConnection, event: Event) -> None:
    """Issue the personal identification number and create the person (003 Art. 11.1–11.2)."""
    p = event.payload
    registration_id = _text(p, "registrationId", required=True, limit=64)
    full_name = _text(p, "fullName", required=True, limit=100)
    sex = _sex(p, required=True)
    date_of_birth = _date(p, "dateOfBirth", required=True)
    province_code = _text(p, "registrationProvinceCode", required=True, limit=3)
    if province_code not in BY_ID_CODE:
        raise RejectedEvent(f"registrationProvinceCode: '{province_code}' is not a province code")
    father, mother = _personal_id(p, "fatherPersonalId"), _personal_id(p, "motherPersonalId")
    assert registration_id and full_name and sex and date_of_birth  # required above
    year = int(date_of_birth[:4])
    existing = (await conn.execute(select(PERSON.c.personal_id)
                                   .where(PERSON.c.source_reference == registration_id))).scalar()
    if existing is None:
        now = utcnow()
        row = {
            "full_name": full_name, "name_search": normalize_name(full_name), "other_names": [],
            "date_of_birth": date_of_birth, "birth_year": year, "sex": sex,
            "place_of_birth": _text(p, "placeOfBirth"),
            "place_of_birth_registration": _text(p, "placeOfBirthRegistration"),
            "hometown": _text(p, "hometown"), "ethnicity": _text(p, "ethnicity", limit=40),
            "nationality": _text(p, "nationality", limit=60), "marital_status": "SINGLE",
            "father_id": father, "mother_id": mother, "processing_restricted": False,
            "source": RecordSource.CIVIL_STATUS_DATABASE.value, "source_reference": registration_id,
            "created_at": now, "updated_at": now,
        }
        try:
            province = BY_ID_CODE[province_code].code
            for _ in range(ISSUE_ATTEMPTS):
                candidate = new_personal_id(province, year, sex)
                try:
                    async with conn.begin_nested():  # a savepoint: a taken number is retried, not fatal
                        await conn.execute(PERSON.insert().values(personal_id=candidate, **row))
                except IntegrityError:
                    continue
                existing = candidate
                break
        except ValueError as exc:  # a year of birth outside what the number can encode
            raise RejectedEvent(str(exc)) from None
        if existing is None:
            raise RuntimeError(f"no free personal identification number after {ISSUE_ATTEMPTS} attempts")
    # Published for a person created earlier from the same registration too: civil status links it either way.
    await add_event(conn, OUTBOX, topics.PERSON_CREATED, existing,
                    {"registrationId": registration_id, "personalId": existing, "birthEventId": event.id})


async def on_death_registered(conn: AsyncConnection, event: Event) -> None:
    """Record the date of death (003 Art. 10.2.e); a married spouse becomes a widow(er)."""
    personal_id = _personal_id(event.payload, "personalId", required=True)
    date_of_death = _date(event.payload, "dateOfDeath", required=True)
    assert personal_id
    person = (await _existing(conn, personal_id))[personal_id]
    now = utcnow()
    await conn.execute(update(PERSON).where(PERSON.c.personal_id == personal_id)
                       .values(date_of_death=date_of_death, updated_at=now))
    spouse = person["spouse_id"]
    if spouse and person["marital_status"] == "MARRIED":
        await conn.execute(update(PERSON).where(PERSON.c.personal_id == spouse, PERSON.c.spouse_id == personal_id,
                                                PERSON.c.marital_status == "MARRIED")
                           .values(marital_status="WIDOWED", updated_at=now))


def _spouses(payload: Mapping[str, Any]) -> tuple[str, str]:
    spouses = payload.get("spouses")
    if not isinstance(spouses, list) or len(spouses) != 2 or spouses[0] == spouses[1]:
        raise RejectedEvent("spouses: the two spouses' personal identification numbers")
    first = _personal_id({"spouse": spouses[0]}, "spouse", required=True)
    second = _personal_id({"spouse": spouses[1]}, "spouse", required=True)
    assert first and second
    return first, second


async def on_marriage_registered(conn: AsyncConnection, event: Event) -> None:
    """Both spouses MARRIED, each the other's spouse (003 Art. 10.2.b)."""
    first, second = _spouses(event.payload)
    _date(event.payload, "date", required=True)
    await _existing(conn, first, second)
    now = utcnow()
    for person, spouse in ((first, second), (second, first)):
        await conn.execute(update(PERSON).where(PERSON.c.personal_id == person)
                           .values(marital_status="MARRIED", spouse_id=spouse, updated_at=now))


async def on_divorce_recorded(conn: AsyncConnection, event: Event) -> None:
    """Both spouses DIVORCED, no current spouse (003 Art. 10.2.b: the court's decision recorded)."""
    first, second = _spouses(event.payload)
    _date(event.payload, "date", required=True)
    _text(event.payload, "courtDecisionRef", required=True)
    await _existing(conn, first, second)
    now = utcnow()
    for person, spouse in ((first, second), (second, first)):
        await conn.execute(update(PERSON).where(PERSON.c.personal_id == person,
                                                (PERSON.c.spouse_id == spouse) | PERSON.c.spouse_id.is_(None))
                           .values(marital_status="DIVORCED", spouse_id=None, updated_at=now))


async def on_change_recorded(conn: AsyncConnection, event: Event) -> None:
    """The changed, corrected or supplemented items (003 Art. 10.2.c)."""
    personal_id = _personal_id(event.payload, "personalId", required=True)
    changes = event.payload.get("changes")
    if not isinstance(changes, dict):
        raise RejectedEvent("changes: an object of item → new value")
    assert personal_id
    await _existing(conn, personal_id)
    values: dict[str, Any] = {}
    for item, column in CHANGEABLE.items():
        if item not in changes:
            continue
        if item == "dateOfBirth":
            value = _date(changes, item, required=True)
            assert value
            values.update(date_of_birth=value, birth_year=int(value[:4]))
        elif item == "sex":
            values["sex"] = _sex(changes, required=True)
        elif item == "fullName":
            name = _text(changes, item, required=True, limit=100)
            assert name
            values.update(full_name=name, name_search=normalize_name(name))
        else:
            values[column] = _text(changes, item, limit=60 if item in ("ethnicity", "nationality") else 200)
    if values:
        await conn.execute(update(PERSON).where(PERSON.c.personal_id == personal_id)
                           .values(updated_at=utcnow(), **values))


HANDLERS = {
    topics.BIRTH_REGISTERED: on_birth_registered,
    topics.DEATH_REGISTERED: on_death_registered,
    topics.MARRIAGE_REGISTERED: on_marriage_registered,
    topics.DIVORCE_RECORDED: on_divorce_recorded,
    topics.CHANGE_RECORDED: on_change_recorded,
}


def exchange_spec() -> ExchangeSpec:
    """Population publishes ``population.person_created`` and consumes the civil status events."""
    return ExchangeSpec(outbox=OUTBOX, inbox=INBOX, handlers=HANDLERS)
