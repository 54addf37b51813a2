"""How the executor reaches a subgraph: over HTTP (one pooled client per app) or in process.

The HTTP client is pyreqwest (Rust's reqwest and hyper under a Tokio runtime of its own): the connection pool,
HTTP/1.1 framing and the response body are handled outside the interpreter: the event loop spends about a quarter
less on a request, and under load the gateway's CPU per request fell 5-14 % (bench/HISTORY.md, 2026-12-07, second
session). No proxy from the environment, no redirects followed: the gateway talks to the subgraph URLs of its
supergraph and nothing else.

Every HTTP call carries a short-lived internal JWT for that subgraph's audience, minted with the caller's account,
agency and purpose (reused for at most half its life, see ``InternalTokenMinter.mint_cached``), and the request id
in ``X-Request-Id``, so subgraphs refuse anything that did not come through the gateway and record for whom.
While tracing is on, the W3C ``traceparent`` of the executor's fetch span goes along, so the subgraph's spans
(its request, its SQL) join the gateway's trace.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from pyreqwest.client import Client, ClientBuilder
from pyreqwest.exceptions import ConnectError, ConnectTimeoutError, PoolTimeoutError, PyreqwestError

from subgraphs.common.telemetry import inject_traceparent

from ..keys import InternalTokenMinter
from ..writes.write_key import WRITE_KEY_HEADER, current_write_key


@dataclass(frozen=True, slots=True)
class FetchContext:
    """Who a subgraph call is made for (claims of the internal token)."""

    request_id: str
    sub: str | None = None
    agency: str | None = None
    purpose: str | None = None
    caller: Any = None  # the authenticated caller, for in-process (local) subgraphs only; never serialized
    # the write records mutations' subgraphs report (their response ``extensions``), filled by the executor for
    # the gateway's audit (gateway.writes); never forwarded to the client
    writes: list[dict[str, Any]] = field(default_factory=list)
    # client response keys of root fields whose subgraph certainly never ran them (SubgraphFailure.delivered)
    undelivered: list[str] = field(default_factory=list)


class SubgraphFailure(Exception):
    """The subgraph could not answer (network, timeout, HTTP status, bad JSON): its fields become errors.

    ``str(exc)`` is the reason clients see (the gateway's own words: no host, port, URL or library text);
    ``detail`` is what only the server log gets. ``delivered`` is False only when the subgraph certainly did not
    run the operation (no connection, its auth refused the token): a mutation then wrote nothing."""

    def __init__(self, reason: str, detail: str | None = None, *, delivered: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.delivered = delivered


class Answer(dict[str, Any]):
    """A subgraph's decoded response that keeps its bytes: the row budget bounds its objects by them
    (``budget.py``) instead of walking every object of it."""

    __slots__ = ("raw",)

    def __init__(self, decoded: dict[str, Any], raw: bytes) -> None:
        super().__init__(decoded)
        self.raw = raw


class Transport(Protocol):
    name: str

    async def send(self, query: str, variables: dict[str, Any], ctx: FetchContext) -> dict[str, Any]:
        """The subgraph's GraphQL response (``data``/``errors``) or raise :class:`SubgraphFailure`."""
        ...


def audience_name(graph_name: str) -> str:
    """Subgraph settings name their audience with underscores (``civil_status``), graph names may use dashes."""
    return graph_name.replace("-", "_").lower()


def http_client(pool_size: int) -> Client:
    """The subgraph client of one app (enter it with ``async with`` or ``await client.__aenter__()``)."""
    return (ClientBuilder().http1_only().no_proxy().follow_redirects(False).max_connections(pool_size)
            .user_agent("lienthong-gateway").build())


class HttpTransport:
    """POST the operation to ``url`` with an internal token, within ``timeout`` seconds."""

    def __init__(self, name: str, url: str, client: Client, minter: InternalTokenMinter, timeout: float) -> None:
        self.name = name
        self.url = url
        self.client = client
        self.minter = minter
        self.timeout = timeout
        self.audience = audience_name(name)

    async def send(self, query: str, variables: dict[str, Any], ctx: FetchContext) -> dict[str, Any]:
        token = self.minter.mint_cached(self.audience, sub=ctx.sub, agency=ctx.agency, purpose=ctx.purpose)
        body = orjson.dumps({"query": query, "variables": variables} if variables else {"query": query})
        headers = {"content-type": "application/json", "accept": "application/json",
                   "authorization": f"Bearer {token}", "x-request-id": ctx.request_id}
        write_key = current_write_key()  # set by the write stage; never a client's header
        if write_key is not None and query.startswith("mutation"):  # the subgraph keeps its write with it
            headers[WRITE_KEY_HEADER] = write_key
        inject_traceparent(headers)  # no-op outside a recording span (tracing off)
        try:
            async with asyncio.timeout(self.timeout):
                response = await self.client.post(self.url).body_bytes(body).headers(headers).build().send()
                raw = bytes(await response.bytes())
                status = response.status
        except (ConnectError, ConnectTimeoutError, PoolTimeoutError) as exc:
            # no connection: the operation never reached the subgraph (before the timeout: a connect timeout
            # is a TimeoutError too)
            raise SubgraphFailure("the connection failed", f"{self.url}: {type(exc).__name__}: {exc}",
                                  delivered=False) from exc
        except TimeoutError as exc:
            raise SubgraphFailure(f"no answer within {int(self.timeout * 1000)} ms") from exc
        except PyreqwestError as exc:  # its text names host and port: for the log only
            raise SubgraphFailure("the connection failed", f"{self.url}: {type(exc).__name__}: {exc}") from exc
        if status == 401:
            raise SubgraphFailure("refused the gateway's internal token (HTTP 401)", delivered=False)
        try:
            result = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise SubgraphFailure(f"HTTP {status}, not a GraphQL response", f"{self.url}: {exc}") from exc
        if not isinstance(result, dict) or ("data" not in result and "errors" not in result):
            raise SubgraphFailure(f"HTTP {status}, not a GraphQL response")
        if status >= 500 and not result.get("data"):
            raise SubgraphFailure(f"HTTP {status}")
        return Answer(result, raw)


class LocalTransport:
    """A subgraph served in process (gateway-local fields such as ``accessLog``): a strawberry or graphql-core
    schema executed directly, with the fetch context as context value."""

    def __init__(self, name: str, schema: Any, context_factory: Any = None) -> None:
        self.name = name
        self.schema = schema
        self.context_factory = context_factory

    async def send(self, query: str, variables: dict[str, Any], ctx: FetchContext) -> dict[str, Any]:
        context = self.context_factory(ctx) if self.context_factory else {"fetch": ctx}
        if hasattr(self.schema, "execute"):  # strawberry
            result = await self.schema.execute(query, variable_values=variables, context_value=context)
        else:
            from graphql import graphql

            result = await graphql(self.schema, query, variable_values=variables, context_value=context)
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [e.formatted for e in result.errors]
        if getattr(result, "extensions", None):  # e.g. a mutation's write records (the executor reads them)
            out["extensions"] = dict(result.extensions)
        return out
