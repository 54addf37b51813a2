"""Row predicates: the residual conditions of row rules, evaluated on injected row attributes."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
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


Check = Callable[[Mapping[str, Any], dt.date], bool]


class _Irregular(Exception):
    """A predicate :func:`compile_predicate` leaves to :func:`matches` (which fails on it, or not, as always)."""


def compile_predicate(predicate: Mapping[str, Any]) -> Check:
    """``lambda attrs, today: matches(predicate, attrs, today)``, with the predicate's structure (combinators,
    operators, constants) resolved once instead of on every row. The same results and the same exceptions: a
    predicate with anything unusual (an unknown operator, a missing key, a non-integer age) is interpreted by
    :func:`matches` on every call, as before."""
    try:
        return _compiled(predicate)
    except Exception:  # _Irregular, or a shape no rule has: interpreted per row, failing closed there
        return functools.partial(matches, predicate)


def _compiled(p: Any) -> Check:
    if not isinstance(p, dict):
        raise _Irregular
    for combinator in ("any", "all"):
        if combinator in p:
            if type(p[combinator]) is not list:
                raise _Irregular
            parts = tuple(_compiled(q) for q in p[combinator])
            if len(parts) == 1:  # any / all of one: its own value (a bool, as every check returns)
                return parts[0]
            if combinator == "any":
                return lambda attrs, today: any(part(attrs, today) for part in parts)
            return lambda attrs, today: all(part(attrs, today) for part in parts)
    if "not" in p:
        inner = _compiled(p["not"])
        return lambda attrs, today: not inner(attrs, today)
    op, attr = p.get("op"), p.get("attr")
    if type(attr) is not str or type(op) is not str:
        raise _Irregular
    unknown = bool(p.get("if_unknown", True))
    expected = p.get("value")
    if op == "present":
        return lambda attrs, today: (v := attrs.get(attr)) is not None and v != ""
    if op == "eq":
        return lambda attrs, today: unknown if (v := attrs.get(attr)) is None else v == expected
    if op == "ne":
        return lambda attrs, today: unknown if (v := attrs.get(attr)) is None else v != expected
    if op in ("in", "not_in"):
        values = expected or []
        if op == "in":
            return lambda attrs, today: unknown if (v := attrs.get(attr)) is None else v in values
        return lambda attrs, today: unknown if (v := attrs.get(attr)) is None else v not in values
    if op == "lt":
        return lambda attrs, today: (unknown if (v := attrs.get(attr)) is None
                                     else v < expected if isinstance(v, int | float) else unknown)
    if op == "age_under":
        if type(expected) is not int:  # int() of anything else: left to matches, which converts it per row
            raise _Irregular
        return lambda attrs, today: (unknown if (v := attrs.get(attr)) is None
                                     else unknown if (born := latest_birth_date(v)) is None
                                     else age_on(born, today) < expected)
    raise _Irregular  # an unknown operator: matches raises ValueError (the rule applies, fail closed)
