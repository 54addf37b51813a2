"""The HTTP surface: POST/GET /graphql, GraphiQL, batching refused, /healthz, /readyz, /metrics."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from gateway.server import create_app
from tests.fixtures.harness import AUTH, Cluster, start_cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    c = start_cluster(tmp_path_factory.mktemp("keys"))
    yield c
    c.close()


async def _client(cluster, **overrides):
    cluster.reset()
    gateway = cluster.gateway(**overrides)
    await gateway.start()  # httpx's ASGI transport does not run the lifespan
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(gateway)), base_url="http://gw")
    return gateway, client


@pytest.fixture
async def client(cluster):
    gateway, client = await _client(cluster)
    yield client
    await client.aclose()
    await gateway.close()


async def test_post_and_get_queries(client):
    r = await client.post("/graphql", json={"query": '{ person(id: "1") { name } }'}, headers=AUTH)
    assert r.status_code == 200 and r.json()["data"] == {"person": {"name": "Person 1"}}
    assert r.headers["x-request-id"]
    r = await client.get("/graphql", params={"query": "query($id: ID!) { person(id: $id) { name } }",
                                             "variables": '{"id": "2"}'}, headers=AUTH)
    assert r.status_code == 200 and r.json()["data"] == {"person": {"name": "Person 2"}}


async def test_get_never_runs_mutations(client, cluster):
    r = await client.get("/graphql", params={"query": 'mutation { rename(id: "1", name: "x") { name } }'},
                         headers=AUTH)
    assert r.status_code == 405 and "data" not in r.json()
    assert cluster.states["people"].log == []


async def test_graphiql_for_browsers(client):
    r = await client.get("/graphql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "graphiql" in r.text.lower()
    for header in ("Authorization", "Bearer <token", "X-Purpose", "criminal_proceedings", "X-Legal-Basis"):
        assert header in r.text


async def test_batches_and_bad_bodies_refused(client):
    r = await client.post("/graphql", json=[{"query": "{ slowPing }"}, {"query": "{ slowPing }"}], headers=AUTH)
    assert r.status_code == 400 and r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    r = await client.post("/graphql", content=b"{nope", headers={**AUTH, "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unauthenticated_is_401(client):
    r = await client.post("/graphql", json={"query": "{ slowPing }"})
    assert r.status_code == 401 and r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert r.headers["www-authenticate"] == "Bearer"


async def test_health_ready_metrics(client, cluster):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200 and set(r.json()["subgraphs"]) == {"people", "records", "slow"}
    q = {"query": '{ person(id: "1") { name records { id } } }'}
    for _ in range(2):
        await client.post("/graphql", json=q, headers=AUTH)
    text = (await client.get("/metrics")).text
    assert 'lienthong_gateway_requests_total{outcome="ok"} 2.0' in text
    assert 'lienthong_gateway_cache_lookups_total{cache="plan",result="hit"} 1.0' in text
    assert 'lienthong_gateway_cache_lookups_total{cache="document",result="miss"} 1.0' in text
    assert 'lienthong_gateway_subgraph_fetches_total{outcome="ok",subgraph="records"} 2.0' in text
    assert "lienthong_gateway_request_duration_seconds_bucket" in text


async def test_readyz_fails_when_a_subgraph_is_down(cluster):
    urls = {**cluster.urls, "slow": "http://127.0.0.1:9/graphql"}
    gateway, client = await _client(cluster, subgraph_urls=urls)
    try:
        r = await client.get("/readyz")
        assert r.status_code == 503 and r.json()["subgraphs"]["slow"] != "ok"
        assert r.json()["subgraphs"]["people"] == "ok"
    finally:
        await client.aclose()
        await gateway.close()


async def test_introspection_off(cluster):
    gateway, client = await _client(cluster, introspection=False)
    try:
        r = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"}, headers=AUTH)
        assert r.status_code == 400
        assert r.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    finally:
        await client.aclose()
        await gateway.close()


async def test_query_plan_extension_only_in_development(cluster, client):
    headers = {**AUTH, "x-lienthong-plan": "1"}
    q = {"query": '{ person(id: "1") { name mood } }'}
    r = await client.post("/graphql", json=q, headers=headers)
    assert "queryPlan" not in r.json()["extensions"]  # GATEWAY_ENV=test
    gateway, dev_client = await _client(cluster, env="development")
    try:
        r = await dev_client.post("/graphql", json=q, headers=headers)
        plan = r.json()["extensions"]["queryPlan"]
        assert plan["node"]["kind"] == "Sequence"
        r = await dev_client.post("/graphql", json=q, headers=AUTH)
        assert "queryPlan" not in r.json()["extensions"]
    finally:
        await dev_client.aclose()
        await gateway.close()


async def test_depth_limit(cluster):
    gateway, client = await _client(cluster, max_depth=2)
    try:
        r = await client.post("/graphql", json={"query": '{ person(id: "1") { friend { friend { name } } } }'},
                              headers=AUTH)
        assert r.status_code == 400 and r.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    finally:
        await client.aclose()
        await gateway.close()
