"""Natural persons' sentences: ``Person`` (extended), ``ForeignOffender``, ``Sentence`` and its course of enforcement.

Everything about a natural person's conviction and its enforcement is ``CRIMINAL`` (004 Art. 2.4.g); identifiers
are ``IDENTIFIER``; medical grounds are ``HEALTH`` (004 Art. 2.4.b). All nested data goes through the request's
data loaders, so N sentences cost one statement per kind of child, not N.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from subgraphs.common.classification import DataCategory, DataSubject, ValueKind, classified, field
from subgraphs.common.enums import Sex
from subgraphs.common.federation import selected_entity_fields
from subgraphs.common.scalars import PartialDate

from .enums import EnforcementEventKind, EnforcementStatus, ForeignIdKind
from .prefetch import checked_personal_id as _checked
from .prefetch import later as _later
from .prefetch import prefetch_children as _prefetch_children
from .types_common import Charge, CivilObligation, Facility, Judgment, JudicialMeasure, Penalty
from .types_facts import ForeignOffenderProtectionFacts
from .types_records import BasicRecord, CriminalRecord, StatusChange, recorded_in_time

BASIC, CRIMINAL, HEALTH, IDENTIFIER = (
    DataCategory.BASIC,
    DataCategory.CRIMINAL,
    DataCategory.HEALTH,
    DataCategory.IDENTIFIER,
)


@strawberry.type(
    directives=[DataSubject(inherit=True)],
    description="One step in the course of enforcement (diễn biến quá trình chấp hành án, 000 Art. 8.2.e).",
)
class EnforcementEvent(CriminalRecord):  # type: ignore[misc, valid-type]
    kind: EnforcementEventKind | None = field(
        CRIMINAL, "What happened (000 Art. 8.2.e).", kind=ValueKind.CODE
    )
    event_date: date | None = field(CRIMINAL, "When it took effect.", name="date", kind=ValueKind.DATE)
    decision_number: str | None = field(
        CRIMINAL, "Number of the decision ordering it (000 Art. 8.2.e).", kind=ValueKind.IDENTIFIER
    )
    authority: str | None = field(
        CRIMINAL, "Court, enforcement agency or facility that decided or recorded it.", kind=ValueKind.TEXT
    )
    note: str | None = field(CRIMINAL, "Particulars recorded with the event.", kind=ValueKind.FREE_TEXT)
    health_ground: str | None = field(
        HEALTH,
        "Medical ground of a postponement, suspension or exemption (serious illness, pregnancy; BLHS Art. 67.1.a-b, "
        "68): health data, 004 Art. 2.4.b.", kind=ValueKind.FREE_TEXT,
    )
    months_reduced: int | None = field(
        CRIMINAL, "Months taken off the term by a reduction or amnesty (BLHS Art. 63).", kind=ValueKind.AMOUNT
    )
    facility_id: strawberry.Private[str | None] = None

    @classified(
        CRIMINAL, "Whether the event was recorded within 24 hours of the end of the day it took effect, Vietnam "
        "time (000 Art. 8.5.c: data updated within 24 hours of the change); false for a late entry.",
        kind=ValueKind.FLAG,
    )
    def recorded_within_deadline(self) -> bool | None:
        if self.row is None or self.event_date is None or self.row["created_at"] is None:
            return None
        return recorded_in_time(self.event_date, self.row["created_at"])

    @classified(
        CRIMINAL, "Facility the person was moved to (FACILITY_TRANSFER) or admitted to.", kind=ValueKind.REFERENCE
    )
    async def facility(self, info: Info) -> Facility | None:
        if self.facility_id is None:
            return None
        row = await info.context.loaders.facility.load(self.facility_id)
        return Facility.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: Any) -> EnforcementEvent:
        return cls(
            row=row,
            kind=EnforcementEventKind[row["kind"]],
            event_date=row["event_date"],
            decision_number=row["decision_number"],
            authority=row["authority"],
            note=row["note"],
            health_ground=row["health_ground"],
            months_reduced=row["months_reduced"],
            facility_id=row["facility_id"],
        )


@strawberry.type(
    directives=[DataSubject(inherit=True)],
    description="The offender's background as held in the enforcement file (lý lịch, 000 Art. 8.2.b). Identity data "
    "proper (birth, hometown, ethnicity, religion...) is not copied here: it stays in the population database, "
    "reached through `Sentence.person` (data collected once, used many times: 000 Art. 3.4)."
)
class OffenderBackground:
    name_at_judgment: str | None = field(
        CRIMINAL, "Full name as written in the ruling (000 Art. 8.2.b).", kind=ValueKind.NAME
    )
    aliases: list[str] | None = field(
        CRIMINAL, "Other names and aliases (tên gọi khác, bí danh) in the file.", kind=ValueKind.NAME
    )
    occupation: str | None = field(CRIMINAL, "Occupation when convicted.", kind=ValueKind.TEXT)
    education_level: str | None = field(
        CRIMINAL, "Education level when convicted, e.g. '9/12'.", kind=ValueKind.TEXT
    )
    prior_convictions: int | None = field(
        CRIMINAL, "Number of prior convictions not yet expunged (tiền án).", kind=ValueKind.COUNT
    )
    residence_at_judgment: str | None = field(
        CRIMINAL, "Place of residence when convicted.", kind=ValueKind.ADDRESS
    )
    minor_at_offence: bool | None = field(
        CRIMINAL, "Under 18 when the offence was committed (BLHS Part One, Chapter XII; 004 Art. 20).", kind=ValueKind.FLAG,
    )


def _background(row: Any) -> OffenderBackground:
    return OffenderBackground(
        name_at_judgment=row["name_at_judgment"],
        aliases=[a for a in (row["aliases"] or "").split("; ") if a],
        occupation=row["occupation"],
        education_level=row["education_level"],
        prior_convictions=row["prior_convictions"],
        residence_at_judgment=row["residence_at_judgment"],
        minor_at_offence=bool(row["minor_at_offence"]),
    )


@strawberry.federation.type(
    keys=["id"],
    # Exactly one of the two is non-null for a given sentence (the one_offender check of the table).
    directives=[DataSubject(field="person"), DataSubject(field="foreignOffender")],
    description="A natural person's sentence under one ruling (000 Art. 8.2).",
)
class Sentence(CriminalRecord):  # type: ignore[misc, valid-type]
    id: strawberry.ID = field(
        IDENTIFIER, "Identifier of the sentence record in the enforcement database.", kind=ValueKind.IDENTIFIER
    )
    offence_summary: str | None = field(
        CRIMINAL, "Summary of the offence (tóm tắt quá trình phạm tội, 000 Art. 8.2.d).", kind=ValueKind.FREE_TEXT
    )
    offence_date: date | None = field(
        CRIMINAL, "When the offence was committed (000 Art. 8.2.d).", kind=ValueKind.DATE
    )
    background: OffenderBackground | None = field(
        CRIMINAL, "The offender's background (lý lịch, 000 Art. 8.2.b).", kind=ValueKind.REFERENCE
    )
    status: EnforcementStatus | None = field(
        CRIMINAL, "Current state of enforcement (000 Art. 8.1.b, 8.2.e).", kind=ValueKind.CODE
    )
    enforcement_started_on: date | None = field(
        CRIMINAL, "When enforcement began (decision to enforce).", kind=ValueKind.DATE
    )
    expected_end_on: date | None = field(
        CRIMINAL, "When the term ends, as currently computed (after reductions).", kind=ValueKind.DATE
    )
    supervising_authority: str | None = field(
        CRIMINAL, "Commune police or People's Committee supervising a sentence served in the community (000 Art. 2.2).", kind=ValueKind.TEXT,
    )
    province_code: str | None = field(
        CRIMINAL,
        "3-digit code of the province whose bodies enforce the sentence: a provincial enforcement body exploits the "
        "sentences it manages (000 Art. 13.1).",
        kind=ValueKind.CODE,
        fact="enforcementProvince",
    )
    residence_after_release: str | None = field(
        CRIMINAL, "Residence after the sentence was served (000 Art. 8.2.g).", kind=ValueKind.ADDRESS,
    )
    workplace_after_release: str | None = field(
        CRIMINAL, "Workplace after the sentence was served (000 Art. 8.2.g).", kind=ValueKind.ADDRESS,
    )
    personal_id: strawberry.Private[str | None] = None
    foreign_code: strawberry.Private[str | None] = None
    judgment_id: strawberry.Private[str] = ""
    facility_id: strawberry.Private[str | None] = None
    # rows the batch resolver of Person prefetched for every sentence of the request at once (None: not
    # prefetched, read through the loaders): the fields below are then sync, no coroutine or task per sentence
    judgment_row: strawberry.Private[Any] = None
    charge_rows: strawberry.Private[list[Any] | None] = None
    penalty_rows: strawberry.Private[list[Any] | None] = None

    @classmethod
    def from_row(cls, row: Any, **prefetched: Any) -> Sentence:
        return cls(
            **prefetched,
            row=row,
            id=strawberry.ID(row["id"]),
            offence_summary=row["offence_summary"],
            offence_date=row["offence_date"],
            background=_background(row),
            status=EnforcementStatus[row["status"]],
            enforcement_started_on=row["enforcement_started_on"],
            expected_end_on=row["expected_end_on"],
            supervising_authority=row["supervising_authority"],
            province_code=row["province_code"],
            residence_after_release=row["residence_after_release"],
            workplace_after_release=row["workplace_after_release"],
            personal_id=row["offender_personal_id"],
            foreign_code=row["foreign_offender_code"],
            judgment_id=row["judgment_id"],
            facility_id=row["facility_id"],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Sentence | None:
        row = await info.context.loaders.sentence.load(str(representation.get("id", "")))
        return cls.from_row(row) if row else None

    @classified(
        CRIMINAL, "Who serves it: a citizen (Person, by personal id) or a foreigner (000 Art. 8.2.c).", kind=ValueKind.REFERENCE
    )
    def offender(self, info: Info) -> Offender | None:
        if self.personal_id is not None:
            return Person(personal_id=strawberry.ID(self.personal_id))
        return self.foreign_offender(info)

    @classified(
        CRIMINAL, "The offender when a citizen: a Person entity reference (000 Art. 8.2.c); null for foreigners.", kind=ValueKind.REFERENCE
    )
    def person(self) -> Person | None:
        return Person(personal_id=strawberry.ID(self.personal_id)) if self.personal_id else None

    @classified(
        CRIMINAL, "The offender when a foreigner (000 Art. 8.2.c); null for citizens.", kind=ValueKind.REFERENCE
    )
    def foreign_offender(self, info: Info) -> ForeignOffender | None:
        if self.foreign_code is None:  # a citizen's sentence: no coroutine (nor task) just to answer null
            return None
        return _later(info.context.loaders.foreign_offender.load(self.foreign_code),
                      lambda row: ForeignOffender.from_row(row) if row else None)

    @classified(CRIMINAL, "The judgment or decision enforced (000 Art. 8.2.a).", kind=ValueKind.REFERENCE)
    def judgment(self, info: Info) -> Judgment | None:
        if self.judgment_row is not None:
            return Judgment.from_row(self.judgment_row)
        return _later(info.context.loaders.judgment.load(self.judgment_id), Judgment.from_row)

    @classified(
        CRIMINAL, "Crimes convicted of, with Criminal Code article and clause (000 Art. 8.2.a).", kind=ValueKind.REFERENCE
    )
    def charges(self, info: Info) -> list[Charge] | None:
        def build(rows: list[Any]) -> list[Charge]:
            return [Charge.from_row(r) for r in rows]

        if self.charge_rows is not None:
            return build(self.charge_rows)
        return _later(info.context.loaders.charges.load(str(self.id)), build)

    def _penalties(self, info: Info, role: str, build: Any) -> Any:
        def pick(rows: list[Any]) -> Any:
            return build(r for r in rows if r["role"] == role)

        if self.penalty_rows is not None:
            return pick(self.penalty_rows)
        return _later(info.context.loaders.penalties.load(str(self.id)), pick)

    @classified(
        CRIMINAL, "The principal penalty (hình phạt chính, BLHS Art. 32.1; 000 Art. 8.2.a).", kind=ValueKind.REFERENCE
    )
    def principal_penalty(self, info: Info) -> Penalty | None:
        return self._penalties(info, "PRINCIPAL", lambda rows: next((Penalty.from_row(r) for r in rows), None))

    @classified(
        CRIMINAL, "Additional penalties (hình phạt bổ sung, BLHS Art. 32.2; 000 Art. 8.2.đ).", kind=ValueKind.REFERENCE
    )
    def additional_penalties(self, info: Info) -> list[Penalty] | None:
        return self._penalties(info, "ADDITIONAL", lambda rows: [Penalty.from_row(r) for r in rows])

    @classified(
        CRIMINAL, "Judicial measures applied (biện pháp tư pháp, BLHS Art. 46; 000 Art. 8.2).", kind=ValueKind.REFERENCE
    )
    def judicial_measures(self, info: Info) -> list[JudicialMeasure] | None:
        return self._penalties(info, "MEASURE", lambda rows: [JudicialMeasure.from_row(r) for r in rows])

    @classified(
        CRIMINAL, "Civil obligations in the criminal judgment (000 Art. 8.2.đ).", kind=ValueKind.REFERENCE
    )
    async def civil_obligations(self, info: Info) -> list[CivilObligation] | None:
        return [CivilObligation.from_row(r) for r in await info.context.loaders.obligations.load(str(self.id))]

    @classified(
        CRIMINAL, "The course of enforcement, oldest first (000 Art. 8.2.e).", kind=ValueKind.REFERENCE
    )
    async def enforcement_events(self, info: Info) -> list[EnforcementEvent] | None:
        return [EnforcementEvent.from_row(r) for r in await info.context.loaders.events.load(str(self.id))]

    @classified(
        CRIMINAL, "The status history, oldest first: each state of enforcement entered, when and by which event "
        "(tình hình, kết quả thi hành án, 000 Art. 8.1.b).", kind=ValueKind.REFERENCE
    )
    async def status_history(self, info: Info) -> list[StatusChange] | None:
        return [StatusChange.from_row(r) for r in await info.context.loaders.status_history.load(str(self.id))]

    @classified(
        CRIMINAL, "Facility where the sentence is (or was last) served, if custodial (000 Art. 2.2).", kind=ValueKind.REFERENCE
    )
    async def facility(self, info: Info) -> Facility | None:
        if self.facility_id is None:
            return None
        row = await info.context.loaders.facility.load(self.facility_id)
        return Facility.from_row(row) if row else None


@strawberry.federation.type(
    keys=["personalId"],
    description="A citizen, owned by `population`; this subgraph adds the sentences they serve (000 Art. 8.2).",
)
class Person:
    personal_id: strawberry.ID = field(
        IDENTIFIER, "Personal identification number (số định danh cá nhân, 000 Art. 8.2.c).", kind=ValueKind.IDENTIFIER
    )
    prefetched: strawberry.Private[list[Any] | None] = None
    # sentence id -> rows prefetched for it (Sentence.from_row keywords), by resolve_references
    children: strawberry.Private[dict[str, dict[str, Any]] | None] = None

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Person:
        """Batched: every representation of one ``_entities`` call goes into one ``IN (...)`` statement."""
        personal_id = _checked(representation)
        rows = await info.context.loaders.sentences_by_person.load(personal_id)
        return cls(personal_id=strawberry.ID(personal_id), prefetched=rows)

    @classmethod
    async def resolve_references(cls, info: Info, representations: list[dict[str, Any]]) -> list[Any]:
        """Every representation of one ``_entities`` call at once (``subgraphs.common.federation``): the
        sentences in the loader's one statement, then, for what the query selects below ``sentences``, the
        judgments, charges and penalties of all of them in the loaders' one statement each, concurrently as
        the fields would have asked for them; the fields below then complete without a task per row."""
        checked: list[Any] = []
        for representation in representations:
            try:
                checked.append(_checked(representation))
            except Exception as exc:  # that representation's error only, as strawberry reports it
                checked.append(exc)
        ids = [c for c in checked if isinstance(c, str)]
        loaders = info.context.loaders
        per_person = dict(zip(ids, await loaders.sentences_by_person.load_many(ids), strict=True))
        selected = selected_entity_fields(info).get("sentences")
        children = await _prefetch_children(loaders, [r for rows in per_person.values() for r in rows],
                                            set(selected.fields) if selected else set())
        return [c if isinstance(c, Exception) else
                cls(personal_id=strawberry.ID(c), prefetched=per_person[c], children=children) for c in checked]

    @classified(
        CRIMINAL, "Sentences this citizen serves or has served, oldest first (000 Art. 8.2).", kind=ValueKind.REFERENCE
    )
    def sentences(self, info: Info) -> list[Sentence] | None:
        if self.prefetched is not None:
            children = self.children or {}
            return [Sentence.from_row(r, **children.get(r["id"], {})) for r in self.prefetched]
        return _later(info.context.loaders.sentences_by_person.load(str(self.personal_id)),
                      lambda rows: [Sentence.from_row(r) for r in rows])


@strawberry.federation.type(
    keys=["identificationCode"],
    directives=[DataSubject(field="identificationCode", facts="protectionFacts")],
    description="A foreigner serving a sentence, keyed by passport number or identification code (000 Art. 8.2.c).",
)
class ForeignOffender(BasicRecord):  # type: ignore[misc, valid-type]
    identification_code: str = field(
        IDENTIFIER, "Passport number or identification code (000 Art. 8.2.c).", kind=ValueKind.IDENTIFIER
    )
    identification_kind: ForeignIdKind | None = field(
        IDENTIFIER, "Whether the code is a passport number (000 Art. 8.2.c).", kind=ValueKind.CODE
    )
    full_name: str | None = field(
        BASIC, "Full name as in the passport (004 Art. 2.3.a).", kind=ValueKind.NAME
    )
    nationality: str | None = field(BASIC, "Nationality (004 Art. 2.3.đ).", kind=ValueKind.TEXT)
    date_of_birth: PartialDate | None = field(
        BASIC, "Date of birth, possibly partial (004 Art. 2.3.b).", kind=ValueKind.DATE
    )
    sex: Sex | None = field(BASIC, "Sex (004 Art. 2.3.c).", kind=ValueKind.CODE)

    @classmethod
    def from_row(cls, row: Any) -> ForeignOffender:
        return cls(
            row=row,
            identification_code=row["identification_code"],
            identification_kind=ForeignIdKind[row["id_kind"]],
            full_name=row["full_name"],
            nationality=row["nationality"],
            date_of_birth=row["date_of_birth"],
            sex=Sex[row["sex"]] if row["sex"] else None,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> ForeignOffender | None:
        row = await info.context.loaders.foreign_offender.load(str(representation.get("identificationCode", "")))
        return cls.from_row(row) if row else None

    @classified(
        CRIMINAL, "Sentences this foreigner serves or has served (000 Art. 8.2).", kind=ValueKind.REFERENCE
    )
    async def sentences(self, info: Info) -> list[Sentence] | None:
        rows = await info.context.loaders.sentences_by_foreigner.load(self.identification_code)
        return [Sentence.from_row(r) for r in rows]

    @classified(
        BASIC,
        "This foreigner's protection facts, read by the gateway's row rules (docs/PROTECTION.md §2).",
        kind=ValueKind.REFERENCE,
    )
    async def protection_facts(self, info: Info) -> ForeignOffenderProtectionFacts | None:
        """Batched: the death records of every foreigner of the request come from one statement."""
        died = await info.context.loaders.foreigner_deaths.load(self.identification_code)
        return ForeignOffenderProtectionFacts(
            birth_date=self.date_of_birth, deceased=died, missing=False, restricted=False, residence_province_code=None
        )


Offender = Annotated[
    Person | ForeignOffender,
    strawberry.union("Offender", description="Who serves a sentence: a citizen or a foreigner (000 Art. 8.2.c)."),
]
