"""OpenTelemetry traces for every process (gateway and subgraphs), off unless an OTLP endpoint is configured.

| variable | default | meaning |
|---|---|---|
| ``OTEL_EXPORTER_OTLP_ENDPOINT`` | unset: tracing off | OTLP/HTTP collector base URL (spans go to ``<base>/v1/traces``) |
| ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` | unset | full traces URL; also turns tracing on |
| ``OTEL_EXPORTER_OTLP_PROTOCOL`` | ``http/protobuf`` | the only protocol installed (``grpc`` refuses to start) |
| ``OTEL_SERVICE_NAME`` | ``lienthong-gateway``, ``lienthong-<subgraph>`` | ``service.name`` of the resource |
| ``OTEL_RESOURCE_ATTRIBUTES`` | none | extra resource attributes (``key=value,…``) |
| ``OTEL_TRACES_SAMPLER`` / ``_ARG`` | ``parentbased_always_on`` | also ``always_on``, ``always_off``, ``traceidratio``, ``parentbased_always_off``, ``parentbased_traceidratio`` (ratio in ``_ARG``) |
| ``OTEL_TRACES_EXPORTER`` | ``otlp`` | ``console`` (stdout, for a quick look) or ``none`` (off) |
| ``OTEL_SDK_DISABLED`` | ``false`` | ``true``: off whatever else is set |

The exporter itself honours ``OTEL_EXPORTER_OTLP_HEADERS``, ``_TIMEOUT``, ``_COMPRESSION`` and the batch
processor ``OTEL_BSP_*``.

Off means no tracer at all (:attr:`Telemetry.tracer` is ``None``): call sites test it, or use
:meth:`Telemetry.span`, which then returns a shared no-op context manager, so that no span object is made on the
hot path. The provider is never installed as OpenTelemetry's global one: each process builds one
:class:`Telemetry` at start-up and hands it to whoever makes spans.

Span attributes never carry personal data: coordinates, subgraph names, operation names, counts and statuses
only; argument values, variables, query text, SQL parameters and results never.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from .logs import REQUEST_ID
from .settings import ConfigError, parse_choice

SAMPLERS = ("always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
            "parentbased_traceidratio")
EXPORTERS = ("otlp", "console", "none")
PROPAGATOR = TraceContextTextMapPropagator()  # W3C traceparent/tracestate only: stateless, safe to share
_OFF = contextlib.nullcontext()  # reusable and immutable: what span() returns when tracing is off

__all__ = ["PROPAGATOR", "ConfigError", "Telemetry", "traceparent_context", "inject_traceparent"]


def _enabled(env: Mapping[str, str]) -> bool:
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = parse_choice(env, "OTEL_TRACES_EXPORTER", EXPORTERS, "otlp")
    if exporter == "none":
        return False
    if exporter == "console":
        return True
    return bool(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
                or env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip())


def _sampler(env: Mapping[str, str]) -> Any:
    from opentelemetry.sdk.trace import sampling

    name = parse_choice(env, "OTEL_TRACES_SAMPLER", SAMPLERS, "parentbased_always_on")
    if name.endswith("traceidratio"):
        raw = env.get("OTEL_TRACES_SAMPLER_ARG", "1.0").strip() or "1.0"
        try:
            ratio = float(raw)
        except ValueError as exc:
            raise ConfigError(f"OTEL_TRACES_SAMPLER_ARG={raw!r}: expected a ratio between 0 and 1") from exc
        if not 0.0 <= ratio <= 1.0:
            raise ConfigError(f"OTEL_TRACES_SAMPLER_ARG={raw!r}: expected a ratio between 0 and 1")
        return (sampling.ParentBasedTraceIdRatio(ratio) if name.startswith("parentbased")
                else sampling.TraceIdRatioBased(ratio))
    return {"always_on": sampling.ALWAYS_ON, "always_off": sampling.ALWAYS_OFF,
            "parentbased_always_on": sampling.DEFAULT_ON, "parentbased_always_off": sampling.DEFAULT_OFF}[name]


def _resource(env: Mapping[str, str], default_service: str) -> Any:
    from opentelemetry.sdk.resources import Resource

    attributes: dict[str, str] = {}
    for item in env.get("OTEL_RESOURCE_ATTRIBUTES", "").split(","):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            attributes[key.strip()] = value.strip()
    attributes["service.name"] = env.get("OTEL_SERVICE_NAME", "").strip() or attributes.get(
        "service.name", default_service)
    return Resource(attributes)  # not Resource.create(): that would read os.environ behind the settings' back


def _exporter(env: Mapping[str, str]) -> Any:
    if parse_choice(env, "OTEL_TRACES_EXPORTER", EXPORTERS, "otlp") == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    protocol = (env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL")
                or "http/protobuf").strip().lower()
    if protocol != "http/protobuf":
        raise ConfigError(f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: only http/protobuf is installed")
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    if not endpoint:
        endpoint = env["OTEL_EXPORTER_OTLP_ENDPOINT"].strip().rstrip("/") + "/v1/traces"
    return OTLPSpanExporter(endpoint=endpoint)


class Telemetry:
    """This process's tracer (``None`` when tracing is off) and the provider to flush at shutdown."""

    def __init__(self, provider: Any = None, name: str = "lienthong") -> None:
        self.provider = provider
        self.tracer: Tracer | None = provider.get_tracer(name) if provider is not None else None

    @property
    def enabled(self) -> bool:
        return self.tracer is not None

    @classmethod
    def off(cls) -> Telemetry:
        return cls()

    @classmethod
    def from_env(cls, env: Mapping[str, str], service: str) -> Telemetry:
        """Tracing as the ``OTEL_*`` variables of ``env`` say (off without an endpoint); :class:`ConfigError`
        names a bad value. ``service`` is the default ``service.name``."""
        if not _enabled(env):
            return cls.off()
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(sampler=_sampler(env), resource=_resource(env, service))
        provider.add_span_processor(BatchSpanProcessor(_exporter(env)))  # export off the request path
        return cls(provider, service)

    @classmethod
    def with_exporter(cls, exporter: Any, service: str, env: Mapping[str, str] | None = None) -> Telemetry:
        """Spans exported synchronously to ``exporter`` (tests: an ``InMemorySpanExporter``)."""
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor

        env = env or {}
        provider = TracerProvider(sampler=_sampler(env), resource=_resource(env, service))
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        return cls(provider, service)

    def span(self, name: str, attributes: Mapping[str, Any] | None = None,
             kind: SpanKind = SpanKind.INTERNAL) -> contextlib.AbstractContextManager[Any]:
        """A current span around a block, or a no-op when off. Exceptions set the status only: their messages
        may quote values, so they are never recorded as events."""
        if self.tracer is None:
            return _OFF
        return _span(self.tracer, name, attributes, kind)

    def shutdown(self) -> None:
        """Flush what the batch processor still holds (at process exit)."""
        if self.provider is not None:
            self.provider.shutdown()


