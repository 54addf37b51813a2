"""An entity fetch's answers taken from objects an earlier fetch of the same request brought (``FetchNode.reuse``,
planned by ``gateway/planning/reuse.py``): the same subgraph's values of the same fields for the same key.

Only non-null values are taken: a null (unknown, or nulled by an error) is fetched again, as it would have been.
Each object gets its own copy, so that no later merge or walk can change two positions through one value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..planning.plan import Reuse

ReuseIndex = dict[tuple[str, tuple[Any, ...]], dict[str, Any]]  # (type, key values) -> the fields' values


def reuse_index(sources: tuple[Reuse, ...], data: dict[str, Any],
                objects_in: Callable[[Any, tuple[str, ...]], list[dict[str, Any]]]) -> ReuseIndex:
    """The values the sources hold, by entity type and key (``objects_in``: the objects at a path of the data)."""
    index: ReuseIndex = {}
    for source in sources:
        name, typed, keys, fields = source.type_name, source.typed, source.keys, source.fields
        for obj in objects_in(data, source.path):
            runtime = obj.get("__typename")
            if runtime != name and (typed or runtime is not None):
                continue
            key = (obj.get(keys[0]),) if len(keys) == 1 else tuple(obj.get(k) for k in keys)
            if None in key:
                continue
            values = {f: obj.get(f) for f in fields}
            if None not in values.values():
                try:
                    index.setdefault((name, key), values)
                except TypeError:  # an object or list as a key value: not a key to find it again by
                    continue
    return index


def fill(obj: dict[str, Any], values: dict[str, Any]) -> int:
    """Give ``obj`` its own copy of ``values``; the count of objects copied (they count against the row budget as
    the fetch's answer would have)."""
    copied = 0
    for name, value in values.items():
        if obj.get(name) is None:
            obj[name], count = _copy(value)
            copied += count
    return copied


def _copy(value: Any) -> tuple[Any, int]:
    if type(value) is dict:
        out = value.copy()  # a facts object holds scalars: one C-level copy, nested values copied below
        total = 1
        for key, item in out.items():
            if type(item) is dict or type(item) is list:
                out[key], count = _copy(item)
                total += count
        return out, total
    if type(value) is list:
        items: list[Any] = []
        total = 0
        for item in value:
            copied, count = _copy(item)
            items.append(copied)
            total += count
        return items, total
    return value, 0
