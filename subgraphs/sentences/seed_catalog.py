"""Reference data for the synthetic enforcement records: Criminal Code 2015 offences, facilities, courts, names.

Offences cite real articles of the Criminal Code 2015 (amended 2017, "BLHS") with the ranges of their clauses;
the penalties drawn for a charge stay inside the range of its clause.
"""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.common.provinces import BY_CODE, PROVINCES


@dataclass(frozen=True, slots=True)
class Clause:
    number: int
    penalties: tuple[tuple[str, int, int, float], ...]  # (PenaltyKind name, min months or đồng, max, weight)


@dataclass(frozen=True, slots=True)
class Offence:
    article: int
    name: str
    weight: float
    clauses: tuple[Clause, ...]
    victim: str  # "PERSON" | "STATE" | "NONE": who a civil obligation is owed to
    summary: str  # offence summary template (000 Art. 8.2.d); {place} is filled in


def _c(number: int, *penalties: tuple[str, int, int, float]) -> Clause:
    return Clause(number, penalties)


FT, CT, FINE, WARN = "FIXED_TERM_IMPRISONMENT", "NON_CUSTODIAL_REFORM", "FINE", "WARNING"
LIFE, DEATH = "LIFE_IMPRISONMENT", "DEATH"

OFFENCES: tuple[Offence, ...] = (
    Offence(123, "Giết người", 2, (_c(1, (FT, 144, 240, 6), (LIFE, 0, 0, 3), (DEATH, 0, 0, 1)), _c(2, (FT, 84, 180, 1))),
            "PERSON", "Do mâu thuẫn cá nhân, bị cáo đã dùng hung khí tấn công làm bị hại tử vong tại {place}."),
    Offence(134, "Cố ý gây thương tích hoặc gây tổn hại cho sức khỏe của người khác", 10,
            (_c(1, (CT, 6, 36, 3), (FT, 6, 36, 5)), _c(2, (FT, 24, 72, 2)), _c(3, (FT, 60, 120, 1))),
            "PERSON", "Trong lúc xô xát tại {place}, bị cáo đã dùng gậy gây thương tích cho bị hại."),
    Offence(141, "Hiếp dâm", 1, (_c(1, (FT, 24, 84, 1)),), "PERSON", "Bị cáo đã thực hiện hành vi hiếp dâm tại {place}."),
    Offence(168, "Cướp tài sản", 3, (_c(1, (FT, 36, 120, 2)), _c(2, (FT, 84, 180, 1))),
            "PERSON", "Bị cáo đã dùng dao khống chế bị hại để chiếm đoạt điện thoại và tiền tại {place}."),
    Offence(171, "Cướp giật tài sản", 4, (_c(1, (FT, 12, 60, 2)), _c(2, (FT, 36, 120, 1))),
            "PERSON", "Bị cáo điều khiển xe máy giật túi xách của người đi đường tại {place}."),
    Offence(173, "Trộm cắp tài sản", 20, (_c(1, (CT, 6, 36, 2), (FT, 6, 36, 5)), _c(2, (FT, 24, 84, 1))),
            "PERSON", "Lợi dụng sơ hở, bị cáo đã lén lút lấy trộm xe máy và tài sản của bị hại tại {place}."),
    Offence(174, "Lừa đảo chiếm đoạt tài sản", 10,
            (_c(1, (CT, 6, 36, 1), (FT, 6, 36, 3)), _c(2, (FT, 24, 84, 2)), _c(3, (FT, 84, 180, 1)),
             _c(4, (FT, 144, 240, 1), (LIFE, 0, 0, 0.2))),
            "PERSON", "Bị cáo đưa ra thông tin gian dối qua mạng xã hội để chiếm đoạt tiền của nhiều người tại {place}."),
    Offence(175, "Lạm dụng tín nhiệm chiếm đoạt tài sản", 3, (_c(1, (CT, 6, 36, 1), (FT, 12, 48, 2)), _c(2, (FT, 24, 84, 1))),
            "PERSON", "Bị cáo vay, mượn tài sản rồi bỏ trốn, không trả lại tại {place}."),
    Offence(248, "Sản xuất trái phép chất ma túy", 1, (_c(1, (FT, 24, 84, 1)),),
            "NONE", "Bị cáo tổ chức điều chế trái phép chất ma túy tổng hợp tại {place}."),
    Offence(249, "Tàng trữ trái phép chất ma túy", 12, (_c(1, (FT, 12, 60, 3)), _c(2, (FT, 60, 120, 1))),
            "NONE", "Bị cáo bị bắt quả tang đang cất giấu ma túy tại {place}."),
    Offence(250, "Vận chuyển trái phép chất ma túy", 4, (_c(1, (FT, 24, 84, 3)), _c(4, (LIFE, 0, 0, 2), (DEATH, 0, 0, 1))),
            "NONE", "Bị cáo vận chuyển trái phép ma túy qua địa bàn {place} thì bị bắt giữ."),
    Offence(251, "Mua bán trái phép chất ma túy", 10,
            (_c(1, (FT, 24, 84, 4)), _c(2, (FT, 84, 180, 2)), _c(4, (FT, 240, 240, 1), (LIFE, 0, 0, 1), (DEATH, 0, 0, 1))),
            "NONE", "Bị cáo bán trái phép ma túy cho nhiều người nghiện tại {place}."),
    Offence(255, "Tổ chức sử dụng trái phép chất ma túy", 3, (_c(1, (FT, 24, 84, 1)),),
            "NONE", "Bị cáo cung cấp địa điểm và ma túy cho người khác sử dụng tại {place}."),
    Offence(260, "Vi phạm quy định về tham gia giao thông đường bộ", 6,
            (_c(1, (FINE, 30_000_000, 100_000_000, 1), (CT, 6, 36, 2), (FT, 12, 60, 3)), _c(2, (FT, 36, 120, 1))),
            "PERSON", "Bị cáo điều khiển ô tô vi phạm quy định về tốc độ, gây tai nạn làm chết người tại {place}."),
    Offence(304, "Chế tạo, tàng trữ, vận chuyển, sử dụng, mua bán trái phép hoặc chiếm đoạt vũ khí quân dụng, phương tiện kỹ thuật quân sự",
            1, (_c(1, (FT, 12, 84, 1)),), "NONE", "Bị cáo tàng trữ trái phép súng quân dụng tại {place}."),
    Offence(318, "Gây rối trật tự công cộng", 3, (_c(1, (WARN, 0, 0, 1), (CT, 6, 24, 2), (FT, 3, 24, 2)),),
            "NONE", "Bị cáo cùng đồng bọn dùng hung khí đuổi đánh nhau gây mất trật tự tại {place}."),
    Offence(321, "Đánh bạc", 10,
            (_c(1, (FINE, 20_000_000, 100_000_000, 3), (CT, 6, 36, 2), (FT, 6, 36, 2)), _c(2, (FT, 36, 84, 1))),
            "NONE", "Bị cáo bị bắt quả tang đang đánh bạc dưới hình thức ghi lô đề, xóc đĩa tại {place}."),
    Offence(322, "Tổ chức đánh bạc hoặc gá bạc", 2, (_c(1, (FINE, 50_000_000, 300_000_000, 1), (FT, 12, 60, 2)),),
            "NONE", "Bị cáo tổ chức cho nhiều người đánh bạc tại nhà riêng tại {place}."),
    Offence(353, "Tham ô tài sản", 1, (_c(1, (FT, 24, 84, 2)), _c(2, (FT, 84, 180, 1))),
            "STATE", "Lợi dụng chức vụ được giao, bị cáo đã chiếm đoạt tài sản của cơ quan tại {place}."),
    Offence(354, "Nhận hối lộ", 1, (_c(1, (FT, 24, 96, 2)), _c(2, (FT, 84, 180, 1))),
            "STATE", "Bị cáo đã nhận tiền để làm trái công vụ tại {place}."),
)
OFFENCE_WEIGHTS = tuple(o.weight for o in OFFENCES)
BY_ARTICLE = {o.article: o for o in OFFENCES}
FOREIGNER_ARTICLES = (250, 251, 174, 173, 249)

