"""Execution against live fixture subgraphs (internal auth on): merging, batching, errors, null bubbling."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from gateway.keys import InternalTokenMinter, load_or_create_internal_key
from tests.fixtures.harness import AUTH, Cluster, start_cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)  # fixture resolvers fail on purpose
    c = start_cluster(tmp_path_factory.mktemp("keys"))
    yield c
    c.close()


@pytest.fixture
async def gw(cluster):
    cluster.reset()
    async with cluster.gateway() as gateway:
        yield gateway


async def run(gw, query, variables=None, name=None):
    response = await gw.execute(query, variables, name, AUTH)
    assert response.status == 200, response.body
    return response.body


async def test_cross_subgraph_query_shape_and_order(gw):
    body = await run(gw, '{ p: person(id: "1") { mood n: name __typename records { kind id } ageGroup } }')
    assert body["data"] == {"p": {"mood": "calm 1", "n": "Person 1", "__typename": "Person",
                                  "records": [{"kind": "A", "id": "r1-1"}, {"kind": "B", "id": "r1-2"}],
                                  "ageGroup": "senior"}}
    assert list(body["data"]["p"]) == ["mood", "n", "__typename", "records", "ageGroup"]
    assert "errors" not in body
    assert body["extensions"]["policy"]["version"] == "allow-all"


async def test_batching_one_entities_call_per_subgraph_per_level(gw, cluster):
    ids = [str(i) for i in range(1, 201)]
    body = await run(gw, 'query($ids: [ID!]!) { people(ids: $ids) { id records { subject { name mood } } mood } }',
                     {"ids": ids})
    people = body["data"]["people"]
    assert len(people) == 200 and people[199]["records"][1]["subject"]["name"] == "Person 200"
    assert people[0]["mood"] == "calm 1"
    assert cluster.states["records"].entity_calls() == 1  # level 1: records of 200 persons
    assert cluster.states["people"].entity_calls() == 1  # level 2: 400 subjects, deduplicated to 200
    assert cluster.states["slow"].entity_calls() == 2  # mood at level 1 and at level 2


async def test_fragments_interfaces_unions(gw):
    body = await run(gw, """
      query { search(term: "x") { __typename ...P ... on Org { title recordCount } }
              named { name ... on Person { id } } }
      fragment P on Person { name records { id } }""")
    assert body["data"]["search"] == [
        {"__typename": "Person", "name": "Person 1", "records": [{"id": "r1-1"}, {"id": "r1-2"}]},
        {"__typename": "Org", "title": "The org o1", "recordCount": 2},
        {"__typename": "Person", "name": "Person 2", "records": [{"id": "r2-1"}, {"id": "r2-2"}]},
    ]
    assert body["data"]["named"] == [{"name": "Org o2"}, {"name": "Person 3", "id": "3"}]


async def test_skip_include_and_variables(gw, cluster):
    q = 'query($x: Boolean!, $id: ID!) { person(id: $id) { name mood @include(if: $x) ... @skip(if: $x) { id } } }'
    assert (await run(gw, q, {"x": True, "id": "4"}))["data"] == {"person": {"name": "Person 4", "mood": "calm 4"}}
    assert (await run(gw, q, {"x": False, "id": "4"}))["data"] == {"person": {"name": "Person 4", "id": "4"}}


async def test_provides_and_shareable_avoid_fetches(gw, cluster):
    body = await run(gw, '{ record(id: "r3-1") { witness { name } subject { nickname } } }')
    assert body["data"] == {"record": {"witness": {"name": "Person 4"}, "subject": {"nickname": "P3"}}}
    assert len(cluster.states["people"].queries) == 0


async def test_null_bubbling_to_nullable_parent(gw):
    body = await run(gw, '{ person(id: "2") { name brokenName } slowPing }')
    assert body["data"] == {"person": None, "slowPing": "pong"}
    assert body["errors"][0]["path"] == ["person", "brokenName"]
    assert body["errors"][0]["message"] == "Subgraph 'people' could not resolve this field."  # never its text


async def test_null_bubbling_through_non_null_list_to_root(gw):
    body = await run(gw, '{ firstPeople(count: 3) { oddOnly } }')
    assert body["data"] is None
    assert [e["path"] for e in body["errors"]] == [["firstPeople", 1, "oddOnly"]]


async def test_entity_error_paths_rewritten(gw):
    body = await run(gw, '{ record(id: "r2-1") { kind subject { oddOnly name } } }')
    assert body["data"] == {"record": None}  # subject is non-null, record is nullable
    assert body["errors"][0]["path"] == ["record", "subject", "oddOnly"]
    body = await run(gw, 'query($ids: [ID!]!) { people(ids: $ids) { oddOnly } }', {"ids": ["1", "2", "3"]})
    assert body["data"] == {"people": [{"oddOnly": "odd 1"}, None, {"oddOnly": "odd 3"}]}
    assert [e["path"] for e in body["errors"]] == [["people", 1, "oddOnly"]]


async def test_unknown_entities_are_null(gw):
    body = await run(gw, 'query($ids: [ID!]!) { people(ids: $ids) { id records { id } } }', {"ids": ["1", "999"]})
    assert body["data"]["people"][1] is None


async def test_failed_subgraph_is_unavailable_at_its_paths(gw, cluster):
    cluster.states["records"].fail_status = 500
    body = await run(gw, '{ person(id: "1") { name records { id } } slowPing }')
    assert body["data"] == {"person": None, "slowPing": "pong"}  # records is non-null: person nulls
    assert body["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert body["errors"][0]["path"] == ["person", "records"]
    body = await run(gw, '{ person(id: "1") { name mood } record(id: "r1-1") { kind } }')
    assert body["data"] == {"person": {"name": "Person 1", "mood": "calm 1"}, "record": None}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["record"], "SUBGRAPH_UNAVAILABLE")]


async def test_slow_subgraph_times_out(cluster):
    cluster.reset()
    cluster.states["slow"].delay = 1.0
    async with cluster.gateway(subgraph_timeout_ms=200) as gw:
        body = await run(gw, '{ person(id: "1") { name mood } }')
    assert body["data"] == {"person": {"name": "Person 1", "mood": None}}
    assert body["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert body["errors"][0]["path"] == ["person", "mood"]
    assert "200 ms" in body["errors"][0]["message"]


async def test_subgraph_refusing_the_token_is_unavailable(cluster, tmp_path):
    cluster.reset()
    gw = cluster.gateway()
    gw.minter = InternalTokenMinter(load_or_create_internal_key(tmp_path / "k.json", tmp_path / "j.json"))
    async with gw:
        body = await run(gw, '{ person(id: "1") { name } }')
    assert body["data"] == {"person": None}
    assert body["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert "401" in body["errors"][0]["message"]


async def test_mutation_runs_in_order(gw, cluster):
    body = await run(gw, 'mutation { a: rename(id: "1", name: "X") { name } b: rename(id: "2", name: "Y") '
                         '{ name records { id } } }')
    assert body["data"] == {"a": {"name": "X"}, "b": {"name": "Y", "records": [{"id": "r2-1"}, {"id": "r2-2"}]}}
    assert cluster.states["people"].log == ["rename 1 X", "rename 2 Y"]


async def test_introspection_served_from_api_schema(gw):
    body = await run(gw, '{ __schema { queryType { fields { name } } } __typename '
                         '__type(name: "Person") { name } }')
    names = {f["name"] for f in body["data"]["__schema"]["queryType"]["fields"]}
    assert "person" in names and "_entities" not in names and "_service" not in names
    assert body["data"]["__typename"] == "Query"
    assert body["data"]["__type"] == {"name": "Person"}


async def test_caches_hit_on_repeat(gw):
    q = '{ person(id: "1") { name } }'
    await run(gw, q)
    await run(gw, q)
    assert gw.documents.stats.hits == 1 and gw.plans.stats.hits == 1


async def test_refusals_have_contract_codes(gw):
    r = await gw.execute('{ person(id: "1") { name } }', headers={})
    assert r.status == 401 and r.body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    r = await gw.execute("{ nope }", headers=AUTH)
    assert r.status == 400 and r.body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    r = await gw.execute("query($id: ID!) { person(id: $id) { name } }", {"id": None}, headers=AUTH)
    assert r.status == 400 and r.body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    r = await gw.execute("{ _entities(representations: []) { __typename } }", headers=AUTH)
    assert r.body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_audit_failure_releases_no_data(cluster):
    from gateway.server.trivial import NullAudit

    cluster.reset()
    audit = NullAudit(fail=True)
    async with cluster.gateway(audit=audit) as gw:
        r = await gw.execute('{ person(id: "1") { name } }', headers=AUTH)
    assert r.status == 503 and "data" not in r.body
    assert r.body["errors"][0]["extensions"]["code"] == "AUDIT_UNAVAILABLE"


async def test_audit_record_written(cluster):
    from gateway.server.trivial import NullAudit

    cluster.reset()
    audit = NullAudit()
    async with cluster.gateway(audit=audit) as gw:
        await gw.execute('query Q { person(id: "1") { name } }', headers=AUTH)
    (record,) = audit.records
    assert record.caller.sub == "alice" and record.operation_name == "Q" and record.outcome == "ok"
    assert record.purpose.purpose == "criminal_proceedings"
