"""``rows.compile_predicate`` against the interpreter ``rows.matches``: the same result, or the same exception
type, for random predicates (well-formed and not: unknown operators, missing keys, odd constants) over random
attributes (nulls, empty strings, numbers, partial dates, lists)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from gateway.policy.rows import compile_predicate, matches

TODAY = dt.date(2026, 6, 1)
ATTRS = ["birthDate", "deceased", "subject", "registrationProvince", "cellCount"]
VALUES: list[Any] = [None, "", "001", "079", "2015", "2008-12", "2010-02-03", "1990", "x", 0, 3, 18, 2.5, True,
                     False, ["001"], {"a": 1}]
OPS = ["present", "eq", "ne", "in", "not_in", "lt", "age_under", "bogus", None]


def _predicate(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 3 and roll < 0.3:
        combinator = rng.choice(["any", "all"])
        parts = [_predicate(rng, depth + 1) for _ in range(rng.randrange(4))]
        return {combinator: parts if rng.random() < 0.9 else rng.choice([tuple(parts), 5, None, "ab"])}
    if depth < 3 and roll < 0.4:
        return {"not": _predicate(rng, depth + 1)}
    leaf: dict[str, Any] = {"attr": rng.choice(ATTRS)}
    op = rng.choice(OPS)
    if op is not None:
        leaf["op"] = op
    if rng.random() < 0.8:
        leaf["value"] = rng.choice([*VALUES, ["001", "079"], [], 18, "18", 18.0])
    if rng.random() < 0.5:
        leaf["if_unknown"] = rng.choice([True, False, 0, 1])
    return leaf


def _outcome(check: Any, *args: Any) -> Any:
    try:
        return bool(check(*args))
    except Exception as exc:  # the caller fails closed on ValueError, TypeError, KeyError
        return type(exc).__name__


def test_compiled_predicates_agree_with_the_interpreter() -> None:
    rng = random.Random(13)
    compared = {"result": 0, "raised": 0}
    for _ in range(1500):
        predicate = _predicate(rng)
        compiled = compile_predicate(predicate)
        for _ in range(8):
            attrs = {a: rng.choice(VALUES) for a in ATTRS if rng.random() < 0.8}
            want = _outcome(matches, predicate, attrs, TODAY)
            assert _outcome(compiled, attrs, TODAY) == want, (predicate, attrs)
            compared["raised" if isinstance(want, str) else "result"] += 1
    assert compared["result"] > 5000 and compared["raised"] > 100  # both kinds of outcome were compared


def test_the_shipped_kinds_of_predicate_are_compiled() -> None:
    """The policy's rules (minors, province scope, grants) are not left to the interpreter."""
    for predicate in ({"attr": "birthDate", "op": "age_under", "value": 18, "if_unknown": True},
                      {"all": [{"attr": "registrationProvince", "op": "ne", "value": "001"},
                               {"attr": "residenceProvinceCode", "op": "ne", "value": "001"}]},
                      {"attr": "subject", "op": "not_in", "value": ["1", "2"]}):
        assert compile_predicate(predicate).__name__ == "<lambda>"
    assert compile_predicate({"attr": "x", "op": "bogus"}).__class__.__name__ == "partial"
