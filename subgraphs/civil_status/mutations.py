"""The civil-status mutations (issue 15): the registrations a registering authority enters through the gateway
(003 Art. 7.1-7.2), each validated field by field (``validation``), written in one transaction with its change
event for the population database (``registry``; 003 Art. 10.2, 11.1-11.2), and declared for the gateway's write
policy (``@writeArea``: the province of the registering authority, 003 Art. 7.1, 8.4) and audit
(``@writeSubject``: the persons concerned; 000 Art. 13.7, 004 Art. 38.2).

The results are the event types of the reads, with their categories and data subjects: reading a result is
protected like any read of the same record (path invariance). Only the gateway calls (internal token,
``subgraphs.common.internal_auth``); a write also needs the identified account the token names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types import Info

from subgraphs.common.classification import DataCategory as C
from subgraphs.common.classification import ValueKind as K
from subgraphs.common.classification import classified
from subgraphs.common.errors import bad_user_input
from subgraphs.common.writes import WriteArea, WriteSubject

from . import events as ev
from . import registry as reg
from .inputs import (
    BirthRegistrationInput,
    CivilStatusAmendmentInput,
    DeathRegistrationInput,
    DivorceRecordingInput,
    MarriageRegistrationInput,
)
from .person import event_from_row
from .registry import Row, topics
from .validation import (
    NewEvent,
    check_amendment,
    check_birth,
    check_death,
    check_divorce,
    check_marriage,
)

AREA = WriteArea(argument="input.registrationProvinceCode")
MARRIAGE_AGE = {"MALE": 20, "FEMALE": 18}  # Law on Marriage and Family 2014 Art. 8.1.a


def _account(info: Info) -> None:
    """A write is made on behalf of an identified account (000 Art. 13.7): the gateway's token names it."""
    caller = info.context.caller or {}
    if not caller.get("sub") or not caller.get("agency"):
        raise GraphQLError("A write needs the caller's account and agency.", extensions={"code": "UNAUTHENTICATED"})


def _registration(description: str, *subjects: str) -> Any:
    """A registration's ``Mutation`` field: BASIC, a reference to the record written, in the registering
    authority's province (``@writeArea``), about the persons the input fields ``subjects`` name
    (``@writeSubject``)."""
    return classified(C.BASIC, description, kind=K.REFERENCE,
                      directives=[AREA, *(WriteSubject(argument=f"input.{name}") for name in subjects)])


# -- checks the database answers (inside the write's transaction) ---------------------------------------------

async def _nothing(conn: AsyncConnection, new: NewEvent) -> None:
    del conn, new


async def _death_checks(conn: AsyncConnection, new: NewEvent) -> None:
    assert new.subject_id is not None
    if await reg.death_of(conn, new.subject_id) is not None:
        raise bad_user_input("input.personalId", "a death is already registered for this person")
    birth = await reg.birth_of(conn, new.subject_id)
    died = new.columns["date_of_death"]
    if birth is not None and birth["date_of_birth"] and died < birth["date_of_birth"][: len(died)]:
        raise bad_user_input("input.dateOfDeath", "is before the person's registered date of birth")


def _age_on(born: str, day: str) -> int:
    years = int(day[:4]) - int(born[:4])
    return years - 1 if len(born) == 10 and day[5:10] < born[5:10] else years


async def _marriage_checks(conn: AsyncConnection, new: NewEvent) -> None:
    for field, pid, sex in (("husbandPersonalId", new.columns["husband_id"], "MALE"),
                            ("wifePersonalId", new.columns["wife_id"], "FEMALE")):
        if await reg.death_of(conn, pid) is not None:
            raise bad_user_input(f"input.{field}", "a death is registered for this person")
        if await reg.current_spouse(conn, pid) is not None:
            raise bad_user_input(f"input.{field}", "this person's marriage in force is recorded (Law on Marriage "
                                                   "and Family Art. 5.2.c)")
        birth = await reg.birth_of(conn, pid)
        if birth is not None and birth["date_of_birth"]:
            if _age_on(birth["date_of_birth"], new.columns["registration_date"]) < MARRIAGE_AGE[sex]:
                raise bad_user_input(f"input.{field}", f"under the marriage age of {MARRIAGE_AGE[sex]} (Law on "
                                                       "Marriage and Family Art. 8.1.a)")


