"""What is recorded for every request that reaches the gateway (000 Art. 11.6.c, 13.7; 004 Art. 38.2)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


class Outcome(enum.StrEnum):
    """How the request ended."""

    ALLOWED = "allowed"  # answered, nothing masked
    MASKED = "masked"  # answered, some fields masked or withheld
    REFUSED = "refused"  # no data: unauthenticated, purpose refused, request refused (000 Art. 13.4), bad input
    FAILED = "failed"  # no data or partial data because something broke


class AuditUnavailable(Exception):
    """The record could not be made durable: HTTP 503 ``AUDIT_UNAVAILABLE``, and no data leaves the gateway."""

    code = "AUDIT_UNAVAILABLE"
    http_status = status = 503


@dataclass(frozen=True, slots=True)
class Effect:
    """A masked or withheld output path (from the policy's ``extensions.policy``)."""

    path: str
    coordinate: str
    mask: str
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "coordinate": self.coordinate, "mask": self.mask, "reason": self.reason}


def _path(value: Any) -> str:
    if isinstance(value, str):
        return value
    return ".".join(str(part) for part in value)


def effect(value: Effect | Mapping[str, Any]) -> Effect:
    """Accept an :class:`Effect` or a policy dict ``{path (str or list), coordinate, mask, reason}``."""
    if isinstance(value, Effect):
        return value
    mask = value.get("mask") or value.get("effect") or ""  # a filtered row has an effect but no mask
    return Effect(_path(value.get("path", "")), str(value.get("coordinate", "")), str(mask), value.get("reason"))


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One request as the audit trail keeps it.

    ``account`` is the caller's ``sub`` (identified account); ``subjects`` are the personalIds of every person
    present in the response; ``categories`` the data categories of the requested coordinates (shown to the data
    subject by ``accessLog``). ``at`` defaults to the moment :meth:`AuditStore.record` is called.
    """

    request_id: str
    outcome: Outcome | str
    http_status: int
    account: str | None = None
    agency: str | None = None
    role: str | None = None
    purpose: str | None = None
    legal_basis: str | None = None
    operation_name: str | None = None
    document_hash: str | None = None
    coordinates: Sequence[str] = ()
    categories: Sequence[str] = ()
    effects: Sequence[Effect | Mapping[str, Any]] = ()
    subjects: Iterable[str] = ()
    error_code: str | None = None
    decision_id: str | None = None
    policy_version: str | None = None
    at: datetime | None = field(default=None)
    kind: str = "access"  # gateway.audit.chain KIND_*: "grant" for a change of the grants registry
    # The grant an X-Legal-Basis named and the registry found (gateway.grants), and until when the record is
    # hidden from the data subject's accessLog (a covert read under a confidential grant; the DPO sees it).
    grant_id: str | None = None
    disclosure_at: datetime | None = None
    reason: str | None = None  # why the request was refused (000 Art. 13.4), or why a grant was revoked
    # a mutation's write entries (gateway.writes.records.WriteAudit.as_dict(): coordinate, subjects, outcome,
    # before/after hashes of the records written), in this same record of the chain (issue 15)
    writes: Sequence[Mapping[str, Any]] = ()
    note: str | None = None  # a summary for people reading the trail (a grant change: decision, agency, scope)

    @classmethod
    def for_request(cls, request_id: str, caller: Any, declared: Any, **fields: Any) -> AuditRecord:
        """Build from the pipeline's objects: ``caller`` (a :class:`~gateway.auth.Caller` or None when
        authentication failed) and ``declared`` (a :class:`~gateway.auth.DeclaredPurpose` or None)."""
        return cls(
            request_id=request_id,
            account=getattr(caller, "sub", None),
            agency=getattr(caller, "agency_id", None),
            role=str(caller.role) if caller is not None else None,
            purpose=getattr(declared, "purpose", None),
            legal_basis=getattr(declared, "legal_basis", None),
            **fields,
        )


def utc_text(moment: datetime | None = None) -> str:
    """Fixed-width UTC ISO 8601 text (sorts like time): ``2025-03-01T08:15:00.000000Z``."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class AuditReceipt:
    """Where a committed record sits in the chain."""

    seq: int
    hash: str
