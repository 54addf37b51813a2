"""Field-level authorization by agency and purpose, decided by the Rego policy in ``policies/``.

Wiring (gateway/pipeline.py)::

    from gateway.policy import PolicyService, PolicyRefusal, PolicyUnavailable, BadUserInput

    policy = PolicyService.from_env(os.environ)          # once per app; await policy.close() on shutdown
    # per request, after parse + validate:
    coordinates = policy.collect(api_schema, categories, document, operation_name, variables)
    decision = await policy.decide(caller, declared_purpose, operation_type, coordinates)
        # PolicyRefusal  -> errors[0].extensions.code = exc.code (PURPOSE_REQUIRED / PURPOSE_NOT_PERMITTED),
        #                   HTTP exc.http_status (403), extensions.reasons = exc.reasons; no data
        # PolicyUnavailable -> POLICY_UNAVAILABLE, HTTP 503; no data (fail closed)
        # BadUserInput (also from collect/prepare: client alias "_lt_…") -> BAD_USER_INPUT, HTTP 400
    execution_document = policy.prepare(document, decision, api_schema)   # plan + execute THIS document
    applied = policy.apply(result, execution_document, operation_name, variables, decision, api_schema)
    response = {"data": applied.data, "errors": applied.errors or None, "extensions": applied.extensions}
    audit.record(..., decision_id=decision.decision_id, subjects=applied.subjects, masked=applied.masked)

``categories`` is ``{"Type.field": "CATEGORY"}`` read from the supergraph's ``@personalData`` directives
(:func:`gateway.policy.categories.categories_from_sdl`). ``caller`` needs ``.sub .agency_id .agency_kind
.province .role``; ``declared_purpose`` needs ``.purpose .legal_basis`` (or is None).
``prepare`` output may be cached under ``PolicyService.decision_cache_key(document_hash, decision)``.
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
