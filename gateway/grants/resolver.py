"""Resolving the grant an ``X-Legal-Basis`` names, once per request, into facts for the policy input.

The gateway reads the named grant from the registry at most once per request and keeps it for
``GATEWAY_GRANT_CACHE_SECONDS`` (default 5): a grant created or revoked through this process is dropped from the
cache at once (:meth:`GrantRegistry.on_change`); a change made by another process (another worker, the CLI) is
seen within that time. The status (valid, expired, revoked...) is computed per request from the cached row and
the clock, so an expiry takes effect on time whatever the cache.

The policy judges the facts (policies/grants.rego); this module only reads them. A registry that cannot be read
gives ``status: unavailable`` (unknown means withheld), never an exception.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from .model import Grant, Status, grant_reference
from .registry import GrantRegistry

log = logging.getLogger("lienthong.grants")


@dataclass(frozen=True, slots=True)
class GrantUse:
    """What one request's ``X-Legal-Basis`` amounts to: the grant it names (if the registry holds it) and its
    status now. ``disclosure_at`` is set for a covert read: a purpose the catalogue marks confidential under a
    valid confidential grant (hidden from the data subject's accessLog until then, gateway.audit.access_log)."""

    status: Status
    reference: str | None = None
    grant: Grant | None = None
    disclosure_at: datetime | None = None

    def policy_input(self) -> dict[str, Any]:
        """The ``grant`` object of the policy input (policies/README.md)."""
        out: dict[str, Any] = {"status": str(self.status), "reference": self.reference}
        grant = self.grant
        if grant is not None:
            out.update(id=grant.id, agency=grant.agency, purpose=grant.purpose, scope=str(grant.scope),
                       subjects=list(grant.subjects), province=grant.province, case_reference=grant.case_reference,
                       valid_from=grant.valid_from, valid_until=grant.valid_until, revoked_at=grant.revoked_at,
                       revocation_reason=grant.revocation_reason, confidential=grant.confidential)
        return out

    def cache_key(self) -> tuple[Any, ...]:
        """What of the facts a decision depends on (for the decision cache)."""
        grant = self.grant
        if grant is None:
            return (str(self.status), self.reference)
        return (str(self.status), grant.id, grant.agency, grant.purpose, str(grant.scope), grant.subjects,
                grant.province, grant.valid_until, grant.revoked_at)


class GrantSource(Protocol):
    """Where grants are read from: the :class:`GrantRegistry`, or :class:`StaticGrants` (tests, tools)."""

    async def get(self, grant_id: str) -> Grant | None: ...


class StaticGrants:
    """Grants held in memory (tests and offline tools): ``GrantResolver(StaticGrants([grant, ...]))``."""

    def __init__(self, grants: list[Grant] | tuple[Grant, ...] = ()) -> None:
        self.grants = {g.id: g for g in grants}

    async def get(self, grant_id: str) -> Grant | None:
        return self.grants.get(grant_id)


ABSENT = GrantUse(Status.ABSENT)
NOT_NAMED = GrantUse(Status.NOT_NAMED)


class GrantResolver:
    """Named grant → :class:`GrantUse`, with a short cache invalidated on change."""

    def __init__(self, registry: GrantRegistry | GrantSource, *, ttl_seconds: float = 5.0,
                 confidential_purposes: frozenset[str] = frozenset(),
                 clock: Callable[[], datetime] | None = None, monotonic: Callable[[], float] = time.monotonic
                 ) -> None:
        self.registry = registry
        self.ttl = ttl_seconds
        self.confidential_purposes = confidential_purposes
        self.clock = clock or (lambda: datetime.now(UTC))
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, Grant | None]] = {}
        self.reads = 0  # registry reads (cache misses)
        on_change = getattr(registry, "on_change", None)
        if on_change is not None:
            on_change(self.invalidate)

    @classmethod
    def for_catalogue(cls, registry: GrantRegistry, purposes: Mapping[str, Mapping[str, Any]],
                      ttl_seconds: float = 5.0) -> GrantResolver:
        """A resolver whose covert purposes are those ``purposes`` marks ``"confidential": true``."""
        covert = frozenset(p for p, entry in purposes.items() if entry.get("confidential") is True)
        return cls(registry, ttl_seconds=ttl_seconds, confidential_purposes=covert)

    def invalidate(self, grant_id: str) -> None:
        """Forget ``grant_id`` (it changed)."""
        self._cache.pop(grant_id, None)

    async def _grant(self, grant_id: str) -> Grant | None:
        now = self._monotonic()
        cached = self._cache.get(grant_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        self.reads += 1
        grant = await self.registry.get(grant_id)
        if len(self._cache) > 4096:  # bounded: a flood of made-up ids must not grow it without end
            self._cache.clear()
        self._cache[grant_id] = (now + self.ttl, grant)
        return grant

    async def resolve(self, legal_basis: str | None, purpose: str | None) -> GrantUse:
        """What ``legal_basis`` (the X-Legal-Basis value) names, for a request declaring ``purpose``."""
        if not legal_basis or not legal_basis.strip():
            return ABSENT
        reference = grant_reference(legal_basis)
        if reference is None:
            return NOT_NAMED
        try:
            grant = await self._grant(reference)
        except Exception as exc:  # any store failure: the facts are unknown, the policy withholds
            log.error("grants registry unreadable for %s: %s", reference, exc)
            return GrantUse(Status.UNAVAILABLE, reference)
        if grant is None:
            return GrantUse(Status.UNKNOWN, reference)
        status = grant.status(self.clock())
        disclosure = None
        if (status is Status.VALID and grant.confidential and grant.disclosure_at is not None
                and purpose in self.confidential_purposes and purpose == grant.purpose):
            disclosure = datetime.fromisoformat(grant.disclosure_at.replace("Z", "+00:00"))
        return GrantUse(status, reference, grant, disclosure)


def offline_resolver(legal_basis: str | None, env: Mapping[str, str]) -> GrantResolver:
    """A resolver holding the one grant ``legal_basis`` names, read once from the gateway store of ``env``
    (``python -m gateway policy explain --legal-basis GR-...``); an unreadable store resolves as unavailable."""
    import asyncio

    from ..config import GatewaySettings
    from ..store import GatewayStore
    from .model import metadata

    reference = grant_reference(legal_basis)

    class _Unreadable:
        async def get(self, grant_id: str) -> Grant | None:
            raise RuntimeError("the gateway store could not be read")

    if reference is None:
        return GrantResolver(StaticGrants())

    async def read() -> Grant | None:
        store = GatewayStore(GatewaySettings.from_env(env).store_database_url)
        store.register(metadata)
        await store.start()
        try:
            from .registry import GrantRegistry

            return await GrantRegistry(store, None, agencies={}, purposes={}).get(reference)
        finally:
            await store.close()

    try:
        grant = asyncio.run(read())
    except Exception:  # no store here: the explanation says the registry could not be read
        return GrantResolver(_Unreadable())
    return GrantResolver(StaticGrants([grant] if grant is not None else []))
