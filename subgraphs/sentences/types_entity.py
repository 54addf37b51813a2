"""Commercial legal entities serving sentences (pháp nhân thương mại, 000 Art. 8.3).

Classification: data about a legal entity is not personal data (004 Art. 2.1 defines personal data as information
about a natural person), so the entity's own fields and its sentence records are ``PUBLIC``; only the name of its
legal representative, a natural person, is ``BASIC`` (004 Art. 2.3.a), and that person is the entity's data
subject (``@dataSubject(field: "legalRepresentativePerson", role: PARTY)``): its sentences and their parts inherit
it, so the representative's protection facts (004 Art. 9.6, 19) govern what is released. The shared ``Judgment``, ``Charge``,
``Penalty``... types keep their ``CRIMINAL`` fields, because a category is per field, not per path, and the same
types describe natural persons' convictions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.common.classification import (
    DataCategory,
    DataSubject,
    SubjectRole,
    ValueKind,
    classified,
    field,
)

from .enums import EnforcementStatus, LegalEntityEventKind
from .types_common import Charge, CivilObligation, Judgment, JudicialMeasure, Penalty, province_name
from .types_person import Person
from .types_records import LegalEntityStatusChange, PublicRecord

PUBLIC, BASIC, IDENTIFIER = DataCategory.PUBLIC, DataCategory.BASIC, DataCategory.IDENTIFIER


@strawberry.type(description="One step in the enforcement against a legal entity (000 Art. 8.3.d).")
class LegalEntityEnforcementEvent(PublicRecord):  # type: ignore[misc, valid-type]
    kind: LegalEntityEventKind = field(
        PUBLIC, "What happened: forced enforcement, transfer of obligations... (000 Art. 8.3.d).", kind=ValueKind.CODE
    )
    event_date: date = field(PUBLIC, "When it took effect.", name="date", kind=ValueKind.DATE)
    decision_number: str | None = field(
        PUBLIC, "Number of the decision ordering it.", kind=ValueKind.IDENTIFIER
    )
    authority: str = field(PUBLIC, "Body that decided it.", kind=ValueKind.TEXT)
    note: str | None = field(PUBLIC, "Particulars recorded with the event.", kind=ValueKind.FREE_TEXT)
    successor_name: str | None = field(
        PUBLIC, "Entity that took over the obligations (OBLIGATIONS_TRANSFERRED), 000 Art. 8.3.d.", kind=ValueKind.TEXT,
    )

    @classmethod
    def from_row(cls, row: Any) -> LegalEntityEnforcementEvent:
        return cls(
            row=row,
            kind=LegalEntityEventKind[row["kind"]],
            event_date=row["event_date"],
            decision_number=row["decision_number"],
            authority=row["authority"],
            note=row["note"],
            successor_name=row["successor_name"],
        )


@strawberry.type(
    directives=[DataSubject(inherit=True)],
    description="A commercial legal entity's sentence under one ruling (000 Art. 8.3).",
)
class LegalEntitySentence(PublicRecord):  # type: ignore[misc, valid-type]
    id: strawberry.ID | None = field(
        IDENTIFIER, "Identifier of the record in the enforcement database.", kind=ValueKind.IDENTIFIER
    )
    offence_summary: str = field(PUBLIC, "Summary of the offence (000 Art. 8.3.a).", kind=ValueKind.FREE_TEXT)
    enforcing_authority: str = field(PUBLIC, "Body enforcing the sentence.", kind=ValueKind.TEXT)
    status: EnforcementStatus = field(
        PUBLIC, "Current state of enforcement (000 Art. 8.3.d).", kind=ValueKind.CODE
    )
    province_code: str = field(
        PUBLIC,
        "3-digit code of the province whose bodies enforce it: a provincial enforcement body exploits the sentences "
        "it manages (000 Art. 13.1).",
        kind=ValueKind.CODE,
        fact="enforcementProvince",
    )
    judgment_id: strawberry.Private[str] = ""

    @classmethod
    def from_row(cls, row: Any) -> LegalEntitySentence:
        return cls(
            row=row,
            id=strawberry.ID(row["id"]),
            offence_summary=row["offence_summary"],
            enforcing_authority=row["enforcing_authority"],
            status=EnforcementStatus[row["status"]],
            province_code=row["province_code"],
            judgment_id=row["judgment_id"],
        )

    @classified(PUBLIC, "The judgment or decision enforced (000 Art. 8.3.a).", kind=ValueKind.REFERENCE)
    async def judgment(self, info: Info) -> Judgment:
        return Judgment.from_row(await info.context.loaders.judgment.load(self.judgment_id))

    @classified(
        PUBLIC, "Crimes convicted of (BLHS Art. 76 lists those a legal entity answers for).", kind=ValueKind.REFERENCE
    )
    async def charges(self, info: Info) -> list[Charge]:
        return [Charge.from_row(r) for r in await info.context.loaders.entity_charges.load(str(self.id))]

    @classified(PUBLIC, "Principal penalty (BLHS Art. 33.1).", kind=ValueKind.REFERENCE)
    async def principal_penalty(self, info: Info) -> Penalty | None:
        rows = await info.context.loaders.entity_penalties.load(str(self.id))
        return next((Penalty.from_row(r) for r in rows if r["role"] == "PRINCIPAL"), None)

    @classified(PUBLIC, "Additional penalties (BLHS Art. 33.2).", kind=ValueKind.REFERENCE)
    async def additional_penalties(self, info: Info) -> list[Penalty]:
        rows = await info.context.loaders.entity_penalties.load(str(self.id))
        return [Penalty.from_row(r) for r in rows if r["role"] == "ADDITIONAL"]

    @classified(PUBLIC, "Judicial measures (BLHS Art. 82).", kind=ValueKind.REFERENCE)
    async def judicial_measures(self, info: Info) -> list[JudicialMeasure]:
        rows = await info.context.loaders.entity_penalties.load(str(self.id))
        return [JudicialMeasure.from_row(r) for r in rows if r["role"] == "MEASURE"]

    @classified(
        PUBLIC, "Civil obligations in the criminal judgment (000 Art. 8.3.c).", kind=ValueKind.REFERENCE
    )
    async def civil_obligations(self, info: Info) -> list[CivilObligation]:
        rows = await info.context.loaders.entity_obligations.load(str(self.id))
        return [CivilObligation.from_row(r) for r in rows]

    @classified(
        PUBLIC, "The status history, oldest first (tình hình, kết quả thi hành án, 000 Art. 8.1.b, 8.3.d).",
        kind=ValueKind.REFERENCE,
    )
    async def status_history(self, info: Info) -> list[LegalEntityStatusChange]:
        rows = await info.context.loaders.entity_status_history.load(str(self.id))
        return [LegalEntityStatusChange.from_row(r) for r in rows]

    @classified(PUBLIC, "The course of enforcement, oldest first (000 Art. 8.3.d).", kind=ValueKind.REFERENCE)
    async def enforcement_events(self, info: Info) -> list[LegalEntityEnforcementEvent]:
        rows = await info.context.loaders.entity_events.load(str(self.id))
        return [LegalEntityEnforcementEvent.from_row(r) for r in rows]


@strawberry.federation.type(
    keys=["id"],
    directives=[DataSubject(field="legalRepresentativePerson", role=SubjectRole.PARTY)],
    description="A commercial legal entity serving a sentence (pháp nhân thương mại, 000 Art. 8.3.b).",
)
class LegalEntity(PublicRecord):  # type: ignore[misc, valid-type]
    id: strawberry.ID = field(
        IDENTIFIER, "Identifier of the entity in the enforcement database.", kind=ValueKind.IDENTIFIER
    )
    name: str = field(PUBLIC, "Registered name (not personal data: 004 Art. 2.1).", kind=ValueKind.TEXT)
    enterprise_code: str = field(
        PUBLIC, "Enterprise code (mã số doanh nghiệp), published in the national business registry.", kind=ValueKind.IDENTIFIER,
    )
    province_code: str = field(
        PUBLIC, "3-digit code of the province of its head office.", kind=ValueKind.CODE
    )
    province_name: str = field(PUBLIC, "Name of that province.", kind=ValueKind.TEXT)
    head_office_address: str = field(
        PUBLIC, "Head office address; the last segment is the province.", kind=ValueKind.ADDRESS
    )
    legal_representative: str | None = field(
        BASIC,
        "Name of its legal representative: a natural person, hence basic personal data (004 Art. 2.3.a).",
        kind=ValueKind.NAME,
    )
    representative_personal_id: strawberry.Private[str | None] = None

    @classmethod
    def from_row(cls, row: Any) -> LegalEntity:
        return cls(
            row=row,
            id=strawberry.ID(row["id"]),
            name=row["name"],
            enterprise_code=row["enterprise_code"],
            province_code=row["province_code"],
            province_name=province_name(row["province_code"]),
            head_office_address=row["head_office_address"],
            legal_representative=row["legal_representative"],
            representative_personal_id=row["legal_representative_personal_id"],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> LegalEntity | None:
        row = await info.context.loaders.legal_entity.load(str(representation.get("id", "")))
        return cls.from_row(row) if row else None

    @classified(
        BASIC,
        "Its legal representative as a citizen: a Person entity reference by personal id (004 Art. 2.3.a); null "
        "when the enforcement file does not record the representative's personal id.",
        kind=ValueKind.REFERENCE,
    )
    def legal_representative_person(self) -> Person | None:
        pid = self.representative_personal_id
        return Person(personal_id=strawberry.ID(pid)) if pid else None

    @classified(PUBLIC, "Its sentences, oldest first (000 Art. 8.3.a).", kind=ValueKind.REFERENCE)
    async def sentences(self, info: Info) -> list[LegalEntitySentence]:
        rows = await info.context.loaders.entity_sentences.load(str(self.id))
        return [LegalEntitySentence.from_row(r) for r in rows]
