"""A grant: a competent authority's decision that lets one agency read CRIMINAL data for one purpose, about named
persons or within a scope, for a limited time (000 Art. 13.2, 13.3; 004 Art. 17).

The table lives in the gateway store (:mod:`gateway.store`). Times are UTC ISO 8601 text of fixed width
(``gateway.audit.record.utc_text``), so they compare as text on SQLite and PostgreSQL alike.

Scopes (``scope``):
- ``subjects``: the personal identification numbers listed in ``subjects``;
- ``case``: the persons of one case (``case_reference``), listed in ``subjects`` (the registry does not know the
  cases: the decision names their persons);
- ``province``: every person whose residence is in ``province`` (3-digit code), a provincial body's decision.
"""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Boolean, Column, Index, MetaData, String, Table, Text

from subgraphs.common.identifiers import personal_id_problem
from subgraphs.common.provinces import BY_CODE

from ..audit.record import utc_text

metadata = MetaData()

grants_table = Table(
    "lt_grants",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("decision_number", String(128), nullable=False),
    Column("issued_by", String(256), nullable=False),
    Column("decision_date", String(10), nullable=False),
    Column("agency", String(128), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("subjects", Text, nullable=False),  # JSON list of personal ids (scope subjects/case)
    Column("case_reference", String(256)),
    Column("province", String(3)),
    Column("valid_from", String(32), nullable=False),
    Column("valid_until", String(32), nullable=False),
    Column("confidential", Boolean, nullable=False, default=False),
    Column("disclosure_at", String(32)),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("revoked_at", String(32)),
    Column("revoked_by", String(256)),
    Column("revocation_reason", Text),
    Index("ix_lt_grants_agency", "agency"),
)

GRANT_ID = re.compile(r"^GR-[0-9A-HJKMNP-TV-Z]{10}$")  # Crockford base32: no I, L, O, U
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_SUBJECTS = 5000


class Scope(enum.StrEnum):
    SUBJECTS = "subjects"
    CASE = "case"
    PROVINCE = "province"


class Status(enum.StrEnum):
    """What the registry says of the grant an ``X-Legal-Basis`` names, now (the policy input's ``grant.status``)."""

    ABSENT = "absent"  # no X-Legal-Basis
    NOT_NAMED = "not_named"  # X-Legal-Basis names no grant (free text)
    UNKNOWN = "unknown"  # names a grant id the registry does not hold
    UNAVAILABLE = "unavailable"  # the registry could not be read: unknown means withheld
    NOT_YET_VALID = "not_yet_valid"
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


def new_grant_id() -> str:
    """``GR-`` and 10 random Crockford base32 characters (50 bits)."""
    return "GR-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def grant_reference(legal_basis: str | None) -> str | None:
    """The grant id an ``X-Legal-Basis`` names: its first token (up to a blank or ``;``), upper-cased, when it has
    the form of a grant id; None otherwise (free text)."""
    if not legal_basis:
        return None
    token = re.split(r"[\s;,]", legal_basis.strip(), maxsplit=1)[0].upper()
    return token if GRANT_ID.fullmatch(token) else None


@dataclass(frozen=True, slots=True)
class Grant:
    """One registered grant (a row of ``lt_grants``)."""

    id: str
    decision_number: str
    issued_by: str
    decision_date: str
    agency: str
    purpose: str
    scope: Scope
    subjects: tuple[str, ...]
    case_reference: str | None
    province: str | None
    valid_from: str
    valid_until: str
    confidential: bool
    disclosure_at: str | None
    created_at: str
    created_by: str
    revoked_at: str | None = None
    revoked_by: str | None = None
    revocation_reason: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> Grant:
        values = dict(row._mapping)
        values["scope"] = Scope(values["scope"])
        values["subjects"] = tuple(orjson.loads(values["subjects"] or "[]"))
        values["confidential"] = bool(values["confidential"])
        return cls(**values)

    def status(self, now: datetime) -> Status:
        """Revoked, not yet valid, expired or valid at ``now``."""
        moment = utc_text(now)
        if self.revoked_at is not None and self.revoked_at <= moment:
            return Status.REVOKED
        if moment < self.valid_from:
            return Status.NOT_YET_VALID
        if moment >= self.valid_until:
            return Status.EXPIRED
        return Status.VALID

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON (CLI output, GraphQL resolvers)."""
        return {
            "id": self.id, "decisionNumber": self.decision_number, "issuedBy": self.issued_by,
            "decisionDate": self.decision_date, "agency": self.agency, "purpose": self.purpose,
            "scope": str(self.scope), "subjects": list(self.subjects), "caseReference": self.case_reference,
            "province": self.province, "validFrom": self.valid_from, "validUntil": self.valid_until,
            "confidential": self.confidential, "disclosureAt": self.disclosure_at, "createdAt": self.created_at,
            "createdBy": self.created_by, "revokedAt": self.revoked_at, "revokedBy": self.revoked_by,
            "revocationReason": self.revocation_reason,
        }


class GrantInputError(ValueError):
    """A grant could not be created as given: ``field`` names the offending input, ``problem`` says why."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{field_name}: {problem}")
        self.field = field_name
        self.problem = problem


