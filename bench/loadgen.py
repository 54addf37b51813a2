"""A Python load generator for the simulation (aiohttp): replays a query mix over several gateway processes.

Two shapes:

* **open loop** (``rates``): requests of each query arrive at their own fixed rate (Poisson arrivals, seeded),
  whatever the answers do, as national traffic would; a request that cannot start because ``max_in_flight`` are
  already waiting is counted as *dropped* (the offered load was above what the stack absorbs).
* **closed loop** (``connections``): that many clients, each sending its next request (drawn from the mix) when
  the previous answer arrives: the stack's saturated throughput.

Requests go round robin over the gateway URLs, as a Kubernetes Service spreads connections over pods. The
generator runs in the simulation's own process; its CPU is measured and reported, since it shares the machine.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import aiohttp
import orjson


@dataclass
class QueryStats:
    sent: int = 0
    ok: int = 0  # HTTP 200 with data
    failed: int = 0
    dropped: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(p * (len(ordered) - 1))))]


@dataclass
class LoadResult:
    seconds: float  # from the first request to the last answer
    per_query: dict[str, QueryStats]
    statuses: dict[int, int]
    window: float = 0.0  # open loop: the arrival window (the rate is offered over it)

    @property
    def ok(self) -> int:
        return sum(s.ok for s in self.per_query.values())

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.per_query.values())

    @property
    def dropped(self) -> int:
        return sum(s.dropped for s in self.per_query.values())

    @property
    def ok_per_s(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class Workload:
    """What to send: request bodies and headers per query, and where."""

    urls: Sequence[str]
    bodies: Mapping[str, Sequence[bytes]]
    headers: Mapping[str, Mapping[str, str]]


class _Sender:
    def __init__(self, work: Workload, session: aiohttp.ClientSession, result: LoadResult) -> None:
        self.work = work
        self.session = session
        self.result = result
        self._next_url = 0
        self._next_body: dict[str, int] = {q: 0 for q in work.bodies}

    async def send(self, query: str) -> None:
        stats = self.result.per_query[query]
        bodies = self.work.bodies[query]
        body = bodies[self._next_body[query] % len(bodies)]
        self._next_body[query] += 1
        url = self.work.urls[self._next_url % len(self.work.urls)]
        self._next_url += 1
        stats.sent += 1
        started = time.perf_counter()
        try:
            async with self.session.post(url, data=body, headers=self.work.headers[query]) as resp:
                payload = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError):
            status, payload = 0, b""
        self.result.statuses[status] = self.result.statuses.get(status, 0) + 1
        if status == 200 and _has_data(payload):
            stats.ok += 1
            stats.latencies_ms.append((time.perf_counter() - started) * 1000.0)
        else:
            stats.failed += 1


def _has_data(payload: bytes) -> bool:
    """An answer with a non-null root field (withheld fields inside it are fine: that is the policy working)."""
    try:
        data = orjson.loads(payload).get("data")
    except (orjson.JSONDecodeError, AttributeError):
        return False
    return isinstance(data, dict) and any(v is not None for v in data.values())


def _session(limit: int, timeout_s: float) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit, limit_per_host=0),
                                 timeout=aiohttp.ClientTimeout(total=timeout_s))


async def open_loop(work: Workload, rates: Mapping[str, float], seconds: float, *, max_in_flight: int = 256,
                    seed: int = 11, timeout_s: float = 30.0) -> LoadResult:
    """Poisson arrivals at ``rates`` (query -> req/s) for ``seconds``; waits for the requests in flight."""
    result = LoadResult(seconds, {q: QueryStats() for q in rates}, {}, window=seconds)
    rng = random.Random(seed)
    in_flight: set[asyncio.Task[None]] = set()
    async with _session(max_in_flight, timeout_s) as session:
        sender = _Sender(work, session, result)
        began = time.perf_counter()
        # one merged Poisson stream (rate = sum), each arrival's query drawn by its share
        total = sum(rates.values())
        names, weights = list(rates), [rates[q] / total for q in rates]
        at = 0.0
        while True:
            at += rng.expovariate(total)
            if at >= seconds:
                break
            delay = began + at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            query = rng.choices(names, weights)[0]
            if len(in_flight) >= max_in_flight:
                result.per_query[query].dropped += 1
                continue
            task = asyncio.create_task(sender.send(query))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.wait(set(in_flight), timeout=timeout_s)
        result.seconds = time.perf_counter() - began
    return result


async def closed_loop(work: Workload, mix: Mapping[str, float], seconds: float, *, connections: int = 32,
                      seed: int = 13, timeout_s: float = 30.0) -> LoadResult:
    """``connections`` clients in a closed loop for ``seconds``, each request's query drawn from ``mix``."""
    result = LoadResult(seconds, {q: QueryStats() for q in mix}, {})
    names, weights = list(mix), [mix[q] for q in mix]
    async with _session(connections, timeout_s) as session:
        sender = _Sender(work, session, result)
        began = time.perf_counter()
        deadline = began + seconds

        async def client(index: int) -> None:
            rng = random.Random(seed * 1000 + index)
            while time.perf_counter() < deadline:
                await sender.send(rng.choices(names, weights)[0])

        await asyncio.gather(*(client(i) for i in range(connections)))
        result.seconds = time.perf_counter() - began
    return result
