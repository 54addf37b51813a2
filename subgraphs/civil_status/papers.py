"""Identity papers (giấy tờ tùy thân) recorded with civil status events: of the parents and the declarant of a
birth (003 Art. 3.1.a), of the requester of a recording of an event registered abroad (3.1.b)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from subgraphs.common.classification import DataCategory as C
from subgraphs.common.classification import DataSubject, SubjectRole, field
from subgraphs.common.classification import ValueKind as K
from subgraphs.common.scalars import PartialDate

from .enums import IdentityPaperKind

if TYPE_CHECKING:
    from .person import Person

PARTY = SubjectRole.PARTY
PersonRef = Annotated["Person", strawberry.lazy("subgraphs.civil_status.person")]


@strawberry.type(
    description=(
        "An identity paper (giấy tờ tùy thân) of a person involved in a civil status event: a parent, the "
        "declarant of a birth, the requester of a recording (003 Art. 3.1.a, 3.1.b). It is the holder's personal "
        "data: the holder, when they have a personal identification number, is a subject of the paper on every "
        "path; a foreign parent without one is named by `holderName`, and the paper is then protected as part of "
        "the event that records it."
    ),
    directives=[DataSubject(inherit=True), DataSubject(field="holder", role=PARTY)],
)
class CivilStatusIdentityPaper:
    kind: IdentityPaperKind | None = field(
        C.BASIC, "Kind of paper: citizen identity card, former ID card, passport (003 Art. 3.1.a).", kind=K.CODE
    )
    number: str | None = field(
        C.IDENTIFIER, "Number of the paper (004 Art. 2.3.g; 003 Art. 3.1.a).", kind=K.IDENTIFIER
    )
    issuing_authority: str | None = field(
        C.BASIC, "Authority that issued the paper (nơi cấp) (003 Art. 3.1.a).", kind=K.TEXT
    )
    issuing_country: str | None = field(
        C.BASIC,
        "Country that issued the paper: Việt Nam, or a foreign parent's country (003 Art. 3.1.a, 3.1.b).",
        kind=K.TEXT,
    )
    issue_date: PartialDate | None = field(
        C.BASIC, "Date of issue (ngày cấp) (003 Art. 3.1.a).", kind=K.DATE
    )
    holder: PersonRef | None = field(
        C.IDENTIFIER,
        "The holder as a Person; null when the holder has no personal identification number (a foreigner).",
        kind=K.REFERENCE,
    )
    holder_name: str | None = field(
        C.BASIC,
        "Full name of the holder as written on the paper, recorded for a holder without a personal "
        "identification number (a foreign parent); otherwise the holder's Person gives it (003 Art. 3.1.a).",
        kind=K.NAME,
    )
    holder_nationality: str | None = field(
        C.BASIC, "Nationality of the holder (quốc tịch), e.g. of a foreign parent (003 Art. 3.1.a).", kind=K.TEXT
    )
