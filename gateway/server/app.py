"""HTTP surface: ``/graphql`` (POST, GET queries, GraphiQL for browsers), ``/healthz``, ``/readyz``, ``/metrics``."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..errors import GatewayError
from ..pipeline import GraphQLRequest
from .gateway import Gateway
from .graphiql import graphiql_html, wants_html

PLAN_HEADER = "x-lienthong-plan"


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _bad_request(message: str, status: int = 400) -> Response:
    return _json({"errors": GatewayError("BAD_USER_INPUT", message).to_errors()}, status)


def create_app(gateway: Gateway) -> Starlette:
    """The ASGI app serving ``gateway``; its lifespan opens and closes the subgraph session."""
    settings = gateway.settings

    async def run(request: Request, payload: dict[str, Any], method: str) -> Response:
        started = time.perf_counter()
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        variables = payload.get("variables")
        if isinstance(variables, str):  # GET passes JSON text; some POST clients do too
            try:
                variables = orjson.loads(variables) if variables else None
            except orjson.JSONDecodeError:
                return _bad_request("`variables` is not valid JSON.")
        operation_name = payload.get("operationName") or None
        query = payload.get("query")
        if (query is not None and not isinstance(query, str)) or (
                operation_name is not None and not isinstance(operation_name, str)):
            return _bad_request("`query` and `operationName` must be strings.")
        response = await gateway.handle(GraphQLRequest(
            query=query, operation_name=operation_name, variables=variables, headers=request.headers,
            method=method, request_id=request_id, want_plan=request.headers.get(PLAN_HEADER) == "1",
        ))
        gateway.metrics.observe_request(response.outcome, time.perf_counter() - started)
        headers = {"x-request-id": request_id}
        if response.status == 401:
            headers["www-authenticate"] = "Bearer"
        return _json(response.body, response.status, headers)

    async def graphql_get(request: Request) -> Response:
        params = request.query_params
        if "query" not in params and wants_html(request.headers.get("accept", "")):
            return HTMLResponse(graphiql_html(str(request.url.path)))
        return await run(request, dict(params), "GET")

    async def graphql_post(request: Request) -> Response:
        body = await request.body()
        if len(body) > settings.max_body_bytes:
            return _bad_request(f"Request body larger than {settings.max_body_bytes} bytes.", 413)
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return _bad_request("The request body is not valid JSON.")
        if isinstance(payload, list):
            # Batching would multiply the work of one request and complicate per-request audit: refused.
            return _bad_request("Batched operations are not supported: send one operation per request.")
        if not isinstance(payload, dict):
            return _bad_request("The request body must be a JSON object.")
        return await run(request, payload, "POST")

    async def graphql(request: Request) -> Response:
        if request.method == "GET":
            return await graphql_get(request)
        return await graphql_post(request)

    async def healthz(_: Request) -> Response:
        return _json({"status": "ok"})

    async def readyz(_: Request) -> Response:
        subgraphs = await gateway.readiness()
        ready = all(v == "ok" for v in subgraphs.values())
        return _json({"status": "ready" if ready else "not ready", "subgraphs": subgraphs}, 200 if ready else 503)

    async def metrics(_: Request) -> Response:
        return Response(gateway.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.close()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
        ],
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    return app
