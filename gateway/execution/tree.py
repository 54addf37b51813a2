"""The merged data tree of one request: the objects at a response path, answers merged into them, the
representations built from them, and the row budget's count of an answer's objects (the executor's per-object
work, kept apart from its control flow)."""

from __future__ import annotations

from typing import Any

import orjson

from ..planning.plan import ReqField


def count_objects(value: Any) -> int:
    """Objects (dicts) in a decoded subgraph answer, at any depth (exact types: orjson makes dicts and lists;
    3x faster than isinstance over a stack; depth is bounded by the operation's)."""
    kind = type(value)
    count = 0
    if kind is dict:
        count = 1
        for item in value.values():
            if type(item) is dict or type(item) is list:
                count += count_objects(item)
    elif kind is list:
        for item in value:
            if type(item) is dict or type(item) is list:
                count += count_objects(item)
    return count


def deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    """Merge ``source`` into ``target``: objects key by key, lists item by item."""
    for key, value in source.items():
        mine = target.get(key)
        if isinstance(mine, dict) and isinstance(value, dict):
            deep_merge(mine, value)
        elif isinstance(mine, list) and isinstance(value, list) and len(mine) == len(value):
            for i, (a, b) in enumerate(zip(mine, value, strict=True)):
                if isinstance(a, dict) and isinstance(b, dict):
                    deep_merge(a, b)
                elif a is None:
                    mine[i] = b
        elif mine is None or key not in target:
            target[key] = value


def objects_at(value: Any, path: tuple[str, ...], i: int, where: list[Any],
               out: list[tuple[dict[str, Any], list[Any]]]) -> None:
    """Append to ``out`` every object at ``path[i:]`` below ``value`` with its response path (``where``: the
    path down to ``value``)."""
    if value is None:
        return
    if i == len(path):
        if isinstance(value, dict):
            out.append((value, list(where)))
        elif isinstance(value, list):  # a list at the end of a path: its items are the objects
            for j, item in enumerate(value):
                where.append(j)
                objects_at(item, path, i, where, out)
                where.pop()
        return
    segment = path[i]
    if segment == "@":
        if isinstance(value, list):
            for j, item in enumerate(value):
                where.append(j)
                objects_at(item, path, i + 1, where, out)
                where.pop()
    elif isinstance(value, dict):
        where.append(segment)
        objects_at(value.get(segment), path, i + 1, where, out)
        where.pop()


def objects_in(value: Any, path: tuple[str, ...]) -> list[dict[str, Any]]:
    """The objects ``objects_at`` finds, in the same order, without their paths (built only when an error needs
    them): one pass per path segment instead of one call per object."""
    out: list[dict[str, Any]] = []
    _flatten(_values_at([value], path), out)
    return out


def objects_in_all(value: Any, paths: tuple[tuple[str, ...], ...]) -> list[dict[str, Any]]:
    """``objects_in`` for each of ``paths`` in turn, walking their common prefix once."""
    common = 0
    while all(len(p) > common for p in paths) and len({p[common] for p in paths}) == 1:
        common += 1
    shared = _values_at([value], paths[0][:common])
    out: list[dict[str, Any]] = []
    for path in paths:
        _flatten(_values_at(shared, path[common:]), out)
    return out


def _values_at(current: list[Any], path: tuple[str, ...]) -> list[Any]:
    """The values at ``path`` below each of ``current`` ("@" steps into lists, a name into objects)."""
    for segment in path:
        following: list[Any] = []
        if segment == "@":
            for item in current:
                if isinstance(item, list):
                    following.extend(item)
        else:
            for item in current:
                if isinstance(item, dict):
                    following.append(item.get(segment))
        current = following
    return current


def _flatten(values: list[Any], out: list[dict[str, Any]]) -> None:
    for item in values:  # a list at the end of a path: its items are the objects
        if isinstance(item, dict):
            out.append(item)
        elif isinstance(item, list):
            _flatten(item, out)


def extract(obj: dict[str, Any], fields: tuple[ReqField, ...]) -> dict[str, Any]:
    """The representation of ``obj``: its values of ``fields`` (key, ``@requires``), nested as selected."""
    rep: dict[str, Any] = {}
    runtime = obj.get("__typename")
    for f in fields:
        if f.types is not None and runtime not in f.types:
            continue  # under a type condition of the field set that this object's type does not meet
        value = obj.get(f.source or f.name)
        if f.children and isinstance(value, dict):
            value = extract(value, f.children)
        elif f.children and isinstance(value, list):
            value = [extract(v, f.children) if isinstance(v, dict) else v for v in value]
        rep[f.name] = value
    return rep


def identity(rep: dict[str, Any]) -> Any:
    """A representation's identity for deduplication: its items when they are all scalars (the common key
    fields), else its canonical JSON. ``extract`` builds a type's representations in one key order, so the items
    need no sorting (two equal representations in another order would only be sent twice, never confused)."""
    # the values alone: within one entity type the keys are the same (the type conditions read the runtime
    # type), and the __typename value, always last, keeps the types apart
    items = tuple(rep.values())
    try:
        hash(items)
    except TypeError:  # a list or object among the values
        return orjson.dumps(rep, option=orjson.OPT_SORT_KEYS)
    return items


def paths_of(data: Any, path: tuple[str, ...]) -> dict[int, list[Any]]:
    """The path of every object ``objects_in`` finds at ``path``, by object identity."""
    found: list[tuple[dict[str, Any], list[Any]]] = []
    objects_at(data, path, 0, [], found)
    return {id(obj): where for obj, where in found}


def context_value(data: Any, where: list[Any], depth: int, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in the ancestor ``depth`` segments down ``where`` (None where anything is missing)."""
    value = data
    for step in (*where[:depth], *path):
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            return None
    return value
