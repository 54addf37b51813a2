"""Row predicates: the residual conditions of row rules, evaluated on injected row attributes."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from typing import Any

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def latest_birth_date(value: Any) -> dt.date | None:
    """The latest date a partial date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) can stand for: a person born
    "in 2008" is treated as born on 2008-12-31, so that minority is never underestimated."""
    if not isinstance(value, str):
        return None
    return _latest_birth_date(value)


@functools.lru_cache(maxsize=65536)  # pure; a minors' rule reads the same persons' dates on many rows
def _latest_birth_date(value: str) -> dt.date | None:
    match = _DATE.match(value)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        if day:
            return dt.date(int(year), int(month), int(day))
        if month:
            following = dt.date(int(year) + (month == "12"), int(month) % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(int(year), 12, 31)
    except ValueError:
        return None


def age_on(born: dt.date, today: dt.date) -> int:
    """Completed years between ``born`` and ``today``."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def matches(predicate: Mapping[str, Any], attrs: Mapping[str, Any], today: dt.date) -> bool:
    """Evaluate a predicate (``{"attr", "op", "value", "if_unknown"}``, ``any``, ``all``, ``not``).

    An attribute that is null or unusable is *unknown*: the leaf then yields ``if_unknown`` (default true,
    i.e. the restrictive outcome). Unknown operators are an error (the caller fails closed).
    """
    if "any" in predicate:
        return any(matches(p, attrs, today) for p in predicate["any"])
    if "all" in predicate:
        return all(matches(p, attrs, today) for p in predicate["all"])
    if "not" in predicate:
        return not matches(predicate["not"], attrs, today)
    op = predicate["op"]
    value = attrs.get(predicate["attr"])
    unknown = bool(predicate.get("if_unknown", True))
    expected = predicate.get("value")
    if op == "present":
        return value is not None and value != ""
    if value is None:
        return unknown
    if op == "eq":
        return value == expected
    if op == "ne":
        return value != expected
    if op == "in":
        return value in (expected or [])
    if op == "not_in":
        return value not in (expected or [])
    if op == "lt":
        return value < expected if isinstance(value, int | float) else unknown
    if op == "age_under":
        born = latest_birth_date(value)
        return unknown if born is None else age_on(born, today) < int(expected)
    raise ValueError(f"unknown row predicate operator {op!r}")
