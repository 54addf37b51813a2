"""The gateway's spans: one root span per request and one child span per pipeline stage.

    graphql.request                       (root; continues the client's traceparent if it sent one)
      authenticate · rate_limit · parse_validate · policy.decide · policy.prepare · plan
      execute
        fetch <subgraph>                  (one per subgraph call, from the executor; traceparent sent along)
      policy.apply · audit

The stages run one after another, so :class:`RequestTrace` keeps one stage span open at a time and
:meth:`RequestTrace.stage` closes the previous one: the pipeline marks each stage with one line. While tracing is
off the pipeline gets :data:`NO_TRACE`, whose methods do nothing, and no span object is created.

Attributes are limited to what identifies the work, never its data (see ``subgraphs.common.telemetry``):
operation name and type, coordinates, subgraph names, counts, the purpose declared, statuses and error codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer

from subgraphs.common.logs import REQUEST_ID
from subgraphs.common.telemetry import PROPAGATOR, Telemetry, fail

__all__ = ["NO_TRACE", "RequestTrace", "StageTrace", "Telemetry", "close_request", "open_request"]

MAX_COORDINATES = 200  # on one span: enough to see what was asked, bounded for the exporter


class _NoTrace:
    """What the pipeline holds while tracing is off: every call is a no-op, nothing is allocated."""

    __slots__ = ()

    def stage(self, name: str, attributes: Mapping[str, Any] | None = None) -> None:
        return None

    def annotate(self, attributes: Mapping[str, Any]) -> None:
        return None

    def annotate_request(self, attributes: Mapping[str, Any]) -> None:
        return None

    def failed(self, code: str, status: int) -> None:
        return None

    def finish(self, status: int, outcome: str) -> None:
        return None


NO_TRACE = _NoTrace()


class RequestTrace:
    """The root span of one request and its currently open stage span (made current, so the executor's fetch
    spans and the traceparent header sent to subgraphs descend from it)."""

    __slots__ = ("_tracer", "_root", "_root_context", "_root_token", "_stage", "_stage_token")

    def __init__(self, tracer: Tracer, headers: Mapping[str, str], request_id: str, method: str) -> None:
        self._tracer = tracer
        carrier = {name: headers[name] for name in ("traceparent", "tracestate") if name in headers}
        parent = PROPAGATOR.extract(carrier) if carrier else None
        self._root: Span = tracer.start_span("graphql.request", context=parent, kind=SpanKind.SERVER, attributes={
            "lienthong.request_id": request_id, "http.request.method": method,
        })
        self._root_context = trace.set_span_in_context(self._root, parent)
        self._root_token = otel_context.attach(self._root_context)
        self._stage: Span | None = None
        self._stage_token: Any = None

    def stage(self, name: str, attributes: Mapping[str, Any] | None = None) -> None:
        """Close the open stage span and open ``name`` as the current one."""
        self._end_stage()
        self._stage = self._tracer.start_span(name, context=self._root_context, attributes=attributes)
        self._stage_token = otel_context.attach(trace.set_span_in_context(self._stage, self._root_context))

    def annotate(self, attributes: Mapping[str, Any]) -> None:
        """Attributes of the open stage (e.g. counts known only at its end)."""
        if self._stage is not None:
            self._stage.set_attributes(attributes)

    def annotate_request(self, attributes: Mapping[str, Any]) -> None:
        self._root.set_attributes(attributes)

    def failed(self, code: str, status: int) -> None:
        """The request was refused or failed in the open stage: that stage and the request carry the code."""
        if self._stage is not None:
            fail(self._stage, code)
        fail(self._root, code, status)

    def finish(self, status: int, outcome: str) -> None:
        self._end_stage()
        self._root.set_attributes({"http.response.status_code": status, "lienthong.outcome": outcome})
        if status >= 500 and self._root.is_recording():
            self._root.set_status(Status(StatusCode.ERROR, outcome))
        otel_context.detach(self._root_token)
        self._root.end()

    def _end_stage(self) -> None:
        if self._stage is not None:
            otel_context.detach(self._stage_token)
            self._stage.end()
            self._stage = None


StageTrace = RequestTrace | _NoTrace  # what the pipeline's stages mark: a real trace, or the no-op one


def open_request(telemetry: Telemetry, headers: Mapping[str, str], request_id: str,
                 method: str) -> tuple[StageTrace, Any]:
    """Start a request: its id on every log line until :func:`close_request`, and its root span when tracing is
    on. Returns the trace and the token that :func:`close_request` needs."""
    token = REQUEST_ID.set(request_id)
    tracer = telemetry.tracer
    if tracer is None:
        return NO_TRACE, token
    return RequestTrace(tracer, headers, request_id, method), token


def close_request(request_trace: StageTrace, token: Any, status: int, outcome: str) -> None:
    request_trace.finish(status, outcome)
    REQUEST_ID.reset(token)


def coordinate_attributes(coordinates: Iterable[str]) -> dict[str, Any]:
    """The coordinates (``Type.field``) an operation touches, sorted and bounded, with their count."""
    ordered = sorted(coordinates)
    return {"lienthong.coordinates": ordered[:MAX_COORDINATES], "lienthong.coordinates.count": len(ordered)}


def masked_attributes(extension: Mapping[str, Any]) -> dict[str, Any]:
    """What ``extensions.policy`` says was masked, as coordinates and counts only (paths hold client aliases and
    list positions: not values, but not needed either)."""
    masked = [m for m in extension.get("masked") or () if isinstance(m, Mapping)]
    coordinates = sorted({str(m.get("coordinate")) for m in masked if m.get("coordinate")})
    return {"lienthong.masked.count": len(masked), "lienthong.masked.coordinates": coordinates[:MAX_COORDINATES]}
