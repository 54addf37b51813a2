"""One ``_entities`` call's representations, built from the objects found at its paths, and its answers merged
back into them: the executor's per-object work for entity fetches (200 persons of bench query c: 400 objects per
request through each), written for the common case of a representation that is ``{__typename, key}``.
"""

from __future__ import annotations

from typing import Any

from ..planning.plan import FetchNode
from .reuse import ReuseIndex, fill
from .tree import deep_merge, extract, identity

_SCALARS = frozenset({str, int, float, bool})
Found = list[tuple[dict[str, Any], list[Any] | None]]  # objects, with their paths when known


def collect(fetch: FetchNode, found: Found, known: ReuseIndex | None
            ) -> tuple[list[dict[str, Any]], list[Found], int]:
    """``(representations, targets, copied)``: one representation per distinct entity (duplicates sent once),
    the objects each answers, and the count of objects filled from ``known`` instead (not sent)."""
    representations: list[dict[str, Any]] = []
    targets: list[Found] = []
    index: dict[Any, int] = {}
    copied = 0
    entities = fetch.entities
    assume = fetch.assume_type
    for obj, where in found:
        typename = obj.get("__typename")
        part = entities.get(typename) if typename else None
        if part is None:
            if not assume:
                continue  # another type at this path
            typename = assume  # an @interfaceObject's objects: typed by their position
            part = entities[typename]
        single = part.single_key
        value = obj.get(single) if single is not None else None
        if single is not None and type(value) in _SCALARS:  # (a malformed object or list: the general way)
            sent = part.send_as or typename
            marker: Any = (sent, value)  # what ``identity`` gives for {__typename, key}: one scheme per call
            if known:
                values = known.get((typename, (value,)))  # type: ignore[arg-type]
                if values is not None:
                    copied += fill(obj, values)
                    continue
            i = index.get(marker)
            if i is None:
                index[marker] = len(representations)
                representations.append({"__typename": sent, single: value})
                targets.append([(obj, where)])
            else:
                targets[i].append((obj, where))
            continue
        key = tuple(obj.get(k) for k in part.key_fields)
        if None in key:
            continue  # its key is missing because an earlier fetch failed
        if known:
            try:
                values = known.get((typename, key))  # type: ignore[arg-type]
            except TypeError:  # an object or list as a key value: never reused
                values = None
            if values is not None:
                copied += fill(obj, values)
                continue
        rep = extract(obj, part.requires)
        rep["__typename"] = part.send_as or typename
        marker = identity(rep)
        i = index.get(marker)
        if i is None:
            index[marker] = len(representations)
            representations.append(rep)
            targets.append([(obj, where)])
        else:
            targets[i].append((obj, where))
    return representations, targets, copied


def merge(entities: list[Any], targets: list[Found]) -> None:
    """Merge each answer into every object its representation stands for (``deep_merge``, its top level
    inlined: most answers bring keys the objects do not have yet)."""
    for entity, group in zip(entities, targets, strict=False):
        if not isinstance(entity, dict):
            continue
        for obj, _ in group:
            for key, value in entity.items():
                mine = obj.get(key)
                if mine is None:
                    obj[key] = value
                elif isinstance(mine, (dict, list)):
                    deep_merge(obj, {key: value})
