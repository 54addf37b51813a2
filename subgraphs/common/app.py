"""The ASGI application shared by the subgraphs: ``POST /graphql`` behind internal auth, ``GET /healthz``."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from .db import Database
from .internal_auth import InternalAuthMiddleware, InternalTokenVerifier
from .logs import configure_logging, log_format, log_level
from .settings import SubgraphSettings
from .telemetry import RequestContextMiddleware, Telemetry, instrument_engine
from .write_keys import WRITE_KEY_HEADER


@dataclass
class SubgraphContext:
    """Per-request context handed to resolvers: the database, this request's data loaders and the caller
    (claims of the gateway's internal token: ``sub``, ``agency``, ``purpose``)."""

    db: Database
    loaders: Any
    caller: dict[str, Any] = field(default_factory=dict)
    # the gateway's X-Lienthong-Write-Key of a mutation (subgraphs.common.write_keys): a replay writes nothing
    write_key: str | None = None


class _GraphQLApp(GraphQL):
    def __init__(self, schema: strawberry.Schema, db: Database, make_loaders: Callable[[Database], Any]) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=False)
        self.db = db
        self.make_loaders = make_loaders

    # orjson both ways: the stdlib json encoder was ~15 % of a 200-person _entities answer's CPU (issue 13); the
    # bytes are the same JSON (UTF-8 instead of \u escapes), read alike by Apollo Gateway and ours
    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def get_context(self, request: Any, response: Any) -> SubgraphContext:  # type: ignore[override]
        caller = request.scope.get("state", {}).get("caller", {})
        return SubgraphContext(db=self.db, loaders=self.make_loaders(self.db), caller=caller,
                               write_key=request.headers.get(WRITE_KEY_HEADER))


def create_subgraph_app(
    schema: strawberry.Schema,
    settings: SubgraphSettings,
    make_loaders: Callable[[Database], Any],
    *,
    db: Database | None = None,
    verifier: InternalTokenVerifier | None = None,
    telemetry: Telemetry | None = None,
) -> Starlette:
    """Build a subgraph's app. ``db`` and ``verifier`` default to ones built from ``settings``, ``telemetry``
    to the ``OTEL_*`` environment (traces off without an endpoint; ``subgraphs.common.telemetry``)."""
    env = dict(os.environ)  # read once, at build time: a bad GATEWAY_LOG_* or OTEL_* value refuses to start
    log_format(env)
    log_level(env)
    telemetry = telemetry or Telemetry.from_env(env, f"lienthong-{settings.name.replace('_', '-')}")
    db = db or Database(settings.database_url)
    instrument_engine(telemetry, db.engine.sync_engine, db.engine.dialect.name)  # SQL spans (no-op when off)
    verifier = verifier or InternalTokenVerifier.from_file(
        settings.internal_jwks_file, settings.internal_issuer, settings.audience
    )
    graphql_app = _GraphQLApp(schema, db, make_loaders)

    async def healthz(_: Request) -> JSONResponse:
        try:
            await db.ping()
        except Exception as exc:  # health reports any database failure
            return JSONResponse({"status": "down", "subgraph": settings.name, "error": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "subgraph": settings.name})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # here, not at build time: uvicorn installs its own log handlers in between, which this reroutes
        configure_logging(env, settings.name, default_level="warning")
        # What exists at start-up (modules, the schema, ORM metadata) lives as long as the process: frozen out of
        # the collector's generations, collections stop re-walking it; a 200-person _entities answer allocates
        # enough objects to trigger ~150 collections, which cost 15 % of its CPU before (issue 13).
        gc.freeze()
        yield
        await db.dispose()
        telemetry.shutdown()

    app = Starlette(
        routes=[Route("/healthz", healthz), Route("/graphql", graphql_app, methods=["POST"])],
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    app.add_middleware(InternalAuthMiddleware, verifier=verifier)
    app.add_middleware(RequestContextMiddleware, telemetry=telemetry, subgraph=settings.name)  # outermost
    app.state.telemetry = telemetry
    return app
