"""``accessLog``: who accessed a person's data (004 Art. 9.1 right to know; 000 Art. 13.7), served in-process.

The gateway's API schema includes :data:`ACCESS_LOG_SDL` as a "local subgraph"; :func:`build_access_log_schema`
gives the executable graphql-core schema (context value: ``{"caller": Caller}``). Entries name the agency,
purpose, legal basis, time and data categories, never the officer's account.

Access: the data subject (``role=data_subject`` and ``sub == personalId``) and the data-protection officer
(``role=dpo``). Covert reads (a purpose ``policies/data/purposes.json`` marks ``confidential``, read under a
confidential grant: ``gateway.grants``) carry the grant's disclosure date in their record (``disclosure_at``);
the data subject does not see them before that time, as Estonia's data tracker hides the reads of the police
during an investigation; the DPO always sees them. Anyone else gets ``accessLog: null`` with a ``FORBIDDEN_FIELD`` error at path ``["accessLog"]``
(the contract's code for "this caller may not see this field"). Bad arguments give ``BAD_USER_INPUT``.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

import orjson
from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, build_schema
from sqlalchemy import or_, select

from gateway.auth import AgencyCatalogue, AuthSettings, Role
from gateway.local_subgraph import caller_of, page_size
from subgraphs.common.errors import bad_user_input
from subgraphs.common.identifiers import personal_id_problem

from .chain import KIND_ACCESS
from .record import utc_text
from .schema import audit_log
from .store import AuditStore
from .subject_index import seqs_naming

ACCESS_LOG_SDL = '''
"One access to a person's data, as the person may know it (Decree 13/2023 Art. 9.1). Never names the officer."
type AccessLogEntry @dataSubject(inherit: true) {
  "Reference of the audit record (cite it in a request or complaint)."
  reference: ID! @personalData(category: PUBLIC, kind: IDENTIFIER)
  "When the data was accessed (UTC, ISO 8601)."
  at: String! @personalData(category: BASIC, kind: DATE)
  "The agency that accessed the data."
  agency: AccessLogAgency @personalData(category: PUBLIC, kind: REFERENCE)
  "The purpose the agency declared (policies/data/purposes.json)."
  purpose: String @personalData(category: BASIC, kind: CODE)
  "The legal basis the agency declared (case or decision reference)."
  legalBasis: String @personalData(category: BASIC, kind: FREE_TEXT)
  "Categories of personal data requested (Decree 13/2023 Art. 2)."
  categories: [String!]! @personalData(category: BASIC, kind: CODE)
  "allowed, or masked when some fields were withheld or masked."
  outcome: String! @personalData(category: PUBLIC, kind: CODE)
  "The grant of the registry the legal basis named (gateway grants), if any."
  grant: ID @personalData(category: BASIC, kind: IDENTIFIER)
  "A covert read (a confidential purpose under a confidential grant) is shown to the person from this time on (UTC); the data-protection officer sees it at once."
  disclosureAt: String @personalData(category: BASIC, kind: DATE)
}

"An agency of the catalogue (policies/data/agencies.json)."
type AccessLogAgency {
  id: ID! @personalData(category: PUBLIC, kind: CODE)
  name: String! @personalData(category: PUBLIC, kind: TEXT)
  kind: String @personalData(category: PUBLIC, kind: CODE)
}

"A page of access log entries, newest first."
type AccessLogPage @dataSubject(inherit: true) {
  entries: [AccessLogEntry!]! @personalData(category: BASIC, kind: REFERENCE)
  "Pass as `after` to get the next page."
  endCursor: String @personalData(category: PUBLIC, kind: CODE)
  hasNextPage: Boolean! @personalData(category: PUBLIC, kind: FLAG)
}

extend type Query {
  "Who accessed this person's data. Only for the person (role data_subject) and the data-protection officer."
  accessLog(personalId: ID!, since: String, until: String, first: Int = 50, after: String): AccessLogPage!
    @personalData(category: BASIC, kind: REFERENCE)
}
'''

# Definitions the standalone local schema needs; in the supergraph they come from the classification spec.
ACCESS_LOG_SDL_PRELUDE = '''
enum DataCategory { PUBLIC IDENTIFIER BASIC FAMILY IMAGE DIGITAL_ACTIVITY POLITICAL_OPINION RELIGION HEALTH ETHNIC_ORIGIN GENETIC BIOMETRIC SEX_LIFE CRIMINAL FINANCIAL LOCATION OTHER_SENSITIVE }
enum ValueKind { NAME IDENTIFIER DATE ADDRESS FREE_TEXT TEXT CODE COUNT AMOUNT FLAG REFERENCE }
enum SubjectRole { SUBJECT PARTY }
directive @personalData(category: DataCategory!, kind: ValueKind) on FIELD_DEFINITION
directive @dataSubject(field: String, role: SubjectRole! = SUBJECT, facts: String, inherit: Boolean! = false) repeatable on OBJECT | INTERFACE
type Query
'''


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"audit:{seq}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, seq = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "audit" or not seq.isdigit():
            raise ValueError(cursor)
        return int(seq)
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise bad_user_input("after", "not a cursor returned by accessLog") from exc


def _moment(value: str | None, argument: str) -> str | None:
    if value is None:
        return None
    try:
        return utc_text(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError as exc:
        raise bad_user_input(argument, "expected an ISO 8601 date or date-time, e.g. 2025-01-31") from exc


def may_read(caller: Any, personal_id: str) -> bool:
    """The data subject about themself, or a data-protection officer."""
    role = getattr(caller, "role", None)
    return (role is Role.DATA_SUBJECT and caller.sub == personal_id) or role is Role.DPO


def build_access_log_schema(store: AuditStore, agencies: AgencyCatalogue | None = None) -> GraphQLSchema:
    """The executable ``accessLog`` schema over ``store`` alone (tests; the gateway serves it as a local service,
    :data:`ACCESS_LOG_SERVICE`)."""
    agencies = agencies if agencies is not None else AgencyCatalogue.load(AuthSettings.from_env().agencies_file)
    schema = build_schema(ACCESS_LOG_SDL_PRELUDE + ACCESS_LOG_SDL)
    _bind(schema, store, agencies)
    return schema


class AccessLogService:
    """The ``accessLog`` service of the local subgraph (:mod:`gateway.local_subgraph`): no tables of its own,
    it reads the audit trail."""

    name = "accessLog"
    sdl = ACCESS_LOG_SDL
    metadata = None

    def bind(self, schema: GraphQLSchema, deps: Any) -> None:
        """Set the ``accessLog`` resolver over the audit store and agency catalogue of ``deps``."""
        _bind(schema, deps.audit, deps.agencies)


ACCESS_LOG_SERVICE = AccessLogService()


def _bind(schema: GraphQLSchema, store: AuditStore, agencies: AgencyCatalogue) -> None:
    async def resolve_access_log(_root: Any, info: GraphQLResolveInfo, personalId: str, since: str | None = None,
                                 until: str | None = None, first: int = 50, after: str | None = None
                                 ) -> dict[str, Any]:
        caller = caller_of(info)
        if not may_read(caller, personalId):
            raise GraphQLError(
                "Only the data subject or a data-protection officer may read this access log.",
                extensions={"code": "FORBIDDEN_FIELD", "reason": "access log is for the data subject or the DPO"},
            )
        if problem := personal_id_problem(personalId):
            raise bad_user_input("personalId", problem)
        page_size(first)
        start, end = _moment(since, "since"), _moment(until, "until")
        query = (
            select(audit_log.c.seq, audit_log.c.at, audit_log.c.agency, audit_log.c.purpose,
                   audit_log.c.legal_basis, audit_log.c.categories, audit_log.c.outcome, audit_log.c.grant_id,
                   audit_log.c.disclosure_at)
            .where(audit_log.c.seq.in_(seqs_naming(store.dialect, personalId)), audit_log.c.kind == KIND_ACCESS)
            .order_by(audit_log.c.seq.desc())
            .limit(first + 1)
        )
        if start is not None:
            query = query.where(audit_log.c.at >= start)
        if end is not None:
            query = query.where(audit_log.c.at < end)
        if after is not None:
            query = query.where(audit_log.c.seq < decode_cursor(after))
        if caller.role is not Role.DPO:  # covert reads stay hidden from the person until their disclosure date
            query = query.where(or_(audit_log.c.disclosure_at.is_(None), audit_log.c.disclosure_at <= utc_text()))
        async with store.reader().connect() as conn:
            rows = (await conn.execute(query)).all()
        page = rows[:first]
        return {
            "entries": [_entry(row, agencies) for row in page],
            "endCursor": encode_cursor(page[-1].seq) if page else None,
            "hasNextPage": len(rows) > first,
        }

    schema.query_type.fields["accessLog"].resolve = resolve_access_log  # type: ignore[union-attr]


def _entry(row: Any, agencies: AgencyCatalogue) -> dict[str, Any]:
    agency = None
    if row.agency:
        known = agencies.get(row.agency)
        agency = {"id": row.agency, "name": known.name if known else row.agency, "kind": known.kind if known else None}
    return {
        "reference": str(row.seq),
        "at": row.at,
        "agency": agency,
        "purpose": row.purpose,
        "legalBasis": row.legal_basis,
        "categories": orjson.loads(row.categories),
        "outcome": row.outcome,
        "grant": row.grant_id,
        "disclosureAt": row.disclosure_at,
    }
