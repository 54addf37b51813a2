"""Provinces of Viet Nam and the province codes used in personal identification numbers.

Since 1 July 2025 (Resolution 202/2025/QH15) there are 34 provincial-level units. Personal identification numbers
issued before the merger keep the 3-digit code of the former province (Circular 59/2021/TT-BCA, Annex), so all 63
former codes stay valid in a ``personalId``; each maps to the province that absorbed it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Province:
    code: str  # 3-digit code of the current province (the code of the unit that kept its name)
    name: str
    former_codes: tuple[str, ...]  # every former code now inside this province, own code first


PROVINCES: tuple[Province, ...] = (
    Province("001", "Thành phố Hà Nội", ("001",)),
    Province("004", "Tỉnh Cao Bằng", ("004",)),
    Province("008", "Tỉnh Tuyên Quang", ("008", "002")),
    Province("010", "Tỉnh Lào Cai", ("010", "015")),
    Province("011", "Tỉnh Điện Biên", ("011",)),
    Province("012", "Tỉnh Lai Châu", ("012",)),
    Province("014", "Tỉnh Sơn La", ("014",)),
    Province("019", "Tỉnh Thái Nguyên", ("019", "006")),
    Province("020", "Tỉnh Lạng Sơn", ("020",)),
    Province("022", "Tỉnh Quảng Ninh", ("022",)),
    Province("025", "Tỉnh Phú Thọ", ("025", "026", "017")),
    Province("027", "Tỉnh Bắc Ninh", ("027", "024")),
    Province("031", "Thành phố Hải Phòng", ("031", "030")),
    Province("033", "Tỉnh Hưng Yên", ("033", "034")),
    Province("037", "Tỉnh Ninh Bình", ("037", "035", "036")),
    Province("038", "Tỉnh Thanh Hóa", ("038",)),
    Province("040", "Tỉnh Nghệ An", ("040",)),
    Province("042", "Tỉnh Hà Tĩnh", ("042",)),
    Province("045", "Tỉnh Quảng Trị", ("045", "044")),
    Province("046", "Thành phố Huế", ("046",)),
    Province("048", "Thành phố Đà Nẵng", ("048", "049")),
    Province("051", "Tỉnh Quảng Ngãi", ("051", "062")),
    Province("064", "Tỉnh Gia Lai", ("064", "052")),
    Province("066", "Tỉnh Đắk Lắk", ("066", "054")),
    Province("056", "Tỉnh Khánh Hòa", ("056", "058")),
    Province("068", "Tỉnh Lâm Đồng", ("068", "067", "060")),
    Province("072", "Tỉnh Tây Ninh", ("072", "080")),
    Province("075", "Tỉnh Đồng Nai", ("075", "070")),
    Province("079", "Thành phố Hồ Chí Minh", ("079", "074", "077")),
    Province("086", "Tỉnh Vĩnh Long", ("086", "083", "084")),
    Province("087", "Tỉnh Đồng Tháp", ("087", "082")),
    Province("089", "Tỉnh An Giang", ("089", "091")),
    Province("092", "Thành phố Cần Thơ", ("092", "094", "093")),
    Province("096", "Tỉnh Cà Mau", ("096", "095")),
)

BY_CODE: dict[str, Province] = {p.code: p for p in PROVINCES}
# Any code that may appear in a personal identification number -> the current province.
BY_ID_CODE: dict[str, Province] = {code: p for p in PROVINCES for code in p.former_codes}
BY_NAME: dict[str, Province] = {p.name: p for p in PROVINCES}


def province_of_personal_id(personal_id: str) -> Province:
    """The current province of the code in a (valid) personal identification number."""
    return BY_ID_CODE[personal_id[:3]]
