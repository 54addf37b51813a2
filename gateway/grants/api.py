"""The grants registry's administrative GraphQL API, a service of the local subgraph (gateway/local_subgraph.py):
``grants`` / ``grant`` queries and ``createGrant`` / ``revokeGrant`` mutations, for the ``grant_registrar`` role
(honoured only for the accounts ``policies/data/agencies.json`` lists under ``grant_registrars``).

The policy lets the role through without a purpose (policies/grants.rego ``registry_read``); the resolvers check
the role again (defense in depth) and answer ``FORBIDDEN_FIELD`` to anyone else. Bad input is ``BAD_USER_INPUT``
naming the field; an unknown grant id is ``BAD_USER_INPUT`` too (``id``). Every change is audited in the hash
chain by the registry (a record of kind ``grant``).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema

from subgraphs.common.errors import bad_user_input

from ..audit import AuditUnavailable
from ..local_subgraph import caller_of, page_size, request_id, unaudited
from .model import GrantInputError, GrantRequest, metadata
from .registry import GrantNotFound, GrantRegistry

GRANTS_SDL = '''
"""
A grant of the registry: a competent authority's decision letting one agency read CRIMINAL data for one purpose,
about named persons or within a scope, until it expires or is revoked (Decree 92/2025 Art. 13.2-13.4; Decree
13/2023 Art. 17). Name it in `X-Legal-Basis` (its `id`) to read CRIMINAL data under it.
"""
type Grant @dataSubject(inherit: true) {
  "Registry id (GR-...): what `X-Legal-Basis` names."
  id: ID! @personalData(category: PUBLIC, kind: IDENTIFIER)
  "Number of the competent authority's decision (000 Art. 13.3)."
  decisionNumber: String! @personalData(category: PUBLIC, kind: IDENTIFIER)
  "The authority that issued the decision."
  issuedBy: String! @personalData(category: PUBLIC, kind: TEXT)
  "Date of the decision (YYYY-MM-DD)."
  decisionDate: String! @personalData(category: PUBLIC, kind: DATE)
  "The agency the grant is issued to (policies/data/agencies.json)."
  agency: String! @personalData(category: PUBLIC, kind: CODE)
  "The purpose it is for (policies/data/purposes.json)."
  purpose: String! @personalData(category: PUBLIC, kind: CODE)
  "subjects, case or province."
  scope: String! @personalData(category: PUBLIC, kind: CODE)
  "Personal identification numbers of the persons covered (scope subjects or case)."
  subjects: [String!]! @personalData(category: IDENTIFIER, kind: IDENTIFIER)
  "The case whose persons are covered (scope case)."
  caseReference: String @personalData(category: CRIMINAL, kind: FREE_TEXT)
  "The province whose residents are covered (scope province, 3-digit code)."
  province: String @personalData(category: PUBLIC, kind: CODE)
  "Valid from (UTC, ISO 8601)."
  validFrom: String! @personalData(category: PUBLIC, kind: DATE)
  "Valid until, exclusive (UTC, ISO 8601)."
  validUntil: String! @personalData(category: PUBLIC, kind: DATE)
  "Reads under it are covert: hidden from the data subjects' accessLog until disclosureAt (004 Art. 17.3)."
  confidential: Boolean! @personalData(category: PUBLIC, kind: FLAG)
  "When covert reads are disclosed to the data subjects."
  disclosureAt: String @personalData(category: PUBLIC, kind: DATE)
  "When the grant was registered, and by which account (000 Art. 13.7)."
  createdAt: String! @personalData(category: PUBLIC, kind: DATE)
  createdBy: String! @personalData(category: PUBLIC, kind: IDENTIFIER)
  "When it was revoked, by whom and why (null: not revoked)."
  revokedAt: String @personalData(category: PUBLIC, kind: DATE)
  revokedBy: String @personalData(category: PUBLIC, kind: IDENTIFIER)
  revocationReason: String @personalData(category: PUBLIC, kind: FREE_TEXT)
  "valid, expired, not_yet_valid or revoked, now."
  status: String! @personalData(category: PUBLIC, kind: CODE)
}

"A grant to register."
input GrantInput {
  decisionNumber: String!
  issuedBy: String!
  "YYYY-MM-DD"
  decisionDate: String!
  agency: String!
  purpose: String!
  "subjects, case or province"
  scope: String!
  subjects: [String!]
  caseReference: String
  province: String
  "Date or date-time; default now."
  validFrom: String
  "Date (valid through its end) or date-time."
  validUntil: String!
  confidential: Boolean = false
  disclosureDate: String
}

extend type Query {
  "Grants of the registry, newest first (role grant_registrar)."
  grants(agency: String, includeRevoked: Boolean = true, first: Int = 50): [Grant!]!
    @personalData(category: IDENTIFIER, kind: REFERENCE)
  "One grant by id (role grant_registrar)."
  grant(id: ID!): Grant @personalData(category: IDENTIFIER, kind: REFERENCE)
}

extend type Mutation {
  "Register a competent authority's decision as a grant; audited (role grant_registrar)."
  createGrant(input: GrantInput!): Grant! @personalData(category: IDENTIFIER, kind: REFERENCE)
  "Revoke a grant now, saying why; audited (role grant_registrar)."
  revokeGrant(id: ID!, reason: String!): Grant! @personalData(category: IDENTIFIER, kind: REFERENCE)
}
'''

def _registrar(info: GraphQLResolveInfo) -> Any:
    caller = caller_of(info)
    if not getattr(caller, "is_grant_registrar", False):
        raise GraphQLError("Only a grant registrar may use the grants registry.",
                           extensions={"code": "FORBIDDEN_FIELD", "reason": "the grants registry is for role "
                                                                            "grant_registrar (000 Art. 13.3)"})
    return caller


class GrantsService:
    """The ``grants`` local service; its registry is built in :meth:`bind` from the deps (or given)."""

    name = "grants"
    sdl = GRANTS_SDL
    metadata = metadata

    def bind(self, schema: GraphQLSchema, deps: Any) -> None:
        """Set the resolvers over ``deps.grants`` (the app's :class:`GrantRegistry`, see gateway.server.wiring)."""
        registry: GrantRegistry | None = getattr(deps, "grants", None)
        if registry is None:  # deps built without one (a test of another local service): a registry of its own
            from ..policy.bundle import load_bundle

            policy_dir = deps.settings.raw_env.get("GATEWAY_POLICY_DIR") or None
            purposes = {p["id"]: p for p in load_bundle(policy_dir).catalogue("purposes") or []}
            registry = GrantRegistry(deps.store, deps.audit, agencies=deps.agencies, purposes=purposes)
        clock = registry.clock

        def out(grant: Any) -> dict[str, Any]:
            return {**grant.as_dict(), "status": str(grant.status(clock()))}

        async def grants(_root: Any, info: GraphQLResolveInfo, agency: str | None = None,
                         includeRevoked: bool = True, first: int = 50) -> list[dict[str, Any]]:
            _registrar(info)
            return [out(g) for g in await registry.list(agency=agency, include_revoked=includeRevoked,
                                                        limit=page_size(first))]

        async def grant(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
            _registrar(info)
            found = await registry.get(id)
            return out(found) if found is not None else None

        async def create(_root: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
            caller = _registrar(info)
            request = GrantRequest(
                decision_number=input["decisionNumber"], issued_by=input["issuedBy"],
                decision_date=input["decisionDate"], agency=input["agency"], purpose=input["purpose"],
                scope=input["scope"], valid_until=input["validUntil"], subjects=tuple(input.get("subjects") or ()),
                case_reference=input.get("caseReference"), province=input.get("province"),
                valid_from=input.get("validFrom"), confidential=bool(input.get("confidential")),
                disclosure_date=input.get("disclosureDate"),
            )
            try:
                return out(await registry.create(request, caller, request_id=request_id(info)))
            except GrantInputError as exc:
                raise bad_user_input(f"input.{exc.field}", exc.problem) from exc
            except AuditUnavailable as exc:
                raise unaudited() from exc

        async def revoke(_root: Any, info: GraphQLResolveInfo, id: str, reason: str) -> dict[str, Any]:
            caller = _registrar(info)
            try:
                return out(await registry.revoke(id, reason, caller, request_id=request_id(info)))
            except GrantNotFound as exc:
                raise bad_user_input("id", f"no grant {id}") from exc
            except GrantInputError as exc:
                raise bad_user_input(exc.field, exc.problem) from exc
            except AuditUnavailable as exc:
                raise unaudited() from exc

        query, mutation = schema.query_type, schema.mutation_type
        assert query is not None and mutation is not None
        query.fields["grants"].resolve = grants
        query.fields["grant"].resolve = grant
        mutation.fields["createGrant"].resolve = create
        mutation.fields["revokeGrant"].resolve = revoke


GRANTS_SERVICE = GrantsService()
