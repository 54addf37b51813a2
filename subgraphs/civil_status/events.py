"""The ``CivilStatusEvent`` interface and one concrete type per kind of civil status event (003 Art. 3.1, 7.1).

Every output field is classified (004 Art. 2): ``PUBLIC`` for registration metadata that says nothing about the
person (book, authority, province, signing official), ``IDENTIFIER`` for what identifies a person or a person's
record, ``BASIC`` for basic personal data, ``FAMILY`` for relations and marital status, ``ETHNIC_ORIGIN`` and
``HEALTH`` for sensitive data. Persons involved are ``Person`` entity references (only ``personalId``): the
gateway fetches their data from ``population``, under the categories population gives them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from subgraphs.common.classification import DataCategory as C
from subgraphs.common.classification import DataSubject, SubjectRole, field
from subgraphs.common.classification import ValueKind as K
from subgraphs.common.enums import MaritalStatus, Sex
from subgraphs.common.scalars import PartialDate

from .enums import (
    CivilStatusEventKind,
    CivilStatusItem,
    CivilStatusRecordSource,
    ForeignCivilStatusEventKind,
    GuardianshipBasis,
    RecognizedParentRole,
    RecordedDecisionKind,
)
from .papers import CivilStatusIdentityPaper

if TYPE_CHECKING:
    from .person import Person

PARTY = SubjectRole.PARTY
PersonRef = Annotated["Person", strawberry.lazy("subgraphs.civil_status.person")]


def _subjects(*parties: str) -> list[DataSubject]:
    """``@dataSubject`` of an event type: ``subject`` as SUBJECT, each of its ``Person`` fields named in
    ``parties`` (GraphQL names) as PARTY (a test checks that every Person-typed field is one of them)."""
    return [DataSubject(field="subject"), *(DataSubject(field=name, role=PARTY) for name in parties)]


# The interface declares the subject every implementation has; the gateway reads the concrete types, whose
# declarations repeat it with their parties.
@strawberry.interface(
    description=(
        "A civil status event (việc hộ tịch) registered in the civil status book and the electronic civil status "
        "database, with the registration data common to every kind (003 Art. 3.1.a, 3.1.c, 7.1)."
    ),
    directives=[DataSubject(field="subject")],
)
class CivilStatusEvent:
    id: strawberry.ID = field(
        C.PUBLIC, "Opaque id of this record in the electronic civil status database.", kind=K.IDENTIFIER
    )
    kind: CivilStatusEventKind = field(C.PUBLIC, "Kind of civil status event (003 Art. 3.1).", kind=K.CODE)
    registration_number: str | None = field(
        C.IDENTIFIER,
        "Registration number (số đăng ký) in the civil status book; with the book it identifies the person's "
        "record (003 Art. 3.1.a).",
        kind=K.IDENTIFIER,
    )
    book_number: str | None = field(
        C.PUBLIC,
        "Book number (quyển số) of the civil status book (003 Art. 3.1.a).",
        kind=K.CODE,
    )
    registration_date: PartialDate | None = field(
        C.BASIC,
        "Date of registration (ngày, tháng, năm đăng ký); old books may give only the year (003 Art. 3.1.a).",
        kind=K.DATE,
    )
    registering_authority: str = field(
        C.PUBLIC,
        "Name of the registering authority (tên cơ quan đăng ký hộ tịch) (003 Art. 3.1.a).",
        kind=K.TEXT,
    )
    registration_province_code: str = field(
        C.PUBLIC,
        "3-digit code of the current province of the registering authority: justice departments and commune "
        "registries may exploit only records registered in their province (003 Art. 8.4).",
        kind=K.CODE,
        fact="registrationProvince",
    )
    registration_province: str = field(
        C.PUBLIC,
        "Name of the current province of the registering authority (003 Art. 8.4).",
        kind=K.TEXT,
    )
    registered_at_mission: bool = field(
        C.PUBLIC,
        "Whether the event was registered at a Vietnamese representative mission abroad (Cơ quan đại diện): the "
        "foreign affairs body exploits only those records, except for extracts (003 Art. 8.3, 13.1).",
        kind=K.FLAG,
        fact="registeredAtMission",
    )
    signer_name: str | None = field(
        C.PUBLIC,
        "Full name of the official who signed (họ tên người ký), acting in office (003 Art. 3.1.a).",
        kind=K.NAME,
    )
    signer_title: str | None = field(
        C.PUBLIC,
        "Title of the signing official (chức vụ người ký) (003 Art. 3.1.a).",
        kind=K.TEXT,
    )
    subject: PersonRef | None = field(
        C.IDENTIFIER,
        "The person whose civil status the event records: the child for a birth, recognition or adoption, the "
        "ward for a guardianship, the husband for a marriage (003 Art. 3.1, 7.1).",
        kind=K.REFERENCE,
    )
    source: CivilStatusRecordSource | None = field(
        C.PUBLIC,
        "Source the record was established from: the registration software, a digitised book, the population "
        "database or an earlier database (003 Art. 3.2).",
        kind=K.CODE,
    )
    register_page_scan: str | None = field(
        C.BASIC,
        "Reference (document-store key) of the scan or photograph of the civil status book page, for a record "
        "digitised from a book (003 Art. 3.1.d, 3.2.b); null otherwise.",
        kind=K.IDENTIFIER,
    )
    created_at: str | None = field(
        C.BASIC,
        "When the record was created in the electronic database, ISO 8601 UTC (003 Art. 7.2; 000 Art. 8.5.c).",
        kind=K.DATE,
    )
    updated_at: str | None = field(
        C.BASIC,
        "When the record was last updated, ISO 8601 UTC: the day's changes are entered the same working day "
        "(003 Art. 7.2.b; 000 Art. 8.5.c).",
        kind=K.DATE,
    )


@strawberry.type(
    description="Birth registration, khai sinh: the civil status established at birth (003 Art. 3.1.a, 10.2.a).",
    directives=_subjects("father", "mother", "declarant", "legalRepresentative"),
)
class BirthRegistration(CivilStatusEvent):
    full_name: str | None = field(
        C.BASIC, "Full name of the registered child (họ tên) (003 Art. 3.1.a).", kind=K.NAME
    )
    date_of_birth: PartialDate | None = field(
        C.BASIC, "Date of birth (ngày, tháng, năm sinh) (003 Art. 3.1.a).", kind=K.DATE
    )
    sex: Sex | None = field(C.BASIC, "Sex (giới tính) (004 Art. 2.3.c; 003 Art. 3.1.a).", kind=K.CODE)
    place_of_birth: str | None = field(C.BASIC, "Place of birth (nơi sinh) (003 Art. 3.1.a).", kind=K.ADDRESS)
    ethnicity: str | None = field(
        C.ETHNIC_ORIGIN,
        "Ethnicity (dân tộc): sensitive, 004 Art. 2.4.c (003 Art. 3.1.a).",
        kind=K.TEXT,
    )
    nationality: str | None = field(C.BASIC, "Nationality (quốc tịch) (003 Art. 3.1.a).", kind=K.TEXT)
    hometown: str | None = field(C.BASIC, "Hometown (quê quán) (003 Art. 3.1.a).", kind=K.ADDRESS)
    father: PersonRef | None = field(
        C.FAMILY, "Father of the registered child (003 Art. 3.1.a, 10.2.a).", kind=K.REFERENCE
    )
    mother: PersonRef | None = field(
        C.FAMILY, "Mother of the registered child (003 Art. 3.1.a, 10.2.a).", kind=K.REFERENCE
    )
    declarant_name: str | None = field(
        C.BASIC,
        "Full name of the person who declared the birth (người đi đăng ký khai sinh) (003 Art. 3.1.a).",
        kind=K.NAME,
    )
    declarant_personal_id: str | None = field(
        C.IDENTIFIER,
        "Personal identification number of the declarant (003 Art. 3.1.a).",
        kind=K.IDENTIFIER,
    )
    declarant: PersonRef | None = field(
        C.IDENTIFIER,
        "The person who declared the birth, as a Person (from `declarantPersonalId`); null when the declarant "
        "has no personal identification number (003 Art. 3.1.a).",
        kind=K.REFERENCE,
    )
    declarant_relationship: str | None = field(
        C.FAMILY,
        "Relationship of the declarant to the child (mối quan hệ với người được khai sinh) (003 Art. 3.1.a).",
        kind=K.TEXT,
    )
    father_identity_paper: CivilStatusIdentityPaper | None = field(
        C.IDENTIFIER,
        "Identity paper of the father (giấy tờ tùy thân của cha); for a foreign father, his passport with his "
        "name and nationality (003 Art. 3.1.a).",
        kind=K.REFERENCE,
    )
    mother_identity_paper: CivilStatusIdentityPaper | None = field(
        C.IDENTIFIER,
        "Identity paper of the mother (giấy tờ tùy thân của mẹ); for a foreign mother, her passport with her "
        "name and nationality (003 Art. 3.1.a).",
        kind=K.REFERENCE,
    )
    declarant_identity_paper: CivilStatusIdentityPaper | None = field(
        C.IDENTIFIER,
        "Identity paper of the person who declared the birth (giấy tờ tùy thân của người đi đăng ký khai sinh) "
        "(003 Art. 3.1.a).",
        kind=K.REFERENCE,
    )
    legal_representative: PersonRef | None = field(
        C.FAMILY,
        "Legal representative of the registered person (người đại diện hợp pháp), as the population database "
        "shares it for persons born before 1 January 2016 (003 Art. 10.3.b); null when none is recorded.",
        kind=K.REFERENCE,
    )
    legal_representative_name: str | None = field(
        C.FAMILY,
        "Full name of the legal representative (003 Art. 10.3.b).",
        kind=K.NAME,
    )


@strawberry.type(
    description="Marriage registration, đăng ký kết hôn (003 Art. 3.1.c, 7.1, 10.2.b).",
    directives=_subjects("husband", "wife"),
)
class MarriageRegistration(CivilStatusEvent):
    husband: PersonRef | None = field(C.FAMILY, "The husband (003 Art. 7.1, 10.2.b).", kind=K.REFERENCE)
    wife: PersonRef | None = field(C.FAMILY, "The wife (003 Art. 7.1, 10.2.b).", kind=K.REFERENCE)


@strawberry.type(
    description="Marital status certificate, Giấy xác nhận tình trạng hôn nhân (003 Art. 3.1.c, 8.1, 10.2.b).",
    directives=_subjects(),
)
class MaritalStatusConfirmation(CivilStatusEvent):
    marital_status: MaritalStatus | None = field(
        C.FAMILY, "Marital status confirmed (003 Art. 3.1.c, 10.2.b).", kind=K.CODE
    )
    intended_use: str | None = field(
        C.BASIC, "Purpose the certificate was requested for (mục đích sử dụng).", kind=K.FREE_TEXT
    )
    valid_until: PartialDate | None = field(C.PUBLIC, "Last day the certificate may be used.", kind=K.DATE)


@strawberry.type(
    description="Guardianship registration, đăng ký giám hộ (003 Art. 3.1.c, 10.2.d).",
    directives=_subjects("guardian"),
)
class GuardianshipRegistration(CivilStatusEvent):
    guardian: PersonRef | None = field(
        C.FAMILY, "The guardian; the ward is the subject (003 Art. 10.2.d).", kind=K.REFERENCE
    )
    basis: GuardianshipBasis | None = field(
        C.FAMILY, "By operation of law or appointed (003 Art. 10.2.d).", kind=K.CODE
    )


@strawberry.type(
    description="End of guardianship, chấm dứt giám hộ (003 Art. 10.2.d).",
    directives=_subjects("guardian"),
)
class GuardianshipTermination(CivilStatusEvent):
    guardian: PersonRef | None = field(
        C.FAMILY, "The guardian whose guardianship ended (003 Art. 10.2.d).", kind=K.REFERENCE
    )
    reason: str | None = field(C.FAMILY, "Why the guardianship ended (003 Art. 10.2.d).", kind=K.FREE_TEXT)


@strawberry.type(
    description="Recognition of father, mother or child, nhận cha, mẹ, con (003 Art. 3.1.c, 7.1).",
    directives=_subjects("parent"),
)
class ParentChildRecognition(CivilStatusEvent):
    parent: PersonRef | None = field(
        C.FAMILY,
        "The recognised parent; the child is the subject (003 Art. 7.1).",
        kind=K.REFERENCE,
    )
    parent_role: RecognizedParentRole | None = field(
        C.FAMILY,
        "Whether the parent is the father or the mother.",
        kind=K.CODE,
    )


@strawberry.type(
    description="Adoption registration, đăng ký nuôi con nuôi (003 Art. 3.1.c, 7.1).",
    directives=_subjects("adoptiveFather", "adoptiveMother"),
)
class AdoptionRegistration(CivilStatusEvent):
    adoptive_father: PersonRef | None = field(
        C.FAMILY, "Adoptive father; the adopted child is the subject.", kind=K.REFERENCE
    )
    adoptive_mother: PersonRef | None = field(
        C.FAMILY, "Adoptive mother; the adopted child is the subject.", kind=K.REFERENCE
    )


@strawberry.interface(
    description="What a change, correction or supplement of civil status information records (003 Art. 10.2.c)."
)
class CivilStatusAmendment:
    item: CivilStatusItem | None = field(
        C.BASIC, "The item of civil status information amended (003 Art. 10.2.c).", kind=K.CODE
    )
    old_value: str | None = field(
        C.BASIC,
        "Value before the amendment; null for a supplement (003 Art. 10.2.c).",
        kind=K.FREE_TEXT,
    )
    new_value: str | None = field(C.BASIC, "Value after the amendment (003 Art. 10.2.c).", kind=K.FREE_TEXT)
    reason: str | None = field(C.BASIC, "Reason given for the amendment.", kind=K.FREE_TEXT)


@strawberry.type(
    description="Change of civil status, thay đổi hộ tịch (003 Art. 3.1.c, 10.2.c).",
    directives=_subjects(),
)
class CivilStatusChange(CivilStatusEvent, CivilStatusAmendment):
    pass


@strawberry.type(
    description="Correction of civil status, cải chính hộ tịch (003 Art. 3.1.c, 10.2.c).",
    directives=_subjects(),
)
class CivilStatusCorrection(CivilStatusEvent, CivilStatusAmendment):
    pass


@strawberry.type(
    description="Supplement of civil status information, bổ sung thông tin hộ tịch (003 Art. 10.2.c).",
    directives=_subjects(),
)
class CivilStatusSupplement(CivilStatusEvent, CivilStatusAmendment):
    pass


@strawberry.type(
    description="Re-determination of ethnicity, xác định lại dân tộc (003 Art. 3.1.c, 10.2.c).",
    directives=_subjects(),
)
class EthnicityRedetermination(CivilStatusEvent):
    old_ethnicity: str | None = field(
        C.ETHNIC_ORIGIN, "Ethnicity before (004 Art. 2.4.c; 003 Art. 10.2.c).", kind=K.TEXT
    )
    new_ethnicity: str | None = field(
        C.ETHNIC_ORIGIN, "Ethnicity re-determined (004 Art. 2.4.c; 003 Art. 10.2.c).", kind=K.TEXT
    )
    reason: str | None = field(
        C.ETHNIC_ORIGIN, "Reason given (reveals ethnic origin, 004 Art. 2.4.c).", kind=K.FREE_TEXT
    )


@strawberry.type(
    description="Death registration, đăng ký khai tử (003 Art. 3.1.c, 10.2.e).",
    directives=_subjects(),
)
class DeathRegistration(CivilStatusEvent):
    date_of_death: PartialDate | None = field(
        C.BASIC, "Date of death (003 Art. 10.2.e, 10.3.b).", kind=K.DATE
    )
    place_of_death: str | None = field(C.BASIC, "Place of death (003 Art. 10.2.e).", kind=K.ADDRESS)
    cause_of_death: str | None = field(
        C.HEALTH, "Cause of death: health data, sensitive (004 Art. 2.4.b).", kind=K.FREE_TEXT
    )


@strawberry.type(
    description=(
        "Recording of a change of civil status under a judgment or decision of a competent authority, ghi vào "
        "Sổ hộ tịch việc thay đổi hộ tịch theo bản án, quyết định (003 Art. 3.1.c, 10.2.b, 10.2.c, 10.2.đ)."
    ),
    directives=_subjects("otherParty"),
)
class CourtDecisionRecording(CivilStatusEvent):
    court: str = field(C.PUBLIC, "Court or authority that issued the judgment or decision.", kind=K.TEXT)
    decision_number: str = field(C.PUBLIC, "Number of the judgment or decision.", kind=K.IDENTIFIER)
    decision_date: PartialDate | None = field(C.BASIC, "Date of the judgment or decision.", kind=K.DATE)
    decision_kind: RecordedDecisionKind | None = field(
        C.FAMILY,
        "What the judgment or decision changed: divorce, declaration of missing or death... (003 Art. 10.2.b, 10.2.đ).",
        kind=K.CODE,
    )
    other_party: PersonRef | None = field(
        C.FAMILY, "The other party, e.g. the former spouse in a divorce.", kind=K.REFERENCE
    )


@strawberry.type(
    description=(
        "Recording of a Vietnamese citizen's civil status event settled by a foreign authority, ghi vào Sổ hộ tịch "
        "việc hộ tịch đã được giải quyết tại cơ quan có thẩm quyền của nước ngoài (003 Art. 3.1.b, 3.1.c, 10.2.c)."
    ),
    directives=_subjects("otherParty", "requester"),
)
class ForeignEventRecording(CivilStatusEvent):
    recorded_event: ForeignCivilStatusEventKind | None = field(
        C.FAMILY,
        "Kind of event settled abroad (003 Art. 3.1.b).",
        kind=K.CODE,
    )
    foreign_country: str | None = field(
        C.BASIC, "Country whose authority settled the event (003 Art. 3.1.b).", kind=K.TEXT
    )
    foreign_authority: str | None = field(
        C.PUBLIC,
        "Foreign authority that issued the document (003 Art. 3.1.b).",
        kind=K.TEXT,
    )
    foreign_document_number: str | None = field(
        C.PUBLIC,
        "Number of the foreign civil status document (003 Art. 3.1.b).",
        kind=K.IDENTIFIER,
    )
    foreign_document_date: PartialDate | None = field(
        C.BASIC,
        "Date of the foreign document (003 Art. 3.1.b).",
        kind=K.DATE,
    )
    other_party: PersonRef | None = field(
        C.FAMILY, "The other party, e.g. the spouse of a marriage abroad.", kind=K.REFERENCE
    )
    requester: PersonRef | None = field(
        C.IDENTIFIER,
        "The person who requested the recording (người yêu cầu ghi chú), as a Person (003 Art. 3.1.b).",
        kind=K.REFERENCE,
    )
    requester_name: str | None = field(
        C.BASIC, "Full name of the person who requested the recording (003 Art. 3.1.b).", kind=K.NAME
    )
    requester_identity_paper: CivilStatusIdentityPaper | None = field(
        C.IDENTIFIER,
        "Identity paper of the person who requested the recording (003 Art. 3.1.b).",
        kind=K.REFERENCE,
    )


EVENT_TYPES: tuple[type, ...] = (
    BirthRegistration,
    MarriageRegistration,
    MaritalStatusConfirmation,
    GuardianshipRegistration,
    GuardianshipTermination,
    ParentChildRecognition,
    AdoptionRegistration,
    CivilStatusChange,
    CivilStatusCorrection,
    CivilStatusSupplement,
    EthnicityRedetermination,
    DeathRegistration,
    CourtDecisionRecording,
    ForeignEventRecording,
)
