"""Rate limits per agency and per account: token buckets, in Redis so that every replica spends one budget.

Every authenticated request takes one token from two buckets: its agency's (``agency:<id>``) and its account's
(``account:<agency>:<sub>``). Budgets are set per agency kind, so a statistics office's bulk export empties only its
own buckets and a court's requests are never queued behind it (each agency has its own bucket; one kind's budget
says nothing about another's). A request that finds either bucket empty is refused with ``RATE_LIMITED``
(HTTP 429) and ``Retry-After`` (whole seconds until a token is back), before its document is even parsed; tokens
are only taken when both buckets have one, so a refused request costs nothing.

| variable | default | meaning |
|---|---|---|
| ``GATEWAY_RATE_LIMIT`` | ``on`` in production, else ``off`` | ``on`` \\| ``off`` |
| ``GATEWAY_REDIS_URL`` | unset | ``redis://127.0.0.1:6379/0``: buckets shared by every replica; unset: in process |
| ``GATEWAY_RATE_LIMIT_PREFIX`` | ``lienthong:ratelimit:`` | Redis key prefix (tests and several deployments use their own) |
| ``GATEWAY_RATE_LIMIT_AGENCY`` | see ``DEFAULT_AGENCY`` | per agency, by kind: ``kind=RATE[:BURST],…`` (requests/s), ``*`` for the other kinds |
| ``GATEWAY_RATE_LIMIT_ACCOUNT`` | ``*=20:40`` | per account, by its agency's kind, same form |

Callers without an agency (a data subject, a DPO) are budgeted under their role's name (``data_subject=…``).
When Redis cannot be reached the limiter falls back to in-process buckets (each replica then allows the whole
budget) and logs it, trying Redis again after ``REDIS_RETRY_S`` seconds: rate limiting protects availability, so
it never turns a Redis outage into a gateway outage (nor into a timeout on every request).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cachetools import TTLCache

from subgraphs.common.settings import ConfigError, parse_choice

from .errors import GatewayError

log = logging.getLogger("lienthong.ratelimit")
DEFAULT_AGENCY = ("*=50:100,court=200:400,procuracy=200:400,criminal_enforcement=100:200,"
                  "military_enforcement=100:200,statistics=10:20")
DEFAULT_ACCOUNT = "*=20:40"
DEFAULT_PREFIX = "lienthong:ratelimit:"
REDIS_POOL_SIZE = 16
REDIS_RETRY_S = 5  # after a failure, Redis is tried again this much later


@dataclass(frozen=True, slots=True)
class Budget:
    """``rate`` tokens per second, at most ``burst`` saved up."""

    rate: float
    burst: float


def parse_budgets(name: str, raw: str) -> dict[str, Budget]:
    """``"*=50:100,court=200"`` → budgets by kind (burst defaults to twice the rate); :class:`ConfigError`."""
    budgets: dict[str, Budget] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        kind, sep, spec = item.partition("=")
        rate_text, _, burst_text = spec.partition(":")
        try:
            rate = float(rate_text)
            burst = float(burst_text) if burst_text else 2 * rate
        except ValueError:
            rate = burst = -1
        if not sep or not kind.strip() or not (rate > 0 and burst >= 1) or math.isinf(rate + burst):
            raise ConfigError(f"{name}: {item!r} is not kind=RATE[:BURST] with RATE > 0 and BURST >= 1")
        budgets[kind.strip().lower()] = Budget(rate, burst)
    if "*" not in budgets:
        raise ConfigError(f"{name}={raw!r}: needs a default budget '*=RATE[:BURST]'")
    return budgets


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    enabled: bool = False
    redis_url: str | None = None
    prefix: str = DEFAULT_PREFIX
    agency: Mapping[str, Budget] = field(default_factory=lambda: parse_budgets("default", DEFAULT_AGENCY))
    account: Mapping[str, Budget] = field(default_factory=lambda: parse_budgets("default", DEFAULT_ACCOUNT))

    @classmethod
    def from_env(cls, env: Mapping[str, str], gateway_env: str) -> RateLimitSettings:
        enabled = parse_choice(env, "GATEWAY_RATE_LIMIT", ("on", "off"), "on" if gateway_env == "production" else "off")
        return cls(
            enabled=enabled == "on",
            redis_url=env.get("GATEWAY_REDIS_URL") or None,
            prefix=env.get("GATEWAY_RATE_LIMIT_PREFIX") or DEFAULT_PREFIX,
            agency=parse_budgets("GATEWAY_RATE_LIMIT_AGENCY", env.get("GATEWAY_RATE_LIMIT_AGENCY") or DEFAULT_AGENCY),
            account=parse_budgets("GATEWAY_RATE_LIMIT_ACCOUNT",
                                  env.get("GATEWAY_RATE_LIMIT_ACCOUNT") or DEFAULT_ACCOUNT),
        )


def rate_limited(retry_after: float, scope: str) -> GatewayError:
    """``RATE_LIMITED`` (429) with ``Retry-After`` in whole seconds (at least 1)."""
    seconds = max(1, math.ceil(retry_after))
    error = GatewayError("RATE_LIMITED", f"Too many requests for this {scope}; retry after {seconds} s.", 429,
                         extensions={"retryAfter": seconds, "scope": scope})
    error.headers = {"retry-after": str(seconds)}  # type: ignore[attr-defined]  # read by the pipeline
    return error


# (key, budget) pairs: the agency's bucket first, then the account's
Buckets = list[tuple[str, Budget]]


class LocalBuckets:
    """In-process token buckets (one replica's view), idle ones forgotten after an hour."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, size: int = 100_000) -> None:
        self._clock = clock
        self._state: TTLCache[str, tuple[float, float]] = TTLCache(maxsize=size, ttl=3600, timer=clock)

    def take(self, buckets: Buckets) -> tuple[float, int]:
        """``(0, -1)`` when a token was taken from every bucket, else (seconds until one is available in all,
        index of the bucket that waits longest)."""
        now = self._clock()
        levels = []
        for key, budget in buckets:
            tokens, stamp = self._state.get(key, (budget.burst, now))
            levels.append(min(budget.burst, tokens + max(0.0, now - stamp) * budget.rate))
        wait, blocked = 0.0, -1
        for index, (level, (_, budget)) in enumerate(zip(levels, buckets, strict=True)):
            if level < 1 and (1 - level) / budget.rate > wait:
                wait, blocked = (1 - level) / budget.rate, index
        if wait > 0:
            return wait, blocked
        for level, (key, _) in zip(levels, buckets, strict=True):
            self._state[key] = (level - 1, now)
        return 0.0, -1


# Both buckets checked and taken atomically, on the Redis server's clock (replicas' clocks may differ).
_TAKE = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) + tonumber(now_t[2]) / 1000000
local levels = {}
local wait, blocked = 0, -1
for i = 1, #KEYS do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', KEYS[i], 't', 'ts')
  local tokens, stamp = tonumber(state[1]), tonumber(state[2])
  if tokens == nil or stamp == nil then tokens, stamp = burst, now end
  local level = math.min(burst, tokens + math.max(0, now - stamp) * rate)
  levels[i] = level
  if level < 1 and (1 - level) / rate > wait then wait, blocked = (1 - level) / rate, i - 1 end
