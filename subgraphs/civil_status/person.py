"""``Person`` as this subgraph extends it, and the mapping from event rows to GraphQL event objects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.common.classification import DataCategory as C
from subgraphs.common.classification import ValueKind as K
from subgraphs.common.classification import classified, field
from subgraphs.common.enums import MaritalStatus, Sex
from subgraphs.common.errors import bad_user_input
from subgraphs.common.federation import selected_entity_fields
from subgraphs.common.identifiers import check_personal_id
from subgraphs.common.provinces import BY_CODE

from . import events as ev
from .enums import (
    CivilStatusEventKind,
    CivilStatusItem,
    CivilStatusRecordSource,
    ForeignCivilStatusEventKind,
    GuardianshipBasis,
    IdentityPaperKind,
    RecognizedParentRole,
    RecordedDecisionKind,
)
from .papers import CivilStatusIdentityPaper

Row = Mapping[str, Any]


# No description on Person and Person.personalId: population owns and documents them, and a second, different
# description would make composition pick one of the two (INCONSISTENT_DESCRIPTION). What civil status adds,
# the birth registration and the events of the person (003 Art. 3.1, 7.1, 10.2), is documented on its fields.
@strawberry.federation.type(keys=["personalId"])
class Person:
    personal_id: strawberry.ID = field(C.IDENTIFIER, None, kind=K.IDENTIFIER)  # type: ignore[arg-type]

    # this person's events (the loader's rows), when the batch resolver read them with every other person's
    prefetched: strawberry.Private[list[Row] | None] = None

    @classmethod
    def resolve_reference(cls, info: Info, **representation: Any) -> Person:
        """No SQL here: a person without civil status records is still a valid ``Person``. Its fields read
        through the request's loader, so N representations cost one statement (see ``loaders``)."""
        personal_id = representation.get("personalId")
        return cls(personal_id=strawberry.ID(check_personal_id(personal_id, "representations")))

    @classmethod
    async def resolve_references(cls, info: Info, representations: list[dict[str, Any]]) -> list[Any]:
        """Every representation of one ``_entities`` call at once (``subgraphs.common.federation``): the same
        single statement as the loader, awaited once for all, so the persons' fields complete without a task
        each. No SQL when no field of this subgraph's is asked for."""
        people: list[Any] = []
        for representation in representations:
            try:
                people.append(cls.resolve_reference(info, **representation))
            except Exception as exc:  # that representation's error only, as strawberry reports it
                people.append(exc)
        selected = selected_entity_fields(info)
        if not selected.keys() & {"birthRegistration", "civilStatusEvents"} or any(
            args.get("kinds") == [] for args in (selected["civilStatusEvents"].arguments
                                                 if "civilStatusEvents" in selected else ())
        ):  # nothing to read here, or an argument refused before any database access
            return people
        found = [p for p in people if isinstance(p, Person)]
        rows = await info.context.loaders.events_of.load_many([str(p.personal_id) for p in found])
        for person, events in zip(found, rows, strict=True):
            person.prefetched = events
        return people


    @classified(
        C.BASIC,
        "Birth registration of the person (khai sinh, 003 Art. 3.1.a, 10.2.a); null when none is recorded.",
        kind=K.REFERENCE,
    )
    def birth_registration(self, info: Info) -> ev.BirthRegistration | None:
        # sync when the batch resolver prefetched the rows (no coroutine, no task), else through the loader
        if self.prefetched is not None:
            return self._birth(self.prefetched)
        return self._later(info, self._birth)  # type: ignore[return-value]

    def _birth(self, rows: list[Row]) -> ev.BirthRegistration | None:
        for row in rows:
            if row["kind"] == CivilStatusEventKind.BIRTH.value and row["subject_id"] == self.personal_id:
                return event_from_row(row)  # type: ignore[return-value]
        return None

    async def _later(self, info: Info, build: Callable[[list[Row]], Any]) -> Any:
        return build(await info.context.loaders.events_of.load(str(self.personal_id)))

    @classified(
        C.BASIC,
        "Civil status events in which the person is a party, oldest first: as the subject, spouse, guardian, "
        "recognised or adoptive parent (003 Art. 3.1, 7.1). `kinds` restricts them to the given kinds.",
        kind=K.REFERENCE,
    )
    def civil_status_events(
        self, info: Info, kinds: list[CivilStatusEventKind] | None = None
    ) -> list[ev.CivilStatusEvent] | None:
        if kinds is not None and not kinds:
            raise bad_user_input("kinds", "give at least one kind, or omit the argument for every kind")
        wanted = None if kinds is None else {k.value for k in kinds}

        def build(rows: list[Row]) -> list[ev.CivilStatusEvent]:
            return [event_from_row(row) for row in rows if wanted is None or row["kind"] in wanted]

        if self.prefetched is not None:
            return build(self.prefetched)
        return self._later(info, build)  # type: ignore[return-value]


