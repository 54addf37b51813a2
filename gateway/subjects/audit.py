"""Every filing, resolution, consent and withdrawal is a record in the gateway's hash chain (004 Art. 11.10: the
controller proves the consent; 004 Art. 38.2: processing logs), of kind :data:`KIND_SUBJECT`.

``operation_name`` says what happened (``subject_request.file``, ``subject_request.resolve``, ``consent.give``,
``consent.withdraw``), ``subjects`` the person concerned, ``note`` a JSON object with the request or consent
reference and its facts. The access log (``accessLog``) lists access records only, so these do not appear there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from gateway.audit import AuditRecord, AuditStore
from gateway.audit.record import Outcome

KIND_SUBJECT = "subject"


async def audit_change(audit: AuditStore, caller: Any, operation: str, personal_id: str,
                       facts: Mapping[str, Any], *, at: datetime, request_id: str | None) -> int:
    """Append one record and wait until it is durable; returns its ``seq``. Raises ``AuditUnavailable``."""
    record = AuditRecord(
        request_id=request_id or f"{operation}:{facts.get('reference')}",
        outcome=Outcome.ALLOWED,
        http_status=200,
        account=getattr(caller, "sub", None),
        agency=getattr(caller, "agency_id", None),
        role=str(getattr(caller, "role", "")) or None,
        operation_name=operation,
        subjects=(personal_id,),
        at=at,
        kind=KIND_SUBJECT,
        note=orjson.dumps(dict(facts), option=orjson.OPT_SORT_KEYS).decode(),
    )
    receipt = await audit.record(record)
    return receipt.seq
