"""``Mutation.recordEnforcementEvent``: an enforcement body records one step in the course of a natural person's
sentence (000 Art. 8.2.e; update rights, Art. 11.3; within 24 hours, Art. 8.5.c; synchronised, Art. 8.5.d).

Every input field is checked before anything is written; the first problem is the error (``BAD_USER_INPUT``
naming ``input.<field>``), every problem found is listed in its ``invalidFields`` extension. Then, in ONE
transaction: the event is appended to the course, the sentence takes its new status (lifecycle.TRANSITIONS: no
release of a completed sentence, no recapture without an escape...) and updated time, its status history gains
an entry, the change event ``sentences.enforcement_recorded`` goes into the outbox (subgraphs.common.outbox), and
the before/after hashes of the records written go to the gateway's audit (subgraphs.common.writes). Any failure
rolls everything back. Only the gateway reaches this (internal token, subgraphs.common.internal_auth), and the
token must name the account and agency the write is made for (000 Art. 13.7).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import strawberry
from graphql import GraphQLError
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types import Info

from subgraphs.common.classification import DataCategory, DataSubject, ValueKind, classified
from subgraphs.common.classification import field as classified_field
from subgraphs.common.errors import bad_user_input
from subgraphs.common.identifiers import personal_id_problem
from subgraphs.common.outbox import add_event, topics, utcnow
from subgraphs.common.provinces import BY_CODE
from subgraphs.common.text import clean_text, normalise
from subgraphs.common.write_keys import run_write
from subgraphs.common.writes import record_write

from . import lifecycle
from .enums import EnforcementEventKind, EnforcementStatus
from .models import OUTBOX, TABLES, WRITE_KEYS
from .types_person import EnforcementEvent, ForeignOffender, Person, Sentence

CRIMINAL = DataCategory.CRIMINAL
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
SENTENCE, EVENT, HISTORY = TABLES["sentence"], TABLES["enforcement_event"], TABLES["status_change"]
PENALTY, JUDGMENT, FACILITY = TABLES["penalty"], TABLES["judgment"], TABLES["facility"]
_RECORD_ID = re.compile(r"^[A-Za-z0-9-]{1,32}$")
_DECISION = re.compile(r"^[\w./-]{1,60}$")  # e.g. 125/2025/QĐ-TA
# Kinds that rest on a decision of a court, the President or an enforcement body: its number is required.
DECIDED = frozenset({
    "ENFORCEMENT_ORDERED", "POSTPONEMENT", "SUSPENSION", "EXEMPTION", "REDUCTION", "COMMUTATION",
    "CONDITIONAL_EARLY_RELEASE", "CONDITIONAL_EARLY_RELEASE_REVOKED", "AMNESTY", "SUSPENDED_SENTENCE_REVOKED",
    "TRANSFER", "FACILITY_TRANSFER", "JUDICIAL_MEASURE_TERMINATED",
})
CUSTODIAL_FACILITIES = frozenset({"PRISON", "DETENTION_CENTRE"})


@strawberry.input(description="One step in the course of a natural person's sentence (000 Art. 8.2.e).")
class EnforcementEventInput:
    sentence_id: strawberry.ID = strawberry.field(description="The sentence (Sentence.id).")
    province_code: str = strawberry.field(
        description="3-digit province whose bodies enforce the sentence (Sentence.provinceCode): the area of the "
        "write (000 Art. 11.3)."
    )
    personal_id: strawberry.ID | None = strawberry.field(
        default=None, description="The offender's personal id when a citizen (required then; null for foreigners)."
    )
    kind: EnforcementEventKind = strawberry.field(description="What happened (000 Art. 8.2.e).")
    date: dt.date = strawberry.field(description="When it took effect: not in the future, not before the last event.")
    authority: str = strawberry.field(description="Court, enforcement agency or facility that decided or recorded it.")
    decision_number: str | None = strawberry.field(
        default=None, description="Number of the decision (required for decided events, e.g. '12/2025/QĐ-TA')."
    )
    note: str | None = strawberry.field(default=None, description="Particulars (at most 2000 characters).")
    health_ground: str | None = strawberry.field(
        default=None, description="Medical ground of a postponement, suspension or exemption (BLHS Art. 67, 68)."
    )
    months_reduced: int | None = strawberry.field(
        default=None, description="REDUCTION only: months taken off the term (BLHS Art. 63)."
    )
    facility_id: strawberry.ID | None = strawberry.field(
        default=None, description="Facility admitted to or moved to (required for FACILITY_TRANSFER, a revoked "
        "suspended sentence and the order to enforce a custodial penalty)."
    )
    residence_after_release: str | None = strawberry.field(
        default=None, description="Residence after release (COMPLETION, AMNESTY, CONDITIONAL_EARLY_RELEASE; 000 "
        "Art. 8.2.g); the last comma-separated segment is the province."
    )
    workplace_after_release: str | None = strawberry.field(
        default=None, description="Workplace after release (same events; 000 Art. 8.2.g)."
    )


@strawberry.type(
    directives=[DataSubject(field="person"), DataSubject(field="foreignOffender")],
    description="What recordEnforcementEvent wrote: the event, the sentence's status before and after it.",
)
class EnforcementEventRecorded:
    previous_status: EnforcementStatus | None = classified_field(
        CRIMINAL, "The status before the event (000 Art. 8.1.b).", kind=ValueKind.CODE
    )
    status: EnforcementStatus | None = classified_field(
        CRIMINAL, "The status after it (000 Art. 8.1.b).", kind=ValueKind.CODE
    )
    event: EnforcementEvent | None = classified_field(
        CRIMINAL, "The event recorded (000 Art. 8.2.e).", kind=ValueKind.REFERENCE
    )
    sentence: Sentence | None = classified_field(CRIMINAL, "The sentence as updated.", kind=ValueKind.REFERENCE)
    person: Person | None = classified_field(
        CRIMINAL, "The offender when a citizen (000 Art. 8.2.c).", kind=ValueKind.REFERENCE
    )
    foreign_offender_code: strawberry.Private[str | None] = None

    @classified(CRIMINAL, "The offender when a foreigner (000 Art. 8.2.c).", kind=ValueKind.REFERENCE)
    async def foreign_offender(self, info: Info) -> ForeignOffender | None:
        if self.foreign_offender_code is None:
            return None
        row = await info.context.loaders.foreign_offender.load(self.foreign_offender_code)
        return ForeignOffender.from_row(row) if row else None


@dataclass
class _Problems:
    """Every problem of the input, by field; raised as one ``BAD_USER_INPUT`` naming the first."""

    found: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.found.append((f"input.{name}", message))

    def raise_any(self) -> None:
        if not self.found:
            return
        argument, message = self.found[0]
        error = bad_user_input(argument, message)
        raise GraphQLError(error.message, extensions={
            **(error.extensions or {}),
            "invalidFields": [{"field": name, "message": text} for name, text in self.found],
        })


def _text(problems: _Problems, name: str, value: str | None, *, required: bool = False, limit: int) -> str | None:
    """Stripped NFC text (``subgraphs.common.text``: control and bidirectional formatting characters refused)."""
    cleaned, problem = clean_text(value, limit=limit, required=required)
    if problem:
        problems.add(name, problem)
    return cleaned


def check_decision_number(problems: _Problems, value: str | None, *, required: bool, kind: str) -> str | None:
    """The decision number, stripped and NFC (``QĐ`` however typed): required for events that rest on a
    decision, in its usual form."""
    number = normalise(value) or None if value else None
    if number is None and required:
        problems.add("decisionNumber", f"{kind} rests on a decision: give its number")
    elif number is not None and not _DECISION.match(number):
        problems.add("decisionNumber", "1 to 60 letters, digits, '/', '.' or '-', e.g. '12/2025/QĐ-TA'")
    return number


def check_event_head(problems: _Problems, sentence_id: str, province_code: str,
                     subject: tuple[str, strawberry.ID | None], date: dt.date, today: dt.date) -> None:
    """The checks every enforcement event's input starts with, in this order: the sentence's record id, the
    province, the personal id of its data subject (``subject``: the input field and its value), a date that has
    taken effect."""
    if not _RECORD_ID.match(sentence_id):
        problems.add("sentenceId", "a record id has 1 to 32 letters, digits or dashes")
    if province_code not in BY_CODE:
        problems.add("provinceCode", "a 3-digit code of a province (e.g. '001' for Hà Nội)")
    name, personal_id = subject
    if personal_id is not None and (problem := personal_id_problem(str(personal_id))):
        problems.add(name, problem)
    if date > today:
        problems.add("date", f"an event is recorded once it has taken effect: {date} is after today ({today})")


def check_account(info: Info) -> dict[str, Any]:
    """The caller the gateway's token names: a write must name the account and agency it is made for (000 Art.
    13.7), else ``UNAUTHENTICATED``."""
    caller = info.context.caller or {}
    if not caller.get("sub") or not caller.get("agency"):
        raise GraphQLError("A write must name the account and agency it is made for (000 Art. 13.7).",
                           extensions={"code": "UNAUTHENTICATED"})
    return caller


def provenance(caller: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The provenance columns of the rows an enforcement body writes: its case file, its agency, when (000 Art.
    9.1.b, 10.1)."""
    return {"source": "CASE_FILE", "source_agency": str(caller["agency"])[:300], "created_at": now, "updated_at": now}


