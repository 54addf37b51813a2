"""``Idempotency-Key``: a retried mutation is a no-op that returns the first result.

The client sends ``Idempotency-Key: <key>`` (1-128 characters of ``A-Z a-z 0-9 . _ : -``; anything else is
``BAD_USER_INPUT``) with a mutation. The gateway keeps one row per (agency, account, key) in the gateway store
(``gateway/store``: SQLite or PostgreSQL) with a hash of the request (document, operation name, variables,
purpose, legal basis):

- first time: the row is inserted *pending* (``INSERT … ON CONFLICT DO NOTHING``: of concurrent requests with
  the same key exactly one inserts it), the mutation runs, and the row keeps the response;
- same key, same request, done: the stored response is returned (header ``Idempotent-Replayed: true``), nothing is
  called;
- same key, same request, still pending (a concurrent retry): ``IDEMPOTENCY_KEY_IN_USE`` (409, ``Retry-After``);
- still pending after ``lease_seconds`` (120 s: the gateway that ran it died mid-request): the key is closed as
  ``IDEMPOTENCY_KEY_INTERRUPTED`` (409), answered to every later retry: whether that request wrote is unknown, so
  it is never run again under this key (the audit chain has its intended writes; look the record up);
- same key, another request: ``IDEMPOTENCY_KEY_REUSED`` (422);
- the gateway store unreachable: ``IDEMPOTENCY_UNAVAILABLE`` (503), nothing called (fail closed);
- keys expire ``GATEWAY_IDEMPOTENCY_TTL_SECONDS`` after their first use (default 86400): expired rows are deleted
  when a key is claimed, and the key may then be used again.

A claim whose mutation never reached a subgraph (a failure before execution) is released. So is one whose
outcome is unknown (a subgraph timed out) or whose subgraph was unreachable: every mutation carries the request's
write key (``gateway.writes.write_key``, derived from this key, the agency and the account), with which the
subgraph keeps its write in the same transaction (``subgraphs/common/write_keys.py``), so the retry gets the first
result of a write that happened and runs one that did not. Otherwise the row is completed once execution began,
and every retry is answered the first response.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    select,
    update,
)

from ..errors import GatewayError

HEADER = "idempotency-key"
KEY = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
DEFAULT_TTL_SECONDS = 86_400
DEFAULT_LEASE_SECONDS = 120.0  # far above a request's longest run (subgraph timeouts, audit deadline)

metadata = MetaData()
idempotency_keys = Table(
    "gateway_idempotency_keys",
    metadata,
    Column("agency", String(128), primary_key=True),
    Column("account", String(256), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("state", String(16), nullable=False),  # pending | done
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("status", Integer),
    Column("body", Text),  # the response body (JSON) returned to the first request
    Column("writes", Text),  # its write audit entries (JSON), for the replay's audit record
    Column("audited", Boolean),  # whether the first request's audit record was made durable
    Column("request_id", String(128)),
)
Index("gateway_idempotency_expiry", idempotency_keys.c.expires_at)

PENDING, DONE = "pending", "done"


def read_key(headers: Mapping[str, str]) -> str | None:
    """The request's ``Idempotency-Key`` (None when absent); ``BAD_USER_INPUT`` when malformed."""
    raw = headers.get(HEADER)
    if raw is None:
        return None
    if not KEY.fullmatch(raw):
        raise GatewayError("BAD_USER_INPUT", "Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -",
                           400, extensions={"header": "Idempotency-Key"})
    return raw


