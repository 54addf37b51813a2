"""Adapter from the pipeline's audit hook (``gateway.pipeline.AuditRecord``) to the :class:`AuditStore`.

Wiring: ``audit = PipelineAudit(store, categories)`` where ``categories`` is the supergraph's
``{"Type.field": "CATEGORY"}`` map (``gateway.policy.categories_from_sdl``), so that the access log can say which
categories of data were touched. ``await audit.record(pipeline_record)`` raises :class:`AuditUnavailable`;
``start``/``close`` start and close the store with the gateway.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .record import AuditReceipt, AuditRecord, Outcome
from .store import AuditStore

_OUTCOMES = {"ok": Outcome.ALLOWED, "partial": Outcome.MASKED, "refused": Outcome.REFUSED, "error": Outcome.FAILED}


class PipelineAudit:
    """The pipeline's ``AuditHook`` backed by an :class:`AuditStore`."""

    def __init__(self, store: AuditStore, categories: Mapping[str, str] | None = None) -> None:
        self.store = store
        self.categories = categories or {}

    async def start(self) -> None:
        await self.store.start()

    async def close(self) -> None:
        await self.store.close()

    def convert(self, rec: Any) -> AuditRecord:
        """Map a ``gateway.pipeline.AuditRecord`` to the stored form."""
        policy: Mapping[str, Any] = rec.policy or {}
        effects = list(policy.get("masked") or [])
        outcome = _OUTCOMES.get(rec.outcome, Outcome.FAILED)
        if outcome is Outcome.ALLOWED and effects:
            outcome = Outcome.MASKED
        decision = rec.decision
        caller = rec.caller
        from ..grants.model import grant_reference  # here: gateway.grants imports gateway.audit

        legal_basis = getattr(rec.purpose, "legal_basis", None)
        grant = getattr(decision, "grant", None)  # gateway.grants.GrantUse: found in the registry, typed
        reasons = policy.get("reasons") if outcome is Outcome.REFUSED else None
        return AuditRecord(
            request_id=rec.request_id,
            outcome=outcome,
            http_status=rec.status,
            account=getattr(caller, "sub", None),
            agency=getattr(caller, "agency_id", None),
            role=str(caller.role) if caller is not None and getattr(caller, "role", None) is not None else None,
            purpose=getattr(rec.purpose, "purpose", None),
            legal_basis=getattr(rec.purpose, "legal_basis", None),
            operation_name=rec.operation_name,
            document_hash=rec.document_hash,
            coordinates=list(rec.coordinates),
            categories=[self.categories[c] for c in rec.coordinates if c in self.categories],
            effects=effects,
            subjects=list(rec.subjects or ()),
            error_code=next((c for c in rec.error_codes if c), None),
            decision_id=getattr(decision, "decision_id", None) or policy.get("decisionId"),
            policy_version=getattr(decision, "policy_version", None) or policy.get("policyVersion"),
            at=datetime.fromtimestamp(rec.at, UTC) if isinstance(rec.at, int | float) else rec.at,
            writes=[w.as_dict() if hasattr(w, "as_dict") else dict(w) for w in getattr(rec, "writes", ()) or ()],
            # the grant X-Legal-Basis names (also on a refusal, where no decision exists), and until when a
            # covert read is hidden from the data subject's accessLog (gateway.grants.resolver)
            grant_id=getattr(grant, "reference", None) or grant_reference(legal_basis),
            disclosure_at=getattr(grant, "disclosure_at", None),
            reason="; ".join(str(r) for r in reasons) if reasons else None,  # e.g. 000 Art. 13.4 refusals
            # the data subject's consent the request was made under (004 Art. 11.10: the controller proves it)
            note=f"X-Consent-Reference: {consent}" if (consent := getattr(rec.purpose, "consent_reference", None))
            else None,
        )

    async def record(self, rec: Any) -> AuditReceipt:
        """Make the pipeline's record durable; raises :class:`AuditUnavailable`."""
        return await self.store.record(self.convert(rec))
