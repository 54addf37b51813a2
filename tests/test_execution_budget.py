"""The row budget's upper bound from an answer's bytes (gateway/execution/budget.py) refuses exactly when the
exact count does: random answers (braces inside strings, errors, pretty-printed or compact bytes, answers merged
into after being counted), random limits, compared step by step with the exact walk."""

from __future__ import annotations

import json
import random
from typing import Any

import orjson
import pytest

from gateway.execution.budget import RowBudget, rows_of
from gateway.execution.transport import Answer


def _value(rng: random.Random, depth: int) -> Any:
    pick = rng.random()
    if depth > 3 or pick < 0.35:
        return rng.choice([None, 1, True, "plain", "a { brace", "{}", "}{", "{\"k\": {}}"])
    if pick < 0.7:
        return {f"k{i}": _value(rng, depth + 1) for i in range(rng.randrange(4))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def _answer(rng: random.Random, root: bool) -> tuple[dict[str, Any], Any]:
    rows: Any = ({f"f{i}": _value(rng, 1) for i in range(rng.randrange(1, 4))} if root
                 else [_value(rng, 1) if rng.random() < 0.2 else {"x": _value(rng, 1)} for _ in range(rng.randrange(5))])
    response: dict[str, Any] = {"data": rows if root else {"_entities": rows}}
    if rng.random() < 0.3:
        response["errors"] = [{"message": "m {", "path": ["_entities", 0], "extensions": {"code": "X"}}]
    return response, rows


@pytest.mark.parametrize("seed", range(40))
def test_the_bound_refuses_exactly_when_the_exact_count_does(seed: int) -> None:
    rng = random.Random(seed)
    answers = [_answer(rng, rng.random() < 0.5) for _ in range(rng.randrange(1, 8))]
    exact_counts = [rows_of(rows, "_entities" not in response["data"]) for response, rows in answers]
    limit = rng.randrange(0, sum(exact_counts) + 3)
    budget = RowBudget(limit)
    total = 0
    for (response, _), exact in zip(answers, exact_counts, strict=True):
        root = "_entities" not in response["data"]
        raw = json.dumps(response, indent=rng.choice([None, 2])).encode() if rng.random() < 0.5 \
            else orjson.dumps(response)
        decoded = orjson.loads(raw)
        result: Any = Answer(decoded, raw) if rng.random() < 0.8 else decoded  # a local subgraph keeps no bytes
        rows = decoded["data"] if root else decoded["data"]["_entities"]
        over = budget.answer(result, rows, root)
        total += exact
        if rows_of(rows, root) == exact and isinstance(rows, (dict, list)):
            # merged into afterwards (a later answer's objects under this one's): counted from the bytes again
            target = rows if isinstance(rows, dict) else next((r for r in rows if isinstance(r, dict)), None)
            if target is not None:
                target["merged"] = [{"later": {}} for _ in range(3)]
        assert over == (total > limit), (seed, total, limit)
        if over:
            break


def test_exact_counts_add_up_with_bounds() -> None:
    budget = RowBudget(5)
    raw = b'{"data": {"_entities": [{"a": "{{{{{{"}, {"b": 1}]}}'
    assert budget.answer(Answer(orjson.loads(raw), raw), [{"a": "{{{{{{"}, {"b": 1}], root=False) is False
    assert budget.add(3) is False  # 2 + 3: at the limit, not over it, though the bound said 8
    assert budget.add(1) is True
