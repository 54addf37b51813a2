"""Adapter from the pipeline's policy hook Protocol (gateway/pipeline.py) to ``gateway.policy``.

``gateway.auth.Authenticator`` and ``gateway.audit.PipelineAudit`` implement their hooks themselves.

It translates and caches, it does not decide: decisions are ``gateway.policy`` (Rego). Policy errors become
:class:`gateway.errors.GatewayError` with the contract's codes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from cachetools import LRUCache
from graphql import FragmentDefinitionNode, OperationDefinitionNode

from ..errors import GatewayError
from ..pipeline import PolicyOutcome
from ..policy import BadUserInput, FieldDecision, PolicyError, PolicyRefusal, PolicyService
from ..supergraph import Supergraph
from ..supergraph.documents import ParsedOperation


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
        self.categories = supergraph.categories
        self._prepared: LRUCache[str, ParsedOperation] = LRUCache(maxsize=cache_size)
        self._collected: LRUCache[tuple[Any, ...], dict[str, str]] = LRUCache(maxsize=cache_size)
        self.decisions = 0  # decide() calls; with ``evaluations`` exposed by gateway.server.metrics

    @property
    def evaluations(self) -> int:
        """Policy evaluations by the engine (decision cache misses)."""
        return self.service.evaluations

    def collect(self, operation: ParsedOperation, variables: dict[str, Any]) -> dict[str, str]:
        key = (operation.document_hash, operation.operation_name,
               *(repr(variables.get(name)) for name in operation.condition_variables))
        coordinates = self._collected.get(key)
        if coordinates is None:
            try:
                coordinates = self.service.collect(self.schema, self.categories, operation.document,
                                                   operation.operation_name, variables)
            except BadUserInput as exc:
                raise GatewayError("BAD_USER_INPUT", str(exc), 400) from exc
            self._collected[key] = coordinates
        return dict(coordinates)

    async def decide(self, caller: Any, purpose: Any, coordinates: dict[str, str],
                     operation: ParsedOperation) -> FieldDecision:
        self.decisions += 1
        try:
            return await self.service.decide(caller, purpose, operation.operation_type, coordinates)
        except PolicyError as exc:
            raise _refusal(exc, purpose) from exc

    def prepare(self, operation: ParsedOperation, decision: FieldDecision) -> ParsedOperation:
        key = self.service.decision_cache_key(operation.cache_key or operation.document_hash, decision)
        cached = self._prepared.get(key)
        if cached is not None:
            return cached
        try:
            document = self.service.prepare(operation.document, decision, self.schema)
        except BadUserInput as exc:
            raise GatewayError("BAD_USER_INPUT", str(exc), 400) from exc
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = next(o for o in operations if operation.operation_name is None
                      or (o.name is not None and o.name.value == operation.operation_name))
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        prepared = dataclasses.replace(operation, document=document, operation=chosen, fragments=fragments,
                                       cache_key=key)
        self._prepared[key] = prepared
        return prepared

    def apply(self, result: dict[str, Any], operation: ParsedOperation, decision: FieldDecision, caller: Any,
              purpose: Any, variables: dict[str, Any]) -> PolicyOutcome:
        applied = self.service.apply(result, operation.document, operation.operation_name, variables, decision,
                                     self.schema)
        extension = dict(applied.extensions.get("policy") or {})
        return PolicyOutcome(applied.data, list(applied.errors), extension, sorted(applied.subjects))

    async def close(self) -> None:
        await self.service.close()
