"""The notifier as a process like the exchange runners: the :class:`~.notify.Notifier` in the background,
``/healthz`` and ``/metrics`` on ``LT_NOTIFY_HOST``:``LT_NOTIFY_PORT`` (default 127.0.0.1 and the gateway's port
+ 10: 4010, as each exchange runner sits at its subgraph's port + 10).

``python -m subgraphs.common.exchange.notify --subscriptions FILE [--gateway URL]`` serves it; ``make run``
(``gateway dev``) starts it beside the exchange runners with a subscription of the demo procuracy, docker-compose
and the Kubernetes manifests run it as ``notifier``.

Metrics (registry of its own): ``lienthong_notify_events_total{outcome}`` (``sent``, ``nobody``, ``ignored``,
``rejected``, ``retried``), ``lienthong_notify_sent_total{agency}``, ``lienthong_notify_subscriptions``,
``lienthong_notify_nats_connected``. ``/healthz`` is 200 while the process runs: NATS or the gateway unreachable
are states it is built for (nothing is acknowledged, the events wait in the stream); it says which.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from subgraphs.common.settings import parse_int

from .link import NatsLink
from .notify import Notifier

DEFAULT_GATEWAY_PORT = 4000


@dataclass(frozen=True, slots=True)
class NotifyAddress:
    """Where the notifier serves ``/healthz`` and ``/metrics``."""

    host: str
    port: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> NotifyAddress:
        """``LT_NOTIFY_HOST`` (127.0.0.1), ``LT_NOTIFY_PORT`` (``GATEWAY_PORT`` + 10)."""
        gateway_port = parse_int(env, "GATEWAY_PORT", DEFAULT_GATEWAY_PORT, 1)
        return cls(env.get("LT_NOTIFY_HOST", "127.0.0.1"), parse_int(env, "LT_NOTIFY_PORT", gateway_port + 10, 0))

    @property
    def health_url(self) -> str:
        return f"http://{self.host}:{self.port}/healthz"


class NotifyMetrics:
    """``lienthong_notify_*`` on a registry of its own (no global state)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter("lienthong_notify_events_total", "Enforcement events the notifier handled, by outcome.",
                              ["outcome"], registry=self.registry)
        self.sent = Counter("lienthong_notify_sent_total", "Notifications published to an agency's subject.",
                            ["agency"], registry=self.registry)
        self.subscriptions = Gauge("lienthong_notify_subscriptions", "Subscriptions the notifier serves.",
                                   registry=self.registry)
        self.connected = Gauge("lienthong_notify_nats_connected", "1 while the notifier holds a connection to NATS.",
                               registry=self.registry)


def create_app(notifier: Notifier, metrics: NotifyMetrics | None = None) -> Starlette:
    """The notifier's process: the consumer in the lifespan, ``/healthz`` and ``/metrics``."""
    metrics = metrics or NotifyMetrics()
    notifier.metrics = metrics
    metrics.subscriptions.set(len(notifier.subscriptions))
    link = NatsLink(notifier.settings)

    async def metrics_view(_: Request) -> Response:
        metrics.connected.set(1 if link.connected else 0)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "exchange": "notifier", "subscriptions": len(notifier.subscriptions),
                             "nats": "connected" if link.connected else "unreachable"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(notifier.run(link, stop))
        yield
        stop.set()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, timeout=5)
        await link.close()

    app = Starlette(routes=[Route("/metrics", metrics_view), Route("/healthz", healthz)], lifespan=lifespan)
    app.state.notifier = notifier
    return app


def write_subscriptions(directory: Path, entries: list[tuple[str, str, str | None, str]]) -> Path:
    """Write a subscriptions file (``notify.load_subscriptions``) for ``(agency, purpose, legal basis, token)``
    entries into ``directory``, each token in a file of its own readable by the owner only; returns its path
    (``make run``: the demo procuracy supervising enforcement subscribes with its dev token)."""
    directory.mkdir(parents=True, exist_ok=True)
    listed = []
    for agency, purpose, legal_basis, token in entries:
        token_file = directory / f"{agency}.token"
        token_file.touch(mode=0o600, exist_ok=True)
        token_file.write_text(token, encoding="utf-8")
        listed.append({"agency": agency, "purpose": purpose, "tokenFile": str(token_file),
                       **({"legalBasis": legal_basis} if legal_basis else {})})
    path = directory / "subscriptions.json"
    path.write_bytes(orjson.dumps(listed, option=orjson.OPT_INDENT_2))
    return path
