"""Issue 11 (b): X-Request-Id bounded and sanitised, bodies refused while streaming, early refusals audited."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from gateway.audit import AuditSettings, AuditStore, PipelineAudit
from gateway.audit.maintenance import verify
from gateway.request_ids import sanitize_request_id
from gateway.server import create_app
from gateway.server.trivial import NullAudit
from tests.fixtures.harness import AUTH, Cluster, start_cluster
from tests.fixtures.serve import serve

QUERY = {"query": '{ person(id: "1") { name } }'}
HEX32 = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    c = start_cluster(tmp_path_factory.mktemp("keys"))
    yield c
    c.close()


async def _client(cluster: Cluster, audit, **overrides):
    cluster.reset()
    gateway = cluster.gateway(audit=audit, **overrides)
    await gateway.start()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(gateway)), base_url="http://gw")
    return gateway, client


@pytest.mark.parametrize("value", ["x" * 129, "a b", "id\r\nforged: yes", "é", "\x00", ""])
def test_bad_request_ids_are_replaced(value: str):
    assert HEX32.fullmatch(sanitize_request_id(value))


@pytest.mark.parametrize("value", ["7b0c2d0e-5b8f-4f39-9c7e-1f0e6b2b6c11", "01HZX3M7Q2", "svc:42/a+b=", "x" * 128])
def test_good_request_ids_are_kept(value: str):
    assert sanitize_request_id(value) == value


async def test_over_long_request_ids_never_fail_a_postgres_audit_batch(cluster: Cluster, pg_database):
    """The audit column is varchar(128): one over-long id used to fail every record of its group commit."""
    store = AuditStore(AuditSettings(database_url=pg_database()))
    gateway, client = await _client(cluster, PipelineAudit(store))
    try:
        ids = [("x" * 5000 if i % 2 else f"ok-{i}") for i in range(24)]
        replies = await asyncio.gather(*(
            client.post("/graphql", json=QUERY, headers={**AUTH, "x-request-id": rid}) for rid in ids))
        assert [r.status_code for r in replies] == [200] * 24
        for rid, reply in zip(ids, replies, strict=True):
            echoed = reply.headers["x-request-id"]
            assert echoed == rid if rid.startswith("ok-") else HEX32.fullmatch(echoed)
        verdict = await verify(store)
        assert verdict.ok and verdict.records == 24
    finally:
        await client.aclose()
        await gateway.close()


class _Body:
    """A streamed request body that counts how much of it the server pulled."""

    def __init__(self, chunks: int, size: int) -> None:
        self.chunks, self.size, self.sent = chunks, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.sent += 1
            yield b" " * self.size


async def test_bodies_are_refused_while_streaming_and_recorded(cluster: Cluster):
    audit = NullAudit()
    gateway, client = await _client(cluster, audit, max_body_bytes=4096)
    try:
        # declared too large: refused before a byte is read
        declared = _Body(100, 1024)
        r = await client.post("/graphql", content=declared,
                              headers={**AUTH, "content-length": str(100 * 1024), "content-type": "application/json"})
        assert r.status_code == 413 and r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert declared.sent <= 1
        # chunked (no length): refused once past the limit, the rest never pulled
        chunked = _Body(1000, 1024)
        r = await client.post("/graphql", content=chunked, headers={**AUTH, "content-type": "application/json"})
        assert r.status_code == 413 and chunked.sent <= 6
        # a lying Content-Length (small) does not let a large body through
        lying = _Body(1000, 1024)
        r = await client.post("/graphql", content=lying,
                              headers={**AUTH, "content-length": "10", "content-type": "application/json"})
        assert r.status_code == 413 and lying.sent <= 6
        # bad JSON and a batch: refused and recorded too, attributed to the caller
        r = await client.post("/graphql", content=b"{nope", headers={**AUTH, "content-type": "application/json"})
        assert r.status_code == 400
        r = await client.post("/graphql", json=[QUERY, QUERY], headers={**AUTH, "x-request-id": "batch-1"})
        assert r.status_code == 400
        r = await client.post("/graphql", content=b"{nope", headers={"content-type": "application/json"})
        assert r.status_code == 400  # anonymous: recorded without a caller
        assert [(rec.status, rec.outcome, rec.error_codes) for rec in audit.records] == (
            [(413, "refused", ["BAD_USER_INPUT"])] * 3 + [(400, "refused", ["BAD_USER_INPUT"])] * 3)
        assert [rec.caller.sub if rec.caller else None for rec in audit.records] == ["alice"] * 5 + [None]
        assert audit.records[4].request_id == "batch-1"
    finally:
        await client.aclose()
        await gateway.close()


def test_uvicorn_refuses_a_chunked_body_before_it_is_sent_whole(cluster: Cluster):
    """Over a real socket: the 413 comes back while the client is still sending (it never sends the rest)."""
    cluster.reset()
    gateway = cluster.gateway(max_body_bytes=4096)
    with serve(create_app(gateway)) as base:
        url = urlsplit(base)
        with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
            sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                         b"Authorization: Bearer test:alice:court-1\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b" " * 1024
            for _ in range(8):  # 8 KiB of a body that would be 1 GiB
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            reply = sock.recv(65536)
        assert reply.startswith(b"HTTP/1.1 413")
