"""bench.inprocess drives an ASGI app directly: the request it builds reaches the app whole, and the status is
what the app answered."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.inprocess import _post


async def test_a_post_reaches_the_app_with_its_body_and_headers() -> None:
    seen: dict[str, Any] = {}

    async def graphql(request: Request) -> JSONResponse:
        seen["body"] = await request.body()
        seen["purpose"] = request.headers.get("x-purpose")
        return JSONResponse({"data": None}, status_code=418 if seen["body"] == b"teapot" else 200)

    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
    assert await _post(app, b'{"query": "{ a }"}', {"X-Purpose": "statistics"}) == 200
    assert seen == {"body": b'{"query": "{ a }"}', "purpose": "statistics"}
    assert await _post(app, b"teapot", {}) == 418