end
if wait > 0 then return {tostring(wait), blocked} end
for i = 1, #KEYS do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('HSET', KEYS[i], 't', tostring(levels[i] - 1), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[i], math.ceil(burst / rate * 1000) + 1000)
end
return {'0', -1}
"""


class RateLimiter:
    """The pipeline stage: ``await limiter.admit(caller)`` or raise ``RATE_LIMITED``."""

    def __init__(self, settings: RateLimitSettings, *, local: LocalBuckets | None = None,
                 redis_client: Any | None = None) -> None:
        self.settings = settings
        self.local = local or LocalBuckets()
        self._redis = redis_client
        self._script: Any = None
        self._clock = time.monotonic
        self._redis_retry_at = 0.0  # after a Redis failure, in-process buckets until then (no timeout per request)
        self.fallbacks = 0  # decisions taken in process because Redis failed or was being skipped

    async def start(self) -> None:
        if self.settings.redis_url and self._redis is None:
            import redis.asyncio as aioredis

            # A bounded pool that requests wait on: a burst of requests must not open (and time out connecting)
            # one connection each. Timeouts are short so that a hung Redis costs a request at most ~2 s, once.
            pool = aioredis.BlockingConnectionPool.from_url(
                self.settings.redis_url, max_connections=REDIS_POOL_SIZE, timeout=2.0,
                socket_timeout=1.0, socket_connect_timeout=2.0)
            self._redis = aioredis.Redis(connection_pool=pool)
        if self._redis is not None:
            self._script = self._redis.register_script(_TAKE)
            try:  # connect now and load the script, so the first requests do not pay for it
                await self._script(keys=[f"{self.settings.prefix}warmup"], args=[1, 1])
            except Exception as exc:  # the limiter degrades to in-process buckets (see _take)
                log.warning("rate limit store %s unreachable at start: %s", self.settings.redis_url, exc)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    def buckets(self, caller: Any) -> Buckets:
        """The caller's agency and account buckets with the budgets of its agency's kind (or its role)."""
        agency = getattr(caller, "agency_id", None)
        kind = getattr(caller, "agency_kind", None) or str(getattr(caller, "role", None) or "none")
        owner = agency if agency is not None else f"role:{kind}"
        prefix = self.settings.prefix
        return [
            (f"{prefix}agency:{owner}", self.settings.agency.get(kind) or self.settings.agency["*"]),
            (f"{prefix}account:{owner}:{caller.sub}", self.settings.account.get(kind) or self.settings.account["*"]),
        ]

    async def admit(self, caller: Any) -> None:
        """Take a token for ``caller`` or raise ``RATE_LIMITED`` naming the exhausted scope."""
        if not self.settings.enabled or caller is None:
            return
        wait, blocked = await self._take(self.buckets(caller))
        if wait > 0:
            raise rate_limited(wait, "agency" if blocked == 0 else "account")

    async def _take(self, buckets: Buckets) -> tuple[float, int]:
        if self._script is None:
            return self.local.take(buckets)
        if self._clock() < self._redis_retry_at:
            self.fallbacks += 1
            return self.local.take(buckets)
        try:
            args = [v for _, b in buckets for v in (b.rate, b.burst)]
            wait, blocked = await self._script(keys=[k for k, _ in buckets], args=args)
            return float(wait), int(blocked)
        except Exception as exc:  # Redis down or slow: degrade to this replica's buckets, never fail the request
            self.fallbacks += 1
            self._redis_retry_at = self._clock() + REDIS_RETRY_S
            log.warning("rate limit store unavailable (%s); in-process buckets for %d s", exc, REDIS_RETRY_S)
            return self.local.take(buckets)