@contextlib.contextmanager
def _span(tracer: Tracer, name: str, attributes: Mapping[str, Any] | None, kind: SpanKind) -> Iterator[Span]:
    with tracer.start_as_current_span(name, kind=kind, attributes=attributes, record_exception=False,
                                      set_status_on_exception=False) as span:
        try:
            yield span
        except BaseException as exc:  # the type only: the SDK's own status would quote the message
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


def fail(span: Span, code: str, status: int | None = None) -> None:
    """Mark ``span`` failed with a contract error code (never the message: it may quote input)."""
    span.set_status(Status(StatusCode.ERROR, code))
    span.set_attribute("lienthong.error.code", code)
    if status is not None:
        span.set_attribute("http.response.status_code", status)


def inject_traceparent(headers: dict[str, str]) -> None:
    """Add ``traceparent`` (and ``tracestate``) for the current span, if any is recording a valid trace."""
    if trace.get_current_span().get_span_context().is_valid:
        PROPAGATOR.inject(headers)


def traceparent_context(headers: Mapping[str, str]) -> otel_context.Context:
    """The remote parent named by an incoming ``traceparent`` (lower-case header names), else a root context."""
    return PROPAGATOR.extract(headers)


def current_trace_id() -> str | None:
    """The current trace id as 32 hex digits, or ``None`` outside any span (for log lines)."""
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None


