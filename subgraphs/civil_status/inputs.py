"""Input types of the civil-status mutations (issue 15): what a registering authority enters for each kind of
registration (003 Art. 3.1, 7.1). Every field is checked by ``validation`` before any database access; the
registration metadata common to every kind is the same group of fields (003 Art. 3.1.a). Dates are plain strings
here, not ``PartialDate``: a malformed one gets this subgraph's ``BAD_USER_INPUT`` naming the field rather than a
variable-coercion error."""

from __future__ import annotations

import strawberry

from subgraphs.common.enums import Sex

from .enums import CivilStatusItem, IdentityPaperKind


@strawberry.input(description="An identity paper (giấy tờ tùy thân) shown at a registration (003 Art. 3.1.a, 3.1.b).")
class IdentityPaperInput:
    kind: IdentityPaperKind = strawberry.field(description="Kind of paper.")
    number: str = strawberry.field(
        description="Number of the paper; a citizen identity card's number is the holder's personal id."
    )
    issuing_authority: str | None = strawberry.field(default=None, description="Authority that issued it.")
    issuing_country: str | None = strawberry.field(
        default=None, description="Country that issued it; Việt Nam when omitted."
    )
    issue_date: str | None = strawberry.field(
        default=None, description="Date of issue, on or before the registration date."
    )
    holder_name: str | None = strawberry.field(
        default=None, description="Holder's name as on the paper: required for a holder without a personal id."
    )
    holder_nationality: str | None = strawberry.field(
        default=None, description="Holder's nationality (a foreign parent's); Việt Nam when omitted."
    )


@strawberry.input(description="Registration metadata common to every civil status registration (003 Art. 3.1.a).")
class RegistrationInput:
    registration_date: str = strawberry.field(
        description="Date of registration, YYYY-MM-DD, not after today (Viet Nam time)."
    )
    registering_authority: str = strawberry.field(
        description="Name of the registering authority (tên cơ quan đăng ký hộ tịch)."
    )
    registration_province_code: str = strawberry.field(
        description="3-digit code of the current province of the registering authority: the area of the write "
        "(003 Art. 7.1, 8.4)."
    )
    registration_number: str | None = strawberry.field(
        default=None,
        description="Registration number in the book; assigned (record id/year) when omitted. Unique within "
        "the book of the authority.",
    )
    book_number: str | None = strawberry.field(default=None, description="Book number (quyển số).")
    signer_name: str | None = strawberry.field(default=None, description="Full name of the signing official.")
    signer_title: str | None = strawberry.field(default=None, description="Title of the signing official.")


@strawberry.input(description="A birth registration, đăng ký khai sinh (003 Art. 3.1.a, 10.2.a, 11.1).")
class BirthRegistrationInput(RegistrationInput):
    full_name: str = strawberry.field(description="Full name of the child (họ, chữ đệm và tên).")
    date_of_birth: str = strawberry.field(
        description="Date of birth, YYYY-MM-DD, on or before the registration date."
    )
    sex: Sex = strawberry.field(description="Sex of the child.")
    place_of_birth: str = strawberry.field(description="Place of birth; its last segment is the province.")
    ethnicity: str | None = strawberry.field(default=None, description="Ethnicity (dân tộc).")
    nationality: str | None = strawberry.field(default=None, description="Nationality; Việt Nam when omitted.")
    hometown: str | None = strawberry.field(default=None, description="Hometown (quê quán).")
    father_personal_id: str | None = strawberry.field(default=None, description="Father's personal id.")
    mother_personal_id: str | None = strawberry.field(default=None, description="Mother's personal id.")
    father_identity_paper: IdentityPaperInput | None = strawberry.field(
        default=None, description="Father's identity paper; a foreign father's passport with his name."
    )
    mother_identity_paper: IdentityPaperInput | None = strawberry.field(
        default=None, description="Mother's identity paper; a foreign mother's passport with her name."
    )
    declarant_name: str = strawberry.field(description="Full name of the person declaring the birth.")
    declarant_personal_id: str | None = strawberry.field(default=None, description="Declarant's personal id.")
    declarant_relationship: str | None = strawberry.field(
        default=None, description="Relationship of the declarant to the child (Cha, Mẹ, Ông, Bà...)."
    )
    declarant_identity_paper: IdentityPaperInput | None = strawberry.field(
        default=None, description="Declarant's identity paper."
    )


@strawberry.input(description="A death registration, đăng ký khai tử (003 Art. 3.1.c, 10.2.e).")
class DeathRegistrationInput(RegistrationInput):
    personal_id: str = strawberry.field(description="Personal id of the deceased.")
    date_of_death: str = strawberry.field(
        description="Date of death (YYYY, YYYY-MM or YYYY-MM-DD), not after the registration date."
    )
    place_of_death: str | None = strawberry.field(default=None, description="Place of death.")
    cause_of_death: str | None = strawberry.field(default=None, description="Cause of death (health data).")


@strawberry.input(description="A marriage registration, đăng ký kết hôn (003 Art. 3.1.c, 10.2.b).")
class MarriageRegistrationInput(RegistrationInput):
    husband_personal_id: str = strawberry.field(description="Personal id of the husband.")
    wife_personal_id: str = strawberry.field(description="Personal id of the wife.")


@strawberry.input(
    description="Recording of a divorce under a court's judgment or decision, ghi vào Sổ hộ tịch việc ly hôn "
    "(003 Art. 3.1.c, 10.2.b)."
)
class DivorceRecordingInput(RegistrationInput):
    personal_id: str = strawberry.field(description="Personal id of one spouse (the record's subject).")
    other_party_personal_id: str = strawberry.field(description="Personal id of the other spouse.")
    court: str = strawberry.field(description="Court that issued the judgment or decision.")
    decision_number: str = strawberry.field(description="Number of the judgment or decision.")
    decision_date: str = strawberry.field(
        description="Date of the judgment or decision, YYYY-MM-DD, not after the registration date."
    )


@strawberry.input(
    description="A change or correction of civil status information, thay đổi / cải chính hộ tịch (003 Art. "
    "3.1.c, 10.2.c): the item of the person's birth registration and its new value."
)
class CivilStatusAmendmentInput(RegistrationInput):
    personal_id: str = strawberry.field(description="Personal id of the person whose record is amended.")
    item: CivilStatusItem = strawberry.field(description="The item amended.")
    new_value: str = strawberry.field(description="The value after the amendment (a date for DATE_OF_BIRTH).")
    old_value: str | None = strawberry.field(
        default=None,
        description="The value before; when given it must be the recorded value (the birth registration's, or "
        "the last amendment's).",
    )
    reason: str = strawberry.field(description="Reason given for the amendment.")
