"""Entry points behind the CLI: ``serve`` (uvicorn) and ``plan`` (print a query plan).

``GATEWAY_WORKERS=N`` (N > 1) runs N gateway processes on one port: uvicorn's supervisor binds the socket once and
starts N workers, each building its own app (its own document, plan and decision caches) from the environment
through :func:`build_worker_app`. They share the audit chain, which is multi-process safe (the writer lock:
``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL; signed checkpoints under the same lock), and the
rate-limit budgets only through ``GATEWAY_REDIS_URL``. What must happen once happens in the supervising process
before any worker starts: the configuration check (a bad value fails once, with its message), the development
caller key and the internal signing key (two workers creating them at once would each write a different key).
SIGTERM / SIGINT stop the workers gracefully: in-flight requests finish (at most ``GRACEFUL_SHUTDOWN_S``), then
each worker's shutdown flushes its queued audit records. Outside production every response names the process
that served it (``X-Gateway-Worker: <pid>``), so a test or a developer can see the workers share the load.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from subgraphs.common.logs import configure_logging

from ..config import ConfigError, GatewaySettings
from ..keys import key_paths, load_or_create_internal_key
from ..supergraph import SupergraphError, load_supergraph
from .heap import settle_heap

GRACEFUL_SHUTDOWN_S = 10  # in-flight requests get this long on SIGTERM


def build_app_from_env(settings: GatewaySettings | None = None, *,
                       configure_logs: bool = False):  # type: ignore[no-untyped-def]
    """The ASGI app configured from the environment (hooks chosen by :func:`wiring.build_hooks`; traces by the
    ``OTEL_*`` variables, :mod:`gateway.telemetry`). ``configure_logs``: install the process's log handler
    (``GATEWAY_LOG_FORMAT``), as ``serve`` and every worker process do."""
    from ..telemetry import Telemetry
    from .app import create_app
    from .gateway import Gateway
    from .wiring import build_hooks

    settings = settings or GatewaySettings.from_env()
    if configure_logs:
        configure_logging(settings.raw_env, "gateway")
    telemetry = Telemetry.from_env(settings.raw_env, "lienthong-gateway")
    supergraph = load_supergraph(settings.supergraph_path, settings)
    hooks = build_hooks(settings, supergraph)
    app = create_app(Gateway(settings, supergraph, authenticator=hooks.authenticator, policy=hooks.policy,
                             audit=hooks.audit, transports=hooks.transports, telemetry=telemetry,
                             resources=hooks.resources, writes=hooks.writes))
    if settings.env != "production":  # a process id is nobody's business in production
        app.add_middleware(WorkerHeader)
    return app


class WorkerHeader:
    """ASGI middleware: ``X-Gateway-Worker: <pid>`` on every HTTP response (which worker served it)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.header = (b"x-gateway-worker", str(os.getpid()).encode())

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_pid(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), self.header]
            await send(message)

        await self.app(scope, receive, send_with_pid)


def build_worker_app():  # type: ignore[no-untyped-def]
    """The app of one ``GATEWAY_WORKERS`` process (a fresh interpreter: its own log handler and tracer)."""
    app = build_app_from_env(configure_logs=True)
    settle_heap()
    return app


def serve(host: str | None = None, port: int | None = None) -> int:
    """Serve until interrupted; configuration errors exit with status 2 and a clear message."""
    import uvicorn

    try:
        settings = GatewaySettings.from_env()
        app = build_app_from_env(settings, configure_logs=True)
    except (ConfigError, SupergraphError) as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 2
    host = host or settings.host
    port = port or settings.port
    print(f"gateway ({settings.env}, {settings.workers} worker(s)) listening on http://{host}:{port}/graphql",
          flush=True)
    # log_config=None: uvicorn keeps its hands off logging, so its lines go through our handler (one format)
    common: dict[str, Any] = {"host": host, "port": port, "log_level": "warning", "access_log": False,
                              "lifespan": "on", "log_config": None,
                              "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S}
    if settings.workers > 1:
        # The app built above checked the configuration and created the development key; the internal key is
        # created here too (a worker creates it at start-up otherwise, and two would race). Each worker then
        # builds its own app from the same environment.
        load_or_create_internal_key(*key_paths(dict(settings.raw_env)))
        del app
        uvicorn.run("gateway.server.run:build_worker_app", factory=True, workers=settings.workers, **common)
        return 0
    settle_heap()  # what start-up built lives as long as the process (heap.py)
    uvicorn.run(app, **common)
    return 0


def print_plan(file: str, operation: str | None, variables: str | None, supergraph_path: str | None,
               as_json: bool) -> int:
    """Print the plan of the operation in ``file`` (exit 1 with the error on invalid input)."""
    from ..errors import GatewayError
    from ..planning import Planner, PlanningError
    from ..supergraph.documents import DocumentCache

    settings = GatewaySettings.from_env({**_env(), "GATEWAY_INTROSPECTION": "true"})
    try:
        supergraph = load_supergraph(Path(supergraph_path) if supergraph_path else settings.supergraph_path)
    except SupergraphError as exc:
        print(f"plan: {exc}", file=sys.stderr)
        return 2
    documents = DocumentCache(supergraph.api_schema, max_depth=10_000, max_fields=10_000_000)
    try:
        parsed = documents.get(Path(file).read_text(encoding="utf-8"), operation)
        plan = Planner(supergraph).plan(parsed, json.loads(variables) if variables else {})
    except GatewayError as exc:
        for error in exc.to_errors():
            print(f"plan: {error['message']}", file=sys.stderr)
        return 1
    except (PlanningError, OSError, json.JSONDecodeError) as exc:
        print(f"plan: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False) if as_json else plan.pretty())
    return 0


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
