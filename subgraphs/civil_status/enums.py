"""Enums of the civil-status subgraph. Names are specific to civil status so that they cannot collide with
another subgraph's types at composition (identical names must have identical definitions)."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(
    description=(
        "Kind of civil status event (việc hộ tịch) held in the electronic civil status database: birth (003 Art. "
        "3.1.a) and the events later entered in a person's civil status (003 Art. 3.1.c, 7.1)."
    )
)
class CivilStatusEventKind(enum.Enum):
    BIRTH = strawberry.enum_value("BIRTH", description="Birth registration, khai sinh (003 Art. 3.1.a).")
    MARRIAGE = strawberry.enum_value(
        "MARRIAGE", description="Marriage registration, kết hôn (003 Art. 3.1.c)."
    )
    MARITAL_STATUS_CONFIRMATION = strawberry.enum_value(
        "MARITAL_STATUS_CONFIRMATION",
        description="Issue of a marital status certificate, xác nhận tình trạng hôn nhân (003 Art. 3.1.c, 8.1).",
    )
    GUARDIANSHIP = strawberry.enum_value(
        "GUARDIANSHIP", description="Guardianship, giám hộ (003 Art. 3.1.c)."
    )
    GUARDIANSHIP_END = strawberry.enum_value(
        "GUARDIANSHIP_END", description="End of guardianship, chấm dứt giám hộ (003 Art. 10.2.d)."
    )
    PARENT_CHILD_RECOGNITION = strawberry.enum_value(
        "PARENT_CHILD_RECOGNITION",
        description="Recognition of father, mother or child, nhận cha, mẹ, con (003 Art. 3.1.c).",
    )
    ADOPTION = strawberry.enum_value("ADOPTION", description="Adoption, nuôi con nuôi (003 Art. 3.1.c).")
    CHANGE = strawberry.enum_value(
        "CHANGE", description="Change of civil status, thay đổi hộ tịch (003 Art. 3.1.c)."
    )
    CORRECTION = strawberry.enum_value(
        "CORRECTION", description="Correction of civil status, cải chính hộ tịch (003 Art. 3.1.c)."
    )
    SUPPLEMENT = strawberry.enum_value(
        "SUPPLEMENT",
        description="Supplement of civil status information, bổ sung thông tin hộ tịch (003 Art. 3.1.c).",
    )
    ETHNICITY_REDETERMINATION = strawberry.enum_value(
        "ETHNICITY_REDETERMINATION",
        description="Re-determination of ethnicity, xác định lại dân tộc (003 Art. 3.1.c).",
    )
    DEATH = strawberry.enum_value(
        "DEATH", description="Death registration, khai tử (003 Art. 3.1.c, 10.2.e)."
    )
    COURT_DECISION_RECORDING = strawberry.enum_value(
        "COURT_DECISION_RECORDING",
        description=(
            "Recording in the civil status book of a change of civil status under a judgment or decision of a "
            "competent authority, ghi vào Sổ hộ tịch việc thay đổi hộ tịch theo bản án, quyết định (003 Art. 3.1.c, "
            "10.2.b, 10.2.đ)."
        ),
    )
    FOREIGN_EVENT_RECORDING = strawberry.enum_value(
        "FOREIGN_EVENT_RECORDING",
        description=(
            "Recording of a Vietnamese citizen's civil status event settled by a foreign authority, ghi vào Sổ hộ "
            "tịch việc hộ tịch đã được giải quyết tại cơ quan có thẩm quyền của nước ngoài (003 Art. 3.1.b, 3.1.c)."
        ),
    )


@strawberry.enum(description="Basis of a guardianship: by operation of law (đương nhiên) or appointed (cử).")
class GuardianshipBasis(enum.Enum):
    BY_LAW = "BY_LAW"
    APPOINTED = "APPOINTED"


@strawberry.enum(description="Which parent a parent/child recognition establishes (nhận cha, mẹ, con).")
class RecognizedParentRole(enum.Enum):
    FATHER = "FATHER"
    MOTHER = "MOTHER"


@strawberry.enum(
    description="Item of civil status information changed, corrected or supplemented (003 Art. 3.1.c, 10.2.c)."
)
class CivilStatusItem(enum.Enum):
    FULL_NAME = "FULL_NAME"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    PLACE_OF_BIRTH = "PLACE_OF_BIRTH"
    HOMETOWN = "HOMETOWN"


@strawberry.enum(
    description=(
        "Content of a judgment or decision recorded in the civil status book (003 Art. 10.2.b marital status, "
        "10.2.đ declaration of missing or death and their annulment)."
    )
)
class RecordedDecisionKind(enum.Enum):
    DIVORCE = "DIVORCE"
    MARRIAGE_ANNULMENT = "MARRIAGE_ANNULMENT"
    DECLARATION_OF_MISSING = "DECLARATION_OF_MISSING"
    ANNULMENT_OF_DECLARATION_OF_MISSING = "ANNULMENT_OF_DECLARATION_OF_MISSING"
    DECLARATION_OF_DEATH = "DECLARATION_OF_DEATH"
    ANNULMENT_OF_DECLARATION_OF_DEATH = "ANNULMENT_OF_DECLARATION_OF_DEATH"
    PARENT_CHILD_DETERMINATION = "PARENT_CHILD_DETERMINATION"
    ADOPTION_TERMINATION = "ADOPTION_TERMINATION"


@strawberry.enum(
    description=(
        "Civil status event settled abroad and recorded in Viet Nam (003 Art. 3.1.b, 3.1.c; the list of Art. 12.5)."
    )
)
class ForeignCivilStatusEventKind(enum.Enum):
    BIRTH = "BIRTH"
    MARRIAGE = "MARRIAGE"
    DIVORCE = "DIVORCE"
    MARRIAGE_ANNULMENT = "MARRIAGE_ANNULMENT"
    GUARDIANSHIP = "GUARDIANSHIP"
    PARENT_CHILD_RECOGNITION = "PARENT_CHILD_RECOGNITION"
    ADOPTION = "ADOPTION"
    CIVIL_STATUS_CHANGE = "CIVIL_STATUS_CHANGE"
    DEATH = "DEATH"


@strawberry.enum(
    description=(
        "Source a record of the electronic civil status database was established from (003 Art. 3.2)."
    )
)
class CivilStatusRecordSource(enum.Enum):
    REGISTRATION_SOFTWARE = strawberry.enum_value(
        "REGISTRATION_SOFTWARE",
        description="Registered through the shared civil status registration software (003 Art. 3.2.a).",
    )
    DIGITISED_BOOK = strawberry.enum_value(
        "DIGITISED_BOOK",
        description="Digitised and standardised from a civil status book (Sổ hộ tịch) (003 Art. 3.2.b).",
    )
    POPULATION_DATABASE = strawberry.enum_value(
        "POPULATION_DATABASE",
        description="Connected and shared from the national population database (003 Art. 3.2.c).",
    )
    LEGACY_DATABASE = strawberry.enum_value(
        "LEGACY_DATABASE",
        description=(
            "Shared, converted and standardised from civil status software or databases set up before "
            "(003 Art. 3.2.d)."
        ),
    )


@strawberry.enum(description="Kind of identity paper (giấy tờ tùy thân) recorded with a civil status event.")
class IdentityPaperKind(enum.Enum):
    CITIZEN_ID_CARD = strawberry.enum_value(
        "CITIZEN_ID_CARD", description="Citizen identity card (thẻ căn cước / căn cước công dân)."
    )
    ID_CARD = strawberry.enum_value("ID_CARD", description="Former identity card (Chứng minh nhân dân).")
    PASSPORT = strawberry.enum_value("PASSPORT", description="Passport (hộ chiếu), Vietnamese or foreign.")
    OTHER = strawberry.enum_value(
        "OTHER", description="Another paper with a photograph accepted in lieu (e.g. a foreigner's residence card)."
    )
