"""Field-level authorization by agency and purpose, decided by the Rego policy in ``policies/``.

Wiring (gateway/pipeline.py, through :class:`gateway.policy.hook.PolicyHook`)::

    policy = PolicyService.from_env(os.environ)          # once per app; await policy.close() on shutdown
    model = ProtectionModel.from_sdl(supergraph.sdl)     # the declarations (docs/PROTECTION.md), once
    # per request, after parse + validate + cost:
    collected = policy.collect(api_schema, model, document, operation_name, variables)   # Collected
    decision = await policy.decide(caller, declared_purpose, operation_type, collected)
        # PolicyRefusal  -> PURPOSE_REQUIRED / PURPOSE_NOT_PERMITTED / REQUEST_REFUSED (403, the last: 000 Art.
        #                   13.4, policies/grants.rego), extensions.reasons; no data
        # policy.grants (gateway.grants.GrantResolver, set by wiring): X-Legal-Basis -> input.grant, once
        # PolicyUnavailable -> POLICY_UNAVAILABLE (503); no data (fail closed)
        # BadUserInput (a client alias "_lt_…") -> BAD_USER_INPUT (400)
    prepared = policy.prepare(document, decision, api_schema, model)   # plan + execute prepared.document
    applied = policy.apply(result, prepared, operation_name, variables, decision, api_schema, model)
    audit.record(..., subjects=applied.subjects, masked=applied.masked)

``caller`` is :class:`gateway.auth.Caller` and ``declared_purpose`` :class:`gateway.auth.purpose.DeclaredPurpose`
(re-exported here). ``prepare`` output may be cached under ``PolicyService.decision_cache_key(hash, decision)``.
Environment: GATEWAY_POLICY_ENGINE (embedded | opa | allow-all, the latter only with GATEWAY_ENV=test),
GATEWAY_POLICY_DIR, GATEWAY_POLICY_TIMEOUT, GATEWAY_OPA_URL, GATEWAY_PSEUDONYM_KEY, GATEWAY_POLICY_CACHE_SIZE.
"""

from .categories import categories_from_sdl
from .engines import AllowAllEngine, EmbeddedEngine, OpaServerEngine, PolicyEngine, make_engine
from .service import PolicyService, build_input
from .types import (
    Applied,
    BadUserInput,
    Caller,
    DeclaredPurpose,
    FieldDecision,
    FieldEffect,
    PolicyError,
    PolicyRefusal,
    PolicyUnavailable,
    RowRule,
)

__all__ = [
    "AllowAllEngine",
    "Applied",
    "BadUserInput",
    "Caller",
    "DeclaredPurpose",
    "EmbeddedEngine",
    "FieldDecision",
    "FieldEffect",
    "OpaServerEngine",
    "PolicyEngine",
    "PolicyError",
    "PolicyRefusal",
    "PolicyService",
    "PolicyUnavailable",
    "RowRule",
    "build_input",
    "categories_from_sdl",
    "make_engine",
]
