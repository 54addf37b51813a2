"""An ``_entities`` call's representations (gateway/execution/entities.py): the path for ``{__typename, key}``
gives what the general one (extract, identity) gives, over random objects (other types, missing, repeated and
malformed keys, an @interfaceObject's untyped objects), and answers merge as ``deep_merge`` merges them."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from gateway.execution.entities import collect, merge
from gateway.execution.tree import deep_merge, extract, identity
from gateway.planning.plan import EntityPart, FetchNode, ReqField

KEYED = EntityPart((ReqField("__typename"), ReqField("id")), ("id",))
REQUIRES = EntityPart((ReqField("__typename"), ReqField("id"), ReqField("weight")), ("id",))


def _reference(fetch: FetchNode, found: list[tuple[dict[str, Any], Any]]) -> tuple[list[Any], list[Any]]:
    """The general way, for every part: what the executor did before the single-key path."""
    representations: list[dict[str, Any]] = []
    targets: list[list[Any]] = []
    index: dict[Any, int] = {}
    for obj, where in found:
        typename = obj.get("__typename")
        part = fetch.entities.get(typename) if typename else None
        if part is None and fetch.assume_type:
            typename = fetch.assume_type
            part = fetch.entities[typename]
        if part is None or any(obj.get(k) is None for k in part.key_fields):
            continue
        rep = extract(obj, part.requires)
        rep["__typename"] = part.send_as or typename
        marker = identity(rep)
        i = index.get(marker)
        if i is None:
            i = index[marker] = len(representations)
            representations.append(rep)
            targets.append([])
        targets[i].append((obj, where))
    return representations, targets


@pytest.mark.parametrize("seed", range(20))
def test_the_single_key_path_builds_what_the_general_one_does(seed: int) -> None:
    rng = random.Random(seed)
    assert KEYED.single_key == "id" and REQUIRES.single_key is None
    assume = "Node" if seed % 3 == 0 else ""
    entities = {"User": KEYED, "Item": REQUIRES, **({"Node": KEYED} if assume else {})}
    fetch = FetchNode(1, "s", "query", "query", (), (), entities, assume)
    found: list[tuple[dict[str, Any], Any]] = []
    for n in range(rng.randrange(30)):
        obj: dict[str, Any] = {"id": rng.choice([None, "1", "2", 3, 3.5, True, {"x": 1}, ["y"]]),
                               "weight": rng.choice([1, None, [1]])}
        kind = rng.choice(["User", "Item", "Other", None])
        if kind is not None:
            obj["__typename"] = kind
        found.append((obj, [n] if rng.random() < 0.5 else None))
    representations, targets, copied = collect(fetch, found, None)
    expected = _reference(fetch, found)
    assert (representations, targets, copied) == (*expected, 0)
    assert all(a is b for t, e in zip(targets, expected[1], strict=True) for (a, _), (b, _) in zip(t, e, strict=True))


def test_answers_merge_as_deep_merge_merges_them() -> None:
    rng = random.Random(3)
    for _ in range(50):
        objects = [{"a": rng.choice([None, {"x": 1}, [None, {"y": 1}], 5]), "b": None} for _ in range(4)]
        answers = [rng.choice([None, 7, {"a": rng.choice([{"z": 2}, [{"w": 1}, 3], None, 9]), "b": [1], "c": 2}])
                   for _ in range(3)]
        mine, theirs = copy.deepcopy(objects), copy.deepcopy(objects)
        targets = [[(mine[0], None), (mine[1], None)], [(mine[2], None)], [(mine[3], None)]]
        merge(copy.deepcopy(answers), targets)
        for i, answer in enumerate(copy.deepcopy(answers)):
            if isinstance(answer, dict):
                for obj in ([theirs[0], theirs[1]] if i == 0 else [theirs[i + 1]]):
                    deep_merge(obj, copy.deepcopy(answer))
        assert mine == theirs
