"""Log lines of every process (gateway and subgraphs): one JSON object per line, or plain text, each with the
request id and the trace id of the request it belongs to.

``GATEWAY_LOG_FORMAT`` = ``json`` (default in production) | ``text`` (default otherwise), read by the gateway and
the subgraphs alike (like ``GATEWAY_ENV``). ``GATEWAY_LOG_LEVEL``: ``info`` by default in the gateway, ``warning``
in the subgraphs (their per-request ``info`` lines, e.g. ``lienthong.subgraph.access``, would cost CPU on every
fetch; ``GATEWAY_LOG_LEVEL=info`` shows them).

A JSON line: ``{"time": "2026-12-03T07:01:02.345Z", "level": "WARNING", "logger": "lienthong.gateway",
"message": "…", "service": "gateway", "request_id": "…", "trace_id": "…", "span_id": "…"}`` (``request_id``,
``trace_id`` and ``span_id`` are ``null`` outside a request, and the trace ids also while tracing is off), plus
``exception`` with the traceback when there is one.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

import orjson
from opentelemetry import trace

from .settings import parse_choice, parse_environment

LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(trace_id)s]: %(message)s"
# uvicorn configures these with handlers of its own; they are routed through ours so every line has one format
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")

# The request a line belongs to. A context variable, not shared state: each request's task sees its own value,
# set by the gateway pipeline or the subgraph middleware for the length of the request and reset after it.
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("lienthong_request_id", default=None)


def log_format(env: Mapping[str, str]) -> str:
    """``GATEWAY_LOG_FORMAT``, canonical; ``json`` by default in production, ``text`` otherwise."""
    default = "json" if parse_environment(env) == "production" else "text"
    return parse_choice(env, "GATEWAY_LOG_FORMAT", LOG_FORMATS, default)


def log_level(env: Mapping[str, str], default: str = "info") -> int:
    return getattr(logging, parse_choice(env, "GATEWAY_LOG_LEVEL", LOG_LEVELS, default).upper())


def _ids() -> tuple[str | None, str | None, str | None]:
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return REQUEST_ID.get(), None, None
    return REQUEST_ID.get(), format(span_context.trace_id, "032x"), format(span_context.span_id, "016x")


class ContextFilter(logging.Filter):
    """Stamps ``request_id``, ``trace_id`` and ``span_id`` on every record (``-`` for text when absent)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id, record.trace_id, record.span_id = _ids()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (orjson: non-ASCII text such as Vietnamese names of agencies stays readable)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        request_id, trace_id, span_id = (getattr(record, "request_id", None), getattr(record, "trace_id", None),
                                         getattr(record, "span_id", None))
        if not hasattr(record, "trace_id"):  # a handler without the filter (e.g. a test's): ask the context
            request_id, trace_id, span_id = _ids()
        seconds = time.gmtime(record.created)
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", seconds) + f".{int(record.msecs):03d}Z",
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "service": self.service, "request_id": request_id, "trace_id": trace_id, "span_id": span_id,
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        for name in ("request_id", "trace_id"):
            if getattr(record, name, None) is None:
                setattr(record, name, "-")
        return super().format(record)


def make_handler(fmt: str, service: str, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler (stderr by default) writing ``fmt`` lines with the request's ids."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter(service) if fmt == "json" else TextFormatter())
    handler._lienthong = True  # type: ignore[attr-defined]  # ours: replaced, not duplicated, on reconfiguration
    return handler


def configure_logging(env: Mapping[str, str], service: str, stream: TextIO | None = None,
                      default_level: str = "info") -> str:
    """Install the process's log handler on the root logger (once at start-up; calling again replaces it, and
    handlers others installed, e.g. pytest's, are left alone) and route uvicorn's loggers through it. Returns
    the format chosen. Raises :class:`~subgraphs.common.settings.ConfigError` on a bad value."""
    fmt, level = log_format(env), log_level(env, default_level)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_lienthong", False)]:
        root.removeHandler(old)
    root.addHandler(make_handler(fmt, service, stream))
    root.setLevel(level)
    for name in SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.propagate = True
    return fmt
