"""The exchange process of one subgraph: its relay and its consumer, with ``/metrics`` and ``/healthz``.

``python -m subgraphs.common.exchange <name>`` serves it on ``<NAME>_HOST``:``<NAME>_EXCHANGE_PORT`` (4011,
4012, 4013 by default); ``make run`` starts one per subgraph that has a ``subgraphs/<name>/exchange.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from subgraphs.common.db import Database
from subgraphs.common.settings import ExchangeSettings, SubgraphSettings

from . import ExchangeSpec
from .consumer import Consumer
from .link import NatsLink
from .metrics import ExchangeMetrics
from .relay import Relay


def load_spec(name: str) -> ExchangeSpec | None:
    """``subgraphs.<name>.exchange.exchange_spec()``, or None when the subgraph takes no part."""
    try:
        module = importlib.import_module(f"subgraphs.{name}.exchange")
    except ModuleNotFoundError as exc:
        if exc.name in (f"subgraphs.{name}", f"subgraphs.{name}.exchange"):
            return None
        raise
    return module.exchange_spec()


@dataclass
class ExchangeRunner:
    """The relay (if the subgraph has an outbox) and the consumer (if it has handlers) of subgraph ``name``."""

    name: str
    spec: ExchangeSpec
    db: Database
    settings: ExchangeSettings
    metrics: ExchangeMetrics

    def __post_init__(self) -> None:
        self.link = NatsLink(self.settings)
        self.relay = Relay(self.db, self.spec.outbox, self.settings, self.metrics) if self.spec.outbox is not None \
            else None
        self.consumer: Consumer | None = None
        if self.spec.handlers:
            if self.spec.inbox is None:
                raise ValueError(f"{self.name}: handlers need an inbox table (subgraphs.common.outbox.inbox_table)")
            self.consumer = Consumer(self.db, self.spec.inbox, self.name, self.spec.handlers, self.settings,
                                     self.metrics)

    async def run(self, stop: asyncio.Event) -> None:
        """Run relay and consumer until ``stop`` is set, then close the connection."""
        tasks = [asyncio.create_task(part.run(self.link, stop)) for part in (self.relay, self.consumer) if part]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await self.link.close()


def create_app(name: str, *, db: Database | None = None, settings: ExchangeSettings | None = None,
               spec: ExchangeSpec | None = None) -> Starlette:
    """The exchange process's app for subgraph ``name`` (defaults from the environment)."""
    settings = settings or ExchangeSettings.from_env(name)
    spec = spec or load_spec(name)
    if spec is None:
        raise SystemExit(f"subgraphs.{name} has no exchange module: nothing to relay or consume")
    db = db or Database(SubgraphSettings.from_env(name).database_url)
    runner = ExchangeRunner(name, spec, db, settings, ExchangeMetrics())

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(runner.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def healthz(_: Request) -> JSONResponse:
        try:
            await db.ping()
        except Exception as exc:  # the process is useless without its database
            return JSONResponse({"status": "down", "exchange": name, "error": type(exc).__name__}, status_code=503)
        # NATS being unreachable is a state this process is built for (the outbox waits): still healthy
        return JSONResponse({"status": "ok", "exchange": name,
                             "nats": "connected" if runner.link.connected else "unreachable"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        yield
        stop.set()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, timeout=5)
        await db.dispose()

    app = Starlette(routes=[Route("/metrics", metrics), Route("/healthz", healthz)], lifespan=lifespan)
    app.state.runner = runner
    return app