# --------------------------------------------------------------------------------------------------- SQL
_SQL_TABLES = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+\"?([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def sql_summary(statement: str) -> tuple[str, str]:
    """``("SELECT", "SELECT person event")``: the verb and the tables named, identifiers only, never literals."""
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
    tables = list(dict.fromkeys(_SQL_TABLES.findall(statement)))[:5]
    return verb, " ".join([verb, *tables])


def instrument_engine(telemetry: Telemetry, engine: Any, system: str) -> None:
    """One client span per SQL statement on ``engine`` (a sync ``Engine``, e.g. ``AsyncEngine.sync_engine``);
    nothing is attached when tracing is off. The span is stored on the execution context between the
    before/after events; SQLAlchemy runs both in the caller's context, so it is a child of the request span."""
    tracer = telemetry.tracer
    if tracer is None:
        return
    from sqlalchemy import event

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        verb, summary = sql_summary(statement)
        span = tracer.start_span(summary, kind=SpanKind.CLIENT, attributes={
            "db.system.name": system, "db.operation.name": verb, "db.query.summary": summary,
        })
        if context is not None:
            context._lt_span = span
        else:  # no execution context (rare: raw DBAPI use): a zero-length span still counts the statement
            span.end()

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        span = getattr(context, "_lt_span", None)
        if span is not None:
            span.end()
            context._lt_span = None

    def error(exception_context: Any) -> None:
        context = exception_context.execution_context
        span = getattr(context, "_lt_span", None)
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, type(exception_context.original_exception).__name__))
            span.end()
            context._lt_span = None

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "handle_error", error)


# --------------------------------------------------------------------------------------------- server side
def _header(scope: Mapping[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return None


class RequestContextMiddleware:
    """Outermost ASGI middleware of a subgraph: for each ``/graphql`` request, the gateway's ``X-Request-Id`` on
    every log line, and (tracing on) a server span continuing the gateway's ``traceparent``, so SQL spans below
    join the gateway's trace. Other paths (health probes) are not traced: each would start a trace of its own."""

    def __init__(self, app: Any, telemetry: Telemetry, subgraph: str) -> None:
        self.app = app
        self.tracer = telemetry.tracer
        self.subgraph = subgraph

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope.get("path", "").endswith("/graphql"):
            await self.app(scope, receive, send)
            return
        token = REQUEST_ID.set((_header(scope, b"x-request-id") or "")[:128] or None)
        try:
            if self.tracer is None:
                await self.app(scope, receive, send)
                return
            parent = {}
            for name in ("traceparent", "tracestate"):
                value = _header(scope, name.encode())
                if value is not None:
                    parent[name] = value
            with self.tracer.start_as_current_span(
                    "graphql.request", context=PROPAGATOR.extract(parent), kind=SpanKind.SERVER,
                    record_exception=False, attributes={"lienthong.subgraph": self.subgraph,
                                                        "http.request.method": scope.get("method", "")}) as span:
                async def traced_send(message: Any) -> None:
                    if message["type"] == "http.response.start":
                        status = int(message["status"])
                        span.set_attribute("http.response.status_code", status)
                        if status >= 400:
                            span.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))
                    await send(message)

                await self.app(scope, receive, traced_send)
        finally:
            REQUEST_ID.reset(token)