def parse_moment(value: str | datetime | date, field_name: str, *, end_of_day: bool = False) -> str:
    """A date or date-time as UTC text; a bare date means its start (or its end with ``end_of_day``)."""
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        value = value.isoformat()
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            if end_of_day:
                moment = moment.replace(hour=23, minute=59, second=59, microsecond=999999)
            return utc_text(moment)
        return utc_text(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError as exc:
        raise GrantInputError(field_name, "expected an ISO 8601 date or date-time, e.g. 2026-12-31") from exc


@dataclass(frozen=True, slots=True)
class GrantRequest:
    """What a registrar gives to create a grant (checked by :func:`check_request` against the catalogues)."""

    decision_number: str
    issued_by: str
    decision_date: str
    agency: str
    purpose: str
    scope: str
    valid_until: str
    subjects: tuple[str, ...] = ()
    case_reference: str | None = None
    province: str | None = None
    valid_from: str | None = None
    confidential: bool = False
    disclosure_date: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _text(value: str | None, field_name: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise GrantInputError(field_name, "required")
    if len(text) > limit or any(ord(c) < 32 for c in text):
        raise GrantInputError(field_name, f"at most {limit} printable characters")
    return text


def check_request(request: GrantRequest, *, agencies: Any, purposes: dict[str, dict[str, Any]],
                  now: datetime, grant_id: str, account: str) -> Grant:
    """The grant ``request`` describes, or :class:`GrantInputError` naming the first bad field.

    ``agencies``: the agency catalogue (:class:`gateway.auth.AgencyCatalogue`); ``purposes``: the purpose
    catalogue by id (policies/data/purposes.json). A grant is only for an agency and purpose the catalogues hold,
    a purpose that agency's kind may declare; confidentiality only for a purpose the catalogue marks confidential,
    and always with a disclosure date.
    """
    decision_number = _text(request.decision_number, "decisionNumber", 128)
    issued_by = _text(request.issued_by, "issuedBy", 256)
    decision_date = parse_moment(request.decision_date, "decisionDate")[:10]
    agency = agencies.get(request.agency)
    if agency is None:
        raise GrantInputError("agency", f"unknown agency {request.agency!r} (policies/data/agencies.json)")
    purpose = purposes.get(request.purpose)
    if purpose is None:
        raise GrantInputError("purpose", f"unknown purpose {request.purpose!r} (policies/data/purposes.json)")
    if agency.kind not in purpose.get("agency_kinds", []):
        raise GrantInputError("purpose", f"agency kind {agency.kind} may not declare purpose {request.purpose}")
    try:
        scope = Scope(request.scope)
    except ValueError as exc:
        raise GrantInputError("scope", "one of subjects, case, province") from exc
    subjects: tuple[str, ...] = ()
    case_reference = province = None
    if scope is Scope.PROVINCE:
        if request.subjects:
            raise GrantInputError("subjects", "a province grant names no subjects")
        province = (request.province or "").strip()
        if province not in BY_CODE:
            raise GrantInputError("province", f"{province!r} is not a province code")
    else:
        if request.province:
            raise GrantInputError("province", f"a {scope} grant has no province")
        subjects = tuple(dict.fromkeys(s.strip() for s in request.subjects))
        if not subjects:
            raise GrantInputError("subjects", "name at least one person")
        if len(subjects) > MAX_SUBJECTS:
            raise GrantInputError("subjects", f"at most {MAX_SUBJECTS} persons per grant")
        for subject in subjects:
            if problem := personal_id_problem(subject):
                raise GrantInputError("subjects", f"{subject!r}: {problem}")
        if scope is Scope.CASE:
            case_reference = _text(request.case_reference, "caseReference", 256)
    if scope is not Scope.CASE and request.case_reference:
        raise GrantInputError("caseReference", "only a case grant names a case")
    valid_from = parse_moment(request.valid_from, "validFrom") if request.valid_from else utc_text(now)
    valid_until = parse_moment(request.valid_until, "validUntil", end_of_day=True)
    if valid_until <= valid_from:
        raise GrantInputError("validUntil", "must be after validFrom")
    if valid_until <= utc_text(now):
        raise GrantInputError("validUntil", "is already past")
    disclosure_at = None
    if request.confidential:
        if purpose.get("confidential") is not True:
            raise GrantInputError("confidential", f"purpose {request.purpose} is not marked confidential in "
                                                  "policies/data/purposes.json")
        if not request.disclosure_date:
            raise GrantInputError("disclosureDate", "a confidential grant needs the date its reads are disclosed")
        disclosure_at = parse_moment(request.disclosure_date, "disclosureDate")
        if disclosure_at < valid_from:
            raise GrantInputError("disclosureDate", "must not be before validFrom")
    elif request.disclosure_date:
        raise GrantInputError("disclosureDate", "only a confidential grant has a disclosure date")
    return Grant(
        id=grant_id, decision_number=decision_number, issued_by=issued_by, decision_date=decision_date,
        agency=agency.id, purpose=request.purpose, scope=scope, subjects=subjects, case_reference=case_reference,
        province=province, valid_from=valid_from, valid_until=valid_until, confidential=bool(request.confidential),
        disclosure_at=disclosure_at, created_at=utc_text(now), created_by=account,
    )


def make_grant(agency: str, purpose: str, subjects: tuple[str, ...] = (), *, grant_id: str = "GR-0000000001",
               province: str | None = None, valid_until: str = "2999-12-31T23:59:59.999999Z",
               revoked_at: str | None = None) -> Grant:
    """A grant built directly (tests, ``policy explain``): subjects scope, or province scope with ``province``."""
    return Grant(
        id=grant_id, decision_number="TEST-1", issued_by="test", decision_date="2026-01-01", agency=agency,
        purpose=purpose, scope=Scope.PROVINCE if province else Scope.SUBJECTS, subjects=tuple(subjects),
        case_reference=None, province=province, valid_from="2000-01-01T00:00:00.000000Z", valid_until=valid_until,
        confidential=False, disclosure_at=None, created_at="2026-01-01T00:00:00.000000Z", created_by="test",
        revoked_at=revoked_at, revocation_reason="test" if revoked_at else None,
    )


def grant_row(grant: Grant) -> dict[str, Any]:
    """The ``lt_grants`` column values of ``grant``."""
    row = {name: getattr(grant, name) for name in grants_table.c.keys()}
    row["scope"] = str(grant.scope)
    row["subjects"] = orjson.dumps(list(grant.subjects)).decode()
    return row
