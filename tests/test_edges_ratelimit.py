"""Issue 11 (f): token-bucket rate limits per agency and per account, shared through Redis by every replica."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import replace

import httpx
import pytest

from gateway.auth.caller import Caller
from gateway.config import ConfigError, GatewaySettings
from gateway.errors import GatewayError
from gateway.pipeline import DeclaredPurpose
from gateway.ratelimit import Budget, LocalBuckets, RateLimiter, RateLimitSettings, parse_budgets
from gateway.server import Gateway, create_app
from gateway.server.trivial import AllowAllPolicy, NullAudit
from gateway.supergraph import load_supergraph
from tests.fixtures.harness import SUPERGRAPH, Cluster, start_cluster

REDIS_URL = "redis://127.0.0.1:6379/0"
QUERY = {"query": '{ person(id: "1") { name } }'}


def redis_reason() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        return None
    except Exception as exc:  # any failure: cannot use the server
        return f"Redis at 127.0.0.1:6379 unreachable: {exc}"


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """This test's own key prefix; its keys are deleted afterwards."""
    reason = redis_reason()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    import redis

    prefix = f"lt_test_{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


class KindAuthenticator:
    """``Bearer test:<sub>:<agency>:<kind>``: callers of any agency kind (tests only)."""

    def authenticate(self, headers: Mapping[str, str]) -> Caller:
        _, sub, agency, kind = headers["authorization"].split(" ", 1)[1].split(":")
        return Caller(sub=sub, agency_id=agency, agency_kind=kind, issuer="test")

    def read_purpose(self, headers: Mapping[str, str]) -> DeclaredPurpose:
        return DeclaredPurpose(headers.get("x-purpose"))


def caller(sub: str = "a", agency: str = "tand-ha-noi", kind: str = "court") -> Caller:
    return Caller(sub=sub, agency_id=agency, agency_kind=kind)


def test_budget_parsing_and_defaults():
    assert parse_budgets("X", "*=5, court=50:80") == {"*": Budget(5, 10), "court": Budget(50, 80)}
    for bad in ("court=5", "*=0", "*=x", "*=5:0", "=5", "*=inf"):
        with pytest.raises(ConfigError, match="X"):
            parse_budgets("X", bad)
    assert not GatewaySettings.from_env({}).rate_limit.enabled
    production = GatewaySettings.from_env({"GATEWAY_ENV": "PRODUCTION"}).rate_limit
    assert production.enabled and production.redis_url is None and production.agency["statistics"] == Budget(10, 20)
    settings = GatewaySettings.from_env({"GATEWAY_RATE_LIMIT": "On", "GATEWAY_REDIS_URL": REDIS_URL,
                                         "GATEWAY_RATE_LIMIT_ACCOUNT": "*=1:1"}).rate_limit
    assert settings.enabled and settings.redis_url == REDIS_URL and settings.account == {"*": Budget(1, 1)}
    with pytest.raises(ConfigError, match="GATEWAY_RATE_LIMIT"):
        GatewaySettings.from_env({"GATEWAY_RATE_LIMIT": "maybe"})


def test_local_bucket_refills_at_its_rate():
    now = [0.0]
    buckets = LocalBuckets(clock=lambda: now[0])
    spec = [("agency", Budget(2, 3)), ("account", Budget(100, 100))]
    assert [buckets.take(spec)[0] for _ in range(3)] == [0.0, 0.0, 0.0]
    wait, blocked = buckets.take(spec)
    assert wait == pytest.approx(0.5) and blocked == 0
    now[0] = 0.5
    assert buckets.take(spec) == (0.0, -1)
    assert buckets.take(spec)[0] == pytest.approx(0.5)


async def test_in_process_limiter_refuses_with_retry_after():
    settings = RateLimitSettings(enabled=True, account=parse_budgets("A", "*=0.5:2"))
    limiter = RateLimiter(settings)
    await limiter.start()
    await limiter.admit(caller())
    await limiter.admit(caller())
    with pytest.raises(GatewayError) as info:
        await limiter.admit(caller())
    error = info.value
    assert (error.code, error.status, error.headers, error.extensions["scope"]) == (
        "RATE_LIMITED", 429, {"retry-after": "2"}, "account")
    await limiter.admit(caller(sub="b"))  # another account of the same agency has its own bucket
    await RateLimiter(replace(settings, enabled=False)).admit(caller())


