"""Enumerations of the criminal judgment enforcement database (000 Art. 8; Criminal Code 2015, "BLHS")."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Kind of the enforced ruling: a judgment or a decision (bản án / quyết định), 000 Art. 8.2.a.")
class RulingKind(enum.Enum):
    JUDGMENT = strawberry.enum_value("JUDGMENT", description="Bản án.")
    DECISION = strawberry.enum_value("DECISION", description="Quyết định (of a court or, 000 Art. 4.1, a procuracy).")


@strawberry.enum(description="Level of the trial that produced the ruling.")
class TrialLevel(enum.Enum):
    FIRST_INSTANCE = strawberry.enum_value("FIRST_INSTANCE", description="Sơ thẩm.")
    APPEAL = strawberry.enum_value("APPEAL", description="Phúc thẩm.")
    CASSATION = strawberry.enum_value("CASSATION", description="Giám đốc thẩm.")
    REOPENING = strawberry.enum_value("REOPENING", description="Tái thẩm.")


@strawberry.enum(description="Penalties (BLHS Art. 32 for natural persons, Art. 33 for commercial legal entities).")
class PenaltyKind(enum.Enum):
    WARNING = strawberry.enum_value("WARNING", description="Cảnh cáo, BLHS Art. 34.")
    FINE = strawberry.enum_value("FINE", description="Phạt tiền, principal or additional, BLHS Art. 35, 77.")
    NON_CUSTODIAL_REFORM = strawberry.enum_value(
        "NON_CUSTODIAL_REFORM", description="Cải tạo không giam giữ, BLHS Art. 36."
    )
    EXPULSION = strawberry.enum_value("EXPULSION", description="Trục xuất (foreigners), BLHS Art. 37.")
    FIXED_TERM_IMPRISONMENT = strawberry.enum_value(
        "FIXED_TERM_IMPRISONMENT", description="Tù có thời hạn, BLHS Art. 38."
    )
    LIFE_IMPRISONMENT = strawberry.enum_value("LIFE_IMPRISONMENT", description="Tù chung thân, BLHS Art. 39.")
    DEATH = strawberry.enum_value("DEATH", description="Tử hình, BLHS Art. 40.")
    BAN_FROM_OFFICE_OR_OCCUPATION = strawberry.enum_value(
        "BAN_FROM_OFFICE_OR_OCCUPATION",
        description="Additional: cấm đảm nhiệm chức vụ, cấm hành nghề hoặc làm công việc nhất định, BLHS Art. 41.",
    )
    BAN_FROM_RESIDENCE = strawberry.enum_value(
        "BAN_FROM_RESIDENCE", description="Additional: cấm cư trú, BLHS Art. 42."
    )
    PROBATION = strawberry.enum_value("PROBATION", description="Additional: quản chế, BLHS Art. 43.")
    DEPRIVATION_OF_CIVIL_RIGHTS = strawberry.enum_value(
        "DEPRIVATION_OF_CIVIL_RIGHTS", description="Additional: tước một số quyền công dân, BLHS Art. 44."
    )
    CONFISCATION_OF_PROPERTY = strawberry.enum_value(
        "CONFISCATION_OF_PROPERTY", description="Additional: tịch thu tài sản, BLHS Art. 45."
    )
    TEMPORARY_SUSPENSION_OF_OPERATIONS = strawberry.enum_value(
        "TEMPORARY_SUSPENSION_OF_OPERATIONS",
        description="Legal entities: đình chỉ hoạt động có thời hạn, BLHS Art. 78.",
    )
    PERMANENT_SUSPENSION_OF_OPERATIONS = strawberry.enum_value(
        "PERMANENT_SUSPENSION_OF_OPERATIONS",
        description="Legal entities: đình chỉ hoạt động vĩnh viễn, BLHS Art. 79.",
    )
    BAN_FROM_BUSINESS_FIELDS = strawberry.enum_value(
        "BAN_FROM_BUSINESS_FIELDS",
        description="Legal entities, additional: cấm kinh doanh, cấm hoạt động trong một số lĩnh vực, BLHS Art. 80.",
    )
    BAN_FROM_RAISING_CAPITAL = strawberry.enum_value(
        "BAN_FROM_RAISING_CAPITAL", description="Legal entities, additional: cấm huy động vốn, BLHS Art. 81."
    )


PRINCIPAL_FOR_PERSONS = frozenset(
    {
        PenaltyKind.WARNING,
        PenaltyKind.FINE,
        PenaltyKind.NON_CUSTODIAL_REFORM,
        PenaltyKind.EXPULSION,
        PenaltyKind.FIXED_TERM_IMPRISONMENT,
        PenaltyKind.LIFE_IMPRISONMENT,
        PenaltyKind.DEATH,
    }
)


@strawberry.enum(description="Judicial measures (biện pháp tư pháp), BLHS Art. 46–49, 82, 96.")
class JudicialMeasureKind(enum.Enum):
    CONFISCATION = strawberry.enum_value(
        "CONFISCATION", description="Tịch thu vật, tiền trực tiếp liên quan đến tội phạm, BLHS Art. 47."
    )
    RESTITUTION = strawberry.enum_value(
        "RESTITUTION", description="Trả lại tài sản, sửa chữa hoặc bồi thường thiệt hại; buộc công khai xin lỗi, BLHS Art. 48."
    )
    COMPULSORY_MEDICAL_TREATMENT = strawberry.enum_value(
        "COMPULSORY_MEDICAL_TREATMENT", description="Bắt buộc chữa bệnh, BLHS Art. 49."
    )
    REFORMATORY_SCHOOL = strawberry.enum_value(
        "REFORMATORY_SCHOOL", description="Giáo dục tại trường giáo dưỡng (minors), BLHS Art. 96."
    )
    REMEDIATION = strawberry.enum_value(
        "REMEDIATION", description="Legal entities: buộc khôi phục lại tình trạng ban đầu / khắc phục hậu quả, BLHS Art. 82."
    )


@strawberry.enum(description="Who benefits from a civil obligation in a criminal judgment (000 Art. 8.2.đ, 8.3.c).")
class BeneficiaryKind(enum.Enum):
    STATE = "STATE"
    PERSON = "PERSON"
    ORGANISATION = "ORGANISATION"


@strawberry.enum(description="How far a civil obligation has been performed (000 Art. 8.2.đ, 8.3.c).")
class ObligationStatus(enum.Enum):
    NOT_PERFORMED = "NOT_PERFORMED"
    PARTIALLY_PERFORMED = "PARTIALLY_PERFORMED"
    FULLY_PERFORMED = "FULLY_PERFORMED"
    EXEMPTED = strawberry.enum_value("EXEMPTED", description="Miễn, giảm nghĩa vụ thi hành án.")


@strawberry.enum(description="Events in the course of enforcement of a natural person's sentence (000 Art. 8.2.e).")
class EnforcementEventKind(enum.Enum):
    ENFORCEMENT_ORDERED = strawberry.enum_value(
        "ENFORCEMENT_ORDERED", description="Quyết định thi hành án: enforcement begins."
    )
    POSTPONEMENT = strawberry.enum_value("POSTPONEMENT", description="Hoãn chấp hành án phạt tù, BLHS Art. 67.")
    SUSPENSION = strawberry.enum_value(
        "SUSPENSION", description="Tạm đình chỉ chấp hành án phạt tù, BLHS Art. 68."
    )
    ENFORCEMENT_RESUMED = strawberry.enum_value(
        "ENFORCEMENT_RESUMED",
        description="The postponement or suspension ended: the person is admitted to (or back in) the facility "
        "to serve the rest of the term (BLHS Art. 67, 68; 000 Art. 8.2.e).",
    )
    EXEMPTION = strawberry.enum_value("EXEMPTION", description="Miễn chấp hành hình phạt, BLHS Art. 62.")
    REDUCTION = strawberry.enum_value("REDUCTION", description="Giảm thời hạn chấp hành hình phạt, BLHS Art. 63.")
    COMMUTATION = strawberry.enum_value(
        "COMMUTATION", description="Death penalty commuted to life imprisonment (ân giảm), BLHS Art. 40.3."
    )
    CONDITIONAL_EARLY_RELEASE = strawberry.enum_value(
        "CONDITIONAL_EARLY_RELEASE", description="Tha tù trước thời hạn có điều kiện, BLHS Art. 66."
    )
    CONDITIONAL_EARLY_RELEASE_REVOKED = strawberry.enum_value(
        "CONDITIONAL_EARLY_RELEASE_REVOKED",
        description="Hủy bỏ quyết định tha tù trước thời hạn có điều kiện, BLHS Art. 66.5.",
    )
    AMNESTY = strawberry.enum_value("AMNESTY", description="Đặc xá (Law on Amnesty).")
    SUSPENDED_SENTENCE_REVOKED = strawberry.enum_value(
        "SUSPENDED_SENTENCE_REVOKED",
        description="Buộc chấp hành án phạt tù của bản án đã cho hưởng án treo, BLHS Art. 65.5.",
    )
    TRANSFER = strawberry.enum_value(
        "TRANSFER", description="Chuyển giao người chấp hành án phạt tù (to or from another state)."
    )
    FACILITY_TRANSFER = strawberry.enum_value(
        "FACILITY_TRANSFER", description="Moved to another detention facility (the facility of the sentence changes)."
    )
    JUDICIAL_MEASURE_TERMINATED = strawberry.enum_value(
        "JUDICIAL_MEASURE_TERMINATED", description="Đình chỉ thi hành biện pháp tư pháp."
    )
    ESCAPE = strawberry.enum_value("ESCAPE", description="Bỏ trốn: escape and wanted notice.")
    RECAPTURE = strawberry.enum_value("RECAPTURE", description="Recaptured or surrendered after an escape.")
    DEATH = strawberry.enum_value("DEATH", description="Death of the person serving the sentence.")
    COMPLETION = strawberry.enum_value(
        "COMPLETION", description="Chấp hành xong: certificate of completion of the sentence."
    )
    REWARD = strawberry.enum_value("REWARD", description="Khen thưởng.")
    DISCIPLINE = strawberry.enum_value("DISCIPLINE", description="Kỷ luật.")


@strawberry.enum(description="Events in the enforcement against a commercial legal entity (000 Art. 8.3.d).")
class LegalEntityEventKind(enum.Enum):
    ENFORCEMENT_ORDERED = strawberry.enum_value("ENFORCEMENT_ORDERED", description="Quyết định thi hành án.")
    FORCED_ENFORCEMENT = strawberry.enum_value("FORCED_ENFORCEMENT", description="Cưỡng chế thi hành án.")
    OBLIGATIONS_TRANSFERRED = strawberry.enum_value(
        "OBLIGATIONS_TRANSFERRED",
        description="Chuyển giao nghĩa vụ thi hành án (merger, division, split, conversion of the entity).",
    )
    COMPLETION = strawberry.enum_value(
        "COMPLETION", description="Kết quả: penalty or judicial measure fully served."
    )


@strawberry.enum(description="Current state of the enforcement of a sentence (000 Art. 8.1.b, 8.2.e).")
class EnforcementStatus(enum.Enum):
    AWAITING_ENFORCEMENT = strawberry.enum_value(
        "AWAITING_ENFORCEMENT", description="Ruling in force, enforcement not begun yet."
    )
    POSTPONED = strawberry.enum_value("POSTPONED", description="Hoãn chấp hành án phạt tù.")
    SUSPENDED = strawberry.enum_value("SUSPENDED", description="Tạm đình chỉ chấp hành án phạt tù.")
    SERVING_IMPRISONMENT = strawberry.enum_value(
        "SERVING_IMPRISONMENT", description="Serving imprisonment in a prison or detention centre."
    )
    SERVING_IN_COMMUNITY = strawberry.enum_value(
        "SERVING_IN_COMMUNITY",
        description="Thi hành án tại cộng đồng: suspended sentence, non-custodial reform, residence ban, probation.",
    )
    CONDITIONALLY_RELEASED = strawberry.enum_value(
        "CONDITIONALLY_RELEASED", description="Released early on conditions (BLHS Art. 66), probation running."
    )
    AWAITING_EXECUTION = strawberry.enum_value("AWAITING_EXECUTION", description="Death penalty not yet executed.")
    ESCAPED = strawberry.enum_value("ESCAPED", description="Bỏ trốn, not recaptured.")
    TRANSFERRED = strawberry.enum_value("TRANSFERRED", description="Transferred to serve the rest in another state.")
    EXEMPTED = strawberry.enum_value("EXEMPTED", description="Exempted from serving the remainder.")
    DECEASED = strawberry.enum_value("DECEASED", description="Died while serving.")
    COMPLETED = strawberry.enum_value("COMPLETED", description="Chấp hành xong.")
    UNDER_ENFORCEMENT = strawberry.enum_value(
        "UNDER_ENFORCEMENT",
        description="A non-custodial, non-community penalty (a fine; a legal entity's penalties) is being enforced.",
    )


ENDED = frozenset(
    {EnforcementStatus.COMPLETED, EnforcementStatus.DECEASED, EnforcementStatus.EXEMPTED, EnforcementStatus.TRANSFERRED}
)


@strawberry.enum(description="Kinds of bodies enforcing criminal sentences (000 Art. 2.2).")
class FacilityKind(enum.Enum):
    PRISON = strawberry.enum_value("PRISON", description="Trại giam.")
    DETENTION_CENTRE = strawberry.enum_value("DETENTION_CENTRE", description="Trại tạm giam.")
    PROVINCIAL_ENFORCEMENT_AGENCY = strawberry.enum_value(
        "PROVINCIAL_ENFORCEMENT_AGENCY", description="Cơ quan thi hành án hình sự Công an cấp tỉnh."
    )
    MILITARY_ENFORCEMENT_AGENCY = strawberry.enum_value(
        "MILITARY_ENFORCEMENT_AGENCY", description="Cơ quan thi hành án hình sự cấp quân khu."
    )
    REFORMATORY_SCHOOL = strawberry.enum_value("REFORMATORY_SCHOOL", description="Trường giáo dưỡng.")


@strawberry.enum(description="Kind of identification of a foreign offender (000 Art. 8.2.c).")
class ForeignIdKind(enum.Enum):
    PASSPORT = strawberry.enum_value("PASSPORT", description="Số hộ chiếu.")
    IDENTIFICATION_CODE = strawberry.enum_value(
        "IDENTIFICATION_CODE", description="Mã số định danh issued to a foreigner."
    )


@strawberry.enum(description="Whose enforcement a statistic counts (000 Art. 8.1.a).")
class OffenderKind(enum.Enum):
    PERSON = strawberry.enum_value("PERSON", description="Natural persons: citizens and foreigners.")
    LEGAL_ENTITY = strawberry.enum_value("LEGAL_ENTITY", description="Commercial legal entities.")


@strawberry.enum(description="Where a record came from (000 Art. 9.1; its origin must be identifiable, Art. 10.1).")
class RecordSource(enum.Enum):
    REPORT = strawberry.enum_value(
        "REPORT", description="Periodic, incident or thematic report, or statistics on a prescribed form (000 Art. 9.1.a)."
    )
    CASE_FILE = strawberry.enum_value(
        "CASE_FILE", description="The file of the person or legal entity serving the sentence (000 Art. 9.1.b)."
    )
    NATIONAL_DATABASE = strawberry.enum_value(
        "NATIONAL_DATABASE", description="The national aggregate database (Cơ sở dữ liệu tổng hợp quốc gia, 000 Art. 9.1.c)."
    )
    CONNECTED_SYSTEM = strawberry.enum_value(
        "CONNECTED_SYSTEM",
        description="Shared or synchronised by a court, procuracy or Ministry of Defence system (000 Art. 6.2, 9.1.d).",
    )
    OTHER = strawberry.enum_value("OTHER", description="Another source provided for by law (000 Art. 9.1.d).")


@strawberry.enum(description="Technical and professional equipment serving criminal enforcement (000 Art. 8.1.c).")
class EquipmentKind(enum.Enum):
    SURVEILLANCE_CAMERA = strawberry.enum_value("SURVEILLANCE_CAMERA", description="Camera giám sát.")
    PERIMETER_ALARM = strawberry.enum_value("PERIMETER_ALARM", description="Hệ thống báo động, hàng rào điện tử.")
    SECURITY_SCANNER = strawberry.enum_value("SECURITY_SCANNER", description="Máy soi, cổng từ kiểm tra an ninh.")
    VEHICLE = strawberry.enum_value("VEHICLE", description="Xe chuyên dùng dẫn giải phạm nhân.")
    COMPUTER = strawberry.enum_value("COMPUTER", description="Máy tính nối mạng cơ sở dữ liệu thi hành án hình sự.")
    RADIO = strawberry.enum_value("RADIO", description="Thiết bị thông tin liên lạc.")
    MEDICAL = strawberry.enum_value("MEDICAL", description="Trang thiết bị y tế của bệnh xá.")
    VOCATIONAL_WORKSHOP = strawberry.enum_value(
        "VOCATIONAL_WORKSHOP", description="Xưởng lao động, dạy nghề cho phạm nhân."
    )
    VIDEO_CONFERENCE = strawberry.enum_value(
        "VIDEO_CONFERENCE", description="Thiết bị xét xử, làm việc trực tuyến."
    )
