"""What of a subgraph's error a client may see: never its text, unless the client's own input is the subject.

A subgraph error may carry anything: the representations the gateway sent (with attributes the policy reads but
the client may not see), variable values of ``_entities``, the gateway's internal aliases, host names, stack
traces. The client gets only:

- ``message``: kept for ``BAD_USER_INPUT`` (our subgraphs build it from the client's own arguments, before any
  data access), unless it names gateway internals; otherwise a generic one naming the subgraph;
- ``path``: the client's path (internal aliases mapped back by the executor);
- ``extensions``: ``code`` (a well-formed code, else ``DOWNSTREAM_SERVICE_ERROR`` as Apollo Gateway says),
  ``serviceName``, and ``argumentName`` for ``BAD_USER_INPUT`` (an argument or a dotted path to an input field
  below it, ``input.dateOfBirth``; and ``invalidFields``, every problem of a mutation's input as ``{field,
  message}``, each kept on the same terms; not ``representations``: that is the
  gateway's own argument of ``_entities``, about data another subgraph returned, not about the client's input).

The original is logged at debug level only (it may hold personal data).
"""

from __future__ import annotations

import logging
import re
from typing import Any

log = logging.getLogger("lienthong.gateway.execution")

BAD_USER_INPUT = "BAD_USER_INPUT"
DOWNSTREAM = "DOWNSTREAM_SERVICE_ERROR"  # Apollo Gateway's code for a subgraph error without one
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,127}")
# an argument or an input field below it (``input.dateOfBirth``): the field a mutation's validation names
_ARGUMENT = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,127}(?:\.[_A-Za-z][_0-9A-Za-z]{0,127}){0,7}")
# Text that only a message about the gateway's own request (not the client's input) can contain.
_INTERNAL = re.compile(r"_entities|representations|_lt_|__typename|https?://|localhost|127\.0\.0\.1|:\d{2,5}\b")
MAX_MESSAGE = 500


def generic_message(service: str) -> str:
    return f"Subgraph '{service}' could not resolve this field."


MAX_INVALID_FIELDS = 50


def _invalid_fields(raw: Any) -> list[dict[str, str]]:
    """A mutation's per-field problems (``[{"field": "input.dateOfBirth", "message": ...}]``), each kept only when
    it names an input field and its message is about the client's own input (bounded, no internals)."""
    if not isinstance(raw, list):
        return []
    out = []
    for item in raw[:MAX_INVALID_FIELDS]:
        if not isinstance(item, dict):
            continue
        name, text = item.get("field"), item.get("message")
        if (isinstance(name, str) and _ARGUMENT.fullmatch(name) and name.split(".", 1)[0] != "representations"
                and isinstance(text, str) and 0 < len(text) <= MAX_MESSAGE and not _INTERNAL.search(text)):
            out.append({"field": name, "message": text})
    return out


def client_error(error: Any, service: str, path: list[Any] | None) -> dict[str, Any]:
    """The client's view of one subgraph error (``path`` already in client keys, or None)."""
    raw = error if isinstance(error, dict) else {}
    extensions = raw.get("extensions") if isinstance(raw.get("extensions"), dict) else {}
    code = extensions.get("code")
    code = code if isinstance(code, str) and _CODE.fullmatch(code) else DOWNSTREAM
    message = generic_message(service)
    safe: dict[str, Any] = {"code": code, "serviceName": service}
    if code == BAD_USER_INPUT:
        text = raw.get("message")
        if isinstance(text, str) and text and len(text) <= MAX_MESSAGE and not _INTERNAL.search(text):
            message = text
        invalid = _invalid_fields(extensions.get("invalidFields"))
        if invalid:
            safe["invalidFields"] = invalid
        argument = extensions.get("argumentName")
        if (isinstance(argument, str) and _ARGUMENT.fullmatch(argument)
                and argument.split(".", 1)[0] != "representations"):
            safe["argumentName"] = argument
    if log.isEnabledFor(logging.DEBUG):
        log.debug("subgraph %s error at %s: %r", service, path, raw)
    out: dict[str, Any] = {"message": message}
    if path:
        out["path"] = path
    out["extensions"] = safe
    return out
