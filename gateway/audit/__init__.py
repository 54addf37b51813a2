"""The audit trail: one hash-chained, append-only record per request, durable before the response leaves.

Stage interface (docs/ARCHITECTURE.md): ``await store.record(AuditRecord(...)) -> AuditReceipt`` or
:class:`AuditUnavailable` (503 ``AUDIT_UNAVAILABLE``). The ``accessLog`` local subgraph lives in
:mod:`gateway.audit.access_log`.

The chain is pinned by signed checkpoints (:mod:`~gateway.audit.signing`, made by
:mod:`~gateway.audit.checkpoints`) kept in the database and in a :class:`~gateway.audit.witness.Witness` outside
it; :func:`verify` (:mod:`~gateway.audit.attest`) checks the chain against them.
"""

from .access_log import ACCESS_LOG_SDL, ACCESS_LOG_SDL_PRELUDE, build_access_log_schema
from .chain import GENESIS, Verdict, row_hash
from .hook import PipelineAudit
from .maintenance import PruneRefused, export, iter_records, prune, verify
from .record import AuditReceipt, AuditRecord, AuditUnavailable, Effect, Outcome
from .settings import AuditSettings
from .signing import Checkpoint
from .store import AuditStats, AuditStore
from .witness import DirectoryWitness, FileWitness, Witness, open_witness

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
    "Checkpoint",
    "DirectoryWitness",
    "Effect",
    "FileWitness",
    "Outcome",
    "PipelineAudit",
    "PruneRefused",
    "Verdict",
    "Witness",
    "build_access_log_schema",
    "export",
    "iter_records",
    "open_witness",
    "prune",
    "row_hash",
    "verify",
]