async def lock_row(conn: AsyncConnection, table: Table, row_id: str) -> dict[str, Any] | None:
    """The row of ``table`` with id ``row_id``, locked until the commit on PostgreSQL (two events on one sentence
    are serialised)."""
    stmt = select(table).where(table.c.id == row_id)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = (await conn.execute(stmt)).mappings().first()
    return dict(row) if row else None


def _shift_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` average months (the computation of the synthetic courses, seed_course.months)."""
    return day + dt.timedelta(days=round(months * 30.44))


def check_static(data: EnforcementEventInput, today: dt.date) -> tuple[_Problems, dict[str, Any]]:
    """The checks that need no database: formats, limits, which fields the kind allows or needs."""
    problems = _Problems()
    kind = data.kind.name
    check_event_head(problems, str(data.sentence_id), data.province_code, ("personalId", data.personal_id),
                     data.date, today)
    values = {
        "authority": _text(problems, "authority", data.authority, required=True, limit=300),
        "note": _text(problems, "note", data.note, limit=2000),
        "health_ground": _text(problems, "healthGround", data.health_ground, limit=1000),
        "residence_after_release": _text(problems, "residenceAfterRelease", data.residence_after_release, limit=300),
        "workplace_after_release": _text(problems, "workplaceAfterRelease", data.workplace_after_release, limit=300),
    }
    values["decision_number"] = check_decision_number(problems, data.decision_number, required=kind in DECIDED,
                                                      kind=kind)
    if values["health_ground"] and kind not in lifecycle.HEALTH_GROUNDS:
        problems.add("healthGround", f"only for {', '.join(sorted(lifecycle.HEALTH_GROUNDS))}")
    for name, key in (("residenceAfterRelease", "residence_after_release"),
                      ("workplaceAfterRelease", "workplace_after_release")):
        if values[key] and kind not in lifecycle.RELEASES:
            problems.add(name, f"only for {', '.join(sorted(lifecycle.RELEASES))} (000 Art. 8.2.g)")
    if data.months_reduced is not None and kind != "REDUCTION":
        problems.add("monthsReduced", "only for REDUCTION")
    elif data.months_reduced is not None and not 1 <= data.months_reduced <= 600:
        problems.add("monthsReduced", "between 1 and 600 months")
    if data.facility_id is not None and kind not in lifecycle.MAY_NAME_FACILITY:
        problems.add("facilityId", f"{kind} moves no one to a facility")
    elif data.facility_id is None and kind in lifecycle.NEEDS_FACILITY:
        problems.add("facilityId", f"{kind} needs the facility the person is held in")
    return problems, values


async def _context(conn: AsyncConnection, sentence: dict[str, Any], facility_id: str | None) -> dict[str, Any]:
    """What the checks against the record need: principal penalty, ruling date, last event, named facility."""
    sid = sentence["id"]
    principal = (await conn.execute(select(PENALTY.c.kind, PENALTY.c.suspended).where(
        PENALTY.c.sentence_id == sid, PENALTY.c.role == "PRINCIPAL").order_by(PENALTY.c.position))).first()
    effective = (await conn.execute(select(JUDGMENT.c.effective_on).where(
        JUDGMENT.c.id == sentence["judgment_id"]))).scalar_one()
    last = (await conn.execute(select(func.max(EVENT.c.position), func.max(EVENT.c.event_date)).where(
        EVENT.c.sentence_id == sid))).one()
    history = (await conn.execute(select(func.max(HISTORY.c.position)).where(HISTORY.c.sentence_id == sid))).scalar()
    facility = None
    if facility_id is not None:
        facility = (await conn.execute(select(FACILITY).where(FACILITY.c.id == facility_id))).mappings().first()
    return {"principal": lifecycle.Principal(principal[0], bool(principal[1])) if principal
            else lifecycle.Principal(None), "effective_on": effective, "last_position": last[0],
            "last_date": last[1], "history_position": history, "facility": facility}


def check_against_record(problems: _Problems, data: EnforcementEventInput, sentence: dict[str, Any],
                         ctx: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The checks against the stored sentence; returns the new status and the sentence columns to update."""
    kind = data.kind.name
    if data.province_code != sentence["province_code"]:
        problems.add("provinceCode", "not the province whose bodies enforce this sentence")
    if sentence["offender_personal_id"] is not None and data.personal_id is None:
        problems.add("personalId", "required: the offender is a citizen")
    elif sentence["offender_personal_id"] is not None and str(data.personal_id) != sentence["offender_personal_id"]:
        problems.add("personalId", "not the offender of this sentence")
    elif sentence["offender_personal_id"] is None and data.personal_id is not None:
        problems.add("personalId", "the offender of this sentence is a foreigner: leave it null")
    last_date = ctx["last_date"]
    if data.date < ctx["effective_on"]:
        problems.add("date", f"before the ruling took effect ({ctx['effective_on']})")
    elif last_date is not None and data.date < last_date:
        problems.add("date", f"before the last recorded event ({last_date}): events are recorded in order")
    current, status = sentence["status"], sentence["status"]
    try:
        status = lifecycle.next_status(kind, current, ctx["principal"])
    except lifecycle.TransitionError as exc:
        problems.add(exc.argument, str(exc))
    changes: dict[str, Any] = {"status": status}
    facility = ctx["facility"]
    if data.facility_id is not None and facility is None:
        problems.add("facilityId", "no facility with this id")
    elif facility is not None and facility["kind"] not in CUSTODIAL_FACILITIES:
        problems.add("facilityId", "a person is held in a prison or a detention centre")
    elif facility is not None and kind == "FACILITY_TRANSFER" and facility["id"] == sentence["facility_id"]:
        problems.add("facilityId", "the person is already held there")
    elif facility is not None:
        changes["facility_id"] = facility["id"]
    if kind == "ENFORCEMENT_ORDERED" and status in ("SERVING_IMPRISONMENT", "AWAITING_EXECUTION") and facility is None \
            and data.facility_id is None:
        problems.add("facilityId", "the order to enforce a custodial penalty names the facility")
    if kind == "ENFORCEMENT_ORDERED":
        changes["enforcement_started_on"] = data.date
        changes["start_year"] = data.date.year
    if kind == "REDUCTION":
        end = sentence["expected_end_on"]
        if end is None and data.months_reduced is not None:
            problems.add("monthsReduced", "the term has no end date (life imprisonment): leave it null")
        elif end is not None and data.months_reduced is None:
            problems.add("monthsReduced", "required: the months taken off the term")
        elif end is not None and data.months_reduced is not None:
            new_end = _shift_months(end, -data.months_reduced)
            if new_end <= data.date:
                problems.add("monthsReduced", f"would end the term by {new_end}: record a COMPLETION instead")
            changes["expected_end_on"] = new_end
    if status in lifecycle.ENDED:
        changes["end_year"] = data.date.year
    return status, changes


async def record_enforcement_event(info: Info, data: EnforcementEventInput) -> EnforcementEventRecorded:
    """The resolver (see the module docstring)."""
    caller = check_account(info)
    problems, values = check_static(data, dt.datetime.now(VIETNAM).date())
    problems.raise_any()
    kind, now = data.kind.name, utcnow()

    async def write(conn: AsyncConnection) -> dict[str, Any]:  # one transaction: everything or nothing
        sentence = await lock_row(conn, SENTENCE, str(data.sentence_id))
        if sentence is None:
            problems.add("sentenceId", "no sentence of a natural person with this id")
            problems.raise_any()
        assert sentence is not None
        ctx = await _context(conn, sentence, str(data.facility_id) if data.facility_id is not None else None)
        status, changes = check_against_record(problems, data, sentence, ctx)
        problems.raise_any()
        for key in ("residence_after_release", "workplace_after_release"):
            if values[key]:
                changes[key] = values[key]
        if "facility_id" in changes and changes["facility_id"] != sentence["facility_id"]:
            changes["province_code"] = ctx["facility"]["province_code"]  # the facility's province enforces it
        changes["updated_at"] = now
        recorded = provenance(caller, now)
        event = {"sentence_id": sentence["id"], "entity_sentence_id": None,
                 "position": (ctx["last_position"] if ctx["last_position"] is not None else -1) + 1,
                 "kind": kind, "event_date": data.date, "decision_number": values["decision_number"],
                 "authority": values["authority"], "note": values["note"], "health_ground": values["health_ground"],
                 "months_reduced": data.months_reduced, "facility_id": changes.get("facility_id"),
                 "successor_name": None, **recorded}
        event["id"] = (await conn.execute(insert(EVENT).values(**event).returning(EVENT.c.id))).scalar_one()
        await conn.execute(update(SENTENCE).where(SENTENCE.c.id == sentence["id"]).values(**changes))
        if status != sentence["status"]:
            position = (ctx["history_position"] if ctx["history_position"] is not None else -1) + 1
            await conn.execute(insert(HISTORY).values(
                sentence_id=sentence["id"], entity_sentence_id=None, position=position, status=status,
                since=data.date, cause=kind, decision_number=values["decision_number"], **recorded))
        after = {**sentence, **changes}
        payload = {"sentenceId": sentence["id"], "personalId": sentence["offender_personal_id"],
                   "foreignOffenderCode": sentence["foreign_offender_code"], "eventId": str(event["id"]),
                   "kind": kind, "effectiveDate": data.date.isoformat(), "previousStatus": sentence["status"],
                   "newStatus": status, "provinceCode": after["province_code"]}
        await add_event(conn, OUTBOX, topics.ENFORCEMENT_RECORDED, sentence["id"], payload)
        subjects = [sentence["offender_personal_id"]]
        record_write(info, "EnforcementEvent", str(event["id"]), before=None, after=event, subjects=subjects)
        record_write(info, "Sentence", sentence["id"], before=sentence, after=after, subjects=subjects)
        return {"sentence": sentence, "status": status, "event": event, "after": after}

    # once per gateway write key: a replay answers the first result and writes nothing (write_keys)
    state = await run_write(info.context.db, info, WRITE_KEYS, {"input": data}, write)
    sentence, status, event, after = state["sentence"], state["status"], state["event"], state["after"]
    person = Person(personal_id=strawberry.ID(after["offender_personal_id"])) if after["offender_personal_id"] else None
    return EnforcementEventRecorded(
        previous_status=EnforcementStatus[sentence["status"]], status=EnforcementStatus[status],
        event=EnforcementEvent.from_row(event), sentence=Sentence.from_row(after), person=person,
        foreign_offender_code=after["foreign_offender_code"],
    )