async def _divorce_checks(conn: AsyncConnection, new: NewEvent) -> None:
    assert new.subject_id is not None
    if await reg.current_spouse(conn, new.subject_id) != new.columns["other_party_id"]:
        raise bad_user_input("input.otherPartyPersonalId",
                             "no marriage in force between the two persons is recorded")


@dataclass
class _Amendment:
    """The checks of a change or correction, and the note it leaves on the birth record it amends."""

    info: Info
    birth: Row | None = None

    async def check(self, conn: AsyncConnection, new: NewEvent) -> None:
        assert new.subject_id is not None
        self.birth = await reg.birth_of(conn, new.subject_id)
        if self.birth is None:
            raise bad_user_input("input.personalId", "no birth registration of this person is recorded")
        recorded = await reg.current_value(conn, self.birth, new.columns["changed_item"])
        old = new.columns["old_value"]
        if old is not None and old != recorded:
            raise bad_user_input("input.oldValue", "is not the recorded value of this item")
        if new.columns["new_value"] == recorded:
            raise bad_user_input("input.newValue", "is already the recorded value of this item")
        new.columns["old_value"] = recorded

    async def after(self, conn: AsyncConnection, row: Row) -> None:
        assert self.birth is not None
        await reg.annotate_birth(conn, self.info, self.birth, [row["subject_id"]])


# -- change events (subgraphs.common.outbox) ------------------------------------------------------------------

def _birth_event(row: Row) -> tuple[str, str, dict[str, Any]]:
    payload = {
        "registrationId": str(row["id"]), "registrationNumber": row["registration_number"],
        "fullName": row["full_name"], "sex": row["sex"], "dateOfBirth": row["date_of_birth"],
        "placeOfBirth": row["place_of_birth"], "registrationProvinceCode": row["registration_province_code"],
        "placeOfBirthRegistration": row["registering_authority"], "hometown": row["hometown"],
        "ethnicity": row["ethnicity"], "nationality": row["nationality"],
        "fatherPersonalId": row["father_id"], "motherPersonalId": row["mother_id"],
        "registeredAt": reg.registered_at(row),
    }
    return topics.BIRTH_REGISTERED, str(row["id"]), payload


def _death_event(row: Row) -> tuple[str, str, dict[str, Any]]:
    return topics.DEATH_REGISTERED, row["subject_id"], {
        "personalId": row["subject_id"], "dateOfDeath": row["date_of_death"], "registrationId": str(row["id"]),
        "registrationNumber": row["registration_number"]}


def _marriage_event(row: Row) -> tuple[str, str, dict[str, Any]]:
    return topics.MARRIAGE_REGISTERED, str(row["id"]), {
        "registrationId": str(row["id"]), "spouses": [row["husband_id"], row["wife_id"]],
        "date": row["registration_date"], "registrationNumber": row["registration_number"]}


def _divorce_event(row: Row) -> tuple[str, str, dict[str, Any]]:
    reference = f"{row['court']}, {row['decision_number']}, {row['decision_date']}"
    return topics.DIVORCE_RECORDED, str(row["id"]), {
        "registrationId": str(row["id"]), "spouses": [row["subject_id"], row["other_party_id"]],
        "date": row["decision_date"], "courtDecisionRef": reference}


def _change_event(row: Row) -> tuple[str, str, dict[str, Any]]:
    changes = {reg.POPULATION_ITEMS[row["changed_item"]]: row["new_value"]}
    return topics.CHANGE_RECORDED, row["subject_id"], {
        "personalId": row["subject_id"], "registrationId": str(row["id"]), "date": row["registration_date"],
        "changes": changes}


