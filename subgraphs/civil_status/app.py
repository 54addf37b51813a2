"""The civil-status subgraph's ASGI application (port 4002)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from subgraphs.common.app import _GraphQLApp, create_subgraph_app
from subgraphs.common.db import Database
from subgraphs.common.internal_auth import InternalAuthMiddleware, InternalTokenVerifier
from subgraphs.common.settings import SubgraphSettings

from .loaders import make_loaders
from .schema import schema

NAME = "civil_status"


def create_app(
    settings: SubgraphSettings | None = None,
    db: Database | None = None,
    verifier: InternalTokenVerifier | None = None,
) -> Starlette:
    """Build the app; ``settings`` default to the environment (``CIVIL_STATUS_*``, see common.settings)."""
    settings = settings or SubgraphSettings.from_env(NAME)
    db = db or Database(settings.database_url)
    verifier = verifier or InternalTokenVerifier.from_file(
        settings.internal_jwks_file, settings.internal_issuer, settings.audience
    )
    try:
        return create_subgraph_app(schema, settings, make_loaders, db=db, verifier=verifier)
    except TypeError:
        # subgraphs.common.app passes Starlette(on_shutdown=...), which Starlette 1.x removed. Until the shared
        # helper is fixed (reported to the lead), build the same app with a lifespan.
        return _app_with_lifespan(settings, db, verifier)


def _app_with_lifespan(settings: SubgraphSettings, db: Database, verifier: InternalTokenVerifier) -> Starlette:
    """What ``create_subgraph_app`` builds: ``POST /graphql`` behind internal auth, open ``GET /healthz``."""

    async def healthz(_: Request) -> JSONResponse:
        try:
            await db.ping()
        except Exception as exc:  # health reports any database failure
            return JSONResponse({"status": "down", "subgraph": settings.name, "error": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "subgraph": settings.name})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await db.dispose()

    graphql_app = _GraphQLApp(schema, db, make_loaders)
    app = Starlette(
        routes=[Route("/healthz", healthz), Route("/graphql", graphql_app, methods=["POST"])],
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    app.add_middleware(InternalAuthMiddleware, verifier=verifier)
    return app
