"""The audit trail: one hash-chained, append-only record per request, durable before the response leaves.

Stage interface (docs/ARCHITECTURE.md): ``await store.record(AuditRecord(...)) -> AuditReceipt`` or
:class:`AuditUnavailable` (503 ``AUDIT_UNAVAILABLE``). The ``accessLog`` local subgraph lives in
:mod:`gateway.audit.access_log`.
"""

from .access_log import ACCESS_LOG_SDL, ACCESS_LOG_SDL_PRELUDE, build_access_log_schema
from .chain import GENESIS, Verdict, row_hash
from .hook import PipelineAudit
from .maintenance import PruneRefused, export, iter_records, prune, verify
from .record import AuditReceipt, AuditRecord, AuditUnavailable, Effect, Outcome
from .settings import AuditSettings
from .store import AuditStats, AuditStore

__all__ = [
    "ACCESS_LOG_SDL",
    "ACCESS_LOG_SDL_PRELUDE",
    "GENESIS",
    "AuditReceipt",
    "AuditRecord",
    "AuditSettings",
    "AuditStats",
    "AuditStore",
    "AuditUnavailable",
    "Effect",
    "Outcome",
    "PipelineAudit",
    "PruneRefused",
    "Verdict",
    "build_access_log_schema",
    "export",
    "iter_records",
    "prune",
    "row_hash",
    "verify",
]