def _person(personal_id: str | None) -> Person | None:
    return None if personal_id is None else Person(personal_id=strawberry.ID(personal_id))


def _enum(enum_type: Any, value: str | None) -> Any:
    return None if value is None else enum_type(value)


def iso_utc(value: dt.datetime | str | None) -> str | None:
    """A stored time as ISO 8601 UTC with a ``Z`` (SQLite returns naive datetimes, stored as UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _paper(row: Row, role: str, holder_id: str | None) -> CivilStatusIdentityPaper | None:
    """The identity paper recorded for ``role`` (FATHER, MOTHER, DECLARANT, REQUESTER), held by ``holder_id``."""
    papers = row["identity_papers"]
    paper = papers.get(role) if isinstance(papers, dict) else None
    if not paper:
        return None
    return CivilStatusIdentityPaper(
        kind=_enum(IdentityPaperKind, paper.get("kind")),
        number=paper.get("number"),
        issuing_authority=paper.get("issuingAuthority"),
        issuing_country=paper.get("issuingCountry", "Việt Nam"),
        issue_date=paper.get("issueDate"),
        holder=_person(holder_id),
        holder_name=paper.get("holderName"),
        holder_nationality=paper.get("holderNationality"),
    )


def _declarant_paper(row: Row) -> CivilStatusIdentityPaper | None:
    """The declarant's paper: recorded as such, else the paper of the parent who declared (models)."""
    declarant = row["declarant_id"]
    paper = _paper(row, "DECLARANT", declarant)
    if paper is None and declarant is not None:
        for role, column in (("FATHER", "father_id"), ("MOTHER", "mother_id")):
            if row[column] == declarant:
                return _paper(row, role, declarant)
    return paper


def _amendment(row: Row) -> dict[str, Any]:
    return {
        "item": CivilStatusItem(row["changed_item"]),
        "old_value": row["old_value"],
        "new_value": row["new_value"],
        "reason": row["reason"],
    }


