"""Where verification keys come from: a local key set (development) or a JWKS URL with caching and rotation.

A :class:`RemoteJwks` is fetched on first use and again when older than ``ttl``. A token whose ``kid`` is not in
the cached set triggers at most one refetch, and refetches caused by unknown ``kid``\\s are at most one per
``refetch_interval`` (so a flood of forged ``kid``\\s cannot hammer the identity provider). When the URL cannot be
reached, a cached set keeps being used for ``max_stale`` seconds past its TTL, then verification fails closed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import aiohttp
from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet

from .caller import AuthError

log = logging.getLogger("lienthong.auth.jwks")
MAX_JWKS_BYTES = 1 << 20


class KeySource(Protocol):
    """Finds the verification key for a ``kid``."""

    async def get(self, kid: str | None) -> Key | None:
        """The key with this ``kid`` (None: the only key, if exactly one), or None when unknown."""
        ...

    async def aclose(self) -> None:
        """Release resources."""
        ...


def _pick(keys: KeySet, kid: str | None) -> Key | None:
    if kid is None:
        return keys.keys[0] if len(keys.keys) == 1 else None
    return next((k for k in keys.keys if k.kid == kid), None)


class LocalKeySet:
    """A fixed key set, e.g. read from ``GATEWAY_JWKS_FILE``."""

    def __init__(self, keys: KeySet) -> None:
        self.keys = keys

    @classmethod
    def from_file(cls, path: Path) -> LocalKeySet:
        """Read a public JWKS file."""
        try:
            data = json.loads(Path(path).read_text())
            return cls(KeySet.import_key_set(data))
        except (OSError, ValueError, KeyError, JoseError) as exc:
            raise RuntimeError(f"cannot read the key set {path}: {exc}") from exc

    async def get(self, kid: str | None) -> Key | None:
        return _pick(self.keys, kid)

    async def aclose(self) -> None:
        return None


class RemoteJwks:
    """A JWKS fetched from an identity provider's URL, cached and refreshed on rotation."""

    def __init__(
        self,
        url: str,
        *,
        ttl: float = 300.0,
        refetch_interval: float = 30.0,
        max_stale: float = 3600.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.ttl = ttl
        self.refetch_interval = refetch_interval
        self.max_stale = max_stale
        self.timeout = timeout
        self.clock = clock
        self.fetches = 0
        self._keys: KeySet | None = None
        self._fetched_at = float("-inf")
        self._last_attempt = float("-inf")
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def _fetch(self) -> None:
        """Fetch the set; on failure keep the old one (the caller decides whether it is still usable)."""
        self.fetches += 1
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        attempted_at = self.clock()
        try:
            async with self._session.get(self.url, headers={"Accept": "application/json"}) as resp:
                resp.raise_for_status()
                body = await resp.content.read(MAX_JWKS_BYTES + 1)
            if len(body) > MAX_JWKS_BYTES:
                raise ValueError("JWKS document too large")
            self._keys = KeySet.import_key_set(json.loads(body))
            self._fetched_at = attempted_at
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError, JoseError) as exc:
            log.warning("cannot fetch JWKS from %s: %s", self.url, exc)
        finally:
            # A failed attempt counts for the unknown-kid rate limit, but not for freshness.
            self._last_attempt = attempted_at

    def _usable(self, now: float) -> bool:
        return self._keys is not None and now - self._fetched_at < self.ttl + self.max_stale

    def _stale(self, now: float) -> bool:
        return self._keys is None or now - self._fetched_at >= self.ttl

    def _may_attempt(self, now: float) -> bool:
        return now - self._last_attempt >= min(self.refetch_interval, self.ttl)

    async def get(self, kid: str | None) -> Key | None:
        if self._stale(self.clock()):
            async with self._lock:  # single flight: concurrent requests wait for one fetch
                now = self.clock()
                if self._stale(now) and self._may_attempt(now):
                    await self._fetch()
        if not self._usable(self.clock()):
            raise AuthError("cannot verify the token: the identity provider's keys are unavailable")
        assert self._keys is not None
        key = _pick(self._keys, kid)
        if key is not None or kid is None:
            return key
        # Unknown kid: the provider may have rotated. Refetch once, rate-limited, single-flight.
        async with self._lock:
            key = _pick(self._keys, kid)
            if key is None and self.clock() - self._last_attempt >= self.refetch_interval:
                await self._fetch()
                key = _pick(self._keys, kid)
        return key

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
