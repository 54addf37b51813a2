"""ASGI application of the population subgraph."""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.common.app import create_subgraph_app
from subgraphs.common.db import Database
from subgraphs.common.internal_auth import InternalTokenVerifier
from subgraphs.common.settings import SubgraphSettings

from . import restrictions
from .loaders import make_loaders
from .schema import schema

NAME = "population"


def create_app(
    settings: SubgraphSettings | None = None,
    db: Database | None = None,
    verifier: InternalTokenVerifier | None = None,
) -> Starlette:
    """Build the app; ``settings`` default to the environment (``POPULATION_*``, see subgraphs.common.settings)."""
    settings = settings or SubgraphSettings.from_env(NAME)
    app = create_subgraph_app(schema, settings, make_loaders, db=db, verifier=verifier)
    restrictions.install(app, app.state.db)  # POST /internal/restrictions: the gateway's call, not the API
    return app