# Offences a commercial legal entity answers for (BLHS Art. 76), with a summary.
ENTITY_OFFENCES: tuple[tuple[int, str, str], ...] = (
    (188, "Buôn lậu", "Pháp nhân đã buôn bán trái phép hàng hóa qua biên giới."),
    (190, "Sản xuất, buôn bán hàng cấm", "Pháp nhân đã sản xuất, buôn bán hàng cấm với số lượng lớn."),
    (192, "Sản xuất, buôn bán hàng giả", "Pháp nhân đã sản xuất và đưa ra thị trường hàng giả."),
    (200, "Trốn thuế", "Pháp nhân đã sử dụng hóa đơn không hợp pháp để trốn thuế."),
    (216, "Trốn đóng bảo hiểm xã hội, bảo hiểm y tế, bảo hiểm thất nghiệp cho người lao động",
     "Pháp nhân đã gian dối để không đóng bảo hiểm xã hội cho người lao động."),
    (227, "Vi phạm quy định về nghiên cứu, thăm dò, khai thác tài nguyên", "Pháp nhân đã khai thác cát trái phép."),
    (232, "Vi phạm quy định về khai thác, bảo vệ rừng", "Pháp nhân đã khai thác gỗ trái phép trong rừng phòng hộ."),
    (235, "Gây ô nhiễm môi trường", "Pháp nhân đã xả thải chất thải nguy hại vượt quy chuẩn ra môi trường."),
)

