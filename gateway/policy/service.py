"""PolicyService: the four pipeline hooks (collect, decide, prepare, apply) around one engine and one cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from cachetools import LRUCache
from graphql import DocumentNode, GraphQLSchema

from subgraphs.common.settings import parse_environment

from ..cache_weight import put, units, weighted_lru
from .apply import apply_policy
from .bundle import load_bundle
from .collect import collect, root_calls
from .engines import PolicyEngine, make_engine
from .model import ProtectionModel
from .prepare import Prepared, Preparer
from .types import (
    Applied,
    Caller,
    Collected,
    DeclaredPurpose,
    FieldDecision,
    FieldEffect,
    PolicyRefusal,
    PolicyResult,
    PolicyUnavailable,
    RootCall,
    RowRule,
)

DEV_PSEUDONYM_KEY = b"lienthong-development-pseudonym-key"
# The codes a policy may refuse a whole request with (403); REQUEST_REFUSED: 000 Art. 13.4 (policies/grants.rego)
REFUSAL_CODES = ("PURPOSE_REQUIRED", "PURPOSE_NOT_PERMITTED", "REQUEST_REFUSED")


def build_input(
    caller: Caller, declared: DeclaredPurpose | None, operation_type: str, collected: Collected | Mapping[str, str],
    consent: Mapping[str, Any] | None = None, fields: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The policy input document (policies/README.md). A plain ``{coordinate: category}`` mapping is accepted
    for tools that have no declarations at hand (kinds are then unknown). ``consent``: the consent the request
    named (``X-Consent-Reference``) as the gateway store holds it (:mod:`gateway.subjects.consents`)."""
    if not isinstance(collected, Collected):
        collected = Collected(dict(collected), {})
    role = _plain(getattr(caller, "role", None))
    policy_input: dict[str, Any] = {
        "subject": {
            "agency": caller.agency_id,
            "kind": caller.agency_kind,
            "province": caller.province,
            "role": role,
            # only a data subject's own id is policy input (their rows: policies/subjects.rego); an officer's
            # account never is, so that decisions stay shared by every account of an agency
            "personal_id": caller.sub if role == "data_subject" else None,
        },
        "purpose": declared.purpose if declared else None,
        "legal_basis_present": bool(declared and declared.legal_basis and declared.legal_basis.strip()),
        "operation": operation_type,
        "fields": fields if fields is not None else field_inputs(collected),
        "calls": [_call_input(call) for call in collected.calls],
    }
    if consent is not None:
        policy_input["consent"] = dict(consent)
    return policy_input


def _call_input(call: RootCall) -> dict[str, Any]:
    """One root call in the policy input; a mutation's (``gateway.writes.calls.WriteCall``) with its ``write``."""
    entry: dict[str, Any] = {"key": call.key, "coordinate": call.coordinate, "arguments": dict(call.arguments)}
    write_input = getattr(call, "write_input", None)
    if write_input is not None:
        entry["write"] = write_input()
    return entry


def field_inputs(collected: Collected) -> list[dict[str, str]]:
    """The ``fields`` of the policy input: every coordinate with its category and kind, sorted."""
    coordinates, kinds = collected.coordinates, collected.kinds
    return [{"coordinate": c, "category": coordinates[c], "kind": kinds.get(c, "unknown")} for c in sorted(coordinates)]


def _plain(value: Any) -> Any:
    """Enum members (e.g. ``gateway.auth`` roles) become their value so the input is JSON."""
    return getattr(value, "value", value)


def parse_result(raw: Mapping[str, Any], version: str) -> PolicyResult | PolicyRefusal:
    """Validate an engine's decision document; anything malformed is an engine failure (fail closed)."""
    try:
        if raw.get("allow") is not True:
            refusal = raw.get("refusal") or {}
            code = refusal.get("code")
            if code not in REFUSAL_CODES:
                raise ValueError(f"refusal without a known code: {refusal!r}")
            return PolicyRefusal(code, [str(r) for r in refusal.get("reasons", [])], version)
        fields = {
            coordinate: FieldEffect(str(e["effect"]), e.get("mask"), str(e.get("reason", "")))
            for coordinate, e in raw["fields"].items()
        }
        rules = tuple(
            RowRule(str(r["id"]), r["when"], str(r["effect"]), frozenset(r.get("coordinates", [])), str(r["reason"]),
                    r.get("report") == "summary", str(r.get("subjects", "any")), r.get("report") == "silent",
                    frozenset(str(t) for t in r.get("row_types") or ()))
            for r in raw.get("row_rules", [])
        )
        root_fields = {
            str(key): FieldEffect(str(e["effect"]), e.get("mask"), str(e.get("reason", "")))
            for key, e in (raw.get("root_fields") or {}).items()
        }
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise PolicyUnavailable(f"malformed policy decision: {exc}") from exc
    return PolicyResult(version, fields, rules, root_fields)


