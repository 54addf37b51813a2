"""GraphQL types shared by natural persons' and legal entities' sentences: ruling, charges, penalties, facility.

Classification: the facts of a conviction (number and dates of the ruling, charges, penalties, obligations) are
``CRIMINAL`` (004 Art. 2.4.g). These types are reached both from a person's ``Sentence`` and from a
``LegalEntitySentence``; a field carries one category whatever the path, so they keep the stricter one. Names of
courts and facilities are ``PUBLIC``: they identify state bodies, not persons.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NewType

import strawberry

from subgraphs.common.classification import DataCategory, DataSubject, ValueKind, classified, field
from subgraphs.common.provinces import BY_CODE

from .enums import (
    BeneficiaryKind,
    FacilityKind,
    JudicialMeasureKind,
    ObligationStatus,
    PenaltyKind,
    RulingKind,
    TrialLevel,
)
from .types_records import CriminalRecord, FacilityResources, PublicRecord

PUBLIC, CRIMINAL, HEALTH, IDENTIFIER = (
    DataCategory.PUBLIC,
    DataCategory.CRIMINAL,
    DataCategory.HEALTH,
    DataCategory.IDENTIFIER,
)


def _parse_vnd(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("Vnd is a whole number of đồng")
    return int(value)


Vnd = strawberry.scalar(
    NewType("Vnd", int),
    name="Vnd",
    description="An amount in Vietnamese đồng, a whole number (fines and obligations exceed GraphQL's 32-bit Int).",
    serialize=int,
    parse_value=_parse_vnd,
)


def province_name(code: str) -> str:
    province = BY_CODE.get(code)
    return province.name if province else code


@strawberry.type(description="A body enforcing sentences: prison, detention centre, enforcement agency (000 Art. 2.2).")
class Facility(PublicRecord):  # type: ignore[misc, valid-type]
    id: strawberry.ID = field(
        PUBLIC, "Code of the facility in the enforcement database (a state body, not a person).", kind=ValueKind.IDENTIFIER
    )
    name: str = field(PUBLIC, "Name, e.g. 'Trại giam Thanh Xuân' (000 Art. 2.2).", kind=ValueKind.TEXT)
    kind: FacilityKind = field(PUBLIC, "Kind of body (000 Art. 2.2).", kind=ValueKind.CODE)
    province_code: str = field(PUBLIC, "3-digit code of the province where it lies.", kind=ValueKind.CODE)
    province_name: str = field(PUBLIC, "Name of that province.", kind=ValueKind.TEXT)
    managing_authority: str = field(
        PUBLIC, "Ministry managing it: Bộ Công an or Bộ Quốc phòng (000 Art. 2.1).", kind=ValueKind.TEXT
    )

    @classmethod
    def from_row(cls, row: Any) -> Facility:
        return cls(
            row=row,
            id=strawberry.ID(row["id"]),
            name=row["name"],
            kind=FacilityKind[row["kind"]],
            province_code=row["province_code"],
            province_name=province_name(row["province_code"]),
            managing_authority=row["managing_authority"],
        )

    @classified(
        PUBLIC, "Staff, premises and equipment, one report per period, newest first (000 Art. 8.1.c).",
        kind=ValueKind.REFERENCE,
    )
    async def resources(self, info: strawberry.Info) -> list[FacilityResources]:
        rows = await info.context.loaders.facility_resources.load(str(self.id))
        return [FacilityResources.from_row(r) for r in reversed(rows)]


@strawberry.type(
    directives=[DataSubject(inherit=True)],
    description="The judgment or decision enforced (bản án, quyết định; 000 Art. 8.2.a, 8.3.a).",
)
class Judgment(CriminalRecord):  # type: ignore[misc, valid-type]
    kind: RulingKind = field(PUBLIC, "Judgment or decision (000 Art. 8.2.a).", kind=ValueKind.CODE)
    trial_level: TrialLevel = field(
        PUBLIC, "Level of the trial (sơ thẩm, phúc thẩm...).", kind=ValueKind.CODE
    )
    court_name: str = field(
        PUBLIC, "Court that ruled, e.g. 'Tòa án nhân dân tỉnh Nghệ An' (000 Art. 8.2.a).", kind=ValueKind.TEXT
    )
    court_province_code: str = field(PUBLIC, "3-digit code of the court's province.", kind=ValueKind.CODE)
    number: str | None = field(
        CRIMINAL, "Number of the ruling, e.g. '125/2024/HS-ST' (000 Art. 8.2.a).", kind=ValueKind.IDENTIFIER
    )
    issued_on: date | None = field(
        CRIMINAL, "Date the ruling was issued (000 Art. 8.2.a).", kind=ValueKind.DATE
    )
    effective_on: date | None = field(
        CRIMINAL, "Date it became legally effective and enforceable (000 Art. 8.2.a).", kind=ValueKind.DATE
    )

    @classmethod
    def from_row(cls, row: Any) -> Judgment:
        return cls(
            row=row,
            kind=RulingKind[row["kind"]],
            trial_level=TrialLevel[row["trial_level"]],
            court_name=row["court_name"],
            court_province_code=row["court_province_code"],
            number=row["number"],
            issued_on=row["issued_on"],
            effective_on=row["effective_on"],
        )


@strawberry.type(
    directives=[DataSubject(inherit=True)],
    description="A crime convicted of, by article of the Criminal Code 2015 (BLHS), 000 Art. 8.2.a.",
)
class Charge(CriminalRecord):  # type: ignore[misc, valid-type]
    article: int | None = field(
        CRIMINAL, "Article of the Criminal Code 2015 (amended 2017), e.g. 173 (000 Art. 8.2.a).", kind=ValueKind.CODE
    )
    clause: int | None = field(CRIMINAL, "Clause (khoản) of that article.", kind=ValueKind.CODE)
    point: str | None = field(CRIMINAL, "Point (điểm) of that clause, e.g. 'c'.", kind=ValueKind.CODE)
    offence_name: str | None = field(
        CRIMINAL, "Name of the offence, e.g. 'Trộm cắp tài sản'.", kind=ValueKind.TEXT
    )
    citation: str | None = field(
        CRIMINAL, "Citation as written in the ruling, e.g. 'điểm c khoản 2 Điều 173 BLHS'.", kind=ValueKind.TEXT
    )

    @classmethod
    def from_row(cls, row: Any) -> Charge:
        parts = [f"điểm {row['point']}"] if row["point"] else []
        if row["clause"] is not None:
            parts.append(f"khoản {row['clause']}")
        parts.append(f"Điều {row['article']} Bộ luật Hình sự")
        return cls(
            row=row,
            article=row["article"],
            clause=row["clause"],
            point=row["point"],
            offence_name=row["offence_name"],
            citation=" ".join(parts),
        )


@strawberry.type(
    directives=[DataSubject(inherit=True)],
    description="A principal or additional penalty (BLHS Art. 32–33; 000 Art. 8.2.a, 8.2.đ).",
)
class Penalty(CriminalRecord):  # type: ignore[misc, valid-type]
    kind: PenaltyKind | None = field(CRIMINAL, "Kind of penalty (BLHS Art. 32, 33).", kind=ValueKind.CODE)
    principal: bool | None = field(
        CRIMINAL, "True for the principal penalty, false for an additional one (BLHS Art. 32).", kind=ValueKind.FLAG
    )
    term_months: int | None = field(
        CRIMINAL, "Duration in months (imprisonment, non-custodial reform, bans, probation, suspension of operations).", kind=ValueKind.AMOUNT,
    )
    amount: Vnd | None = field(
        CRIMINAL, "Amount of a fine, in đồng (BLHS Art. 35, 77).", kind=ValueKind.AMOUNT
    )
    suspended: bool | None = field(
        CRIMINAL, "Suspended sentence (án treo), BLHS Art. 65.", kind=ValueKind.FLAG
    )
    probation_months: int | None = field(
        CRIMINAL, "Probation period of a suspended sentence (thời gian thử thách).", kind=ValueKind.AMOUNT
    )
    details: str | None = field(
        CRIMINAL, "Particulars: banned occupation, banned places, rights deprived...", kind=ValueKind.FREE_TEXT
    )

    @classmethod
    def from_row(cls, row: Any) -> Penalty:
        return cls(
            row=row,
            kind=PenaltyKind[row["kind"]],
            principal=row["role"] == "PRINCIPAL",
            term_months=row["term_months"],
            amount=row["amount"],
            suspended=bool(row["suspended"]),
            probation_months=row["probation_months"],
            details=row["details"],
        )


@strawberry.type(
    directives=[DataSubject(inherit=True)],
    description="A judicial measure (biện pháp tư pháp), BLHS Art. 46–49, 82, 96; 000 Art. 8.2.",
)
class JudicialMeasure(CriminalRecord):  # type: ignore[misc, valid-type]
    kind: JudicialMeasureKind | None = field(CRIMINAL, "Kind of measure.", kind=ValueKind.CODE)
    term_months: int | None = field(
        CRIMINAL, "Duration in months (reformatory school).", kind=ValueKind.AMOUNT
    )
    details: str | None = field(
        CRIMINAL, "Particulars: objects confiscated, what to restore...", kind=ValueKind.FREE_TEXT
    )
    medical_ground: str | None = field(
        HEALTH, "Medical ground of compulsory treatment (BLHS Art. 49): health data, 004 Art. 2.4.b.", kind=ValueKind.FREE_TEXT,
    )

    @classmethod
    def from_row(cls, row: Any) -> JudicialMeasure:
        return cls(
            row=row,
            kind=JudicialMeasureKind[row["kind"]],
            term_months=row["term_months"],
            details=row["details"],
            medical_ground=row["medical_ground"],
        )


@strawberry.type(
    directives=[DataSubject(inherit=True)],
    description="A civil obligation in the criminal judgment (nghĩa vụ dân sự; 000 Art. 8.2.đ, 8.3.c).",
)
class CivilObligation(CriminalRecord):  # type: ignore[misc, valid-type]
    description: str | None = field(
        CRIMINAL, "What is owed: compensation, restitution, court fees (000 Art. 8.2.đ).", kind=ValueKind.FREE_TEXT
    )
    amount: Vnd | None = field(CRIMINAL, "Amount owed, in đồng.", kind=ValueKind.AMOUNT)
    amount_paid: Vnd | None = field(CRIMINAL, "Amount performed so far, in đồng.", kind=ValueKind.AMOUNT)
    beneficiary: str | None = field(
        CRIMINAL, "Who is owed: the State or the victim; a victim's name ties them to the crime, hence CRIMINAL.", kind=ValueKind.NAME,
    )
    beneficiary_kind: BeneficiaryKind | None = field(
        CRIMINAL, "State, person or organisation.", kind=ValueKind.CODE
    )
    status: ObligationStatus | None = field(CRIMINAL, "How far it has been performed.", kind=ValueKind.CODE)

    @classmethod
    def from_row(cls, row: Any) -> CivilObligation:
        return cls(
            row=row,
            description=row["description"],
            amount=row["amount"],
            amount_paid=row["amount_paid"],
            beneficiary=row["beneficiary"],
            beneficiary_kind=BeneficiaryKind[row["beneficiary_kind"]],
            status=ObligationStatus[row["status"]],
        )