# Prisons (trại giam) of the Ministry of Public Security, with the province they lie in since 1 July 2025.
PRISONS: tuple[tuple[str, str, str], ...] = (
    ("TG-THANHXUAN", "Trại giam Thanh Xuân", "001"),
    ("TG-PHUSON4", "Trại giam Phú Sơn 4", "019"),
    ("TG-TANLAP", "Trại giam Tân Lập", "025"),
    ("TG-HOANGTIEN", "Trại giam Hoàng Tiến", "031"),
    ("TG-XUANNGUYEN", "Trại giam Xuân Nguyên", "031"),
    ("TG-NAMHA", "Trại giam Nam Hà", "037"),
    ("TG-NINHKHANH", "Trại giam Ninh Khánh", "037"),
    ("TG-THANHLAM", "Trại giam Thanh Lâm", "038"),
    ("TG-SO3", "Trại giam số 3", "040"),
    ("TG-CHAUBINH", "Trại giam Châu Bình", "048"),
    ("TG-GIATRUNG", "Trại giam Gia Trung", "064"),
    ("TG-THUDUC", "Trại giam Thủ Đức", "068"),
    ("TG-KENH5", "Trại giam Kênh 5", "072"),
    ("TG-XUANLOC", "Trại giam Xuân Lộc", "075"),
    ("TG-ANPHUOC", "Trại giam An Phước", "079"),
    ("TG-CAITAU", "Trại giam Cái Tàu", "096"),
)
PRISON_IDS = tuple(p[0] for p in PRISONS)
PRISONS_BY_PROVINCE: dict[str, tuple[str, ...]] = {}
for _id, _name, _code in PRISONS:
    PRISONS_BY_PROVINCE[_code] = (*PRISONS_BY_PROVINCE.get(_code, ()), _id)
MPS = "Bộ Công an"


def detention_centre_id(code: str) -> str:
    return f"TTG-{code}"


def agency_id(code: str) -> str:
    return f"THAHS-{code}"


def short_name(code: str) -> str:
    """'Tỉnh Nghệ An' -> 'Nghệ An', 'Thành phố Hà Nội' -> 'Hà Nội'."""
    name = BY_CODE[code].name
    return name.split(" ", 1)[1] if name.startswith("Tỉnh ") else name.split(" ", 2)[2]


def court_of_province(code: str) -> str:
    """'Tòa án nhân dân tỉnh Nghệ An', 'Tòa án nhân dân thành phố Hà Nội'."""
    name = BY_CODE[code].name
    return "Tòa án nhân dân " + name[0].lower() + name[1:]


def police_of_province(code: str) -> str:
    name = BY_CODE[code].name
    return "Công an " + name[0].lower() + name[1:]


