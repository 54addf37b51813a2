"""Client aliases can never displace the fields the planner adds itself (keys, @requires, __typename).

Through the in-process gateway over the fixture subgraphs (tests/fixtures/subgraphs.py): ``Person @key(id)``
owned by ``people``, ``records`` adds ``ageGroup @requires(birthYear)``, ``records`` and ``Record.subject``
(a hop back to ``people``), ``slow`` adds ``mood``. Plus the planner on the real supergraph (schema.graphql).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.planning import FetchNode, FlattenNode, ParallelNode, Planner, SequenceNode
from gateway.planning.keys import INTERNAL_PREFIX, client_path, planner_keys, source_key
from gateway.supergraph import load_supergraph
from gateway.supergraph.documents import DocumentCache
from tests.fixtures.harness import AUTH, Cluster, start_cluster

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    c = start_cluster(tmp_path_factory.mktemp("keys"))
    yield c
    c.close()


@pytest.fixture
async def gw(cluster):
    cluster.reset()
    async with cluster.gateway() as gateway:
        yield gateway


async def run(gw, query, variables=None):
    response = await gw.execute(query, variables, None, AUTH)
    assert response.status == 200, response.body
    assert INTERNAL_PREFIX not in str(response.body), response.body
    return response.body


def fetches(node) -> list[FetchNode]:
    if isinstance(node, FetchNode):
        return [node]
    if isinstance(node, FlattenNode):
        return [node.node]
    if isinstance(node, SequenceNode | ParallelNode):
        return [f for n in node.nodes for f in fetches(n)]
    return []


# ------------------------------------------------------------------------------------------ unit
def test_only_reserved_keys_on_other_fields_are_renamed():
    reserved = frozenset({"__typename", "id"})
    assert source_key("id", "id", reserved) == "id"  # the same field: planner and client share it
    assert source_key("id", "name", reserved) == INTERNAL_PREFIX + "id"
    assert source_key("__typename", "name", reserved) == INTERNAL_PREFIX + "__typename"
    assert source_key("n", "name", reserved) == "n"
    assert client_path(["a", 0, INTERNAL_PREFIX + "id", "x"]) == ["a", 0, "id", "x"]


def test_planner_keys_of_the_real_supergraph():
    keys = planner_keys(load_supergraph(ROOT / "schema.graphql"))
    assert {"__typename", "personalId"} <= keys


def test_real_supergraph_key_alias_on_a_hop_keeps_the_representation():
    """``subject { personalId: birthRegistration { id } fullName }`` from civil_status (issue 9)."""
    sg = load_supergraph(ROOT / "schema.graphql")
    query = ('query($r: String!) { civilStatusRecords(registrationNumber: $r) { '
             'subject { personalId: birthRegistration { id } fullName __typename: fullName } } }')
    plan = Planner(sg).plan(DocumentCache(sg.api_schema).get(query, None), {})
    civil = next(f for f in fetches(plan.node) if f.service == "civil_status" and not f.entities)
    assert f"{INTERNAL_PREFIX}personalId: birthRegistration" in civil.operation
    assert f"{INTERNAL_PREFIX}__typename: fullName" not in civil.operation  # fullName is population's
    assert " personalId " in civil.operation and "__typename" in civil.operation
    population = next(f for f in fetches(plan.node) if f.service == "population")
    assert [r.name for r in population.entities["Person"].requires] == ["__typename", "personalId"]
    assert f"{INTERNAL_PREFIX}__typename: fullName" in population.operation


# ------------------------------------------------------------------------------------------ through the gateway
async def test_key_alias_on_an_entity_hop(gw, cluster):
    body = await run(gw, '{ record(id: "r1-1") { subject { id: nickname name } } }')
    assert body == {**body, "data": {"record": {"subject": {"id": "P1", "name": "Person 1"}}}}
    assert "errors" not in body
    body = await run(gw, '{ person(id: "3") { id: name records { id } } }')
    assert body["data"] == {"person": {"id": "Person 3", "records": [{"id": "r3-1"}, {"id": "r3-2"}]}}


async def test_key_alias_on_an_object_that_hops_below(gw):
    body = await run(gw, '{ record(id: "r2-1") { id: subject { name mood } kind } }')
    assert body["data"] == {"record": {"id": {"name": "Person 2", "mood": "calm 2"}, "kind": "A"}}


async def test_typename_alias_on_an_object(gw):
    body = await run(gw, '{ person(id: "1") { __typename: name mood t: __typename } }')
    assert body["data"] == {"person": {"__typename": "Person 1", "mood": "calm 1", "t": "Person"}}
    body = await run(gw, '{ person(id: "1") { __typename: name } }')
    assert body["data"] == {"person": {"__typename": "Person 1"}}
    body = await run(gw, '{ __typename: person(id: "4") { name } }')
    assert body["data"] == {"__typename": {"name": "Person 4"}}


async def test_typename_alias_on_an_interface(gw):
    body = await run(gw, '{ named { __typename: name } }')
    assert body["data"] == {"named": [{"__typename": "Org o2"}, {"__typename": "Person 3"}]}
    body = await run(gw, '{ named { __typename: name ... on Person { id: nickname mood } } }')
    assert body["data"] == {"named": [{"__typename": "Org o2"},
                                      {"__typename": "Person 3", "id": "P3", "mood": "calm 3"}]}


async def test_typename_alias_on_union_members(gw):
    body = await run(gw, '{ search(term: "x") { ... on Person { __typename: name records { id } } '
                         '... on Org { __typename: title recordCount } } }')
    assert body["data"]["search"] == [
        {"__typename": "Person 1", "records": [{"id": "r1-1"}, {"id": "r1-2"}]},
        {"__typename": "The org o1", "recordCount": 2},
        {"__typename": "Person 2", "records": [{"id": "r2-1"}, {"id": "r2-2"}]},
    ]


async def test_alias_equal_to_a_requires_field(gw, cluster):
    body = await run(gw, '{ person(id: "1") { birthYear: name ageGroup } }')
    assert body["data"] == {"person": {"birthYear": "Person 1", "ageGroup": "senior"}}
    body = await run(gw, '{ person(id: "30") { ageGroup birthYear: nickname by: birthYear } }')
    assert body["data"] == {"person": {"ageGroup": "adult", "birthYear": "P30", "by": 1980}}


async def test_inside_fragments_and_with_variables(gw):
    query = """query($id: ID!, $x: Boolean!) { person(id: $id) { ...F ... on Person @include(if: $x) { birthYear: id } } }
      fragment F on Person { id: nickname __typename: name ageGroup records { id: kind subject { id: name } } }"""
    body = await run(gw, query, {"id": "2", "x": True})
    assert body["data"] == {"person": {
        "id": "P2", "__typename": "Person 2", "ageGroup": "senior",
        "records": [{"id": "A", "subject": {"id": "Person 2"}}, {"id": "B", "subject": {"id": "Person 2"}}],
        "birthYear": "2",
    }}
    body = await run(gw, query, {"id": "2", "x": False})
    assert "birthYear" not in body["data"]["person"] and body["data"]["person"]["ageGroup"] == "senior"


async def test_error_paths_use_the_client_keys(gw):
    body = await run(gw, '{ person(id: "2") { id: oddOnly records { id } } }')
    assert body["data"] == {"person": None}
    assert body["errors"][0]["path"] == ["person", "id"]
    body = await run(gw, 'query($ids: [ID!]!) { people(ids: $ids) { id: nickname __typename: oddOnly mood } }',
                     {"ids": ["1", "2"]})
    assert body["data"]["people"][0] == {"id": "P1", "__typename": "odd 1", "mood": "calm 1"}
    assert body["data"]["people"][1] is None
    assert [e["path"] for e in body["errors"]] == [["people", 1, "__typename"]]


async def test_subgraph_unavailable_paths_use_the_client_keys(gw, cluster):
    cluster.states["records"].fail_status = 500
    body = await run(gw, '{ person(id: "1") { id: nickname __typename: ageGroup } }')
    paths = [e["path"] for e in body["errors"]]
    assert ["person", "__typename"] in paths
