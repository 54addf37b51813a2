"""The rate limit store (Redis, shared by the replicas) goes away under load: it refuses connections, or it
accepts them and never answers. Rate limiting protects availability, so no request fails or hangs because of it.
The gateway keeps answering (in-process buckets) with at most one short stall per retry interval, and it uses
Redis again once Redis is back. The gateway reaches the machine's Redis (127.0.0.1:6379) through a TCP proxy
that this test stops or freezes; the test skips when Redis is not there."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.faults.support import (
    OFFENDER_QUERY,
    DevStack,
    Load,
    Sample,
    extra_gateway,
    outage_under_load,
    report,
)
from tests.fixtures.serve import free_port

REDIS = ("127.0.0.1", 6379)
RETRY_S = 5  # gateway.ratelimit.REDIS_RETRY_S: Redis is tried again this long after a failure


class TcpProxy:
    """A loopback TCP proxy to ``target`` in its own event-loop thread: ``refuse()`` closes the listener and
    every connection, ``freeze()`` keeps connections open but forwards nothing, ``restore()`` undoes either."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.frozen = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._call(self._listen())

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port, reuse_address=True)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    if not self.frozen:  # frozen: swallowed, the client waits for an answer that never comes
                        dst.write(data)
                        await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def _close_all(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    def refuse(self) -> None:
        self._call(self._close_all())

    def freeze(self) -> None:
        self.frozen = True

    def restore(self) -> None:
        if self.frozen:
            self.frozen = False
            self._call(self._close_all())  # the swallowed requests' connections are useless now
        self._call(self._listen())

    def close(self) -> None:
        self._call(self._close_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


@pytest.fixture
def redis_proxy() -> Iterator[TcpProxy]:
    try:
        socket.create_connection(REDIS, timeout=2).close()
    except OSError as exc:
        reason = f"Redis at {REDIS[0]}:{REDIS[1]} unreachable: {exc}"
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    proxy = TcpProxy(REDIS)
    yield proxy
    proxy.close()


def _keys(prefix: str) -> int:
    import redis

    client = redis.Redis(*REDIS, socket_timeout=2)
    try:
        return len(client.keys(f"{prefix}*"))
    finally:
        client.close()


@pytest.mark.parametrize("failure", ["refused", "hung"])
async def test_rate_limit_store_outage_fails_no_request(dev: DevStack, redis_proxy: TcpProxy, tmp_path: Path,
                                                        failure: str) -> None:
    prefix = f"lt_test_{uuid.uuid4().hex[:8]}:"
    settings = {"GATEWAY_RATE_LIMIT": "on", "GATEWAY_REDIS_URL": f"redis://127.0.0.1:{redis_proxy.port}/0",
                "GATEWAY_RATE_LIMIT_PREFIX": prefix, "GATEWAY_RATE_LIMIT_AGENCY": "*=100000:100000",
                "GATEWAY_RATE_LIMIT_ACCOUNT": "*=100000:100000",
                "GATEWAY_AUDIT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}",
                "GATEWAY_AUDIT_WITNESS": f"file:{tmp_path / 'witness.jsonl'}"}
    body = {"query": OFFENDER_QUERY, "variables": {"id": dev.adult_offender()}}
    headers = dev.headers()

    def served(sample: Sample) -> bool:
        return sample.status == 200 and bool(((sample.data or {}).get("person") or {}).get("fullName"))

    down = redis_proxy.refuse if failure == "refused" else redis_proxy.freeze
    try:
        with ExitStack() as services:
            gateway = extra_gateway(dev, services, f"gateway-redis-{failure}", **settings)
            load = Load(gateway, lambda i: (body, headers, None), concurrency=6)
            seen = await outage_under_load(load, down, redis_proxy.restore, served, after_s=RETRY_S + 1.5)
            keys_before = _keys(prefix)
            # Once back and past the retry interval the buckets live in Redis again: new requests touch its keys.
            await Load(gateway, lambda i: (body, {**headers, "authorization": f"Bearer {dev.token(sub=f'r{i}')}"},
                                           None), concurrency=2).run(limit_s=1.0)
            keys_after = _keys(prefix)
    finally:
        import redis

        client = redis.Redis(*REDIS, socket_timeout=2)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
    samples = load.samples
    assert not load.errors, load.errors[:3]
    assert samples and all(served(s) for s in samples), [(s.status, s.body) for s in samples if not served(s)][:3]
    slowest = max(s.end - s.start for s in seen.inside) if seen.inside else 0.0
    assert slowest < 5.0, slowest  # a hung Redis costs a request at most its socket timeouts, never a hang
    assert keys_after > keys_before, (keys_before, keys_after)
    report(f"ratelimit-redis-{failure}", requests=len(samples), five_xx=len(load.five_xx),
           non_200=sum(s.status != 200 for s in samples), inside_outage=len(seen.inside),
           slowest_inside_s=slowest, redis_keys_after_recovery=keys_after - keys_before)
