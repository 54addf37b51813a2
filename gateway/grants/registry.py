"""The grants registry: create, list, show and revoke grants in the gateway store; every change audited in the
audit hash chain (a record of kind ``grant``) before it commits.

A change and its audit record: the grant row is written in a store transaction, the audit record is appended
(and committed, ``AuditStore.record``) inside it, then the store transaction commits. If the audit trail cannot
take the record the change is rolled back (fail closed: no unaudited change). Listeners (the resolver's cache)
hear of every committed change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from ..audit import AuditRecord, AuditStore, Outcome
from ..audit.chain import KIND_GRANT
from ..audit.record import utc_text
from ..store import GatewayStore
from .model import (
    GRANT_ID,
    Grant,
    GrantInputError,
    GrantRequest,
    Scope,
    check_request,
    grant_row,
    grants_table,
    new_grant_id,
)


class GrantNotFound(LookupError):
    """No grant with that id."""


class GrantRegistry:
    """Grants over a started :class:`GatewayStore`, changes audited in ``audit`` (a started writer)."""

    def __init__(self, store: GatewayStore, audit: AuditStore | None, *, agencies: Any,
                 purposes: Mapping[str, dict[str, Any]], clock: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.audit = audit
        self.agencies = agencies
        self.purposes = dict(purposes)
        self.clock = clock or (lambda: datetime.now(UTC))
        self._listeners: list[Callable[[str], None]] = []

    def on_change(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(grant_id)`` after every committed change."""
        self._listeners.append(listener)

    def _changed(self, grant_id: str) -> None:
        for listener in self._listeners:
            listener(grant_id)

    async def get(self, grant_id: str) -> Grant | None:
        """The grant ``grant_id``, or None."""
        async with self.store.engine.connect() as conn:
            row = (await conn.execute(select(grants_table).where(grants_table.c.id == grant_id))).first()
        return Grant.from_row(row) if row is not None else None

    async def list(self, *, agency: str | None = None, include_revoked: bool = True,
                   limit: int = 200) -> list[Grant]:
        """Grants, newest first (``agency``: issued to that agency only)."""
        query = select(grants_table).order_by(grants_table.c.created_at.desc(), grants_table.c.id).limit(limit)
        if agency is not None:
            query = query.where(grants_table.c.agency == agency)
        if not include_revoked:
            query = query.where(grants_table.c.revoked_at.is_(None))
        async with self.store.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [Grant.from_row(row) for row in rows]

    async def create(self, request: GrantRequest, caller: Any, *, request_id: str | None = None,
                     grant_id: str | None = None) -> Grant:
        """Register the grant ``request`` describes (:class:`GrantInputError` when it is not valid)."""
        if grant_id is not None and not GRANT_ID.fullmatch(grant_id):
            raise GrantInputError("id", "a grant id is GR- and 10 characters of 0-9 A-Z (no I, L, O, U)")
        grant = check_request(request, agencies=self.agencies, purposes=self.purposes, now=self.clock(),
                              grant_id=grant_id or new_grant_id(), account=_account(caller))
        async with self.store.engine.begin() as conn:
            if (await conn.execute(select(grants_table.c.id).where(grants_table.c.id == grant.id))).first():
                raise GrantInputError("id", f"grant {grant.id} exists already")
            await conn.execute(grants_table.insert().values(**grant_row(grant)))
            await self._audit(caller, "grant.create", grant, request_id,
                              note=f"{grant.decision_number} ({grant.issued_by}, {grant.decision_date}): "
                                   f"{grant.agency} / {grant.purpose} / {grant.scope} until {grant.valid_until}")
        self._changed(grant.id)
        return grant

    async def revoke(self, grant_id: str, reason: str, caller: Any, *, request_id: str | None = None) -> Grant:
        """Revoke ``grant_id`` now, for ``reason`` (:class:`GrantNotFound`; revoking twice is an input error)."""
        reason = (reason or "").strip()
        if not reason or len(reason) > 2000:
            raise GrantInputError("reason", "say why the grant is revoked (at most 2000 characters)")
        now = utc_text(self.clock())
        async with self.store.engine.begin() as conn:
            row = (await conn.execute(select(grants_table).where(grants_table.c.id == grant_id))).first()
            if row is None:
                raise GrantNotFound(grant_id)
            if row.revoked_at is not None:
                raise GrantInputError("id", f"grant {grant_id} was revoked already at {row.revoked_at}")
            await conn.execute(update(grants_table).where(grants_table.c.id == grant_id)
                               .values(revoked_at=now, revoked_by=_account(caller), revocation_reason=reason))
            grant = Grant.from_row(row)
            await self._audit(caller, "grant.revoke", grant, request_id, reason=reason,
                              note=f"revoked {grant.decision_number}")
        self._changed(grant_id)
        revoked = await self.get(grant_id)
        assert revoked is not None
        return revoked

    async def _audit(self, caller: Any, operation: str, grant: Grant, request_id: str | None, *,
                     note: str, reason: str | None = None) -> None:
        if self.audit is None:
            raise RuntimeError("the grants registry records every change in the audit trail: give it the store")
        role = getattr(caller, "role", None)
        record = AuditRecord(
            request_id=request_id or f"grant-{uuid.uuid4().hex}", outcome=Outcome.ALLOWED, http_status=200,
            account=_account(caller), agency=getattr(caller, "agency_id", None),
            role=str(getattr(role, "value", role)) if role is not None else None, purpose=grant.purpose,
            legal_basis=grant.decision_number, operation_name=operation, kind=KIND_GRANT, grant_id=grant.id,
            reason=reason, note=note, subjects=(), at=self.clock(),
        )
        await self.audit.record(record)  # AuditUnavailable rolls the change back (the transaction is open)


def _account(caller: Any) -> str:
    sub = getattr(caller, "sub", None)
    if not sub:
        raise GrantInputError("caller", "an identified account is required (000 Art. 13.7)")
    return str(sub)


__all__ = ["GrantNotFound", "GrantRegistry", "Scope"]