_SPECIFIC: dict[str, tuple[type, Callable[[Row], dict[str, Any]]]] = {
    "BIRTH": (
        ev.BirthRegistration,
        lambda r: {
            "full_name": r["full_name"],
            "date_of_birth": r["date_of_birth"],
            "sex": Sex(r["sex"]),
            "place_of_birth": r["place_of_birth"],
            "ethnicity": r["ethnicity"],
            "nationality": r["nationality"],
            "hometown": r["hometown"],
            "father": _person(r["father_id"]),
            "mother": _person(r["mother_id"]),
            "declarant_name": r["declarant_name"],
            "declarant_personal_id": r["declarant_id"],
            "declarant": _person(r["declarant_id"]),
            "declarant_relationship": r["declarant_relationship"],
            "father_identity_paper": _paper(r, "FATHER", r["father_id"]),
            "mother_identity_paper": _paper(r, "MOTHER", r["mother_id"]),
            "declarant_identity_paper": _declarant_paper(r),
            "legal_representative": _person(r["legal_representative_id"]),
            "legal_representative_name": r["legal_representative_name"],
        },
    ),
    "MARRIAGE": (
        ev.MarriageRegistration,
        lambda r: {"husband": _person(r["husband_id"]), "wife": _person(r["wife_id"])},
    ),
    "MARITAL_STATUS_CONFIRMATION": (
        ev.MaritalStatusConfirmation,
        lambda r: {
            "marital_status": MaritalStatus(r["confirmed_marital_status"]),
            "intended_use": r["intended_use"],
            "valid_until": r["valid_until"],
        },
    ),
    "GUARDIANSHIP": (
        ev.GuardianshipRegistration,
        lambda r: {
            "guardian": _person(r["guardian_id"]),
            "basis": _enum(GuardianshipBasis, r["guardianship_basis"]),
        },
    ),
    "GUARDIANSHIP_END": (
        ev.GuardianshipTermination,
        lambda r: {"guardian": _person(r["guardian_id"]), "reason": r["reason"]},
    ),
    "PARENT_CHILD_RECOGNITION": (
        ev.ParentChildRecognition,
        lambda r: {
            "parent": _person(r["parent_id"]),
            "parent_role": _enum(RecognizedParentRole, r["parent_role"]),
        },
    ),
    "ADOPTION": (
        ev.AdoptionRegistration,
        lambda r: {
            "adoptive_father": _person(r["adoptive_father_id"]),
            "adoptive_mother": _person(r["adoptive_mother_id"]),
        },
    ),
    "CHANGE": (ev.CivilStatusChange, _amendment),
    "CORRECTION": (ev.CivilStatusCorrection, _amendment),
    "SUPPLEMENT": (ev.CivilStatusSupplement, _amendment),
    "ETHNICITY_REDETERMINATION": (
        ev.EthnicityRedetermination,
        lambda r: {"old_ethnicity": r["old_value"], "new_ethnicity": r["new_value"], "reason": r["reason"]},
    ),
    "DEATH": (
        ev.DeathRegistration,
        lambda r: {
            "date_of_death": r["date_of_death"],
            "place_of_death": r["place_of_death"],
            "cause_of_death": r["cause_of_death"],
        },
    ),
    "COURT_DECISION_RECORDING": (
        ev.CourtDecisionRecording,
        lambda r: {
            "court": r["court"],
            "decision_number": r["decision_number"],
            "decision_date": r["decision_date"],
            "decision_kind": RecordedDecisionKind(r["decision_kind"]),
            "other_party": _person(r["other_party_id"]),
        },
    ),
    "FOREIGN_EVENT_RECORDING": (
        ev.ForeignEventRecording,
        lambda r: {
            "recorded_event": ForeignCivilStatusEventKind(r["recorded_event"]),
            "foreign_country": r["foreign_country"],
            "foreign_authority": r["foreign_authority"],
            "foreign_document_number": r["foreign_document_number"],
            "foreign_document_date": r["foreign_document_date"],
            "other_party": _person(r["other_party_id"]),
            "requester": _person(r["requester_id"]),
            "requester_name": r["requester_name"],
            "requester_identity_paper": _paper(r, "REQUESTER", r["requester_id"]),
        },
    ),
}
assert set(_SPECIFIC) == {k.value for k in CivilStatusEventKind}, "every kind needs a concrete type"


def event_from_row(row: Row) -> ev.CivilStatusEvent:
    """The GraphQL object of the concrete type of ``row['kind']``."""
    cls, specific = _SPECIFIC[row["kind"]]
    province = BY_CODE.get(row["registration_province_code"])
    return cls(
        id=strawberry.ID(str(row["id"])),
        kind=CivilStatusEventKind(row["kind"]),
        registration_number=row["registration_number"],
        book_number=row["book_number"],
        registration_date=row["registration_date"],
        registering_authority=row["registering_authority"],
        registration_province_code=row["registration_province_code"],
        registration_province=province.name if province else row["registration_province_code"],
        registered_at_mission=bool(row["registered_at_mission"]),
        signer_name=row["signer_name"],
        signer_title=row["signer_title"],
        subject=_person(row["subject_id"]),
        source=_enum(CivilStatusRecordSource, row["source"]),
        register_page_scan=row["register_page_scan"],
        created_at=iso_utc(row["created_at"]),
        updated_at=iso_utc(row["updated_at"]),
        **specific(row),
    )