class ConsentLookup(Protocol):
    """Where the consents data subjects gave are recorded (:class:`gateway.subjects.consents.ConsentRegistry`)."""

    async def consent_facts(self, reference: str) -> Mapping[str, Any]:
        """``{"reference", "found", "personal_id", "agency", "purpose", "scope", "withdrawn", "expired"}``."""
        ...


_NO_GRANT_FACTS = {"status": "unavailable", "reference": None}  # no registry wired: unknown means withheld


class GrantLookup(Protocol):
    """The grants registry as the policy stage reads it (:class:`gateway.grants.GrantResolver`)."""

    async def resolve(self, legal_basis: str | None, purpose: str | None) -> Any:
        """A ``GrantUse``: ``policy_input()`` (the input's ``grant``), ``cache_key()``, ``disclosure_at``."""
        ...


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
        policy_arguments: Mapping[str, list[str]] | None = None,
        cache_size: int = 4096,
        clock: Callable[[], dt.date] = dt.date.today,
        consents: ConsentLookup | None = None,
    ) -> None:
        self.engine = engine
        self.consents = consents  # set by gateway.server.wiring once the gateway store exists
        self.grants: GrantLookup | None = None  # set by gateway.server.wiring (gateway.grants)
        # a data subject's relatives (gateway.subjects.relatives.RelativesLookup), set by gateway.server.wiring
        self.relatives: Any = None
        self._key = pseudonym_key
        if policy_arguments is None:
            bundle = getattr(engine, "bundle", None) or load_bundle(None)
            policy_arguments = (bundle.catalogue("rules") or {}).get("policy_arguments") or {}
        self.policy_arguments: Mapping[str, list[str]] = dict(policy_arguments)
        # weighed by the number of fields decided (gateway.cache_weight): the key holds them too
        self._cache: LRUCache[tuple[Any, ...], PolicyResult | PolicyRefusal] = weighted_lru(
            cache_size, lambda o: units(len(o.fields)) if isinstance(o, PolicyResult) else 1)
        # per collected document: its policy input fields and their part of the decision key, built once (they
        # read only the coordinates and kinds, shared by every request of the document)
        self._field_inputs: LRUCache[int, tuple[Any, Any, list[dict[str, str]], frozenset[Any]]] = weighted_lru(
            cache_size, lambda entry: units(len(entry[2])))
        self._clock = clock
        self.evaluations = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PolicyService:
        """Build from the environment: ``GATEWAY_POLICY_ENGINE`` and friends (engines.make_engine),
        ``GATEWAY_PSEUDONYM_KEY`` (required when ``GATEWAY_ENV=production``), ``GATEWAY_POLICY_CACHE_SIZE``."""
        key = env.get("GATEWAY_PSEUDONYM_KEY", "").encode()
        if not key:
            if parse_environment(env) == "production":  # the one parser: "Production" is production
                raise RuntimeError("GATEWAY_PSEUDONYM_KEY must be set in production")
            key = DEV_PSEUDONYM_KEY
        return cls(make_engine(env), pseudonym_key=key, cache_size=int(env.get("GATEWAY_POLICY_CACHE_SIZE", "4096")))

    @property
    def policy_version(self) -> str:
        return self.engine.version

    def status(self) -> dict[str, Any]:
        """The policy served, for ``/readyz``: engine, version and the last change a reload refused (a change
        whose Rego tests fail, or that does not compile, is never served: engines.EmbeddedEngine)."""
        status = getattr(self.engine, "status", None)
        if status is not None:
            return dict(status())
        return {"engine": self.engine.name, "version": self.engine.version, "rejected": None}

    def collect(
        self,
        schema: GraphQLSchema,
        model: ProtectionModel,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> Collected:
        """Every coordinate the operation reaches with its category and kind, and its root calls (collect.py)."""
        return collect(schema, model, document, operation_name, variables, self.policy_arguments)

    def root_calls(self, schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
                   variables: Mapping[str, Any] | None) -> tuple[RootCall, ...]:
        """Only the root calls with their policy arguments (per request; see collect.root_calls)."""
        return root_calls(schema, document, operation_name, variables, self.policy_arguments)

    def _fields(self, collected: Collected | Mapping[str, str]) -> tuple[list[dict[str, str]], frozenset[Any]]:
        """``field_inputs(collected)`` and its frozenset for the decision key, cached per (coordinates, kinds)."""
        if not isinstance(collected, Collected):
            collected = Collected(dict(collected), {})
        entry = self._field_inputs.get(id(collected.coordinates))
        if entry is None or entry[0] is not collected.coordinates or entry[1] is not collected.kinds:
            fields = field_inputs(collected)
            entry = (collected.coordinates, collected.kinds, fields,
                     frozenset((f["coordinate"], f["category"], f["kind"]) for f in fields))
            put(self._field_inputs, id(collected.coordinates), entry)  # holds the mappings: their ids stay theirs
        return entry[2], entry[3]

    async def decide(
        self,
        caller: Caller,
        declared: DeclaredPurpose | None,
        operation_type: str,
        collected: Collected | Mapping[str, str],
    ) -> FieldDecision:
        """One policy decision for everything ``collected``. Raises PolicyRefusal (403) or PolicyUnavailable (503).

        A purpose that needs consent reads the consent the request names (``X-Consent-Reference``) from
        ``self.consents`` (:class:`gateway.subjects.ConsentLookup`); without a lookup the consent is unknown, and
        the policy withholds what it would cover."""
        consent = await self._consent(caller, getattr(declared, "consent_reference", None))
        fields, field_key = self._fields(collected)
        policy_input = build_input(caller, declared, operation_type, collected, consent, fields)
        grant = await self._grant(declared)  # the grant X-Legal-Basis names, resolved once (policies/grants.rego)
        policy_input["grant"] = grant.policy_input() if grant is not None else _NO_GRANT_FACTS
        coordinates = {f["coordinate"]: f["category"] for f in policy_input["fields"]}
        refresh = getattr(self.engine, "refresh", None)
        if refresh is not None:
            refresh()
        version = self.engine.version
        subject = policy_input["subject"]
        if subject["personal_id"] is not None and self.relatives is not None:
            # their relatives' rows keep what an extract of their own record shows (003 Art. 13, subjects.rego)
            subject["relatives"] = await self.relatives.relatives_of(subject["personal_id"])
        key = (
            subject["agency"], subject["kind"], subject["province"], subject["role"], subject["personal_id"],
            tuple(subject.get("relatives") or ()),
            json.dumps(consent, sort_keys=True, default=str) if consent is not None else None,
            policy_input["purpose"], policy_input["legal_basis_present"], operation_type,
            field_key,
            json.dumps(policy_input["calls"], sort_keys=True, default=str), version,
            grant.cache_key() if grant is not None else None,
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
            put(self._cache, key, outcome)
        if isinstance(outcome, PolicyRefusal):
            raise PolicyRefusal(outcome.code, outcome.reasons, outcome.policy_version)
        return FieldDecision(uuid.uuid4().hex, policy_input["purpose"], subject, outcome, cached, grant)

    async def _grant(self, declared: DeclaredPurpose | None) -> Any:
        """The grant the legal basis names (None without a grants registry: the facts are then unknown, and the
        policy withholds what a grant would release)."""
        if self.grants is None:
            return None
        return await self.grants.resolve(getattr(declared, "legal_basis", None), getattr(declared, "purpose", None))

    async def _consent(self, caller: Caller, reference: str | None) -> dict[str, Any] | None:
        """The consent facts of ``reference`` (None when no reference was declared). A lookup failure is an
        unknown consent (found: false): the rows it would cover are withheld, nothing else fails."""
        if reference is None:
            return None
        if self.consents is None:
            return {"reference": reference, "found": False}
        try:
            return dict(await self.consents.consent_facts(reference))
        except Exception as exc:  # the store is down: fail closed on the rows the consent would release
            return {"reference": reference, "found": False, "error": type(exc).__name__}

    def prepare(self, document: DocumentNode, decision: FieldDecision, schema: GraphQLSchema,
                model: ProtectionModel) -> Prepared:
        """The execution document and what it pruned and injected (see prepare.py)."""
        return Preparer(model).prepare(document, decision, schema)

    def apply(
        self,
        result: Mapping[str, Any],
        prepared: Prepared,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        decision: FieldDecision,
        schema: GraphQLSchema,
        model: ProtectionModel,
    ) -> Applied:
        """Row rules, masks and FORBIDDEN_FIELD errors on the execution result (see apply.py)."""
        return apply_policy(
            result, prepared, operation_name, variables, decision, schema, model,
            pseudonym_key=self._key, today=self._clock(),
        )

    @staticmethod
    def decision_cache_key(document_hash: str, decision: FieldDecision) -> str:
        """A key under which the pipeline may cache ``prepare``'s output for (document, decision): what prepare
        reads of the decision (effects, refused root calls, the row rules that decide which facts it fetches)."""
        text = f"{document_hash}|{decision.result.prepare_signature}"
        return hashlib.sha256(text.encode()).hexdigest()

    async def close(self) -> None:
        await self.engine.close()
