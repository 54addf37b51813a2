"""``Mutation.recordLegalEntityEnforcementEvent``: the course of a commercial legal entity's sentence (000 Art.
8.3.d: forced enforcement, transfer of the obligations, result), recorded like a person's (``mutations``): every
field checked first (``BAD_USER_INPUT`` naming ``input.<field>``, all problems in ``invalidFields``), then ONE
transaction with the event, the status and its history entry, the outbox event and the audit hashes.

The entity's data subject is its legal representative (``LegalEntity.legalRepresentativePerson``, PARTY): the
write names them (``@writeSubject``) and the result type declares them, so the gateway's audit and read policy
see whose data it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import strawberry
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types import Info

from subgraphs.common.classification import DataCategory, DataSubject, SubjectRole, ValueKind, classified
from subgraphs.common.classification import field as classified_field
from subgraphs.common.outbox import add_event, topics, utcnow
from subgraphs.common.write_keys import run_write
from subgraphs.common.writes import WriteArea, WriteSubject, record_write

from .enums import EnforcementStatus, LegalEntityEventKind
from .models import OUTBOX, TABLES, WRITE_KEYS
from .mutations import (
    VIETNAM,
    _Problems,
    _text,
    check_account,
    check_decision_number,
    check_event_head,
    lock_row,
    provenance,
)
from .types_entity import LegalEntityEnforcementEvent, LegalEntitySentence
from .types_person import Person

CRIMINAL = DataCategory.CRIMINAL
ENTITY_SENTENCE, ENTITY, EVENT = TABLES["legal_entity_sentence"], TABLES["legal_entity"], TABLES["enforcement_event"]
HISTORY = TABLES["status_change"]
# 000 Art. 8.3.d: kind -> (statuses it may be recorded in, status it leads to; None: unchanged)
ENTITY_TRANSITIONS: Mapping[str, tuple[frozenset[str], str | None]] = {
    "ENFORCEMENT_ORDERED": (frozenset({"AWAITING_ENFORCEMENT"}), "UNDER_ENFORCEMENT"),
    "FORCED_ENFORCEMENT": (frozenset({"UNDER_ENFORCEMENT"}), None),
    "OBLIGATIONS_TRANSFERRED": (frozenset({"UNDER_ENFORCEMENT"}), None),
    "COMPLETION": (frozenset({"UNDER_ENFORCEMENT"}), "COMPLETED"),
}


@strawberry.input(description="One step in the enforcement against a commercial legal entity (000 Art. 8.3.d).")
class LegalEntityEnforcementEventInput:
    sentence_id: strawberry.ID = strawberry.field(description="The entity's sentence (LegalEntitySentence.id).")
    province_code: str = strawberry.field(
        description="3-digit province whose bodies enforce it (LegalEntitySentence.provinceCode): the write's area."
    )
    legal_representative_personal_id: strawberry.ID | None = strawberry.field(
        default=None, description="Personal id of the entity's legal representative (required when the file "
        "records one): the data subject of the write."
    )
    kind: LegalEntityEventKind = strawberry.field(description="What happened (000 Art. 8.3.d).")
    date: dt.date = strawberry.field(description="When it took effect: not in the future, not before the last event.")
    authority: str = strawberry.field(description="Body that decided or recorded it.")
    decision_number: str | None = strawberry.field(
        default=None, description="Number of the decision (required but for COMPLETION)."
    )
    note: str | None = strawberry.field(default=None, description="Particulars (at most 2000 characters).")
    successor_name: str | None = strawberry.field(
        default=None, description="OBLIGATIONS_TRANSFERRED only (required): the entity taking over the obligations."
    )


@strawberry.type(
    directives=[DataSubject(field="legalRepresentativePerson", role=SubjectRole.PARTY)],
    description="What recordLegalEntityEnforcementEvent wrote (000 Art. 8.3.d).",
)
class LegalEntityEnforcementEventRecorded:
    previous_status: EnforcementStatus | None = classified_field(
        CRIMINAL, "The status before the event (000 Art. 8.1.b).", kind=ValueKind.CODE
    )
    status: EnforcementStatus | None = classified_field(
        CRIMINAL, "The status after it (000 Art. 8.1.b).", kind=ValueKind.CODE
    )
    event: LegalEntityEnforcementEvent | None = classified_field(
        CRIMINAL, "The event recorded.", kind=ValueKind.REFERENCE
    )
    sentence: LegalEntitySentence | None = classified_field(
        CRIMINAL, "The entity's sentence as updated.", kind=ValueKind.REFERENCE
    )
    legal_representative_person: Person | None = classified_field(
        CRIMINAL, "The entity's legal representative, a citizen (004 Art. 2.3.a).", kind=ValueKind.REFERENCE
    )


def _check(data: LegalEntityEnforcementEventInput, today: dt.date) -> tuple[_Problems, dict[str, str | None]]:
    problems = _Problems()
    kind = data.kind.name
    check_event_head(problems, str(data.sentence_id), data.province_code,
                     ("legalRepresentativePersonalId", data.legal_representative_personal_id), data.date, today)
    values = {
        "authority": _text(problems, "authority", data.authority, required=True, limit=300),
        "note": _text(problems, "note", data.note, limit=2000),
        "successor_name": _text(problems, "successorName", data.successor_name, limit=300),
        "decision_number": check_decision_number(problems, data.decision_number, required=kind != "COMPLETION",
                                                 kind=kind),
    }
    if kind == "OBLIGATIONS_TRANSFERRED" and not values["successor_name"]:
        problems.add("successorName", "OBLIGATIONS_TRANSFERRED names the entity taking over the obligations")
    elif kind != "OBLIGATIONS_TRANSFERRED" and values["successor_name"]:
        problems.add("successorName", "only for OBLIGATIONS_TRANSFERRED")
    return problems, values


async def record_legal_entity_event(info: Info, data: LegalEntityEnforcementEventInput
                                    ) -> LegalEntityEnforcementEventRecorded:
    """The resolver (see the module docstring)."""
    caller = check_account(info)
    problems, values = _check(data, dt.datetime.now(VIETNAM).date())
    problems.raise_any()
    kind, now = data.kind.name, utcnow()

    async def write(conn: AsyncConnection) -> dict[str, Any]:  # one transaction: everything or nothing
        found = await lock_row(conn, ENTITY_SENTENCE, str(data.sentence_id))
        if found is None:
            problems.add("sentenceId", "no sentence of a legal entity with this id")
            problems.raise_any()
        assert found is not None
        sentence = found
        representative = (await conn.execute(select(ENTITY.c.legal_representative_personal_id).where(
            ENTITY.c.id == sentence["legal_entity_id"]))).scalar()
        last = (await conn.execute(select(func.max(EVENT.c.position), func.max(EVENT.c.event_date)).where(
            EVENT.c.entity_sentence_id == sentence["id"]))).one()
        history = (await conn.execute(select(func.max(HISTORY.c.position)).where(
            HISTORY.c.entity_sentence_id == sentence["id"]))).scalar()
        if data.province_code != sentence["province_code"]:
            problems.add("provinceCode", "not the province whose bodies enforce this sentence")
        given = str(data.legal_representative_personal_id) if data.legal_representative_personal_id else None
        if representative is not None and given != representative:
            problems.add("legalRepresentativePersonalId", "required: the personal id of this entity's representative")
        elif representative is None and given is not None:
            problems.add("legalRepresentativePersonalId", "the file records no representative's personal id")
        if last[1] is not None and data.date < last[1]:
            problems.add("date", f"before the last recorded event ({last[1]}): events are recorded in order")
        allowed, leads_to = ENTITY_TRANSITIONS[kind]
        if sentence["status"] not in allowed:
            problems.add("kind", f"{kind} cannot be recorded while the sentence is {sentence['status']} "
                                 f"(only: {', '.join(sorted(allowed))})")
        problems.raise_any()
        status = leads_to or sentence["status"]
        recorded = provenance(caller, now)
        event = {"sentence_id": None, "entity_sentence_id": sentence["id"],
                 "position": (last[0] if last[0] is not None else -1) + 1, "kind": kind, "event_date": data.date,
                 "decision_number": values["decision_number"], "authority": values["authority"],
                 "note": values["note"], "health_ground": None, "months_reduced": None, "facility_id": None,
                 "successor_name": values["successor_name"], **recorded}
        event["id"] = (await conn.execute(insert(EVENT).values(**event).returning(EVENT.c.id))).scalar_one()
        changes = {"status": status, "updated_at": now, **({"end_year": data.date.year} if status == "COMPLETED" else {})}
        await conn.execute(update(ENTITY_SENTENCE).where(ENTITY_SENTENCE.c.id == sentence["id"]).values(**changes))
        if status != sentence["status"]:
            await conn.execute(insert(HISTORY).values(
                sentence_id=None, entity_sentence_id=sentence["id"], position=(history if history is not None else -1) + 1,
                status=status, since=data.date, cause=kind, decision_number=values["decision_number"], **recorded))
        after = {**sentence, **changes}
        await add_event(conn, OUTBOX, topics.ENFORCEMENT_RECORDED, sentence["id"], {
            "sentenceId": sentence["id"], "legalEntityId": sentence["legal_entity_id"], "personalId": None,
            "eventId": str(event["id"]), "kind": kind, "effectiveDate": data.date.isoformat(),
            "previousStatus": sentence["status"], "newStatus": status, "provinceCode": sentence["province_code"]})
        record_write(info, "LegalEntityEnforcementEvent", str(event["id"]), before=None, after=event,
                     subjects=[representative])
        record_write(info, "LegalEntitySentence", sentence["id"], before=sentence, after=after, subjects=[representative])
        return {"sentence": sentence, "status": status, "event": event, "after": after,
                "representative": representative}

    # once per gateway write key: a replay answers the first result and writes nothing (write_keys)
    state = await run_write(info.context.db, info, WRITE_KEYS, {"input": data}, write)
    sentence, status, event, after = state["sentence"], state["status"], state["event"], state["after"]
    representative = state["representative"]
    return LegalEntityEnforcementEventRecorded(
        previous_status=EnforcementStatus[sentence["status"]], status=EnforcementStatus[status],
        event=LegalEntityEnforcementEvent.from_row(event), sentence=LegalEntitySentence.from_row(after),
        legal_representative_person=Person(personal_id=strawberry.ID(representative)) if representative else None,
    )


MUTATION_DESCRIPTION = (
    "Record one step in the enforcement against a commercial legal entity: the order to enforce, forced "
    "enforcement, transfer of the obligations, completion (000 Art. 8.3.d). Updates the status and its history in "
    "the same transaction and tells the other databases (000 Art. 8.5.c–d)."
)


def legal_entity_mutation_field() -> object:
    """The ``Mutation`` field (added to ``mutations.Mutation``)."""

    @classified(CRIMINAL, MUTATION_DESCRIPTION, kind=ValueKind.REFERENCE,
                directives=[WriteArea(argument="input.provinceCode"),
                            WriteSubject(argument="input.legalRepresentativePersonalId")])
    async def record_legal_entity_enforcement_event(
        self: object, info: Info, input: LegalEntityEnforcementEventInput
    ) -> LegalEntityEnforcementEventRecorded | None:
        return await record_legal_entity_event(info, input)

    return record_legal_entity_enforcement_event
