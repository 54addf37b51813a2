"""Data subjects' requests (004 Art. 9, 14-16): filed by the subject, listed and resolved by the DPO.

Kinds and the articles they exercise (:data:`KINDS`): correction (9.3, 15), deletion (9.5, 16), restriction of
processing (9.6), objection (9.8). The decree gives the controller 72 hours for each (9.6.b, 9.8.b, 15.2, 16.5):
the deadline is recorded when the request is filed and reported (``overdue``), never enforced by waiting. An
accepted restriction is recorded in the population database (:mod:`gateway.subjects.restriction`) before the
acceptance is: if population cannot record it, the request stays pending and the DPO gets an error. The DPO
lifts an accepted restriction (:meth:`RequestRegistry.lift`: the data subject asked, or its ground ended) the
same way: population first, where the restriction row keeps its set and lifted times, then the audit record,
then the gateway store. Every filing, resolution and lifting is audited in the hash chain
(:mod:`gateway.subjects.audit`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from gateway.audit import AuditStore
from gateway.audit.record import utc_text
from gateway.store import GatewayStore

from .audit import audit_change
from .tables import lifts, requests

DEADLINE = timedelta(hours=72)
MAX_DETAILS = 2000
MAX_NOTE = 2000
KINDS: dict[str, str] = {
    "CORRECTION": "004 Art. 9.3, 15 (right to have one's data corrected)",
    "DELETION": "004 Art. 9.5, 16 (right to deletion; 16.2.b: not for data state bodies process by law)",
    "RESTRICTION": "004 Art. 9.6 (right to restrict processing, within 72 hours of the request)",
    "OBJECTION": "004 Art. 9.8 (right to object to processing, within 72 hours)",
}
CLOCK_ARTICLES: dict[str, str] = {
    "CORRECTION": "004 Art. 15.2",
    "DELETION": "004 Art. 16.5",
    "RESTRICTION": "004 Art. 9.6.b",
    "OBJECTION": "004 Art. 9.8.b",
}
PENDING, ACCEPTED, REJECTED = "PENDING", "ACCEPTED", "REJECTED"
DECISIONS = {"ACCEPT": ACCEPTED, "REJECT": REJECTED}


class RequestError(ValueError):
    """Bad input (``field``, ``problem``): BAD_USER_INPUT naming the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class Restrictor(Protocol):
    """Records an accepted restriction where the protection facts come from (the population subgraph)."""

    async def restrict(self, personal_id: str, since: str, reference: str) -> str:
        """Record it; returns the ``since`` time the population database holds."""
        ...

    async def lift(self, personal_id: str, lifted_at: str, reference: str) -> str:
        """Record its lifting; returns the ``liftedAt`` time the population database holds."""
        ...


