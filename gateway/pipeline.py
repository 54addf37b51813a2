"""The request pipeline: explicit stages, each handing its result to the next (docs/ARCHITECTURE.md).

    authenticate → rate limit → read purpose → trusted documents → parse/validate (cached) → policy collect/decide → policy prepare
    → plan (cached) → execute → policy apply → audit → response

Authentication, policy and audit are hooks (Protocols below) implemented in ``gateway.auth``,
``gateway.policy`` and ``gateway.audit``; this module only fixes their signatures and the order. Any hook may
be sync or async. A hook refuses a request by raising :class:`gateway.errors.GatewayError` (or any exception
with ``code``/``status``): the response is then that error, with no data.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .auth.caller import Caller  # the authenticated account
from .auth.purpose import DeclaredPurpose  # X-Purpose and X-Legal-Basis as sent (the policy judges them)
from .errors import GatewayError
from .execution import Executor, FetchContext
from .planning import PlanCache, PlanningError
from .request_ids import sanitize_request_id
from .supergraph.documents import DocumentCache, ParsedOperation
from .supergraph.variables import coerce_variables
from .telemetry import (
    StageTrace,
    Telemetry,
    close_request,
    coordinate_attributes,
    masked_attributes,
    open_request,
)
from .writes.idempotency import Replay
from .writes.stage import REPLAYED_HEADER, WriteStage

log = logging.getLogger("lienthong.gateway")


# ----------------------------------------------------------------------------------------------- hook types
class Authenticator(Protocol):
    def authenticate(self, headers: Mapping[str, str]) -> Caller:
        """The caller, or raise ``GatewayError("UNAUTHENTICATED", ..., 401)``. Headers have lower-case names."""
        ...

    def read_purpose(self, headers: Mapping[str, str]) -> DeclaredPurpose:
        """The declared purpose (a repeated header → ``BAD_USER_INPUT``)."""
        ...


class Collected(Protocol):
    """What ``collect`` found (``gateway.policy.Collected``): the pipeline audits the coordinates."""

    @property
    def coordinates(self) -> Mapping[str, str]: ...


@dataclass(frozen=True, slots=True)
class ExecutionOperation:
    """``prepare``'s output: the operation to plan and execute, and the policy stage's own typed hand-off to
    ``apply`` (what it pruned and injected), which no other stage reads."""

    operation: ParsedOperation
    policy: Any


class PolicyHook(Protocol):
    def collect(self, operation: ParsedOperation, variables: dict[str, Any]) -> Collected:
        """Every field the operation may return, with its declared category and kind, and its root calls."""
        ...

    def decide(self, caller: Caller, purpose: DeclaredPurpose, collected: Any,
               operation: ParsedOperation) -> Any:
        """One decision for the whole request (refusal → ``PURPOSE_*``; engine failure → ``POLICY_UNAVAILABLE``)."""
        ...

    def prepare(self, operation: ParsedOperation, decision: Any) -> ExecutionOperation:
        """The execution operation (withheld fields pruned, subjects and facts added under ``_lt_*`` aliases);
        its ``cache_key`` keys the plan cache, so it must differ whenever the document does."""
        ...

    def apply(self, result: dict[str, Any], operation: ExecutionOperation, decision: Any, caller: Caller,
              purpose: DeclaredPurpose, variables: dict[str, Any]) -> PolicyOutcome:
        """Mask the executed result of ``prepare``'s operation; strip ``_lt_*``; say what was masked and whose
        data it is."""
        ...


@dataclass(slots=True)
class PolicyOutcome:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]]
    extension: dict[str, Any]  # becomes extensions.policy
    subjects: list[str] = field(default_factory=list)  # personalIds of the persons whose data is returned
    value_completion: list[dict[str, Any]] = field(default_factory=list)  # extensions.valueCompletion


@dataclass(slots=True)
class AuditRecord:
    request_id: str
    at: float
    caller: Caller | None
    purpose: DeclaredPurpose | None
    operation_name: str | None
    document_hash: str | None
    coordinates: list[str]
    decision: Any
    policy: dict[str, Any] | None
    subjects: list[str]
    outcome: str  # "ok" | "partial" | "refused" | "error"
    error_codes: list[str]
    status: int
    duration_ms: float
    # one entry per mutation call (gateway.writes.records.WriteAudit, or its dict when replayed): coordinate,
    # subjects, outcome, before/after hashes; audited in the same record, hence the same hash chain
    writes: list[Any] = field(default_factory=list)


class TrustedDocumentsStage(Protocol):
    def resolve(self, caller: Caller, query: str | None, extensions: Mapping[str, Any] | None) -> str | None:
        """The text to run (a persisted query's registered text), or raise ``PERSISTED_QUERY_NOT_FOUND``."""
        ...


class RateLimiterStage(Protocol):
    async def admit(self, caller: Caller) -> None:
        """Take the caller's token, or raise ``RATE_LIMITED`` (429, ``headers = {"retry-after": …}``)."""
        ...


class AuditHook(Protocol):
    def record(self, record: AuditRecord) -> Any:
        """Make ``record`` durable (awaited before the response); failure → ``AUDIT_UNAVAILABLE``."""
        ...


# ----------------------------------------------------------------------------------------------- request
@dataclass(slots=True)
class GraphQLRequest:
    query: str | None
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str = "POST"
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    want_plan: bool = False
    extensions: dict[str, Any] | None = None  # the request's ``extensions`` (e.g. ``persistedQuery``)


@dataclass(slots=True)
class GraphQLResponse:
    status: int
    body: dict[str, Any]
    outcome: str
    headers: dict[str, str] = field(default_factory=dict)  # e.g. ``Retry-After`` of a RATE_LIMITED refusal


async def _maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _refusal(exc: Exception) -> GatewayError:
    if isinstance(exc, GatewayError):
        return exc
    return GatewayError(
        str(exc.code), str(exc) or exc.__class__.__name__, int(getattr(exc, "status", 400)),  # type: ignore[attr-defined]
        extensions=dict(getattr(exc, "extensions", None) or {}), policy=getattr(exc, "policy", None),
    )


class Pipeline:
    """One instance per app; holds no per-request state."""

    def __init__(self, *, documents: DocumentCache, plans: PlanCache, executor: Executor,
                 authenticator: Authenticator, policy: PolicyHook, audit: AuditHook,
                 expose_plans: bool = False, trusted: TrustedDocumentsStage | None = None,
                 rate_limiter: RateLimiterStage | None = None, telemetry: Telemetry | None = None,
                 writes: WriteStage | None = None) -> None:
        self.documents = documents
        self.plans = plans
        self.executor = executor
        self.authenticator = authenticator
        self.policy = policy
        self.audit = audit
        self.expose_plans = expose_plans
        self.trusted = trusted
        self.rate_limiter = rate_limiter
        self.telemetry = telemetry or Telemetry.off()  # spans per stage (gateway/telemetry.py); off: none made
        self.writes = writes or WriteStage()  # mutations: Idempotency-Key (with a store) and write audit entries

    async def refuse(self, request: GraphQLRequest, error: GatewayError) -> GraphQLResponse:
        """A request refused before the stages run (bad JSON, a batch, an oversize body): recorded in the audit
        trail like every other refusal (000 Art. 13.7), with the caller when its token is valid."""
        request.request_id = sanitize_request_id(request.request_id)
        return await self._traced(self._refuse, request, error)

    async def handle(self, request: GraphQLRequest) -> GraphQLResponse:
        request.request_id = sanitize_request_id(request.request_id)  # bounded before it reaches logs and audit
        return await self._traced(self._handle, request)

    async def _traced(self, stages: Any, request: GraphQLRequest, *args: Any) -> GraphQLResponse:
        """Run ``stages`` with the request id on every log line and, tracing on, under the request's root span."""
        trace, token = open_request(self.telemetry, request.headers, request.request_id, request.method)
        status, outcome = 500, "error"
        try:
            response: GraphQLResponse = await stages(request, *args, trace=trace)
            status, outcome = response.status, response.outcome
            return response
        finally:
            close_request(trace, token, status, outcome)

    async def _refuse(self, request: GraphQLRequest, error: GatewayError, *,
                      trace: StageTrace) -> GraphQLResponse:
        started = time.perf_counter()
        trace.stage("authenticate")
        caller: Caller | None = None
        purpose: DeclaredPurpose | None = None
        with contextlib.suppress(Exception):  # an anonymous refusal is still recorded
            caller = await _maybe(self.authenticator.authenticate(request.headers))
            purpose = await _maybe(self.authenticator.read_purpose(request.headers))
        if caller is not None and self.rate_limiter is not None:
            try:  # junk counts against the budget too, or flooding it would bypass the limit
                await self.rate_limiter.admit(caller)
            except GatewayError as limited:
                error = limited
        trace.failed(error.code, error.status)
        trace.stage("audit")
        await self._audit_quietly(request, started, caller, purpose, None, {}, None, error, "refused")
        return GraphQLResponse(error.status, {"errors": error.to_errors()}, "refused",
                               headers=dict(getattr(error, "headers", None) or {}))

    async def _handle(self, request: GraphQLRequest, *, trace: StageTrace) -> GraphQLResponse:
        started = time.perf_counter()
        caller: Caller | None = None
        purpose: DeclaredPurpose | None = None
        operation: ParsedOperation | None = None
        coordinates: Mapping[str, str] = {}
        decision: Any = None
        calls: tuple[Any, ...] = ()  # a mutation's root calls (its writes among them)
        begun: Any = None  # a mutation's Idempotency-Key claim
        executed = False  # a subgraph may have been called (a write may have happened)
        try:
            trace.stage("authenticate")
            caller = await _maybe(self.authenticator.authenticate(request.headers))
            trace.annotate_request({"lienthong.agency": getattr(caller, "agency_id", None) or ""})
            if self.rate_limiter is not None:  # RATE_LIMITED before any parsing, policy or subgraph work
                trace.stage("rate_limit")
                await self.rate_limiter.admit(caller)
            trace.stage("parse_validate")  # purpose headers, trusted documents, parse, validate, variables, cost
            purpose = await _maybe(self.authenticator.read_purpose(request.headers))
            query = request.query
            if self.trusted is not None:  # safelisting, and hash-only (persisted query) requests
                query = self.trusted.resolve(caller, query, request.extensions)
            if not query:
                raise GatewayError("BAD_USER_INPUT", "GraphQL operations must contain a non-empty `query`.")
            operation = self.documents.get(query, request.operation_name)
            trace.annotate_request({"graphql.operation.name": operation.operation_name or "",
                                    "graphql.operation.type": operation.operation_type,
                                    "lienthong.purpose": (purpose.purpose if purpose else None) or ""})
            if request.method == "GET" and operation.operation_type != "query":
                raise GatewayError("BAD_USER_INPUT", "Can only perform a mutation operation from a POST request.",
                                   405)
            variables = self._coerce(operation, request.variables or {})
            self.documents.check_cost(operation, variables)  # QUERY_TOO_COMPLEX before any policy or subgraph call
            trace.stage("policy.decide")
            collected = await _maybe(self.policy.collect(operation, variables))
            coordinates = collected.coordinates
            trace.annotate(coordinate_attributes(coordinates))
            decision = await _maybe(self.policy.decide(caller, purpose, collected, operation))
            trace.stage("policy.prepare")
            prepared = await _maybe(self.policy.prepare(operation, decision))
            execution_op = prepared.operation
            if operation.operation_type == "mutation":
                calls = tuple(getattr(collected, "calls", ()))
                trace.stage("idempotency")
                begun = await self.writes.begin(request.headers, caller, purpose, operation, request.variables)
                if isinstance(begun, Replay):  # a retry: the first response, nothing called
                    return await self._replay(request, started, caller, purpose, operation, coordinates,
                                              decision, begun)
            trace.stage("plan")
            try:
                plan = self.plans.get(execution_op, variables)
            except PlanningError as exc:
                raise GatewayError("GRAPHQL_VALIDATION_FAILED", f"Cannot plan this operation: {exc}") from exc
            ctx = FetchContext(request.request_id, getattr(caller, "sub", None), getattr(caller, "agency_id", None),
                               purpose.purpose if purpose else None, caller)
            if calls:
                await self._audit_intent(request, started, caller, purpose, operation, coordinates, decision, calls)
            executed = True
            trace.stage("execute")  # the executor's fetch spans are its children
            apply_fetched = getattr(self.policy, "apply_fetched", None)
            if apply_fetched is not None:  # completion and policy in one walk over the merged answers
                fetched = await self.executor.fetch(plan, execution_op, request.variables or {}, ctx)
                trace.stage("policy.apply")
                outcome = await _maybe(apply_fetched(fetched, prepared, decision, caller, purpose, variables))
            else:
                result = await self.executor.execute(plan, execution_op, request.variables or {}, ctx)
                trace.stage("policy.apply")
                outcome = await _maybe(self.policy.apply(result, prepared, decision, caller, purpose, variables))
                outcome.value_completion = (result.get("extensions") or {}).get("valueCompletion") or []
            trace.annotate(masked_attributes(outcome.extension))
        except Exception as exc:  # every refusal/failure becomes a contract error response
            refusal = exc if isinstance(exc, GatewayError) or hasattr(exc, "code") else None
            if refusal is None:
                log.exception("request %s failed", request.request_id)
                refusal = GatewayError("INTERNAL_SERVER_ERROR", "Internal server error.", 500)
            error = _refusal(refusal)
            body: dict[str, Any] = {"errors": error.to_errors()}
            if error.policy:
                body["extensions"] = {"policy": error.policy}
            trace.failed(error.code, error.status)
            trace.stage("audit")
            failed_writes = self.writes.failed_audits(calls, decision, executed) if calls else []
            # every request that reaches the gateway is recorded, anonymous refusals included (000 Art. 13.7)
            audited = await self._audit_quietly(request, started, caller, purpose, operation, coordinates, decision,
                                                error, "refused" if error.status < 500 else "error", failed_writes)
            await self.writes.settle(begun, executed=executed, status=error.status, body=body,
                                     entries=failed_writes, audited=audited, request_id=request.request_id)
            return GraphQLResponse(error.status, body, "refused" if error.status < 500 else "error",
                                   headers=dict(getattr(error, "headers", None) or {}))  # e.g. Retry-After

        errors = outcome.errors
        status_outcome = "partial" if errors else "ok"
        record = self._record(request, started, caller, purpose, operation, coordinates, decision,
                              outcome.extension, outcome.subjects, status_outcome,
                              [str((e.get("extensions") or {}).get("code", "")) for e in errors], 200)
        if calls:  # a mutation: its writes, in the same record
            record.writes = self.writes.audits(calls, decision, ctx.writes, errors, ctx.undelivered)
            record.subjects = sorted(set(record.subjects).union(*(w.all_subjects for w in record.writes)))
        trace.stage("audit")
        try:
            await _maybe(self.audit.record(record))
        except Exception as exc:  # fail closed: no durable record, no data
            log.error("audit failed for request %s: %s", request.request_id, exc)
            trace.failed("AUDIT_UNAVAILABLE", 503)
            # a write may have happened: its retry must replay it (and audit it then), never write again
            kept = {"data": outcome.data, **({"errors": errors} if errors else {}),
                    "extensions": {"policy": outcome.extension}}
            await self.writes.settle(begun, executed=executed, status=200, body=kept, entries=record.writes,
                                     audited=False, request_id=request.request_id)
            return GraphQLResponse(503, {"errors": [{
                "message": "The access could not be recorded; no data is returned.",
                "extensions": {"code": "AUDIT_UNAVAILABLE"},
            }]}, "error")
        body = {"data": outcome.data}
        if errors:
            body = {"errors": errors, "data": outcome.data}
        extensions: dict[str, Any] = {"policy": outcome.extension}
        if outcome.value_completion:
            extensions["valueCompletion"] = outcome.value_completion
        if request.want_plan and self.expose_plans:
            extensions["queryPlan"] = plan.to_dict()
            extensions["queryPlanText"] = plan.pretty()
        body["extensions"] = extensions
        await self.writes.settle(begun, executed=executed, status=200, body=body, entries=record.writes,
                                 audited=True, request_id=request.request_id)
        return GraphQLResponse(200, body, status_outcome)

    async def _audit_intent(self, request: GraphQLRequest, started: float, caller: Caller | None,
                            purpose: DeclaredPurpose | None, operation: ParsedOperation,
                            coordinates: Mapping[str, str], decision: Any, calls: tuple[Any, ...]) -> None:
        """Before a mutation reaches its subgraph, a durable record of the writes it is about to make (outcome
        ``intended``): a write never happens untraced. The audit store down: ``AUDIT_UNAVAILABLE``, nothing
        called (fail closed)."""
        intents = self.writes.intents(calls, decision)
        if not intents:  # every write refused: nothing will be written, the request's own record says so
            return
        record = self._record(request, started, caller, purpose, operation, coordinates, decision, None,
                              sorted({s for w in intents for s in w.all_subjects}), "ok", [], 202)
        record.writes = intents
        try:
            await _maybe(self.audit.record(record))
        except Exception as exc:
            log.error("audit of the writes of request %s failed: %s", request.request_id, exc)
            raise GatewayError("AUDIT_UNAVAILABLE", "The write could not be recorded; nothing was written.",
                               503) from exc

    async def _replay(self, request: GraphQLRequest, started: float, caller: Caller | None,
                      purpose: DeclaredPurpose | None, operation: ParsedOperation, coordinates: Mapping[str, str],
                      decision: Any, replay: Replay) -> GraphQLResponse:
        """Answer a retried mutation with its first response; audited (with the first request's writes when
        that request's own record could not be made durable), fail closed like every response."""
        if replay.audited:
            writes = [{**w, "outcome": "replayed", "records": []} for w in replay.writes]
        else:
            writes = [{**w, "reason": f"audited by this replay of request {replay.request_id}"}
                      for w in replay.writes]
        subjects = sorted({s for w in replay.writes for s in w.get("subjects") or ()}
                          | {s for w in replay.writes for r in w.get("records") or () for s in r.get("subjects") or ()})
        body_policy = (replay.body.get("extensions") or {}).get("policy") if isinstance(replay.body, dict) else None
        codes = [str((e.get("extensions") or {}).get("code", "")) for e in replay.body.get("errors") or ()]
        outcome = "partial" if codes else "ok"
        record = self._record(request, started, caller, purpose, operation, coordinates, decision, body_policy,
                              subjects, outcome if replay.status < 400 else "refused", codes, replay.status)
        record.writes = writes
        try:
            await _maybe(self.audit.record(record))
        except Exception as exc:  # fail closed
            log.error("audit failed for replayed request %s: %s", request.request_id, exc)
            return GraphQLResponse(503, {"errors": [{
                "message": "The access could not be recorded; no data is returned.",
                "extensions": {"code": "AUDIT_UNAVAILABLE"},
            }]}, "error")
        return GraphQLResponse(replay.status, replay.body, outcome, headers={REPLAYED_HEADER: "true"})

    def _coerce(self, operation: ParsedOperation, raw: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise GatewayError("BAD_USER_INPUT", "`variables` must be an object.")
        coerced = coerce_variables(self.documents.schema, operation.operation.variable_definitions or (), raw)
        if isinstance(coerced, list):
            raise GatewayError("BAD_USER_INPUT", coerced[0].message, errors=[
                {"message": e.message, "extensions": {"code": "BAD_USER_INPUT"}} for e in coerced
            ])
        return coerced

    def _record(self, request: GraphQLRequest, started: float, caller: Caller | None,
                purpose: DeclaredPurpose | None, operation: ParsedOperation | None, coordinates: Mapping[str, str],
                decision: Any, policy: dict[str, Any] | None, subjects: list[str], outcome: str,
                codes: list[str], status: int) -> AuditRecord:
        return AuditRecord(
            request_id=request.request_id, at=time.time(), caller=caller, purpose=purpose,
            operation_name=operation.operation_name if operation else request.operation_name,
            document_hash=operation.document_hash if operation else None, coordinates=sorted(coordinates),
            decision=decision, policy=policy, subjects=subjects, outcome=outcome, error_codes=codes,
            status=status, duration_ms=(time.perf_counter() - started) * 1000,
        )

    async def _audit_quietly(self, request: GraphQLRequest, started: float, caller: Caller | None,
                             purpose: DeclaredPurpose | None, operation: ParsedOperation | None,
                             coordinates: Mapping[str, str], decision: Any, error: GatewayError, outcome: str,
                             writes: list[Any] | None = None) -> bool:
        record = self._record(request, started, caller, purpose, operation, coordinates, decision, error.policy,
                              sorted({s for w in writes or () for s in w.all_subjects}), outcome, [error.code],
                              error.status)
        record.writes = list(writes or ())
        try:
            await _maybe(self.audit.record(record))
        except Exception as exc:  # the refusal stands; nothing was released
            log.error("audit of refused request %s failed: %s", request.request_id, exc)
            return False
        return True
