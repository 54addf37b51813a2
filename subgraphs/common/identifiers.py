"""Validation of the personal identification number (số định danh cá nhân) and other arguments.

Structure (Decree 137/2015/NĐ-CP Art. 7, Circular 59/2021/TT-BCA Art. 7): 3 digits province code of the place of
birth registration, 1 digit century and sex, 2 digits year of birth, 6 random digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import bad_user_input
from .provinces import BY_ID_CODE

_TWELVE_DIGITS = re.compile(r"^[0-9]{12}$")


def personal_id_problem(value: str) -> str | None:
    """Why ``value`` is not a valid personal identification number, or None when it is."""
    if not isinstance(value, str) or not _TWELVE_DIGITS.match(value):
        return "a personal identification number has exactly 12 digits"
    if value[:3] not in BY_ID_CODE:
        return f"'{value[:3]}' is not a province code"
    return None


def check_personal_id(value: str, argument: str = "personalId") -> str:
    """Return ``value`` if valid, else raise ``BAD_USER_INPUT`` naming ``argument``."""
    problem = personal_id_problem(value)
    if problem:
        raise bad_user_input(argument, problem)
    return value


def check_personal_ids(values: Iterable[str], argument: str = "personalIds", limit: int = 500) -> list[str]:
    """Validate a list of ids; refuse empty or oversized lists."""
    ids = list(values)
    if not ids:
        raise bad_user_input(argument, "give at least one id")
    if len(ids) > limit:
        raise bad_user_input(argument, f"at most {limit} ids per request")
    for value in ids:
        problem = personal_id_problem(value)
        if problem:
            raise bad_user_input(argument, f"{value!r}: {problem}")
    return ids


def birth_century_and_sex(personal_id: str) -> tuple[int, str]:
    """(first year of the century of birth, 'MALE'|'FEMALE') from the 4th digit."""
    digit = int(personal_id[3])
    return 1900 + 100 * (digit // 2), ("MALE", "FEMALE")[digit % 2]


def check_range(value: int, argument: str, low: int, high: int) -> int:
    """Raise ``BAD_USER_INPUT`` unless ``low <= value <= high``."""
    if not (low <= value <= high):
        raise bad_user_input(argument, f"must be between {low} and {high}")
    return value