@strawberry.type
class Mutation:
    @_registration(
        "Register a birth (đăng ký khai sinh, 003 Art. 3.1.a, 7.1): the record is created now and its child gets a "
        "personal identification number from the population database, which links it (003 Art. 10.2.a, 11.1).",
        "fatherPersonalId", "motherPersonalId", "declarantPersonalId",
    )
    async def register_birth(self, info: Info, input: BirthRegistrationInput) -> ev.BirthRegistration | None:
        return await _write(info, input, partial(check_birth, input), "BirthRegistration",  # type: ignore[return-value]
                            check=_nothing, publish=_birth_event)

    @_registration(
        "Register a death (đăng ký khai tử, 003 Art. 3.1.c, 7.1); the population database records the date of "
        "death (003 Art. 10.2.e).",
        "personalId",
    )
    async def register_death(self, info: Info, input: DeathRegistrationInput) -> ev.DeathRegistration | None:
        return await _write(info, input, partial(check_death, input), "DeathRegistration",  # type: ignore[return-value]
                            check=_death_checks, publish=_death_event)

    @_registration(
        "Register a marriage (đăng ký kết hôn, 003 Art. 3.1.c, 7.1); the population database records both "
        "spouses as married (003 Art. 10.2.b).",
        "husbandPersonalId", "wifePersonalId",
    )
    async def register_marriage(self, info: Info, input: MarriageRegistrationInput) -> ev.MarriageRegistration | None:
        return await _write(info, input, partial(check_marriage, input), "MarriageRegistration",  # type: ignore[return-value]
                            check=_marriage_checks, publish=_marriage_event)

    @_registration(
        "Record a divorce from a court's judgment or decision (ghi vào Sổ hộ tịch việc ly hôn, 003 Art. 3.1.c, "
        "7.1); the population database records both as divorced (003 Art. 10.2.b).",
        "personalId", "otherPartyPersonalId",
    )
    async def record_divorce(self, info: Info, input: DivorceRecordingInput) -> ev.CourtDecisionRecording | None:
        return await _write(info, input, partial(check_divorce, input), "CourtDecisionRecording",  # type: ignore[return-value]
                            check=_divorce_checks, publish=_divorce_event)

    @_registration(
        "Register a change of civil status (thay đổi hộ tịch, 003 Art. 3.1.c, 7.1) of an item of the person's "
        "birth registration, noted on it the same day (003 Art. 7.2.b); population updates the item (10.2.c).",
        "personalId",
    )
    async def register_civil_status_change(self, info: Info,
                                           input: CivilStatusAmendmentInput) -> ev.CivilStatusChange | None:
        return await _amend(info, "CHANGE", "CivilStatusChange", input)  # type: ignore[return-value]

    @_registration(
        "Register a correction of civil status (cải chính hộ tịch, 003 Art. 3.1.c, 7.1) of an item of the "
        "person's birth registration, noted on it the same day (003 Art. 7.2.b); population updates the item "
        "(10.2.c).",
        "personalId",
    )
    async def register_civil_status_correction(self, info: Info,
                                               input: CivilStatusAmendmentInput) -> ev.CivilStatusCorrection | None:
        return await _amend(info, "CORRECTION", "CivilStatusCorrection", input)  # type: ignore[return-value]


async def _amend(info: Info, kind: str, record_type: str, data: CivilStatusAmendmentInput) -> ev.CivilStatusEvent:
    amendment = _Amendment(info)
    return await _write(info, data, partial(check_amendment, kind, data), record_type, check=amendment.check,
                        publish=_change_event, after=amendment.after)


async def _write(info: Info, data: Any, validate: Callable[[], NewEvent], record_type: str, *, check: reg.Check,
                 publish: reg.Publish, after: reg.After | None = None) -> ev.CivilStatusEvent:
    """One registration: the caller's account first (000 Art. 13.7), then the input field by field (``validate``
    raises ``BAD_USER_INPUT``), then the write in one transaction (``registry.register``; ``data``, the input,
    keys a replay); the result as read."""
    _account(info)
    row = await reg.register(info.context.db, info, validate(), record_type, check=check, publish=publish,
                             after=after, arguments={"input": data})
    return event_from_row(row)
