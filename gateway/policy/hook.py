"""The pipeline's policy hook (gateway/pipeline.py) over :class:`PolicyService`, beside the audit hook's
counterpart (``gateway.audit.hook``); ``gateway.auth.Authenticator`` implements its hook itself.

It translates and caches, it does not decide: decisions are ``gateway.policy`` (Rego). Policy errors become
:class:`gateway.errors.GatewayError` with the contract's codes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from cachetools import LRUCache
from graphql import FragmentDefinitionNode, OperationDefinitionNode

from ..cache_weight import put, units, weighted_lru
from ..errors import GatewayError
from ..execution import Fetched
from ..pipeline import ExecutionOperation, PolicyOutcome
from ..supergraph import Supergraph
from ..supergraph.documents import ParsedOperation
from ..writes.calls import write_calls
from ..writes.model import WriteModel
from .model import ProtectionModel
from .prepare import Prepared
from .respond import Unfinished
from .respond_plan import ResponseCompiler
from .service import PolicyService
from .types import BadUserInput, Collected, FieldDecision, PolicyError, PolicyRefusal


def _refusal(exc: PolicyError, purpose: Any = None) -> GatewayError:
    if isinstance(exc, PolicyRefusal):
        # extensions.policy on every response (BRIEF contract): a refusal names the declared purpose too
        policy = {"decisionId": None, "policyVersion": exc.policy_version,
                  "purpose": getattr(purpose, "purpose", None), "masked": [], "reasons": exc.reasons}
        message = "; ".join(exc.reasons) or exc.code
        return GatewayError(exc.code, message, exc.http_status, extensions={"reasons": exc.reasons}, policy=policy)
    return GatewayError(exc.code, "The policy decision point is unavailable; no data is returned.",
                        exc.http_status)


class PolicyHook:
    """``gateway.policy.PolicyService`` behind the pipeline's ``PolicyHook`` protocol.

    ``collect`` is cached per (document, operation, values of the @skip/@include variables), ``prepare`` per
    (document, decision effects): the same query by callers with the same decision reuses one execution
    document, hence one cached plan.
    """

    def __init__(self, service: PolicyService, supergraph: Supergraph, cache_size: int = 1024) -> None:
        self.service = service
        self.schema = supergraph.api_schema
        self.model = ProtectionModel.from_sdl(supergraph.sdl)  # the declarations, read once
        self.writes = WriteModel.from_sdl(supergraph.sdl)  # @writeArea / @writeSubject of the mutations
        # each weighed by the size of what it holds (gateway.cache_weight): large operations count for more
        self._prepared: LRUCache[str, ExecutionOperation] = weighted_lru(
            cache_size, lambda e: units(e.operation.field_count))
        self.responses = ResponseCompiler(self.schema, self.model, cache_size)  # apply_fetched's compiled shapes
        self._collected: LRUCache[tuple[Any, ...], Collected] = weighted_lru(
            cache_size, lambda c: units(len(c.coordinates)))
        self.decisions = 0  # decide() calls; with ``evaluations`` exposed by gateway.server.metrics

    @property
    def evaluations(self) -> int:
        """Policy evaluations by the engine (decision cache misses)."""
        return self.service.evaluations

    def collect(self, operation: ParsedOperation, variables: dict[str, Any]) -> Collected:
        key = (operation.document_hash, operation.operation_name,
               *(repr(variables.get(name)) for name in operation.condition_variables))
        try:
            collected = self._collected.get(key)
            if collected is None:
                collected = self.service.collect(self.schema, self.model, operation.document,
                                                 operation.operation_name, variables)
                put(self._collected, key, collected)
                calls = collected.calls
            else:
                # the root calls' policy arguments may come from any variable: read per request, not cached
                calls = self.service.root_calls(self.schema, operation.document, operation.operation_name,
                                                variables)
            if operation.operation_type == "mutation":  # every mutation root field is a write (writes.rego)
                writes = write_calls(self.schema, self.writes, operation.document, operation.operation_name,
                                     variables)
                calls = (*(c for c in calls if all(c.key != w.key for w in writes)), *writes)
        except BadUserInput as exc:
            raise GatewayError("BAD_USER_INPUT", str(exc), 400) from exc
        return collected if calls == collected.calls else dataclasses.replace(collected, calls=tuple(calls))

    async def decide(self, caller: Any, purpose: Any, collected: Collected,
                     operation: ParsedOperation) -> FieldDecision:
        self.decisions += 1
        try:
            return await self.service.decide(caller, purpose, operation.operation_type, collected)
        except PolicyError as exc:
            raise _refusal(exc, purpose) from exc

    def prepare(self, operation: ParsedOperation, decision: FieldDecision) -> ExecutionOperation:
        key = self.service.decision_cache_key(operation.cache_key or operation.document_hash, decision)
        cached = self._prepared.get(key)
        if cached is not None:
            return cached
        try:
            prepared = self.service.prepare(operation.document, decision, self.schema, self.model)
        except BadUserInput as exc:
            raise GatewayError("BAD_USER_INPUT", str(exc), 400) from exc
        document = prepared.document
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = next(o for o in operations if operation.operation_name is None
                      or (o.name is not None and o.name.value == operation.operation_name))
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        execution = ExecutionOperation(
            dataclasses.replace(operation, document=document, operation=chosen, fragments=fragments, cache_key=key),
            prepared,
        )
        put(self._prepared, key, execution)
        return execution

    def apply_fetched(self, fetched: Fetched, operation: ExecutionOperation, decision: FieldDecision, caller: Any,
                      purpose: Any, variables: dict[str, Any]) -> PolicyOutcome:
        """``apply`` on the merged, not yet completed subgraph answers: completion and policy in one walk
        (``gateway.policy.respond``), its per-field work compiled once per (shape, decision, document)."""
        prepared: Prepared = operation.policy
        plan = self.responses.plan(fetched.shape, decision.result, prepared, units(operation.operation.field_count))
        unfinished = Unfinished(plan, fetched.data, fetched.errors)
        applied = self.service.apply(unfinished, prepared, operation.operation.operation_name, variables, decision,
                                     self.schema, self.model)
        extension = dict(applied.extensions.get("policy") or {})
        return PolicyOutcome(applied.data, list(applied.errors), extension, sorted(applied.subjects),
                             applied.extensions.get("valueCompletion") or [])

    def apply(self, result: dict[str, Any], operation: ExecutionOperation, decision: FieldDecision, caller: Any,
              purpose: Any, variables: dict[str, Any]) -> PolicyOutcome:
        prepared: Prepared = operation.policy
        applied = self.service.apply(result, prepared, operation.operation.operation_name, variables, decision,
                                     self.schema, self.model)
        extension = dict(applied.extensions.get("policy") or {})
        return PolicyOutcome(applied.data, list(applied.errors), extension, sorted(applied.subjects))

    async def close(self) -> None:
        await self.service.close()