def _text(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise RequestError(field, "must not be empty")
    if len(value) > limit:
        raise RequestError(field, f"at most {limit} characters")
    if not all(ch.isprintable() or ch in "\n\t" for ch in value):
        raise RequestError(field, "contains control characters")
    return value


@dataclass(frozen=True, slots=True)
class SubjectRequest:
    """A request as stored."""

    id: str
    personal_id: str
    kind: str
    details: str
    status: str
    filed_at: str
    deadline_at: str
    resolved_at: str | None
    resolved_by: str | None
    decision_note: str | None
    restricted_since: str | None
    lifted_at: str | None = None  # an accepted restriction the DPO lifted (004 Art. 9.6): since when
    lifted_by: str | None = None
    lift_note: str | None = None

    @property
    def restricting(self) -> bool:
        """An accepted restriction not lifted: the population database restricts the person for it."""
        return self.restricted_since is not None and self.lifted_at is None

    def as_dict(self, now: datetime) -> dict[str, Any]:
        """The GraphQL shape (``DataSubjectRequest``), with the clock computed at ``now``."""
        deadline = datetime.fromisoformat(self.deadline_at.replace("Z", "+00:00"))
        end = datetime.fromisoformat(self.resolved_at.replace("Z", "+00:00")) if self.resolved_at else now
        left = None if self.resolved_at else round((deadline - now).total_seconds() / 3600, 2)
        return {
            "id": self.id, "personalId": self.personal_id, "kind": self.kind, "article": KINDS[self.kind],
            "details": self.details, "status": self.status, "resolvedBy": self.resolved_by,
            "decisionNote": self.decision_note, "restrictedSince": self.restricted_since,
            "restrictionLiftedAt": self.lifted_at, "restrictionLiftedBy": self.lifted_by,
            "restrictionLiftNote": self.lift_note,
            "clock": {"filedAt": self.filed_at, "deadline": self.deadline_at, "resolvedAt": self.resolved_at,
                      "overdue": end > deadline, "hoursLeft": left, "article": CLOCK_ARTICLES[self.kind]},
        }


def _row(row: Any) -> SubjectRequest:
    return SubjectRequest(row.id, row.personal_id, row.kind, row.details, row.status, row.filed_at,
                          row.deadline_at, row.resolved_at, row.resolved_by, row.decision_note, row.restricted_since,
                          row.lifted_at, row.lifted_by, row.note)


def _select() -> Any:
    """Requests with their lifting, if any (one outer join)."""
    return select(requests, lifts.c.lifted_at, lifts.c.lifted_by, lifts.c.note).select_from(
        requests.outerjoin(lifts, lifts.c.request_id == requests.c.id))


class RequestRegistry:
    """File, list and resolve requests over the gateway store; every change audited."""

    def __init__(self, store: GatewayStore, audit: AuditStore, restrictor: Restrictor,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.audit = audit
        self.restrictor = restrictor
        self.clock = clock

    async def file(self, caller: Any, kind: str, details: str, *, request_id: str | None = None) -> SubjectRequest:
        """A data subject's request about themself (``caller.sub`` is their personalId)."""
        if kind not in KINDS:
            raise RequestError("kind", f"one of {', '.join(KINDS)}")
        details = _text(details, "details", MAX_DETAILS)
        now = self.clock()
        request = SubjectRequest(f"DSR-{uuid.uuid4().hex[:16]}", caller.sub, kind, details, PENDING, utc_text(now),
                                 utc_text(now + DEADLINE), None, None, None, None)
        # audited first: a filing that cannot be audited is not recorded (AUDIT_UNAVAILABLE), never the reverse
        await audit_change(self.audit, caller, "subject_request.file", caller.sub,
                           {"reference": request.id, "kind": kind, "deadline": request.deadline_at},
                           at=now, request_id=request_id)
        async with self.store.engine.begin() as conn:
            await conn.execute(requests.insert().values(
                id=request.id, personal_id=request.personal_id, kind=kind, details=details, status=PENDING,
                filed_at=request.filed_at, deadline_at=request.deadline_at,
            ))
        return request

    async def get(self, request_id: str) -> SubjectRequest | None:
        async with self.store.engine.connect() as conn:
            row = (await conn.execute(_select().where(requests.c.id == request_id))).first()
        return _row(row) if row is not None else None

    async def list(self, *, personal_id: str | None = None, status: str | None = None,
                   limit: int = 50) -> list[SubjectRequest]:
        """Newest first."""
        query = _select().order_by(requests.c.filed_at.desc(), requests.c.id).limit(limit)
        if personal_id is not None:
            query = query.where(requests.c.personal_id == personal_id)
        if status is not None:
            query = query.where(requests.c.status == status)
        async with self.store.engine.connect() as conn:
            return [_row(r) for r in (await conn.execute(query)).all()]

    async def resolve(self, caller: Any, request_id: str, decision: str, note: str, *,
                      request_id_header: str | None = None) -> SubjectRequest:
        """The DPO's decision on a pending request; an accepted restriction takes effect in population first."""
        if decision not in DECISIONS:
            raise RequestError("decision", f"one of {', '.join(DECISIONS)}")
        note = _text(note, "note", MAX_NOTE)
        found = await self.get(request_id)
        if found is None:
            raise RequestError("id", f"no request {request_id}")
        if found.status != PENDING:
            raise RequestError("id", f"request {request_id} is already {found.status.lower()}")
        now = self.clock()
        status = DECISIONS[decision]
        since = None
        if status == ACCEPTED and found.kind == "RESTRICTION":
            since = await self.restrictor.restrict(found.personal_id, utc_text(now), found.id)
        await audit_change(self.audit, caller, "subject_request.resolve", found.personal_id,
                           {"reference": found.id, "kind": found.kind, "decision": status, "note": note,
                            "restricted_since": since, "overdue": now > datetime.fromisoformat(
                                found.deadline_at.replace("Z", "+00:00"))},
                           at=now, request_id=request_id_header)
        async with self.store.engine.begin() as conn:
            changed = await conn.execute(
                update(requests).where(requests.c.id == found.id, requests.c.status == PENDING).values(
                    status=status, resolved_at=utc_text(now), resolved_by=caller.sub, decision_note=note,
                    restricted_since=since,
                )
            )
        if changed.rowcount != 1:  # resolved meanwhile by another DPO: theirs stands (the audit shows both)
            raise RequestError("id", f"request {request_id} was resolved meanwhile")
        resolved = await self.get(found.id)
        assert resolved is not None
        return resolved

    async def lift(self, caller: Any, request_id: str, note: str, *,
                   request_id_header: str | None = None) -> SubjectRequest:
        """The DPO lifts an accepted restriction now (004 Art. 9.6): recorded in population first (the
        protection fact releases the person from the next request on), then audited, then stored here."""
        note = _text(note, "note", MAX_NOTE)
        found = await self.get(request_id)
        if found is None:
            raise RequestError("id", f"no request {request_id}")
        if found.kind != "RESTRICTION" or found.status != ACCEPTED or found.restricted_since is None:
            raise RequestError("id", f"request {request_id} is not an accepted restriction "
                                     f"({found.kind.lower()}, {found.status.lower()})")
        if found.lifted_at is not None:
            raise RequestError("id", f"the restriction of request {request_id} was already lifted at "
                                     f"{found.lifted_at}")
        now = self.clock()
        lifted_at = await self.restrictor.lift(found.personal_id, utc_text(now), found.id)
        await audit_change(self.audit, caller, "subject_request.lift", found.personal_id,
                           {"reference": found.id, "kind": found.kind, "note": note,
                            "restricted_since": found.restricted_since, "lifted_at": lifted_at},
                           at=now, request_id=request_id_header)
        try:
            async with self.store.engine.begin() as conn:
                await conn.execute(lifts.insert().values(request_id=found.id, lifted_at=lifted_at,
                                                         lifted_by=caller.sub, note=note))
        except IntegrityError as exc:  # lifted meanwhile by another DPO: theirs stands (the audit shows both)
            raise RequestError("id", f"the restriction of request {request_id} was lifted meanwhile") from exc
        lifted = await self.get(found.id)
        assert lifted is not None
        return lifted
