"""Serving a subgraph with uvicorn: one process, or several on one port (``<NAME>_WORKERS`` / ``SUBGRAPH_WORKERS``).

A subgraph is stateless between requests (its caches are per process: parsed documents, loaders per request), so
more processes on the same port are how it uses more cores. ``<NAME>_WORKERS`` (e.g. ``POPULATION_WORKERS``)
wins over ``SUBGRAPH_WORKERS``, which applies to the three subgraphs; the default is 1. With more than one,
uvicorn's supervisor binds the port once, starts that many worker processes that each build the app from the
environment through ``factory`` (``module:create_app``, called with no argument), restarts a worker that dies,
and on SIGTERM / SIGINT stops them gracefully (in-flight requests finish, ``timeout_graceful_shutdown``). What
must happen once, the schema migration, happens in the supervising process before any worker starts.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

from .migrations import upgrade
from .settings import ConfigError, SubgraphSettings, parse_int

GRACEFUL_SHUTDOWN_S = 10


def workers(name: str, env: Mapping[str, str]) -> int:
    """Processes to run for subgraph ``name``: ``<NAME>_WORKERS``, else ``SUBGRAPH_WORKERS``, else 1."""
    own = f"{name.upper()}_WORKERS"
    if (env.get(own) or "").strip():
        return parse_int(env, own, 1, 1)
    return parse_int(env, "SUBGRAPH_WORKERS", 1, 1)


def serve(name: str, factory: str, create_app: Callable[[SubgraphSettings], object], *, migrate: bool = True,
          env: Mapping[str, str] | None = None) -> int:
    """Serve subgraph ``name`` until interrupted; a bad setting exits with status 2 and its message.

    ``factory`` is the import path of ``create_app`` (what worker processes call); ``create_app`` builds the
    app in this process when there is a single worker. ``migrate``: bring the schema up to date first."""
    import os

    import uvicorn

    env = os.environ if env is None else env
    try:
        settings = SubgraphSettings.from_env(name, env)
        count = workers(name, env)
    except ConfigError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    if migrate:
        upgrade(name, settings.database_url)  # once, before any worker serves
    common = {"host": settings.host, "port": settings.port, "log_level": "info",
              "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S}
    if count > 1:
        uvicorn.run(factory, factory=True, workers=count, **common)  # type: ignore[arg-type]
    else:
        uvicorn.run(create_app(settings), **common)  # type: ignore[arg-type]
    return 0
