"""The write key of a mutation: what lets a subgraph answer a retried write with its first result.

The gateway derives one key per mutation request and sends it to the subgraphs in ``X-Lienthong-Write-Key``
(``subgraphs.common.write_keys.WRITE_KEY_HEADER``), which keep it in the transaction of the write: the same key
again commits nothing and returns the first result. The key is

- ``sha256("idempotency", agency, account, Idempotency-Key)`` when the client sent an ``Idempotency-Key``: a
  retry of the same request (same agency, account and key, what ``gateway_idempotency_keys`` is keyed by) carries
  the same write key, so a retry after a subgraph timeout writes once;
- ``sha256("request", agency, account, <a fresh id>)`` otherwise: an id of the gateway's own for this request
  (not the client's ``X-Request-Id``, which a client may repeat for different requests).

The gateway sets the header itself (``gateway/execution/transport.py``) and never forwards a client's. The key is
handed from the write stage to the transport in a context variable: ``WriteStage.begin`` runs in the request's
task before its fetches are started, and the fetches' tasks copy that context.
"""

from __future__ import annotations

import hashlib
import uuid
from contextvars import ContextVar

import orjson

from subgraphs.common.write_keys import WRITE_KEY_HEADER

_CURRENT: ContextVar[str | None] = ContextVar("lienthong_write_key", default=None)

__all__ = ["WRITE_KEY_HEADER", "current_write_key", "derive_write_key", "use_write_key"]


def derive_write_key(agency: str, account: str, idempotency_key: str | None) -> str:
    """The write key of a mutation by ``account`` of ``agency`` (64 hex digits; see the module docstring)."""
    parts = ["idempotency", agency, account, idempotency_key] if idempotency_key is not None else [
        "request", agency, account, uuid.uuid4().hex]
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()


def use_write_key(key: str | None) -> None:
    """The write key of the mutation this task is running (``None``: not a mutation)."""
    _CURRENT.set(key)


def current_write_key() -> str | None:
    """The write key of the running mutation, for the subgraph calls' header."""
    return _CURRENT.get()
