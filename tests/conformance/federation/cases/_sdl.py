"""Helpers shared by the case modules (not a case: modules starting with ``_`` are not discovered)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def link(*imports: str, version: str = "2.3") -> str:
    """The Fed 2 ``extend schema @link(...)`` header importing ``imports`` (e.g. ``"@key"``)."""
    names = ", ".join(f'"{name}"' for name in imports)
    return f'extend schema @link(url: "https://specs.apollo.dev/federation/v{version}", import: [{names}])\n'


def by_key(table: Mapping[str, Any], key: str = "id") -> Callable[[dict[str, Any], Any], Any]:
    """A ``__resolveReference`` looking the representation's ``key`` up in ``table`` (None when unknown)."""
    return lambda representation, _info: table.get(representation.get(key))