def request_hash(document_hash: str | None, operation_name: str | None, variables: Mapping[str, Any] | None,
                 purpose: str | None, legal_basis: str | None) -> str:
    """What makes two requests the same for a key: the document, operation, variables and declared purpose."""
    canonical = orjson.dumps({"document": document_hash, "operation": operation_name, "variables": variables or {},
                              "purpose": purpose, "legalBasis": legal_basis},
                             option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.sha256(canonical).hexdigest()


@dataclass(frozen=True, slots=True)
class Claim:
    """This request owns the key: it runs the mutation, then :meth:`IdempotencyStore.complete` or
    :meth:`IdempotencyStore.release`."""

    agency: str
    account: str
    key: str
    request_hash: str


@dataclass(frozen=True, slots=True)
class Replay:
    """The key was used for this same request: its first response, and its write entries."""

    status: int
    body: dict[str, Any]
    writes: list[dict[str, Any]]
    audited: bool
    request_id: str | None


class IdempotencyStore:
    """Keys in the gateway store (``register`` its table before the store starts)."""

    def __init__(self, store: Any, ttl_seconds: float = DEFAULT_TTL_SECONDS,
                 clock: Callable[[], float] = time.time, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.store = store
        self.ttl = ttl_seconds
        self.lease = lease_seconds
        self.clock = clock
        store.register(metadata)

    def _insert(self, values: dict[str, Any]) -> Any:
        if self.store.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(idempotency_keys).values(**values).on_conflict_do_nothing()

    @staticmethod
    def _where(claim: Claim) -> Any:
        t = idempotency_keys.c
        return and_(t.agency == claim.agency, t.account == claim.account, t.key == claim.key,
                    t.request_hash == claim.request_hash)

    async def claim(self, agency: str, account: str, key: str, digest: str) -> Claim | Replay:
        """Own ``key`` for this request, or the first response to replay; raises ``IDEMPOTENCY_KEY_REUSED``
        (another request under this key) or ``IDEMPOTENCY_KEY_IN_USE`` (the first one is still running)."""
        now = self.clock()
        t = idempotency_keys.c
        async with self.store.engine.begin() as conn:
            await conn.execute(delete(idempotency_keys).where(t.expires_at <= now))
            inserted = await conn.execute(self._insert({
                "agency": agency, "account": account, "key": key, "request_hash": digest, "state": PENDING,
                "created_at": now, "expires_at": now + self.ttl,
            }))
        if inserted.rowcount == 1:
            return Claim(agency, account, key, digest)
        async with self.store.engine.connect() as conn:
            row = (await conn.execute(select(idempotency_keys).where(
                and_(t.agency == agency, t.account == account, t.key == key)))).mappings().first()
        if row is None:  # expired and deleted in between: the caller may simply retry
            raise _in_use()
        if row["request_hash"] != digest:
            raise GatewayError("IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for another request; "
                               "use a new key for a new request.", 422, extensions={"header": "Idempotency-Key"})
        if row["state"] != DONE:
            if row["created_at"] + self.lease > now:
                raise _in_use()
            await self._interrupt(Claim(agency, account, key, digest))
            return await self.claim(agency, account, key, digest)  # now done: the interruption is replayed
        return Replay(int(row["status"]), orjson.loads(row["body"]), orjson.loads(row["writes"] or "[]"),
                      bool(row["audited"]), row["request_id"])

    async def complete(self, claim: Claim, status: int, body: Mapping[str, Any], writes: list[dict[str, Any]],
                       audited: bool, request_id: str) -> None:
        """Keep the response of the claimed request for its retries."""
        async with self.store.engine.begin() as conn:
            await conn.execute(update(idempotency_keys).where(self._where(claim)).values(
                state=DONE, status=status, body=orjson.dumps(body).decode(), writes=orjson.dumps(writes).decode(),
                audited=audited, request_id=request_id))

    async def _interrupt(self, claim: Claim) -> None:
        """Close an abandoned claim: its request may or may not have written."""
        error = {"message": "The first request with this Idempotency-Key was interrupted; whether it wrote is "
                            "unknown. Look the record up before sending it again with a new key.",
                 "extensions": {"code": "IDEMPOTENCY_KEY_INTERRUPTED", "header": "Idempotency-Key"}}
        async with self.store.engine.begin() as conn:
            await conn.execute(update(idempotency_keys).where(
                and_(self._where(claim), idempotency_keys.c.state == PENDING)).values(
                state=DONE, status=409, body=orjson.dumps({"errors": [error]}).decode(), writes="[]", audited=True))

    async def release(self, claim: Claim) -> None:
        """Give the key back: the request failed before any subgraph was called."""
        async with self.store.engine.begin() as conn:
            await conn.execute(delete(idempotency_keys).where(
                and_(self._where(claim), idempotency_keys.c.state == PENDING)))


def _in_use() -> GatewayError:
    error = GatewayError("IDEMPOTENCY_KEY_IN_USE", "A request with this Idempotency-Key is still running; retry "
                         "later to get its result.", 409, extensions={"header": "Idempotency-Key"})
    error.headers = {"retry-after": "1"}  # type: ignore[attr-defined]
    return error
