"""The pipeline's write stage: idempotency around a mutation's execution, and the audit entries of its writes.

The pipeline calls, for a mutation only (``gateway/pipeline.py``)::

    begun = await writes.begin(request.headers, caller, purpose, operation, request.variables)
        # None (no Idempotency-Key), a Claim (run the mutation), or a Replay (answer it, call nothing)
    ...audit the intended writes (outcome ``intended``) before any subgraph is called: no store, no write...
    ...execute...
    entries = writes.audits(collected.calls, decision, fetched_writes, response_errors)
    ...audit (entries go into the same record, same hash chain)...
    await writes.settle(begun, executed=True, status=..., body=..., entries=..., audited=True, request_id=...)

Write *decisions* are not made here: the policy refuses a write as a root field (``policies/writes.rego``)
before anything is planned, so a refused write never reaches its subgraph.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import GatewayError
from .idempotency import Claim, IdempotencyStore, Replay, read_key, request_hash
from .records import WriteAudit, WriteRecord, parse_records, write_audits
from .write_key import derive_write_key, use_write_key

log = logging.getLogger("lienthong.gateway.writes")

REPLAYED_HEADER = "idempotent-replayed"


def refused_keys(decision: Any, calls: Iterable[Any] = ()) -> dict[str, str]:
    """Response key -> reason of the root fields the decision withholds: refused calls (refused writes among
    them), and calls whose field itself is withheld (its category, for this caller and purpose): ``prepare``
    prunes both, so their subgraph is never called."""
    result = getattr(decision, "result", None)
    root_fields = getattr(result, "root_fields", None) or {}
    refused = {key: str(getattr(effect, "reason", "") or "") for key, effect in root_fields.items()
               if getattr(effect, "effect", None) == "withhold"}
    fields = getattr(result, "fields", None) or {}
    for call in calls:
        effect = fields.get(getattr(call, "coordinate", None))
        if call.key not in refused and getattr(effect, "effect", None) == "withhold":
            refused[call.key] = str(getattr(effect, "reason", "") or "")
    return refused


def write_records(raw: Iterable[Any]) -> list[WriteRecord]:
    """The executor's collected ``lienthongWrites`` entries (already in client response keys), validated."""
    return parse_records(list(raw))


class WriteStage:
    """Idempotency (``idempotency`` None: keys are validated but not kept) and the write audit entries."""

    def __init__(self, idempotency: IdempotencyStore | None = None) -> None:
        self.idempotency = idempotency

    async def begin(self, headers: Mapping[str, str], caller: Any, purpose: Any, operation: Any,
                    variables: Mapping[str, Any] | None) -> Claim | Replay | None:
        """For a mutation: the claim of its ``Idempotency-Key`` or the first response to replay. Sets the
        mutation's write key (``write_key``), sent to the subgraphs, so that a retry writes once."""
        if getattr(operation, "operation_type", None) != "mutation":
            use_write_key(None)
            return None
        use_write_key(None)  # until the key is read: a malformed one runs nothing
        key = read_key(headers)  # BAD_USER_INPUT when malformed, even without a store
        use_write_key(derive_write_key(str(getattr(caller, "agency_id", "") or ""),
                                       str(getattr(caller, "sub", "") or ""), key))
        if key is None or self.idempotency is None:
            return None
        digest = request_hash(operation.document_hash, operation.operation_name, variables,
                              getattr(purpose, "purpose", None), getattr(purpose, "legal_basis", None))
        try:
            return await self.idempotency.claim(str(getattr(caller, "agency_id", "")),
                                                str(getattr(caller, "sub", "")), key, digest)
        except GatewayError:
            raise
        except Exception as exc:  # the gateway store is down: the key cannot be checked, so nothing is written
            log.error("idempotency key not checked: %s", exc)
            raise GatewayError("IDEMPOTENCY_UNAVAILABLE", "The Idempotency-Key could not be checked; nothing was "
                               "written. Retry later with the same key.", 503) from exc

    @staticmethod
    def audits(calls: Iterable[Any], decision: Any, records: Iterable[Any],
               errors: Sequence[Mapping[str, Any]], undelivered: Iterable[str] = ()) -> list[WriteAudit]:
        """The audit entries of the request's write calls."""
        calls = tuple(calls)
        return write_audits(calls, refused_keys(decision, calls), write_records(records), errors, undelivered)

    @staticmethod
    def intents(calls: Iterable[Any], decision: Any) -> list[WriteAudit]:
        """The writes a mutation is about to make (its calls the policy did not refuse), outcome ``intended``:
        recorded before any subgraph is called."""
        calls = tuple(calls)
        refused = refused_keys(decision, calls)
        return [WriteAudit(a.key, a.coordinate, "intended", a.subjects)
                for a in write_audits(calls, refused, [], []) if a.outcome != "refused"]

    @staticmethod
    def failed_audits(calls: Iterable[Any], decision: Any, executed: bool) -> list[WriteAudit]:
        """The entries of a mutation that failed as a whole: refused calls stay refused; the others wrote nothing
        (the failure came before execution) or are unknown (it came during or after)."""
        calls = tuple(calls)
        refused = refused_keys(decision, calls)
        out = write_audits(calls, refused, [], [])
        return [a if a.outcome == "refused" else WriteAudit(a.key, a.coordinate,
                                                            "unknown" if executed else "not_written", a.subjects)
                for a in out]

    async def settle(self, begun: Claim | Replay | None, *, executed: bool, status: int, body: Mapping[str, Any],
                     entries: Sequence[WriteAudit], audited: bool, request_id: str) -> None:
        """Keep the response for the key's retries, or give the key back when no subgraph was called. Never
        raises: the response stands (a key left pending expires with its TTL)."""
        if not isinstance(begun, Claim) or self.idempotency is None:
            return
        if executed and _retry_may_run(entries):
            executed = False  # its retry cannot write twice (the subgraphs' write keys): the key is free for it
        try:
            if executed:
                await self.idempotency.complete(begun, status, body, [e.as_dict() for e in entries], audited,
                                                request_id)
            else:
                await self.idempotency.release(begun)
        except Exception as exc:  # the store failed: the key stays pending until it expires (no double write)
            log.error("idempotency key of request %s not settled: %s", request_id, exc)


def _retry_may_run(entries: Sequence[WriteAudit]) -> bool:
    """A retry of this request under its key cannot write twice, and may succeed: one call certainly never ran
    (an unreachable subgraph) or may have run without an answer (a timeout: ``unknown``), and the subgraphs keep
    each write with the request's write key (``gateway.writes.write_key``, ``subgraphs/common/write_keys.py``),
    so the retry gets the first result of a write that did happen and runs one that did not. Refused or rejected
    calls would answer the same again; written ones answer their first result."""
    outcomes = {e.outcome for e in entries}
    return bool(outcomes & {"not_sent", "unknown"})
