"""Facts already fetched in a request are not fetched again (gateway/planning/reuse.py, gateway/execution/reuse.py).

On the real supergraph, with the documents ``prepare`` makes for an enforcement body's minors' rule (it reads the
offender's birth date on sentence rows): the persons fetched at the root carry their facts, and the sentences'
offenders are those persons, so population is called once, not twice (bench queries b and c). As a property,
over random worlds (offenders who are the person, another person, or a foreigner; facts known or unknown;
population failing): the data is exactly what the plan without reuse gives, and population is asked, after the
root, only for the offenders whose facts the request does not hold yet.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import pytest
from graphql import FieldNode, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode, parse

from bench.queries import QUERY_B, QUERY_C
from gateway.execution import Executor, FetchContext
from gateway.execution.transport import SubgraphFailure
from gateway.planning import Planner
from gateway.planning.plan import FetchNode, FlattenNode, PlanNode, QueryPlan
from gateway.policy.model import ProtectionModel
from gateway.policy.prepare import Preparer
from gateway.policy.types import FieldDecision, PolicyResult, RowRule
from gateway.supergraph import Supergraph, load_supergraph
from gateway.supergraph.documents import DocumentCache

ROOT = Path(__file__).resolve().parents[1]
MINOR = {"attr": "birthDate", "op": "age_under", "value": 18, "if_unknown": True}
CRIMINAL = frozenset({"Person.sentences", "Sentence.id", "Sentence.status", "Sentence.judgment", "Charge.article"})


@pytest.fixture(scope="module")
def real() -> tuple[Supergraph, ProtectionModel, DocumentCache]:
    supergraph = load_supergraph(ROOT / "schema.graphql")
    documents = DocumentCache(supergraph.api_schema, max_depth=10_000, max_fields=10_000_000)
    return supergraph, ProtectionModel.from_sdl(supergraph.sdl), documents


def _plan(real: tuple[Supergraph, ProtectionModel, DocumentCache], query: str,
          coordinates: frozenset[str] = CRIMINAL) -> QueryPlan:
    supergraph, model, documents = real
    parsed = documents.get(query, None)
    decision = FieldDecision("d", "sentence_enforcement", {}, PolicyResult(
        "v", {}, (RowRule("minor_criminal", MINOR, "withhold", coordinates, "minors"),)))
    prepared = Preparer(model).prepare(parsed.document, decision, supergraph.api_schema)
    operation = next(d for d in prepared.document.definitions if isinstance(d, OperationDefinitionNode))
    execution = dataclasses.replace(parsed, document=prepared.document, operation=operation, cache_key="t")
    return Planner(supergraph).plan(execution, {})


def _fetches(node: PlanNode | None) -> list[FetchNode]:
    if node is None:
        return []
    if isinstance(node, FetchNode):
        return [node]
    if isinstance(node, FlattenNode):
        return [node.node]
    return [f for child in node.nodes for f in _fetches(child)]


def _without_reuse(node: PlanNode) -> PlanNode:
    if isinstance(node, FetchNode):
        return dataclasses.replace(node, reuse=())
    if isinstance(node, FlattenNode):
        return FlattenNode(node.path, _without_reuse(node.node))  # type: ignore[arg-type]
    return type(node)([_without_reuse(child) for child in node.nodes])  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------- a tiny world
def _facts(pid: str, known: bool) -> dict[str, Any] | None:
    if not known:
        return None
    return {"birthDate": f"19{pid[-2:]}", "deceased": False, "missing": False, "restricted": False,
            "residenceProvinceCode": pid[:3]}


class World:
    """Persons with facts (known or not) and sentences whose offender is some person or a foreigner."""

    def __init__(self, rng: random.Random, persons: list[str]) -> None:
        self.known = {pid: rng.random() < 0.8 for pid in persons}
        others = [f"079{i:09d}" for i in range(3)]
        self.known.update({pid: True for pid in others})
        self.sentences: dict[str, list[dict[str, Any]]] = {}
        for pid in persons:
            rows = []
            for n in range(rng.randrange(3)):
                pick = rng.random()
                offender = pid if pick < 0.7 else rng.choice(others) if pick < 0.9 else None
                rows.append({"__typename": "Sentence", "id": f"{pid}-{n}", "status": "SERVING",
                             "person": {"__typename": "Person", "personalId": offender} if offender else None,
                             "foreignOffender": None if offender else {
                                 "__typename": "ForeignOffender", "identificationCode": f"F{n}",
                                 "protectionFacts": _facts("000000000099", True)}})
            self.sentences[pid] = rows

    def population(self, pid: str) -> dict[str, Any]:
        return {"__typename": "Person", "personalId": pid, "fullName": f"Person {pid}",
                "protectionFacts": _facts(pid, self.known[pid])}


def _select(value: Any, selection: SelectionSetNode | None, typename: str | None = None) -> Any:
    """``value`` as a subgraph would answer ``selection`` (aliases, inline fragments by __typename)."""
    if selection is None or value is None:
        return value
    if isinstance(value, list):
        return [_select(v, selection) for v in value]
    out: dict[str, Any] = {}
    runtime = value.get("__typename", typename)
    for node in selection.selections:
        if isinstance(node, InlineFragmentNode):
            if node.type_condition is None or node.type_condition.name.value == runtime or \
                    node.type_condition.name.value in ("CivilStatusEvent", "Offender"):
                out.update(_select(value, node.selection_set, runtime))
        elif isinstance(node, FieldNode):
            name = node.name.value
            out[node.alias.value if node.alias else name] = _select(value.get(name), node.selection_set)
    return out


class Subgraph:
    """A transport answering from the world; records the representations of every ``_entities`` call."""

    def __init__(self, name: str, world: World, fail_entities: bool = False) -> None:
        self.name, self.world, self.fail_entities = name, world, fail_entities
        self.roots = 0
        self.entities: list[list[str]] = []

    def entity(self, rep: dict[str, Any]) -> dict[str, Any]:
        pid = rep["personalId"]
        if self.name == "population":
            return self.world.population(pid)
        if self.name == "sentences":
            return {"__typename": "Person", "sentences": self.world.sentences.get(pid, [])}
        return {"__typename": "Person", "civilStatusEvents": []}

    async def send(self, query: str, variables: dict[str, Any], ctx: FetchContext) -> dict[str, Any]:
        operation = next(d for d in parse(query).definitions if isinstance(d, OperationDefinitionNode))
        field = operation.selection_set.selections[0]
        assert isinstance(field, FieldNode)
        if field.name.value == "_entities":
            reps = variables["representations"]
            self.entities.append([r["personalId"] for r in reps])
            if self.fail_entities:
                raise SubgraphFailure("down")
            return {"data": {"_entities": [_select(self.entity(r), field.selection_set) for r in reps]}}
        self.roots += 1
        ids = [variables["id"]] if field.name.value == "person" else variables["ids"]
        found = [_select(self.world.population(pid), field.selection_set) for pid in ids]
        key = field.alias.value if field.alias else field.name.value
        return {"data": {key: found[0] if field.name.value == "person" else found}}


async def _execute(plan: QueryPlan, world: World, variables: dict[str, Any], fail_entities: bool = False
                   ) -> tuple[dict[str, Any], dict[str, Subgraph]]:
    subgraphs = {name: Subgraph(name, world, fail_entities and name == "population")
                 for name in ("population", "civil_status", "sentences")}
    executor = Executor(None, subgraphs)  # type: ignore[arg-type]
    fetched = await executor.fetch(plan, None, variables, FetchContext("r"))  # type: ignore[arg-type]
    return {"data": fetched.data, "errors": fetched.errors}, subgraphs


# ------------------------------------------------------------------------------------------------ tests
@pytest.mark.parametrize("query", [QUERY_B, QUERY_C], ids=["b", "c"])
def test_the_offenders_facts_fetch_is_answered_from_the_root(real: Any, query: str) -> None:
    plan = _plan(real, query)
    population = [f for f in _fetches(plan.node) if f.service == "population"]
    assert len(population) == 2  # the root and the offenders' facts, which the root's persons hold
    facts = population[1]
    assert "_lt_sf_Person: protectionFacts" in facts.operation and "_entities" in facts.operation
    assert [(r.type_name, r.path, r.fields) for r in facts.reuse] == [
        ("Person", plan_path(query), ("_lt_sf_Person",))]
    assert all(not f.reuse for f in _fetches(plan.node) if f is not facts)


def plan_path(query: str) -> tuple[str, ...]:
    return ("person",) if query is QUERY_B else ("persons", "@")


async def test_bench_b_calls_population_once(real: Any) -> None:
    pid = "001090000001"
    world = World(random.Random(1), [pid])
    world.known[pid] = True
    world.sentences[pid] = [{"__typename": "Sentence", "id": "s1", "status": "SERVING",
                             "person": {"__typename": "Person", "personalId": pid}, "foreignOffender": None}]
    result, subgraphs = await _execute(_plan(real, QUERY_B), world, {"id": pid})
    assert subgraphs["population"].roots == 1 and subgraphs["population"].entities == []  # 3 fetches, not 4
    sentence = result["data"]["person"]["sentences"][0]
    assert sentence["_lt_s_Person_person"]["_lt_sf_Person"] == result["data"]["person"]["_lt_sf_Person"]
    assert sentence["_lt_s_Person_person"]["_lt_sf_Person"] is not result["data"]["person"]["_lt_sf_Person"]


@pytest.mark.parametrize("seed", range(12))
async def test_reuse_changes_no_answer_and_asks_only_for_the_unknown(real: Any, seed: int) -> None:
    rng = random.Random(seed)
    persons = [f"001{rng.randrange(10**9):09d}" for _ in range(rng.randrange(1, 8))]
    world = World(rng, persons)
    query, variables = (QUERY_B, {"id": persons[0]}) if seed % 2 else (QUERY_C, {"ids": persons})
    asked = persons[:1] if seed % 2 else persons
    plan = _plan(real, query)
    fail = seed % 4 == 3  # population's entity fetches fail: the facts stay unknown, the errors say where
    reused, subgraphs = await _execute(plan, world, variables, fail)
    baseline_plan = dataclasses.replace(plan, node=_without_reuse(plan.node))  # type: ignore[arg-type]
    baseline, base_subgraphs = await _execute(baseline_plan, world, variables, fail)
    offenders = {s["person"]["personalId"] for pid in asked for s in world.sentences[pid] if s["person"]}
    held = {pid for pid in asked if world.known[pid]}
    if not fail:
        assert reused["data"] == baseline["data"]
    for offender in _offenders(reused["data"]):  # with a failure too: the facts the request holds, or none
        pid = offender["personalId"]
        assert offender.get("_lt_sf_Person") == (_facts(pid, True) if pid in held or not fail and world.known[pid]
                                                 else None)
    sent = sorted(pid for call in subgraphs["population"].entities for pid in call)
    assert sent == sorted(offenders - held)  # each unknown offender once, nothing the request holds
    assert len(subgraphs["population"].entities) <= len(base_subgraphs["population"].entities)
    # an error for every offender whose facts were not fetched, at its own path, as without reuse
    assert sorted(map(str, reused["errors"])) == sorted(
        map(str, [e for e in baseline["errors"] if not _at_held_offender(e, reused["data"], held)]))


def _offenders(data: dict[str, Any]) -> list[dict[str, Any]]:
    persons = data.get("persons") or [data.get("person")]
    return [s["_lt_s_Person_person"] for p in persons if p for s in p.get("sentences") or []
            if s.get("_lt_s_Person_person")]


def _at_held_offender(error: dict[str, Any], data: dict[str, Any], held: set[str]) -> bool:
    """A failure error at an offender the root already holds the facts of (reuse never asks for it)."""
    value: Any = data
    for step in error.get("path", [])[:-1]:
        value = value[step] if isinstance(value, (dict, list)) else None
    return isinstance(value, dict) and value.get("personalId") in held


def test_client_fields_and_mixed_fetches_are_never_reused(real: Any) -> None:
    """Only the policy's own reserved fields are taken from elsewhere: an entity fetch of client fields (here the
    offender's name, which the root also fetched) is sent as Apollo Gateway sends it, while the facts-only fetch
    of the subject field beside it is answered from the root."""
    query = """query Q($id: ID!) { person(personalId: $id) { personalId fullName
      sentences { id person { personalId fullName } } } }"""
    plan = _plan(real, query)
    entity = [f for f in _fetches(plan.node) if f.service == "population" and "_entities" in f.operation]
    mixed = [f for f in entity if "fullName" in f.operation]
    facts_only = [f for f in entity if "fullName" not in f.operation]
    assert len(mixed) == 1 and not mixed[0].reuse
    assert len(facts_only) == 1 and [r.path for r in facts_only[0].reuse] == [("person",)]


def test_no_source_no_reuse(real: Any) -> None:
    """Without the facts at the root (a rule that changes sentences only), there is nothing to reuse."""
    plan = _plan(real, QUERY_B, frozenset({"Sentence.status"}))
    population = [f for f in _fetches(plan.node) if f.service == "population"]
    assert "_lt_sf_Person" not in population[0].operation
    assert all(not f.reuse for f in population)
