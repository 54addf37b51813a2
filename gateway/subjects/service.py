"""The data subject rights service of the local subgraph (gateway/local_subgraph.py): requests and consents.

A data subject (token role ``data_subject``, ``sub`` = their personalId) files requests about themself and reads
them (``fileDataSubjectRequest``, ``myDataSubjectRequests``), gives and withdraws consents (``giveConsent``,
``withdrawConsent``, ``myConsents``). The data-protection officer (role ``dpo``) lists and resolves requests
(``dataSubjectRequests``, ``resolveDataSubjectRequest``) and lifts an accepted restriction
(``liftRestriction``). The policy lets both roles through without a purpose
(policies/subjects.rego); the resolvers check the role again and answer ``FORBIDDEN_FIELD`` to anyone else.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema

from gateway.audit import AuditUnavailable
from gateway.auth import Role
from gateway.local_subgraph import MAX_PAGE, caller_of, page_size, request_id, unaudited
from subgraphs.common.errors import bad_user_input
from subgraphs.common.identifiers import personal_id_problem

from .consents import ConsentError, ConsentRegistry
from .requests import KINDS, MAX_DETAILS, RequestError, RequestRegistry
from .restriction import RestrictionUnavailable
from .tables import metadata

SUBJECTS_SDL = '''
"What a data subject may ask the controller (Decree 13/2023 Art. 9)."
enum DataSubjectRequestKind {
  "Correct one's data (Art. 9.3, 15)."
  CORRECTION
  "Delete one's data (Art. 9.5, 16; 16.2.b: not data state bodies process by law)."
  DELETION
  "Restrict processing (Art. 9.6): once accepted, only Art. 17-exempt purposes see the person."
  RESTRICTION
  "Object to processing (Art. 9.8)."
  OBJECTION
}

enum DataSubjectRequestStatus { PENDING ACCEPTED REJECTED }

enum DataSubjectRequestDecision { ACCEPT REJECT }

"The decree's 72-hour clock of a request (Art. 9.6.b, 9.8.b, 15.2, 16.5): reported, never enforced by waiting."
type ProcessingClock @dataSubject(inherit: true) {
  "When the request was filed (UTC, ISO 8601)."
  filedAt: String! @personalData(category: PUBLIC, kind: DATE)
  "filedAt + 72 hours."
  deadline: String! @personalData(category: PUBLIC, kind: DATE)
  "When the data-protection officer resolved it (null: pending)."
  resolvedAt: String @personalData(category: PUBLIC, kind: DATE)
  "Resolved after the deadline, or still pending past it."
  overdue: Boolean! @personalData(category: PUBLIC, kind: FLAG)
  "Hours left until the deadline (negative: past it; null once resolved)."
  hoursLeft: Float @personalData(category: PUBLIC, kind: COUNT)
  "The article that sets the deadline."
  article: String! @personalData(category: PUBLIC, kind: TEXT)
}

"A request a data subject filed about their own data (Decree 13/2023 Art. 9, 14-16)."
type DataSubjectRequest @dataSubject(inherit: true) {
  "Reference (DSR-...): cite it to the data-protection officer."
  id: ID! @personalData(category: PUBLIC, kind: IDENTIFIER)
  "The data subject's personal identification number."
  personalId: ID @personalData(category: IDENTIFIER, kind: IDENTIFIER)
  kind: DataSubjectRequestKind @personalData(category: BASIC, kind: CODE)
  "The right exercised."
  article: String @personalData(category: PUBLIC, kind: TEXT)
  "What the subject asks (which data, what is wrong, why)."
  details: String @personalData(category: BASIC, kind: FREE_TEXT)
  status: DataSubjectRequestStatus @personalData(category: BASIC, kind: CODE)
  clock: ProcessingClock @personalData(category: BASIC, kind: REFERENCE)
  "The data-protection officer's account that resolved it."
  resolvedBy: String @personalData(category: BASIC, kind: IDENTIFIER)
  "Why it was accepted or rejected."
  decisionNote: String @personalData(category: BASIC, kind: FREE_TEXT)
  "For an accepted restriction: since when the population database marks the person restricted (Art. 9.6)."
  restrictedSince: String @personalData(category: BASIC, kind: DATE)
  "For a lifted restriction: since when the population database no longer restricts for it (Art. 9.6)."
  restrictionLiftedAt: String @personalData(category: BASIC, kind: DATE)
  "The data-protection officer's account that lifted the restriction."
  restrictionLiftedBy: String @personalData(category: BASIC, kind: IDENTIFIER)
  "Why the restriction was lifted (the data subject asked, its ground ended)."
  restrictionLiftNote: String @personalData(category: BASIC, kind: FREE_TEXT)
}

"A consent a data subject gave one agency for one purpose (Decree 13/2023 Art. 9.2, 11); name it in X-Consent-Reference."
type Consent @dataSubject(inherit: true) {
  "Reference (CS-...): what the agency sends in X-Consent-Reference."
  reference: ID! @personalData(category: PUBLIC, kind: IDENTIFIER)
  personalId: ID @personalData(category: IDENTIFIER, kind: IDENTIFIER)
  "The agency consented to (policies/data/agencies.json)."
  agency: String @personalData(category: BASIC, kind: CODE)
  "The purpose (policies/data/purposes.json, one that requires_consent; Art. 11.4: one purpose per consent)."
  purpose: String @personalData(category: BASIC, kind: CODE)
  "Categories covered (Art. 11.2.a, 11.7); empty: every category of the purpose."
  scope: [String!] @personalData(category: BASIC, kind: CODE)
  givenAt: String @personalData(category: BASIC, kind: DATE)
  expiresAt: String @personalData(category: BASIC, kind: DATE)
  "When the subject withdrew it (Art. 9.4, 12); it no longer releases anything from the next request on."
  withdrawnAt: String @personalData(category: BASIC, kind: DATE)
  "VALID, WITHDRAWN or EXPIRED, now."
  status: String @personalData(category: BASIC, kind: CODE)
}

extend type Query {
  "The caller's own requests, newest first (role data_subject)."
  myDataSubjectRequests: [DataSubjectRequest!] @personalData(category: BASIC, kind: REFERENCE)
  "Requests to resolve, newest first (role dpo)."
  dataSubjectRequests(status: DataSubjectRequestStatus, personalId: ID, first: Int = 50): [DataSubjectRequest!]
    @personalData(category: BASIC, kind: REFERENCE)
  "The caller's own consents, newest first (role data_subject)."
  myConsents: [Consent!] @personalData(category: BASIC, kind: REFERENCE)
}

extend type Mutation {
  "File a request about one's own data; audited, 72-hour clock started (role data_subject)."
  fileDataSubjectRequest(kind: DataSubjectRequestKind!, details: String!): DataSubjectRequest
    @personalData(category: BASIC, kind: REFERENCE)
  "Accept or reject a pending request, saying why; an accepted restriction takes effect in the population database; audited (role dpo)."
  resolveDataSubjectRequest(id: ID!, decision: DataSubjectRequestDecision!, note: String!): DataSubjectRequest
    @personalData(category: BASIC, kind: REFERENCE)
  "Lift an accepted restriction now, saying why: recorded with its time in the population database, which releases the person again from the next request on; audited (role dpo, Art. 9.6)."
  liftRestriction(id: ID!, note: String!): DataSubjectRequest @personalData(category: BASIC, kind: REFERENCE)
  "Consent to one agency processing one's data for one purpose until `expires` (date or date-time); audited (role data_subject)."
  giveConsent(agency: String!, purpose: String!, scope: [DataCategory!], expires: String!): Consent
    @personalData(category: BASIC, kind: REFERENCE)
  "Withdraw one's consent; effective from the next request; audited (role data_subject)."
  withdrawConsent(reference: ID!): Consent @personalData(category: BASIC, kind: REFERENCE)
}
'''

def _caller(info: GraphQLResolveInfo, role: Role) -> Any:
    caller = caller_of(info)
    if getattr(caller, "role", None) is not role:
        who = "the data subject" if role is Role.DATA_SUBJECT else "a data-protection officer"
        raise GraphQLError(f"Only {who} may use {info.field_name}.",
                           extensions={"code": "FORBIDDEN_FIELD",
                                       "reason": f"{info.field_name} is for role {role.value} (004 Art. 9, 38.2)"})
    return caller


class SubjectsService:
    """The ``subjects`` local service; its registries come from ``deps.subjects`` (gateway.server.wiring)."""

    name = "subjects"
    sdl = SUBJECTS_SDL
    metadata = metadata

    def bind(self, schema: GraphQLSchema, deps: Any) -> None:
        """Set the resolvers over ``deps.subjects`` (:class:`SubjectRights`)."""
        rights: SubjectRights | None = getattr(deps, "subjects", None)
        if rights is None:
            raise RuntimeError("the subjects service needs LocalDeps.subjects (gateway.server.wiring builds it)")
        registry, consents = rights.requests, rights.consents

        async def mine(_root: Any, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
            caller = _caller(info, Role.DATA_SUBJECT)
            now = registry.clock()
            return [r.as_dict(now) for r in await registry.list(personal_id=caller.sub, limit=MAX_PAGE)]

        async def listed(_root: Any, info: GraphQLResolveInfo, status: str | None = None,
                         personalId: str | None = None, first: int = 50) -> list[dict[str, Any]]:
            _caller(info, Role.DPO)
            if personalId is not None and (problem := personal_id_problem(personalId)):
                raise bad_user_input("personalId", problem)
            limit = page_size(first)
            now = registry.clock()
            return [r.as_dict(now) for r in await registry.list(personal_id=personalId, status=status, limit=limit)]

        async def file(_root: Any, info: GraphQLResolveInfo, kind: str, details: str) -> dict[str, Any]:
            caller = _caller(info, Role.DATA_SUBJECT)
            if kind not in KINDS:
                raise bad_user_input("kind", f"one of {', '.join(KINDS)}")
            if len(details) > MAX_DETAILS * 2:  # refuse before anything else for absurd sizes
                raise bad_user_input("details", f"at most {MAX_DETAILS} characters")
            try:
                filed = await registry.file(caller, kind, details, request_id=request_id(info))
            except RequestError as exc:
                raise bad_user_input(exc.field, exc.problem) from exc
            except AuditUnavailable as exc:
                raise unaudited() from exc
            return filed.as_dict(registry.clock())

        async def resolve(_root: Any, info: GraphQLResolveInfo, id: str, decision: str, note: str) -> dict[str, Any]:
            caller = _caller(info, Role.DPO)
            try:
                resolved = await registry.resolve(caller, id, decision, note, request_id_header=request_id(info))
            except RequestError as exc:
                raise bad_user_input(exc.field, exc.problem) from exc
            except RestrictionUnavailable as exc:
                raise GraphQLError("The population database did not record the restriction; the request stays "
                                   "pending: try again.", extensions={"code": "SUBGRAPH_UNAVAILABLE"}) from exc
            except AuditUnavailable as exc:
                raise unaudited() from exc
            return resolved.as_dict(registry.clock())

        async def lift(_root: Any, info: GraphQLResolveInfo, id: str, note: str) -> dict[str, Any]:
            caller = _caller(info, Role.DPO)
            try:
                lifted = await registry.lift(caller, id, note, request_id_header=request_id(info))
            except RequestError as exc:
                raise bad_user_input(exc.field, exc.problem) from exc
            except RestrictionUnavailable as exc:
                raise GraphQLError("The population database did not record the lifting; the restriction stands: "
                                   "try again.", extensions={"code": "SUBGRAPH_UNAVAILABLE"}) from exc
            except AuditUnavailable as exc:
                raise unaudited() from exc
            return lifted.as_dict(registry.clock())

        async def my_consents(_root: Any, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
            caller = _caller(info, Role.DATA_SUBJECT)
            now = consents.clock()
            return [c.as_dict(now) for c in await consents.mine(caller.sub)]

        async def give(_root: Any, info: GraphQLResolveInfo, agency: str, purpose: str, expires: str,
                       scope: list[str] | None = None) -> dict[str, Any]:
            caller = _caller(info, Role.DATA_SUBJECT)
            try:
                given = await consents.give(caller, agency, purpose, scope, expires, request_id=request_id(info))
            except ConsentError as exc:
                raise bad_user_input(exc.field, exc.problem) from exc
            except AuditUnavailable as exc:
                raise unaudited() from exc
            return given.as_dict(consents.clock())

        async def withdraw(_root: Any, info: GraphQLResolveInfo, reference: str) -> dict[str, Any]:
            caller = _caller(info, Role.DATA_SUBJECT)
            try:
                withdrawn = await consents.withdraw(caller, reference, request_id=request_id(info))
            except ConsentError as exc:
                raise bad_user_input(exc.field, exc.problem) from exc
            except AuditUnavailable as exc:
                raise unaudited() from exc
            return withdrawn.as_dict(consents.clock())

        query, mutation = schema.query_type, schema.mutation_type
        assert query is not None and mutation is not None
        query.fields["myDataSubjectRequests"].resolve = mine
        query.fields["dataSubjectRequests"].resolve = listed
        query.fields["myConsents"].resolve = my_consents
        mutation.fields["fileDataSubjectRequest"].resolve = file
        mutation.fields["resolveDataSubjectRequest"].resolve = resolve
        mutation.fields["liftRestriction"].resolve = lift
        mutation.fields["giveConsent"].resolve = give
        mutation.fields["withdrawConsent"].resolve = withdraw


class SubjectRights:
    """The registries the service and the policy share (built once by gateway.server.wiring)."""

    def __init__(self, requests: RequestRegistry, consents: ConsentRegistry) -> None:
        self.requests = requests
        self.consents = consents


SUBJECTS_SERVICE = SubjectsService()
