"""Log lines (issue 12): one JSON object per line (or text) with the request id and the trace id, in the gateway
and in the subgraphs; ``GATEWAY_LOG_FORMAT`` chosen at start-up, JSON by default in production."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from gateway.server import Gateway, create_app
from gateway.server.trivial import AllowAllPolicy, HeaderAuthenticator, NullAudit
from gateway.supergraph import load_supergraph
from subgraphs.common.logs import SERVER_LOGGERS, configure_logging, log_format
from subgraphs.common.settings import ConfigError
from subgraphs.common.telemetry import RequestContextMiddleware, Telemetry
from tests.fixtures.harness import AUTH, SUPERGRAPH, Cluster, start_cluster


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging changes the root logger and uvicorn's: put them back for the other tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    servers = {name: (list(logging.getLogger(name).handlers), logging.getLogger(name).propagate)
               for name in SERVER_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, (server_handlers, propagate) in servers.items():
        logging.getLogger(name).handlers[:] = server_handlers
        logging.getLogger(name).propagate = propagate


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    c = start_cluster(tmp_path_factory.mktemp("keys"))
    yield c
    c.close()


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_format_defaults_and_refusals() -> None:
    assert log_format({}) == "text"
    assert log_format({"GATEWAY_ENV": "production"}) == "json"
    assert log_format({"GATEWAY_ENV": "production", "GATEWAY_LOG_FORMAT": "Text"}) == "text"
    assert log_format({"GATEWAY_LOG_FORMAT": "json"}) == "json"
    with pytest.raises(ConfigError, match="GATEWAY_LOG_FORMAT"):
        log_format({"GATEWAY_LOG_FORMAT": "xml"})
    with pytest.raises(ConfigError, match="GATEWAY_LOG_LEVEL"):
        configure_logging({"GATEWAY_LOG_LEVEL": "loud"}, "gateway", io.StringIO())


def test_json_lines_outside_and_inside_a_span() -> None:
    stream = io.StringIO()
    assert configure_logging({"GATEWAY_LOG_FORMAT": "json"}, "gateway", stream) == "json"
    configure_logging({"GATEWAY_LOG_FORMAT": "json"}, "gateway", stream)  # again: replaced, not duplicated
    log = logging.getLogger("lienthong.test")
    log.warning("start-up: %s", "Tòa án nhân dân tối cao")
    telemetry = Telemetry.with_exporter(InMemorySpanExporter(), "test")
    with telemetry.span("work") as span:
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed")
    logging.getLogger("uvicorn.error").warning("server line")  # uvicorn's loggers go through the same handler
    outside, inside, server = _lines(stream)
    assert outside["message"] == "start-up: Tòa án nhân dân tối cao" and outside["level"] == "WARNING"
    assert outside["logger"] == "lienthong.test" and outside["service"] == "gateway"
    assert outside["request_id"] is None and outside["trace_id"] is None and outside["time"].endswith("Z")
    assert inside["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert inside["span_id"] == format(span.get_span_context().span_id, "016x")
    assert "ValueError: boom" in inside["exception"]
    assert server["logger"] == "uvicorn.error"


async def test_gateway_lines_carry_request_and_trace_ids(cluster: Cluster) -> None:
    """A warning logged deep in execution (a subgraph failing) names the request and its trace."""
    stream = io.StringIO()
    configure_logging({"GATEWAY_LOG_FORMAT": "json"}, "gateway", stream)
    cluster.reset()
    exporter = InMemorySpanExporter()
    settings = cluster.settings()
    gateway = Gateway(settings, load_supergraph(SUPERGRAPH, settings), authenticator=HeaderAuthenticator(),
                      policy=AllowAllPolicy(), audit=NullAudit(), minter=cluster.minter,
                      telemetry=Telemetry.with_exporter(exporter, "lienthong-gateway"))
    await gateway.start()
    cluster.states["records"].fail_status = 503
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(gateway)),
                                     base_url="http://gw") as client:
            r = await client.post("/graphql", json={"query": '{ person(id: "1") { name records { id } } }'},
                                  headers={**AUTH, "x-request-id": "req-logs-1"})
    finally:
        await gateway.close()
        cluster.reset()
    assert r.status_code == 200 and r.headers["x-request-id"] == "req-logs-1"
    lines = [line for line in _lines(stream) if line["logger"] == "lienthong.gateway.execution"]
    assert lines, stream.getvalue()
    root = next(s for s in exporter.get_finished_spans() if s.name == "graphql.request")
    assert all(line["request_id"] == "req-logs-1" for line in lines)
    assert all(line["trace_id"] == format(root.context.trace_id, "032x") for line in lines)


async def test_text_lines_and_request_id_while_tracing_is_off(cluster: Cluster) -> None:
    stream = io.StringIO()
    configure_logging({}, "gateway", stream)
    cluster.reset()
    gateway = cluster.gateway()
    await gateway.start()
    cluster.states["records"].fail_status = 503
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(gateway)),
                                     base_url="http://gw") as client:
            await client.post("/graphql", json={"query": '{ person(id: "1") { name records { id } } }'},
                              headers={**AUTH, "x-request-id": "req-logs-2"})
    finally:
        await gateway.close()
        cluster.reset()
    lines = [line for line in stream.getvalue().splitlines() if "lienthong.gateway.execution" in line]
    assert lines and all("[req-logs-2 -]" in line for line in lines), stream.getvalue()


async def test_subgraph_lines_carry_the_gateways_request_and_trace() -> None:
    """The subgraph middleware: X-Request-Id and the continued traceparent on every line of the request."""
    stream = io.StringIO()
    configure_logging({"GATEWAY_LOG_FORMAT": "json"}, "population", stream)
    log = logging.getLogger("lienthong.subgraph.test")

    async def graphql(_: Request) -> PlainTextResponse:
        log.info("resolving")
        return PlainTextResponse("ok")

    exporter = InMemorySpanExporter()
    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
    app.add_middleware(RequestContextMiddleware, telemetry=Telemetry.with_exporter(exporter, "population"),
                       subgraph="population")
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sg") as client:
        await client.post("/graphql", headers={"x-request-id": "req-sg-1",
                                               "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})
    log.info("after the request")
    during, after = [line for line in _lines(stream) if line["logger"] == "lienthong.subgraph.test"]
    assert during["request_id"] == "req-sg-1" and during["trace_id"] == trace_id
    assert during["service"] == "population"
    assert after["request_id"] is None and after["trace_id"] is None
    (span,) = exporter.get_finished_spans()
    assert span.name == "graphql.request" and span.attributes["http.response.status_code"] == 200