async def test_replicas_share_one_budget_in_redis(redis_prefix: str):
    settings = RateLimitSettings(enabled=True, redis_url=REDIS_URL, prefix=redis_prefix,
                                 agency=parse_budgets("A", "*=0.01:6"), account=parse_budgets("B", "*=100:100"))
    replicas = [RateLimiter(settings), RateLimiter(settings)]
    for replica in replicas:
        await replica.start()
    try:
        admitted = refused = 0
        for i in range(12):
            try:
                await replicas[i % 2].admit(caller(sub=f"officer-{i}"))
                admitted += 1
            except GatewayError as exc:
                assert exc.code == "RATE_LIMITED" and exc.extensions["scope"] == "agency"
                refused += 1
        assert (admitted, refused) == (6, 6)  # one budget of 6, not 6 per replica
        assert all(r.fallbacks == 0 for r in replicas)
    finally:
        for replica in replicas:
            await replica.close()


async def test_redis_outage_falls_back_to_in_process_buckets():
    settings = RateLimitSettings(enabled=True, redis_url="redis://127.0.0.1:1/0",
                                 account=parse_budgets("A", "*=0.01:1"))
    limiter = RateLimiter(settings)
    await limiter.start()
    try:
        await limiter.admit(caller())  # admitted from the local bucket
        with pytest.raises(GatewayError, match="account"):
            await limiter.admit(caller())
        assert limiter.fallbacks == 2
    finally:
        await limiter.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    c = start_cluster(tmp_path_factory.mktemp("keys"))
    yield c
    c.close()


async def test_a_bulk_job_cannot_starve_a_court(cluster: Cluster, redis_prefix: str):
    """A statistics office floods two replicas; the court's requests all pass, the office gets 429s."""
    cluster.reset()
    limits = RateLimitSettings(enabled=True, redis_url=REDIS_URL, prefix=redis_prefix,
                               agency=parse_budgets("A", "*=1:5,court=50:100,statistics=1:5"),
                               account=parse_budgets("B", "*=50:100"))
    settings = cluster.settings(rate_limit=limits)
    supergraph = load_supergraph(SUPERGRAPH, settings)
    audit = NullAudit()
    gateways = [Gateway(settings, supergraph, authenticator=KindAuthenticator(), policy=AllowAllPolicy(),
                        audit=audit, minter=cluster.minter) for _ in range(2)]
    clients = []
    for gateway in gateways:
        await gateway.start()
        clients.append(httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(gateway)), base_url="http://gw"))
    try:
        bulk = {"authorization": "Bearer test:export-job:cuc-thong-ke:statistics"}
        court = {"authorization": "Bearer test:tham-phan-01:tand-ha-noi:court"}
        requests = [("bulk", clients[i % 2], bulk) for i in range(40)]
        requests[::4] = [("court", clients[i % 2], court) for i in range(10)]
        replies = await asyncio.gather(*(c.post("/graphql", json=QUERY, headers=h) for _, c, h in requests))
        by_who: dict[str, list[int]] = {"bulk": [], "court": []}
        for (who, _, _), reply in zip(requests, replies, strict=True):
            by_who[who].append(reply.status_code)
            if reply.status_code == 429:
                body = reply.json()["errors"][0]
                assert body["extensions"]["code"] == "RATE_LIMITED" and "data" not in reply.json()
                assert int(reply.headers["retry-after"]) >= 1
        assert by_who["court"] == [200] * 10
        assert [g.rate_limiter.fallbacks for g in gateways] == [0, 0]  # Redis decided, not the replicas alone
        assert 5 <= by_who["bulk"].count(200) <= 6 and by_who["bulk"].count(429) >= 24
        assert sum(1 for r in audit.records if r.error_codes == ["RATE_LIMITED"]) == by_who["bulk"].count(429)
    finally:
        for client in clients:
            await client.aclose()
        for gateway in gateways:
            await gateway.close()


async def test_junk_requests_count_against_the_budget(cluster: Cluster):
    cluster.reset()
    limits = RateLimitSettings(enabled=True, account=parse_budgets("B", "*=0.01:2"))
    gateway = cluster.gateway(rate_limit=limits)
    await gateway.start()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(gateway)), base_url="http://gw")
    auth = {"authorization": "Bearer test:alice:court-1", "content-type": "application/json"}
    try:
        assert (await client.post("/graphql", content=b"{nope", headers=auth)).status_code == 400
        assert (await client.post("/graphql", content=b"[]", headers=auth)).status_code == 400
        flooded = await client.post("/graphql", content=b"{nope", headers=auth)
        assert flooded.status_code == 429 and flooded.headers["retry-after"]
        r = await client.post("/graphql", json=QUERY, headers=auth)
        assert r.status_code == 429 and r.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    finally:
        await client.aclose()
        await gateway.close()
