"""The gateway's calls that record an accepted restriction in the population database, and its lifting (004 Art.
9.6).

``POST <population>/internal/restrictions`` and ``.../restrictions/lift`` (subgraphs/population/restrictions.py)
with an internal token for
audience ``population`` that carries ``scope: restrictions:write``: the only token population accepts there,
and one the gateway never mints for a client's request. Not a GraphQL field: nothing of it is in the API schema.
"""

from __future__ import annotations

from collections.abc import Callable

import aiohttp

from gateway.keys import InternalTokenMinter

RESTRICTION_SCOPE = "restrictions:write"  # subgraphs.population.restrictions.RESTRICTION_SCOPE
RESTRICTION_PATH = "/internal/restrictions"
LIFT_SUFFIX = "/lift"  # subgraphs.population.restrictions.LIFT_PATH


class RestrictionUnavailable(Exception):
    """Population did not record the restriction (or its lifting): nothing changes at the gateway
    (SUBGRAPH_UNAVAILABLE)."""


def restriction_url(graphql_url: str) -> str:
    """``http://host:4001/graphql`` -> ``http://host:4001/internal/restrictions``."""
    base = graphql_url.rstrip("/")
    if base.endswith("/graphql"):
        base = base[: -len("/graphql")]
    return base + RESTRICTION_PATH


class PopulationRestrictor:
    """Records restrictions at population over HTTP (one short-lived token per call). ``minter`` may be a
    factory, called on first use (the gateway's internal key is loaded when it starts, not when it is built)."""

    def __init__(self, graphql_url: str, minter: InternalTokenMinter | Callable[[], InternalTokenMinter], *,
                 timeout: float = 10.0) -> None:
        self.url = restriction_url(graphql_url)
        self._minter = minter
        self.timeout = timeout

    @property
    def minter(self) -> InternalTokenMinter:
        if not isinstance(self._minter, InternalTokenMinter):
            self._minter = self._minter()
        return self._minter

    async def _post(self, url: str, body: dict[str, str], reference: str) -> dict[str, object]:
        token = self.minter.mint("population", sub="gateway", scope=RESTRICTION_SCOPE, rid=reference)
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
                async with session.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as resp:
                    answer = await resp.json(content_type=None)
                    if resp.status != 200:
                        raise RestrictionUnavailable(f"population answered HTTP {resp.status}: {answer}")
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise RestrictionUnavailable(f"population unreachable: {type(exc).__name__}: {exc}") from exc
        if not isinstance(answer, dict):
            raise RestrictionUnavailable(f"population answered {answer!r}")
        return answer

    async def restrict(self, personal_id: str, since: str, reference: str) -> str:
        """Record it; returns the ``since`` population holds (the first one when sent again)."""
        body = {"personalId": personal_id, "since": since, "requestReference": reference}
        answer = await self._post(self.url, body, reference)
        since_recorded = answer.get("since")
        if not isinstance(since_recorded, str) or answer.get("restricted") is not True:
            raise RestrictionUnavailable(f"population answered {answer!r}")
        return since_recorded

    async def lift(self, personal_id: str, lifted_at: str, reference: str) -> str:
        """Record the lifting of the restriction answering ``reference``; returns the ``liftedAt`` population
        holds (the first one when sent again)."""
        body = {"personalId": personal_id, "liftedAt": lifted_at, "requestReference": reference}
        answer = await self._post(self.url + LIFT_SUFFIX, body, reference)
        recorded = answer.get("liftedAt")
        if not isinstance(recorded, str):
            raise RestrictionUnavailable(f"population answered {answer!r}")
        return recorded
