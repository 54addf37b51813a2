"""Scalars shared by the subgraphs."""

from __future__ import annotations

import re
from datetime import date
from typing import NewType

import strawberry

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_partial_date(value: str) -> str:
    """Accept ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (each part a real calendar value)."""
    if not isinstance(value, str):
        raise ValueError("PartialDate must be a string YYYY, YYYY-MM or YYYY-MM-DD")
    m = _PARTIAL.match(value)
    if not m:
        raise ValueError(f"'{value}' is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = m.groups()
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError(f"'{value}' has no month {month}")
    if day is not None:
        date(int(year), int(month), int(day))  # raises ValueError on 2023-02-30
    return value


PartialDate = strawberry.scalar(
    NewType("PartialDate", str),
    name="PartialDate",
    description=(
        "A date that may be known only to the year or month: YYYY, YYYY-MM or YYYY-MM-DD. Civil status and "
        "population records often hold only the year of birth (Decree 137/2015/NĐ-CP; 004 Art. 2.3.b)."
    ),
    serialize=str,
    parse_value=parse_partial_date,
)
