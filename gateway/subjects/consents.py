"""Consents data subjects give (004 Art. 9.2, 11) and withdraw (004 Art. 9.4, 12), recorded in the gateway store.

A consent names one person (the data subject who gives it), one agency, one purpose that needs consent
(``requires_consent`` in policies/data/purposes.json), optionally the categories it covers (004 Art. 11.2.a,
11.7: consent may be partial; none = every category of the purpose) and an expiry. Its reference (``CS-...``)
is what an agency names in ``X-Consent-Reference``. The policy (policies/subjects.rego) receives what
:meth:`ConsentRegistry.consent_facts` finds and decides; every request reads the store again, so a withdrawal
takes effect on the next request (004 Art. 12.4).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import orjson
from sqlalchemy import select, update

from gateway.audit import AuditStore
from gateway.audit.record import utc_text
from gateway.auth import AgencyCatalogue
from gateway.store import GatewayStore

from .audit import audit_change
from .tables import consents

MAX_DURATION = timedelta(days=5 * 366)  # a consent without end is no consent "biết rõ" (11.2): at most 5 years


class ConsentError(ValueError):
    """Bad input (``field``, ``problem``): BAD_USER_INPUT naming the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Consent:
    """A consent as stored."""

    reference: str
    personal_id: str
    agency: str
    purpose: str
    scope: tuple[str, ...]
    given_at: str
    expires_at: str
    withdrawn_at: str | None

    def status(self, now: datetime) -> str:
        if self.withdrawn_at is not None:
            return "WITHDRAWN"
        return "EXPIRED" if utc_text(now) >= self.expires_at else "VALID"

    def as_dict(self, now: datetime) -> dict[str, Any]:
        """The GraphQL shape (``Consent``)."""
        return {"reference": self.reference, "personalId": self.personal_id, "agency": self.agency,
                "purpose": self.purpose, "scope": list(self.scope), "givenAt": self.given_at,
                "expiresAt": self.expires_at, "withdrawnAt": self.withdrawn_at, "status": self.status(now)}


def _row(row: Any) -> Consent:
    return Consent(row.reference, row.personal_id, row.agency, row.purpose, tuple(orjson.loads(row.scope)),
                   row.given_at, row.expires_at, row.withdrawn_at)


def _expiry(value: str, now: datetime) -> datetime:
    try:
        if len(value) == 10:  # a date: valid through its end (UTC)
            moment = datetime.combine(datetime.fromisoformat(value).date(), time.max, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConsentError("expires", "an ISO 8601 date (YYYY-MM-DD) or date-time with offset") from exc
    if moment.tzinfo is None:
        raise ConsentError("expires", "a date-time needs its offset (e.g. Z)")
    if moment <= now:
        raise ConsentError("expires", "must be in the future")
    if moment - now > MAX_DURATION:
        raise ConsentError("expires", "at most 5 years ahead")
    return moment


class ConsentRegistry:
    """Give, withdraw, list and look up consents; every change audited. Also the policy's consent lookup
    (:class:`gateway.policy.service.ConsentLookup`)."""

    def __init__(self, store: GatewayStore, audit: AuditStore, agencies: AgencyCatalogue,
                 purposes: Mapping[str, Mapping[str, Any]],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.audit = audit
        self.agencies = agencies
        self.purposes = purposes
        self.clock = clock

    async def give(self, caller: Any, agency: str, purpose: str, scope: list[str] | None, expires: str, *,
                   request_id: str | None = None) -> Consent:
        """The data subject ``caller.sub`` consents to ``agency`` processing their data for ``purpose``."""
        found = self.agencies.get(agency)
        if found is None:
            raise ConsentError("agency", f"unknown agency {agency!r} (policies/data/agencies.json)")
        entry = self.purposes.get(purpose)
        if entry is None:
            raise ConsentError("purpose", f"unknown purpose {purpose!r} (policies/data/purposes.json)")
        if entry.get("requires_consent") is not True:
            raise ConsentError("purpose", f"purpose {purpose} needs no consent ({entry.get('consent_article')})")
        if found.kind not in entry.get("agency_kinds", []):
            raise ConsentError("agency", f"agency kind {found.kind} may not declare purpose {purpose}")
        allowed = set(entry.get("categories", [])) | set(entry.get("sensitive_needs", []))
        chosen = tuple(sorted(set(scope or ())))
        if outside := sorted(set(chosen) - allowed):
            raise ConsentError("scope", f"{', '.join(outside)} not processed for purpose {purpose}")
        now = self.clock()
        until = _expiry(expires, now)
        consent = Consent(f"CS-{uuid.uuid4().hex[:16]}", caller.sub, agency, purpose, chosen, utc_text(now),
                          utc_text(until), None)
        await audit_change(self.audit, caller, "consent.give", caller.sub,
                           {"reference": consent.reference, "agency": agency, "purpose": purpose,
                            "scope": list(chosen), "expires": consent.expires_at}, at=now, request_id=request_id)
        async with self.store.engine.begin() as conn:
            await conn.execute(consents.insert().values(
                reference=consent.reference, personal_id=consent.personal_id, agency=agency, purpose=purpose,
                scope=orjson.dumps(list(chosen)).decode(), given_at=consent.given_at,
                expires_at=consent.expires_at,
            ))
        return consent

    async def get(self, reference: str) -> Consent | None:
        async with self.store.engine.connect() as conn:
            row = (await conn.execute(select(consents).where(consents.c.reference == reference))).first()
        return _row(row) if row is not None else None

    async def mine(self, personal_id: str) -> list[Consent]:
        async with self.store.engine.connect() as conn:
            rows = (await conn.execute(select(consents).where(consents.c.personal_id == personal_id)
                                       .order_by(consents.c.given_at.desc()))).all()
        return [_row(r) for r in rows]

    async def withdraw(self, caller: Any, reference: str, *, request_id: str | None = None) -> Consent:
        """The data subject withdraws their own consent, now."""
        found = await self.get(reference)
        if found is None or found.personal_id != caller.sub:  # someone else's consent is "not found" to them
            raise ConsentError("reference", f"no consent {reference} of yours")
        if found.withdrawn_at is not None:
            raise ConsentError("reference", f"consent {reference} was already withdrawn at {found.withdrawn_at}")
        now = self.clock()
        await audit_change(self.audit, caller, "consent.withdraw", caller.sub,
                           {"reference": reference, "agency": found.agency, "purpose": found.purpose},
                           at=now, request_id=request_id)
        async with self.store.engine.begin() as conn:
            await conn.execute(update(consents).where(consents.c.reference == reference,
                                                      consents.c.withdrawn_at.is_(None))
                               .values(withdrawn_at=utc_text(now)))
        withdrawn = await self.get(reference)
        assert withdrawn is not None
        return withdrawn

    async def consent_facts(self, reference: str) -> dict[str, Any]:
        """What the policy reads about ``reference`` (policies/subjects.rego ``consent_of``)."""
        found = await self.get(reference)
        if found is None:
            return {"reference": reference, "found": False}
        return {"reference": reference, "found": True, "personal_id": found.personal_id, "agency": found.agency,
                "purpose": found.purpose, "scope": list(found.scope), "withdrawn": found.withdrawn_at is not None,
                "expired": utc_text(self.clock()) >= found.expires_at}
