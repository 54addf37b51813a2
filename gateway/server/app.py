"""HTTP surface: ``/graphql`` (POST, GET queries, GraphiQL for browsers), ``/healthz``, ``/readyz``, ``/metrics``."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import GatewayError
from ..pipeline import GraphQLRequest, GraphQLResponse
from ..request_ids import sanitize_request_id
from .gateway import Gateway
from .graphiql import GraphiQLAssets, graphiql_response, graphiql_routes, wants_html

PLAN_HEADER = "x-lienthong-plan"


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


class BodyTooLarge(Exception):
    """The body (declared or streamed so far) is past ``GATEWAY_MAX_BODY_BYTES``."""


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it is known to exceed ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused before one byte is read; otherwise the body is counted
    while it streams, so a chunked body or a lying ``Content-Length`` is refused after ``limit`` bytes, never
    read whole into memory first.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(gateway: Gateway) -> Starlette:
    """The ASGI app serving ``gateway``; its lifespan opens and closes the subgraph session."""
    settings = gateway.settings
    graphiql_assets = GraphiQLAssets()

    def _request(request: Request, method: str, request_id: str, **fields: Any) -> GraphQLRequest:
        return GraphQLRequest(headers=request.headers, method=method, request_id=request_id,
                              want_plan=request.headers.get(PLAN_HEADER) == "1", **fields)

    def _respond(response: GraphQLResponse, request_id: str, started: float) -> Response:
        gateway.metrics.observe_request(response.outcome, time.perf_counter() - started)
        headers = {"x-request-id": request_id, **response.headers}
        if response.status == 401:
            headers["www-authenticate"] = "Bearer"
        return _json(response.body, response.status, headers)

    async def refuse(request: Request, method: str, request_id: str, started: float, message: str,
                     status: int = 400) -> Response:
        # Refused before the pipeline's stages, but recorded in the audit trail like every other request.
        error = GatewayError("BAD_USER_INPUT", message, status)
        response = await gateway.pipeline.refuse(_request(request, method, request_id, query=None), error)
        return _respond(response, request_id, started)

    async def run(request: Request, payload: dict[str, Any], method: str, request_id: str,
                  started: float) -> Response:
        variables = payload.get("variables")
        if isinstance(variables, str):  # GET passes JSON text; some POST clients do too
            try:
                variables = orjson.loads(variables) if variables else None
            except orjson.JSONDecodeError:
                return await refuse(request, method, request_id, started, "`variables` is not valid JSON.")
        extensions = payload.get("extensions")
        if isinstance(extensions, str):  # GET: persisted queries send their extensions as JSON text
            try:
                extensions = orjson.loads(extensions) if extensions else None
            except orjson.JSONDecodeError:
                return await refuse(request, method, request_id, started, "`extensions` is not valid JSON.")
        if extensions is not None and not isinstance(extensions, dict):
            return await refuse(request, method, request_id, started, "`extensions` must be an object.")
        operation_name = payload.get("operationName") or None
        query = payload.get("query")
        if (query is not None and not isinstance(query, str)) or (
                operation_name is not None and not isinstance(operation_name, str)):
            return await refuse(request, method, request_id, started,
                                "`query` and `operationName` must be strings.")
        response = await gateway.handle(_request(
            request, method, request_id, query=query, operation_name=operation_name, variables=variables,
            extensions=extensions,
        ))
        return _respond(response, request_id, started)

    async def graphql_get(request: Request, request_id: str, started: float) -> Response:
        params = request.query_params
        if "query" not in params and "extensions" not in params and wants_html(request.headers.get("accept", "")):
            return graphiql_response(request, settings, graphiql_assets)
        return await run(request, dict(params), "GET", request_id, started)

    async def graphql_post(request: Request, request_id: str, started: float) -> Response:
        limit = settings.max_body_bytes
        try:
            body = await read_body(request, limit)
        except BodyTooLarge:
            return await refuse(request, "POST", request_id, started,
                                f"Request body larger than {limit} bytes.", 413)
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return await refuse(request, "POST", request_id, started, "The request body is not valid JSON.")
        if isinstance(payload, list):
            # Batching would multiply the work of one request and complicate per-request audit: refused.
            return await refuse(request, "POST", request_id, started,
                                "Batched operations are not supported: send one operation per request.")
        if not isinstance(payload, dict):
            return await refuse(request, "POST", request_id, started, "The request body must be a JSON object.")
        return await run(request, payload, "POST", request_id, started)

    async def graphql(request: Request) -> Response:
        started = time.perf_counter()
        request_id = sanitize_request_id(request.headers.get("x-request-id"))
        if request.method == "GET":
            return await graphql_get(request, request_id, started)
        return await graphql_post(request, request_id, started)

    async def healthz(_: Request) -> Response:
        return _json({"status": "ok"})

    async def readyz(_: Request) -> Response:
        subgraphs = await gateway.readiness()
        ready = all(v == "ok" for v in subgraphs.values())
        body: dict[str, Any] = {"status": "ready" if ready else "not ready", "subgraphs": subgraphs}
        policy_status = getattr(getattr(gateway.hooks[1], "service", None), "status", None)
        if policy_status is not None:  # the version served and a refused reload, if any (gateway.policy)
            body["policy"] = policy_status()
        return _json(body, 200 if ready else 503)

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
            *graphiql_routes(settings, graphiql_assets),
        ],
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    return app
