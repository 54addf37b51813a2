"""Cost before fetch (static estimate, ``QUERY_TOO_COMPLEX`` before any subgraph call) and the row budget."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.queries import QUERIES
from gateway.config import ConfigError, GatewaySettings
from gateway.errors import GatewayError
from gateway.supergraph import load_supergraph
from gateway.supergraph.cost import DEFAULT_MAX_COST, CostLimits, check_cost, estimate_cost
from gateway.supergraph.documents import DocumentCache
from tests.fixtures.harness import AUTH, SUPERGRAPH, Cluster, start_cluster

ROOT = Path(__file__).resolve().parents[1]
IDS_500 = [f"0010{i:08d}" for i in range(500)]


@pytest.fixture(scope="module")
def real():
    sg = load_supergraph(ROOT / "schema.graphql")
    docs = DocumentCache(sg.api_schema, max_fields=100_000)
    return lambda query, variables=None: estimate_cost(sg.api_schema, docs.get(query, None), variables or {})


@pytest.fixture(scope="module")
def fixture_cost():
    sg = load_supergraph(SUPERGRAPH)
    docs = DocumentCache(sg.api_schema)
    return lambda query, variables=None: estimate_cost(sg.api_schema, docs.get(query, None), variables or {})


def attack(aliases: int = 200, field: str = "persons(personalIds: $ids) { fullName }") -> str:
    return "query($ids: [ID!]!) { " + " ".join(f"a{i}: {field}" for i in range(aliases)) + " }"


# ------------------------------------------------------------------------------------------ estimates
def test_bench_queries_fit_the_default_budget_comfortably(real):
    ids = IDS_500[:200]
    estimates = {
        "a": real(QUERIES["a"].document, {"id": ids[0]}),
        "b": real(QUERIES["b"].document, {"id": ids[0]}),
        "c": real(QUERIES["c"].document, {"ids": ids}),
        "d": real(QUERIES["d"].document, {"from": 2015, "to": 2018, "province": "001"}),
        "e": real(QUERIES["e"].document, {"id": ids[0]}),
    }
    # b: 1 person + 10 events + 10 sentences * (1 + judgment + 10 charges + principal penalty); c: 200 * that
    assert estimates == {"a": 1, "b": 141, "c": 28_200, "d": 10, "e": 21}
    assert max(estimates.values()) * 1.5 < DEFAULT_MAX_COST


def test_the_alias_attack_is_over_budget(real):
    cost = real(attack(), {"ids": IDS_500})
    assert cost == 200 * 500
    assert cost >= 2 * DEFAULT_MAX_COST
    assert real(attack(1), {"ids": IDS_500}) == 500  # one call with 500 ids is fine


def test_first_and_list_arguments_from_variables(real):
    search = 'query($n: Int) { searchPersons(name: "An", first: $n) { edges { node { fullName } } } }'
    assert real(search, {"n": 30}) == 1 + 30 * 2  # the connection, and 30 edges with a node each
    assert real(search, {}) == 1 + 20 * 2  # the argument's default (20)
    registrations = ('query($f: Int!) { civilStatusRegistrations(provinceCode: "001", year: 2020, first: $f) '
                     '{ id subject { fullName } } }')
    assert real(registrations, {"f": 7}) == 7 * 2
    persons = 'query($ids: [ID!]!) { persons(personalIds: $ids) { sentences { id } } }'
    assert real(persons, {"ids": IDS_500[:7]}) == 7 * (1 + 10)


def test_fragments_conditions_and_abstract_types(real, fixture_cost):
    spread = "query($ids: [ID!]!) { ...F ...F } fragment F on Query { a: persons(personalIds: $ids) { fullName } }"
    assert real(spread, {"ids": IDS_500[:3]}) == 3  # the same response key twice is one field
    aliased = ("query($ids: [ID!]!) { ...F ...G } fragment F on Query { a: persons(personalIds: $ids) { fullName } }"
               " fragment G on Query { b: persons(personalIds: $ids) { fullName } }")
    assert real(aliased, {"ids": IDS_500[:3]}) == 6
    skipped = "query($ids: [ID!]!, $x: Boolean!) { " + " ".join(
        f"a{i}: persons(personalIds: $ids) @include(if: $x) {{ fullName }}" for i in range(200)) + " }"
    assert real(skipped, {"ids": IDS_500, "x": False}) == 0
    assert real(skipped, {"ids": IDS_500, "x": True}) == 100_000
    # one object has one type: the dearest member counts, not the sum of all fragments
    union = '{ search(term: "x") { ... on Person { records { id } } ... on Org { title } } }'
    assert fixture_cost(union) == 10 * (1 + 10)


def test_check_cost_error_names_estimate_and_limit(real):
    sg = load_supergraph(ROOT / "schema.graphql")
    op = DocumentCache(sg.api_schema).get(attack(), None)
    with pytest.raises(GatewayError) as caught:
        check_cost(sg.api_schema, op, {"ids": IDS_500}, CostLimits())
    error = caught.value
    assert error.code == "QUERY_TOO_COMPLEX" and error.status == 400
    assert "100000" in error.message and str(DEFAULT_MAX_COST) in error.message
    assert error.extensions == {"cost": 100_000, "maxCost": DEFAULT_MAX_COST}


def test_cached_estimates_equal_fresh_ones_for_every_variable_shape(real):
    """DocumentCache.check_cost keeps estimates by operation and variables_signature: for variables whose
    signature is the same the estimate is too, and any change the estimate reads (a list's length, an int, a
    boolean, a null) is a new entry, never a stale hit."""
    sg = load_supergraph(ROOT / "schema.graphql")
    docs = DocumentCache(sg.api_schema, max_fields=100_000)
    query = ('query($ids: [ID!]!, $n: Int, $x: Boolean!, $name: String!) { persons(personalIds: $ids) '
             '@include(if: $x) { fullName } searchPersons(name: $name, first: $n) { edges { node { fullName } } } }')
    op = docs.get(query, None)
    shapes = [{"ids": IDS_500[:k], "n": n, "x": x, "name": name} for k in (0, 1, 7, 7, 300) for n in (None, 3, 30)
              for x in (True, False) for name in ("An", "Bình")]
    shapes += [{"ids": IDS_500[7:14], "n": 3, "x": True, "name": "Khác"}]  # other ids, the same length
    for variables in shapes + shapes[::-1]:
        assert docs.check_cost(op, variables) == estimate_cost(sg.api_schema, op, variables), variables
    assert 0 < len(docs.costs) < len(shapes)  # the names and the items of the lists do not make new entries
    over = attack()
    with pytest.raises(GatewayError):  # a cached estimate over the limit is still refused, every time
        docs.check_cost(docs.get(over, None), {"ids": IDS_500})
    with pytest.raises(GatewayError):
        docs.check_cost(docs.get(over, None), {"ids": IDS_500})


def test_settings():
    settings = GatewaySettings.from_env({})
    assert (settings.max_cost, settings.default_list_size, settings.max_rows) == (50_000, 10, 50_000)
    settings = GatewaySettings.from_env({"GATEWAY_MAX_COST": "10", "GATEWAY_MAX_ROWS": "5",
                                         "GATEWAY_DEFAULT_LIST_SIZE": "3"})
    assert (settings.max_cost, settings.default_list_size, settings.max_rows) == (10, 3, 5)
    with pytest.raises(ConfigError):
        GatewaySettings.from_env({"GATEWAY_MAX_COST": "lots"})
    with pytest.raises(ConfigError):
        GatewaySettings.from_env({"GATEWAY_MAX_ROWS": "0"})


# ------------------------------------------------------------------------------------------ through the gateway
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


def calls(cluster: Cluster) -> int:
    return sum(len(state.queries) for state in cluster.states.values())


async def test_alias_attack_refused_before_any_subgraph_call(cluster):
    ids = [str(i) for i in range(500)]
    cluster.reset()
    # the alias and root-field limits (tests/test_edges_limits.py) would refuse it first: lift them to see the cost
    async with cluster.gateway(max_aliases=10_000, max_root_fields=10_000) as gw:
        response = await gw.execute(attack(field="people(ids: $ids) { name }"), {"ids": ids}, None, AUTH)
    assert response.status == 400, response.body
    assert "data" not in response.body or response.body["data"] is None
    (error,) = response.body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["cost"] == 100_000 and "100000" in error["message"]
    assert calls(cluster) == 0


async def test_a_bench_sized_query_is_accepted(gw, cluster):
    ids = [str(i) for i in range(1, 201)]
    response = await gw.execute('query($ids: [ID!]!) { people(ids: $ids) { id name records { kind subject '
                                '{ name mood } } mood } }', {"ids": ids}, None, AUTH)
    assert response.status == 200, response.body
    assert len(response.body["data"]["people"]) == 200 and "errors" not in response.body
    assert calls(cluster) > 0


async def test_cost_limits_are_the_documents_settings(gw, cluster):
    gw.documents.cost = CostLimits(max_cost=5, default_list_size=10)
    response = await gw.execute('{ firstPeople(count: 1) { name } }', None, None, AUTH)
    assert response.status == 400 and response.body["errors"][0]["extensions"]["maxCost"] == 5
    response = await gw.execute('{ person(id: "1") { name friend { name } } }', None, None, AUTH)
    assert response.status == 200, response.body  # 2 rows
    assert calls(cluster) == 1


async def test_row_budget_stops_execution_with_no_data(gw, cluster):
    gw.executor.max_rows = 50
    ids = [str(i) for i in range(1, 31)]  # 30 persons (root), then 30 entities with 2 records each = 90 rows
    response = await gw.execute('query($ids: [ID!]!) { people(ids: $ids) { name records { id } } }',
                                {"ids": ids}, None, AUTH)
    assert response.status == 400, response.body
    assert response.body.get("data") is None
    (error,) = response.body["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "maxRows": 50}
    # past the budget no further subgraph call is made
    cluster.reset()
    ids = [str(i) for i in range(1, 61)]
    response = await gw.execute('query($ids: [ID!]!) { people(ids: $ids) { name mood records { id } } }',
                                {"ids": ids}, None, AUTH)
    assert response.status == 400 and response.body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert len(cluster.states["people"].queries) == 1
    assert not cluster.states["records"].queries and not cluster.states["slow"].queries
    # within the budget nothing changes
    response = await gw.execute('query($ids: [ID!]!) { people(ids: $ids) { name } }', {"ids": ids[:40]}, None, AUTH)
    assert response.status == 200 and len(response.body["data"]["people"]) == 40
