"""The gateway's application context: everything a request needs, built once, no module-level state.

Usable without HTTP (``await gateway.start(); await gateway.execute(query)``) for tests and the conformance
harness, and wrapped by :func:`gateway.server.app.create_app` for serving.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from pyreqwest.client import Client
from pyreqwest.exceptions import PyreqwestError

from ..config import GatewaySettings
from ..execution import Executor, HttpTransport, Transport
from ..execution.transport import http_client
from ..keys import InternalTokenMinter, key_paths, load_or_create_internal_key
from ..pipeline import AuditHook, Authenticator, GraphQLRequest, GraphQLResponse, Pipeline, PolicyHook
from ..planning import PlanCache, Planner
from ..ratelimit import RateLimiter
from ..supergraph import Supergraph
from ..supergraph.cost import CostLimits
from ..supergraph.documents import DocumentCache
from ..supergraph.limits import OperationLimits
from ..telemetry import Telemetry
from ..trusted import TrustedDocuments, TrustedDocumentStore
from .metrics import GatewayMetrics


class Gateway:
    """Settings, supergraph, caches, planner, executor, metrics and the pooled subgraph HTTP session."""

    def __init__(
        self,
        settings: GatewaySettings,
        supergraph: Supergraph,
        *,
        authenticator: Authenticator,
        policy: PolicyHook,
        audit: AuditHook,
        minter: InternalTokenMinter | None = None,
        transports: Mapping[str, Transport] | None = None,
        telemetry: Telemetry | None = None,
        resources: Sequence[Any] = (),
        writes: Any = None,
    ) -> None:
        self.settings = settings
        self.telemetry = telemetry or Telemetry.off()  # built once at start-up (run.py); off: no spans
        self.supergraph = supergraph
        self.minter = minter
        self.extra_transports = dict(transports or {})  # local subgraphs, test doubles
        self.documents = DocumentCache(
            supergraph.api_schema, size=settings.document_cache_size, introspection=settings.introspection,
            max_depth=settings.max_depth, max_fields=settings.max_fields,
            cost=CostLimits(settings.max_cost, settings.default_list_size),
            limits=OperationLimits(settings.max_tokens, settings.max_depth, settings.max_aliases,
                                   settings.max_root_fields, settings.max_directives),
            suggestions=settings.field_suggestions,
        )
        self.planner = Planner(supergraph)
        self.plans = PlanCache(self.planner, settings.plan_cache_size)
        self.metrics = GatewayMetrics({"document": self.documents.stats, "plan": self.plans.stats}, policy)
        self.transports: dict[str, Transport] = dict(self.extra_transports)
        self.executor = Executor(supergraph.api_schema, self.transports, self.metrics.fetch_observer(),
                                 max_rows=settings.max_rows, telemetry=self.telemetry)
        self.rate_limiter = RateLimiter(settings.rate_limit)
        self.trusted = TrustedDocuments(TrustedDocumentStore(settings.trusted_documents_file),
                                        require=settings.trusted_documents == "require")
        self.pipeline = Pipeline(
            documents=self.documents, plans=self.plans, executor=self.executor, authenticator=authenticator,
            policy=policy, audit=audit, expose_plans=settings.development, trusted=self.trusted,
            rate_limiter=self.rate_limiter, telemetry=self.telemetry, writes=writes,
        )
        self.client: Client | None = None  # the pooled subgraph client (transport.http_client), once started
        self.hooks = (authenticator, policy, audit)
        self.resources = tuple(resources)  # started before the hooks, closed after them (the gateway store)

    async def start(self) -> None:
        """Start the hooks (e.g. the audit writer), open the pooled HTTP client and an HTTP transport for every
        subgraph not served otherwise."""
        if self.client is not None:
            return
        await self.rate_limiter.start()
        for resource in self.resources:
            await resource.start()
        for hook in self.hooks:
            start = getattr(hook, "start", None)
            if start is not None:
                await start()
        if self.minter is None:
            self.minter = InternalTokenMinter(load_or_create_internal_key(*key_paths(dict(self.settings.raw_env))))
        self.client = await http_client(self.settings.subgraph_pool_size).__aenter__()
        timeout = self.settings.subgraph_timeout_ms / 1000
        for name, info in self.supergraph.graphs.items():
            if name not in self.extra_transports:
                self.transports[name] = HttpTransport(name, info.url, self.client, self.minter, timeout)

    async def close(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            await client.__aexit__(None, None, None)
        await self.rate_limiter.close()
        for hook in reversed(self.hooks):
            close = getattr(hook, "close", None) or getattr(hook, "aclose", None)
            if close is not None:
                await close()
        for resource in reversed(self.resources):
            await resource.close()
        self.telemetry.shutdown()  # flush the spans still batched

    async def __aenter__(self) -> Gateway:
        await self.start()
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.close()

    async def handle(self, request: GraphQLRequest) -> GraphQLResponse:
        return await self.pipeline.handle(request)

    async def execute(self, query: str, variables: dict[str, Any] | None = None, operation_name: str | None = None,
                      headers: Mapping[str, str] | None = None) -> GraphQLResponse:
        """Run one operation in process (headers with lower-case names)."""
        return await self.pipeline.handle(GraphQLRequest(query, operation_name, variables, dict(headers or {})))

    async def readiness(self) -> dict[str, str]:
        """``{subgraph: "ok" | reason}``: every HTTP subgraph's /healthz must answer 200."""
        assert self.client is not None, "start() the gateway first"

        async def probe(name: str) -> tuple[str, str]:
            transport = self.transports.get(name)
            if not isinstance(transport, HttpTransport):
                return name, "ok"
            url = health_url(transport.url)
            try:
                async with asyncio.timeout(2):
                    response = await self.client.get(url).build().send()
                    return name, "ok" if response.status == 200 else f"HTTP {response.status}"
            except TimeoutError:
                return name, "TimeoutError"
            except PyreqwestError as exc:  # its summary ("connection error"), not the causes naming host and port
                summary = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
                return name, f"{type(exc).__name__}: {summary[:120]}" if summary else type(exc).__name__

        return dict(await asyncio.gather(*(probe(n) for n in self.supergraph.graphs)))


def health_url(graphql_url: str) -> str:
    """``http://host:4001/graphql`` → ``http://host:4001/healthz``."""
    base = graphql_url.rstrip("/")
    if base.endswith("/graphql"):
        base = base[: -len("/graphql")]
    return base + "/healthz"
