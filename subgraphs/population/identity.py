"""Issuing a personal identification number (số định danh cá nhân) to a child whose birth is registered.

Structure (Decree 137/2015/NĐ-CP Art. 7, Circular 59/2021/TT-BCA Art. 7; subgraphs.common.identifiers): 3 digits
the province code of the place of birth registration, 1 digit century and sex (0/1 twentieth century male/female,
2/3 twenty-first, … up to 8/9 for the twenty-fifth), 2 digits the year of birth, 6 random digits. Numbers issued
now carry the code of the current province (a former code, still valid in old numbers, means the province that
absorbed it: subgraphs.common.provinces).
"""

from __future__ import annotations

import secrets

from subgraphs.common.identifiers import birth_century_and_sex, personal_id_problem
from subgraphs.common.provinces import BY_ID_CODE


def century_sex_digit(year: int, sex: str) -> str:
    """The 4th digit for a person born in ``year`` of ``sex`` (``MALE``/``FEMALE``); ValueError outside
    1900–2399 or for another sex."""
    if sex not in ("MALE", "FEMALE"):
        raise ValueError(f"sex {sex!r}: MALE or FEMALE")
    century = (year - 1900) // 100
    if not 0 <= century <= 4:
        raise ValueError(f"year of birth {year}: outside 1900-2399")
    return str(2 * century + (1 if sex == "FEMALE" else 0))


def new_personal_id(province_code: str, year: int, sex: str, serial: int | None = None) -> str:
    """A new number for a birth registered in ``province_code``; ``serial`` (0–999999) random unless given."""
    province = BY_ID_CODE.get(province_code)
    if province is None:
        raise ValueError(f"'{province_code}' is not a province code")
    serial = secrets.randbelow(1_000_000) if serial is None else serial
    number = f"{province.code}{century_sex_digit(year, sex)}{year % 100:02d}{serial:06d}"
    # the validator and the decoder of subgraphs.common.identifiers read back what was encoded
    assert personal_id_problem(number) is None and birth_century_and_sex(number) == (1900 + 100 * ((year - 1900)
                                                                                                   // 100), sex)
    return number
