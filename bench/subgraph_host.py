"""``python -m bench.subgraph_host NAME``: serve a subgraph exactly as ``python -m subgraphs.NAME`` does, plus counters.

The subgraphs expose no metrics of their own, and the harness must count, per client request and for every
target alike (our gateway, Apollo Gateway, the direct call), how many subgraph fetches and how many SQL statements
it cost. So the bench runs each subgraph's own ``create_app`` behind a thin ASGI wrapper that counts ``POST
/graphql`` requests and exposes them, with the subgraph's ``Database.statements`` counter, at
``GET /_bench/counters`` (JSON). Nothing else changes: same app, same settings from the environment, same
uvicorn; only the per-request access log is off (it is the same for every target, and costs CPU on 2 cores).

With ``BENCH_CAPTURE_DIR`` set, the bodies of the first ``BENCH_CAPTURE_COUNT`` (default 20) GraphQL requests
are also saved there (``<subgraph>-<n>.json``): what each gateway actually asks the subgraphs.
"""

from __future__ import annotations

import argparse
import importlib
import os
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from subgraphs.common.settings import SubgraphSettings

COUNTERS_PATH = "/_bench/counters"
SUBGRAPHS = ("population", "civil_status", "sentences")


class CountingApp:
    """Counts GraphQL requests reaching ``app`` and serves the counts (and SQL statements) as JSON."""

    def __init__(self, app: ASGIApp, name: str, capture_dir: Path | None = None, capture_count: int = 20) -> None:
        self.app = app
        self.name = name
        self.requests = 0
        self.capture_dir = capture_dir
        self.capture_count = capture_count

    def _statements(self) -> int:
        db: Any = getattr(getattr(self.app, "state", None), "db", None)
        return int(getattr(db, "statements", -1))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if scope["path"] == COUNTERS_PATH:
                body = orjson.dumps(
                    {"subgraph": self.name, "requests": self.requests, "statements": self._statements()}
                )
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": body})
                return
            if scope["path"] == "/graphql" and scope["method"] == "POST":
                self.requests += 1
                if self.capture_dir is not None and self.requests <= self.capture_count:
                    receive = self._capturing(receive, self.capture_dir / f"{self.name}-{self.requests}.json")
        await self.app(scope, receive, send)

    @staticmethod
    def _capturing(receive: Receive, path: Path) -> Receive:
        """``receive`` that also appends the request body to ``path``."""
        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                with path.open("ab") as fh:
                    fh.write(message.get("body", b""))
            return message

        return wrapped


def build(name: str) -> tuple[CountingApp, SubgraphSettings]:
    """The subgraph's own app (``subgraphs.<name>.app.create_app``) wrapped in a counter."""
    if name not in SUBGRAPHS:
        raise SystemExit(f"unknown subgraph {name!r}; one of {', '.join(SUBGRAPHS)}")
    module = importlib.import_module(f"subgraphs.{name}.app")
    settings = SubgraphSettings.from_env(name)
    capture = os.environ.get("BENCH_CAPTURE_DIR")
    if capture:
        Path(capture).mkdir(parents=True, exist_ok=True)
    count = int(os.environ.get("BENCH_CAPTURE_COUNT", "20"))
    return CountingApp(module.create_app(settings), name, Path(capture) if capture else None, count), settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.subgraph_host", description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=SUBGRAPHS)
    args = parser.parse_args(argv)
    app, settings = build(args.name)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
