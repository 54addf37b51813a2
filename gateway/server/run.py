"""Entry points behind the CLI: ``serve`` (uvicorn) and ``plan`` (print a query plan)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from subgraphs.common.logs import configure_logging

from ..config import ConfigError, GatewaySettings
from ..supergraph import SupergraphError, load_supergraph


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
    return create_app(Gateway(settings, supergraph, authenticator=hooks.authenticator, policy=hooks.policy,
                              audit=hooks.audit, transports=hooks.transports, telemetry=telemetry))


def build_worker_app():  # type: ignore[no-untyped-def]
    """The app of one ``GATEWAY_WORKERS`` process (a fresh interpreter: its own log handler and tracer)."""
    return build_app_from_env(configure_logs=True)


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
    if settings.workers > 1:
        # Each worker process builds its own app from the same environment (checked once above, so a bad value
        # fails here, not in every worker); rate-limit buckets are then shared only through GATEWAY_REDIS_URL.
        uvicorn.run("gateway.server.run:build_worker_app", factory=True, workers=settings.workers, host=host,
                    port=port, log_level="warning", access_log=False, lifespan="on", log_config=None)
        return 0
    # log_config=None: uvicorn keeps its hands off logging, so its lines go through our handler (one format)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on", log_config=None)
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
