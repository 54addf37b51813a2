"""PolicyService: the four pipeline hooks (collect, decide, prepare, apply) around one engine and one cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from cachetools import LRUCache
from graphql import DocumentNode, GraphQLSchema

from .apply import apply_policy
from .bundle import load_bundle
from .collect import collect_coordinates
from .engines import PolicyEngine, make_engine
from .prepare import Preparer
from .types import (
    Applied,
    CallerLike,
    DeclaredPurposeLike,
    FieldDecision,
    FieldEffect,
    PolicyRefusal,
    PolicyResult,
    PolicyUnavailable,
    RowRule,
)

DEV_PSEUDONYM_KEY = b"lienthong-development-pseudonym-key"


def build_input(
    caller: CallerLike, declared: DeclaredPurposeLike | None, operation_type: str, coordinates: Mapping[str, str]
) -> dict[str, Any]:
    """The policy input document (policies/README.md)."""
    return {
        "subject": {
            "agency": caller.agency_id,
            "kind": caller.agency_kind,
            "province": caller.province,
            "role": _plain(getattr(caller, "role", None)),
        },
        "purpose": declared.purpose if declared else None,
        "legal_basis_present": bool(declared and declared.legal_basis and declared.legal_basis.strip()),
        "operation": operation_type,
        "fields": [{"coordinate": c, "category": coordinates[c]} for c in sorted(coordinates)],
    }


def _plain(value: Any) -> Any:
    """Enum members (e.g. ``gateway.auth`` roles) become their value so the input is JSON."""
    return getattr(value, "value", value)


def parse_result(raw: Mapping[str, Any], version: str) -> PolicyResult | PolicyRefusal:
    """Validate an engine's decision document; anything malformed is an engine failure (fail closed)."""
    try:
        if raw.get("allow") is not True:
            refusal = raw.get("refusal") or {}
            code = refusal.get("code")
            if code not in ("PURPOSE_REQUIRED", "PURPOSE_NOT_PERMITTED"):
                raise ValueError(f"refusal without a known code: {refusal!r}")
            return PolicyRefusal(code, [str(r) for r in refusal.get("reasons", [])], version)
        fields = {
            coordinate: FieldEffect(str(e["effect"]), e.get("mask"), str(e.get("reason", "")))
            for coordinate, e in raw["fields"].items()
        }
        rules = tuple(
            RowRule(str(r["id"]), r["when"], str(r["effect"]), frozenset(r.get("coordinates", [])), str(r["reason"]))
            for r in raw.get("row_rules", [])
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise PolicyUnavailable(f"malformed policy decision: {exc}") from exc
    return PolicyResult(version, fields, rules)


class PolicyService:
    """The gateway's policy stage. One instance per app; no module-level state.

    ``cache_size`` bounds the decision LRU, keyed by (subject, purpose, legal basis present, operation type,
    field set with categories, policy version). ``evaluations`` counts engine calls.
    """

    def __init__(
        self,
        engine: PolicyEngine,
        *,
        pseudonym_key: bytes,
        row_attributes: list[Mapping[str, Any]] | None = None,
        cache_size: int = 4096,
        clock: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.engine = engine
        self._key = pseudonym_key
        if row_attributes is None:
            bundle = getattr(engine, "bundle", None) or load_bundle(None)
            row_attributes = bundle.catalogue("row_attributes") or []
        self._preparer = Preparer(row_attributes)
        self._cache: LRUCache[tuple[Any, ...], PolicyResult | PolicyRefusal] = LRUCache(maxsize=cache_size)
        self._clock = clock
        self.evaluations = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PolicyService:
        """Build from the environment: ``GATEWAY_POLICY_ENGINE`` and friends (engines.make_engine),
        ``GATEWAY_PSEUDONYM_KEY`` (required when ``GATEWAY_ENV=production``), ``GATEWAY_POLICY_CACHE_SIZE``."""
        key = env.get("GATEWAY_PSEUDONYM_KEY", "").encode()
        if not key:
            if env.get("GATEWAY_ENV", "development") == "production":
                raise RuntimeError("GATEWAY_PSEUDONYM_KEY must be set in production")
            key = DEV_PSEUDONYM_KEY
        return cls(make_engine(env), pseudonym_key=key, cache_size=int(env.get("GATEWAY_POLICY_CACHE_SIZE", "4096")))

    @property
    def policy_version(self) -> str:
        return self.engine.version

    def collect(
        self,
        schema: GraphQLSchema,
        categories: Mapping[str, str],
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> dict[str, str]:
        """Every coordinate the operation reaches, with its category (see collect.collect_coordinates)."""
        return collect_coordinates(schema, categories, document, operation_name, variables)

    async def decide(
        self,
        caller: CallerLike,
        declared: DeclaredPurposeLike | None,
        operation_type: str,
        coordinates: Mapping[str, str],
    ) -> FieldDecision:
        """One policy decision for all ``coordinates``. Raises PolicyRefusal (403) or PolicyUnavailable (503)."""
        policy_input = build_input(caller, declared, operation_type, coordinates)
        refresh = getattr(self.engine, "refresh", None)
        if refresh is not None:
            refresh()
        version = self.engine.version
        subject = policy_input["subject"]
        key = (
            subject["agency"], subject["kind"], subject["province"], subject["role"],
            policy_input["purpose"], policy_input["legal_basis_present"], operation_type,
            frozenset(coordinates.items()), version,
        )
        cached = key in self._cache
        outcome = self._cache.get(key)
        if outcome is None:
            self.evaluations += 1
            try:
                raw = await self.engine.evaluate(policy_input)
            except PolicyUnavailable:
                raise
            except Exception as exc:  # any engine bug fails closed
                raise PolicyUnavailable(f"policy engine error: {type(exc).__name__}: {exc}") from exc
            outcome = parse_result(raw, version)
            missing = set(coordinates) - set(outcome.fields) if isinstance(outcome, PolicyResult) else set()
            if missing:
                raise PolicyUnavailable(f"policy decided nothing for {sorted(missing)[:5]}")
            self._cache[key] = outcome
        if isinstance(outcome, PolicyRefusal):
            raise PolicyRefusal(outcome.code, outcome.reasons, outcome.policy_version)
        return FieldDecision(uuid.uuid4().hex, policy_input["purpose"], subject, outcome, cached)

    def prepare(self, document: DocumentNode, decision: FieldDecision, schema: GraphQLSchema) -> DocumentNode:
        """The execution document: withheld fields pruned, row attributes injected (see prepare.py)."""
        return self._preparer.prepare(document, decision, schema)

    def apply(
        self,
        result: Mapping[str, Any],
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        decision: FieldDecision,
        schema: GraphQLSchema,
    ) -> Applied:
        """Row rules, masks and FORBIDDEN_FIELD errors on the execution result (see apply.py)."""
        return apply_policy(
            result, document, operation_name, variables, decision, schema,
            pseudonym_key=self._key, today=self._clock(),
        )

    @staticmethod
    def decision_cache_key(document_hash: str, decision: FieldDecision) -> str:
        """A key under which the pipeline may cache ``prepare``'s output for (document, decision)."""
        fields = json.dumps({c: e.effect for c, e in sorted(decision.result.fields.items())})
        return hashlib.sha256(f"{document_hash}|{decision.policy_version}|{fields}".encode()).hexdigest()

    async def close(self) -> None:
        await self.engine.close()
