"""Mask functions (after Apache Ranger / BigQuery data policies). Each keeps the value valid for its type;
:func:`mask_fits` says whether a mask can be applied to a GraphQL named type at all (if not: withhold)."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

STRING_TYPES = frozenset({"String", "ID"})
DATE_TYPES = frozenset({"PartialDate", "String"})
_PARTIAL_DATE = re.compile(r"^(\d{4})(-\d{2}(-\d{2})?)?")


def redact(value: str, **_: Any) -> str:
    """Ranger MASK: letters become ``x``/``X``, digits ``n``; separators stay (length is kept)."""
    out = []
    for ch in value:
        if ch.isdigit():
            out.append("n")
        elif ch.isalpha():
            out.append("X" if ch.isupper() else "x")
        else:
            out.append(ch)
    return "".join(out)


def partial(value: str, **_: Any) -> str:
    """Keep the last 4 characters, replace the rest with ``*``."""
    keep = value[-4:] if len(value) > 4 else ""
    return "*" * (len(value) - len(keep)) + keep


def initials(value: str, **_: Any) -> str:
    """``Nguyễn Văn An`` → ``N. V. A.``"""
    return " ".join(f"{word[0]}." for word in value.split() if word)


def pseudonym(value: str, *, key: bytes, purpose: str | None = None, **_: Any) -> str:
    """Keyed HMAC-SHA256 of the value, stable for one purpose (different purposes cannot join)."""
    message = f"{purpose or ''}\x1f{value}".encode()
    return "p_" + hmac.new(key, message, hashlib.sha256).hexdigest()[:24]


def year_only(value: str, **_: Any) -> str:
    """``1990-05-17`` or ``1990-05`` → ``1990`` (a valid PartialDate)."""
    match = _PARTIAL_DATE.match(value)
    if match is None:
        raise ValueError("not a date")
    return match.group(1)


def province_only(value: str, **_: Any) -> str:
    """Keep the last comma-separated segment of an address (the province)."""
    return value.rsplit(",", 1)[-1].strip()


MASKS: dict[str, Callable[..., str]] = {
    "redact": redact,
    "partial": partial,
    "initials": initials,
    "pseudonym": pseudonym,
    "year_only": year_only,
    "province_only": province_only,
}


def mask_fits(mask: str, named_type: str) -> bool:
    """Whether ``mask`` yields a valid value of GraphQL type ``named_type`` (enums, numbers, objects: no)."""
    if mask == "year_only":
        return named_type in DATE_TYPES
    return mask in MASKS and named_type in STRING_TYPES


def apply_mask(mask: str, value: Any, *, key: bytes, purpose: str | None) -> Any:
    """Mask a leaf value (lists element-wise; ``None`` stays ``None``). Raises ValueError if impossible."""
    if value is None:
        return None
    if isinstance(value, list):
        return [apply_mask(mask, item, key=key, purpose=purpose) for item in value]
    if not isinstance(value, str):
        raise ValueError(f"mask {mask} needs a string, got {type(value).__name__}")
    return MASKS[mask](value, key=key, purpose=purpose)