def facility_rows() -> list[dict[str, object]]:
    """Every facility of the catalogue: the prisons, and per province a detention centre and an agency."""
    rows: list[dict[str, object]] = [
        {"id": fid, "name": name, "kind": "PRISON", "province_code": code, "managing_authority": MPS}
        for fid, name, code in PRISONS
    ]
    for p in PROVINCES:
        police = police_of_province(p.code)
        rows.append({"id": detention_centre_id(p.code), "name": f"Trại tạm giam {police}", "kind": "DETENTION_CENTRE",
                     "province_code": p.code, "managing_authority": MPS})
        rows.append({"id": agency_id(p.code), "name": f"Cơ quan thi hành án hình sự {police}",
                     "kind": "PROVINCIAL_ENFORCEMENT_AGENCY", "province_code": p.code, "managing_authority": MPS})
    return rows


HIGH_COURTS = ("Tòa án nhân dân cấp cao tại Hà Nội", "Tòa án nhân dân cấp cao tại Đà Nẵng",
               "Tòa án nhân dân cấp cao tại Thành phố Hồ Chí Minh")
AMNESTY_DATES = ((2015, 9, 2), (2016, 9, 2), (2018, 9, 2), (2021, 9, 2), (2024, 9, 30))
OCCUPATIONS = ("Lao động tự do", "Nông dân", "Công nhân", "Lái xe", "Kinh doanh tự do", "Không nghề nghiệp",
               "Thợ xây", "Nhân viên bán hàng")
NICKNAMES = ("Tèo", "Bi", "Tý", "Cò", "Sơn Đen", "Hùng Béo", "Tuấn Lùn", "Long Sẹo", "Bống")
EDUCATION = ("5/12", "7/12", "9/12", "12/12", "Cao đẳng", "Đại học")
WORKPLACES = ("Lao động tự do tại địa phương", "Công nhân tại khu công nghiệp", "Làm nông nghiệp cùng gia đình",
              "Phụ giúp cơ sở kinh doanh của gia đình")
VICTIM_NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Hoa",
                "Đặng Văn Hùng", "Bùi Thị Lan", "Đỗ Văn Minh", "Ngô Thị Nga")
FOREIGN_PEOPLE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # nationality, passport prefix, home place, names
    ("Trung Quốc", "E", "Quảng Tây, Trung Quốc", ("WANG WEI", "LI NA", "ZHANG WEI", "LIU YANG", "CHEN JIE")),
    ("Hàn Quốc", "M", "Busan, Hàn Quốc", ("KIM MIN JUN", "LEE SEO YEON", "PARK JI HOON")),
    ("Lào", "P", "Viêng Chăn, Lào", ("SOMPHONE KEOMANY", "BOUNMY SAYAVONG")),
    ("Campuchia", "N", "Svay Rieng, Campuchia", ("SOK DARA", "CHAN SOPHEAP")),
    ("Nigeria", "A", "Lagos, Nigeria", ("CHUKWUEMEKA OKAFOR", "ADEBAYO OGUNLEYE")),
    ("Hoa Kỳ", "", "California, Hoa Kỳ", ("JOHN SMITH", "MICHAEL BROWN")),
)
FOREIGN_PROVINCES = ("001", "079", "022", "020", "010", "072", "089", "048")
COMPANY_WORDS = ("Thành Đạt", "Hưng Thịnh", "Phú Gia", "Minh Phát", "Hoàng Long", "Sao Việt", "Tân Á", "Đại Dương",
                 "Trường Sơn", "Kim Ngân")
COMPANY_SECTORS = ("Thương mại và Dịch vụ", "Xây dựng", "Xuất nhập khẩu", "Khoáng sản", "Thực phẩm", "Môi trường")
TAX_PREFIX = {"001": "01", "079": "03", "031": "02", "048": "04", "075": "36", "027": "23", "022": "57"}
FACILITY_NAMES: dict[str, str] = {str(r["id"]): str(r["name"]) for r in facility_rows()}
FACILITY_PROVINCES: dict[str, str] = {str(r["id"]): str(r["province_code"]) for r in facility_rows()}
