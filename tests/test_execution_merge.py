"""Sibling entity fetches merged into one ``_entities`` call (gateway.execution.executor._merge_siblings), and the
merged call answering every path: representations deduplicated across paths, answers merged into each object,
errors located at the object's own path."""

from __future__ import annotations

from typing import Any

from gateway.execution import Executor, FetchContext
from gateway.execution.executor import _merge_siblings
from gateway.planning.plan import EntityPart, FetchNode, FlattenNode, ParallelNode, QueryPlan, ReqField
from gateway.planning.shape import ObjectShape

FACTS = "{ _entities(representations: $representations) { ... on Person { facts { minor } } } }"
PART = {"Person": EntityPart((ReqField("__typename"), ReqField("id")), ("id",))}


def flatten(n: int, path: tuple[str, ...], *, operation: str = FACTS, kind: str = "query", service: str = "people",
            contexts: tuple[Any, ...] = ()) -> FlattenNode:
    op = f"{kind} Q__{service}__{n}($representations: [_Any!]!) {operation}"
    return FlattenNode(path, FetchNode(n, service, op, kind, ("representations",), (), dict(PART), "", contexts))


def test_siblings_differing_only_by_path_are_grouped() -> None:
    a, b = flatten(1, ("events", "@", "father")), flatten(2, ("events", "@", "mother"))
    other_service = flatten(3, ("events", "@", "wife"), service="records")
    other_selection = flatten(4, ("events", "@", "husband"), operation=FACTS.replace("minor", "deceased"))
    mutation = flatten(5, ("x",), kind="mutation")
    c = flatten(6, ("events", "@", "guardian"))
    grouped = _merge_siblings([a, other_service, b, other_selection, mutation, c])
    assert grouped == [[a, b, c], other_service, other_selection, mutation]
    assert _merge_siblings([a]) == [a]  # a single fetch stays a plain node


class Recorder:
    name = "people"

    def __init__(self) -> None:
        self.calls: list[list[dict[str, Any]]] = []

    async def send(self, query: str, variables: dict[str, Any], ctx: FetchContext) -> dict[str, Any]:
        reps = variables["representations"]
        self.calls.append(reps)
        errors = [{"message": "no facts", "path": ["_entities", i, "facts"]}
                  for i, r in enumerate(reps) if r["id"] == "p3"]
        return {"data": {"_entities": [{"facts": {"minor": r["id"] == "p2"}} for r in reps]}, "errors": errors}


async def test_one_call_answers_every_path() -> None:
    transport = Recorder()
    executor = Executor(None, {"people": transport})  # type: ignore[arg-type]
    data = {"events": [{"father": {"__typename": "Person", "id": "p1"}, "mother": {"__typename": "Person", "id": "p2"}},
                       {"father": {"__typename": "Person", "id": "p2"}, "mother": {"__typename": "Person", "id": "p3"}}]}
    plan = QueryPlan(ParallelNode([flatten(1, ("events", "@", "father")), flatten(2, ("events", "@", "mother"))]),
                     ObjectShape("Query", []), "query")
    run_data = {"events": [dict(e, father=dict(e["father"]), mother=dict(e["mother"])) for e in data["events"]]}

    async def root(*_: Any) -> None:
        return None

    executor._fetch_root = root  # type: ignore[method-assign]  (the data is already "fetched")
    from gateway.execution.executor import _Run

    run = _Run({}, FetchContext("r1"))
    run.data = run_data
    await executor._run(plan.node, run)  # type: ignore[arg-type]
    assert len(transport.calls) == 1  # two paths, one call
    assert [r["id"] for r in transport.calls[0]] == ["p1", "p2", "p3"]  # p2 at both paths is sent once
    events = run.data["events"]
    assert events[0]["mother"]["facts"] == {"minor": True} and events[1]["father"]["facts"] == {"minor": True}
    assert events[0]["father"]["facts"] == {"minor": False}
    assert [e["path"] for e in run.errors] == [["events", 1, "mother", "facts"]]  # the object's own path
