"""Settings of the audit store, read from the environment.

| variable | default | meaning |
|---|---|---|
| ``GATEWAY_AUDIT_DATABASE_URL`` | ``sqlite+aiosqlite:///$LT_DATA_DIR/audit.db`` | SQLAlchemy async URL (SQLite or ``postgresql+asyncpg://``) |
| ``GATEWAY_AUDIT_RETENTION_DAYS`` | ``1825`` | records younger than this are never pruned (``audit prune``) |
| ``GATEWAY_AUDIT_TIMEOUT`` | ``5`` | seconds a request waits for its record to commit before ``AUDIT_UNAVAILABLE`` |
| ``GATEWAY_AUDIT_BATCH_MAX`` | ``512`` | most records written in one transaction (group commit) |
| ``GATEWAY_AUDIT_QUEUE_MAX`` | ``10000`` | most records waiting; beyond it requests fail closed at once |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """Configuration of an :class:`~gateway.audit.store.AuditStore`."""

    database_url: str = "sqlite+aiosqlite:///data/audit.db"
    retention_days: int = 1825
    timeout: float = 5.0
    batch_max: int = 512
    queue_max: int = 10000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AuditSettings:
        """Read from ``env`` (default ``os.environ``)."""
        env = os.environ if env is None else env
        data = Path(env.get("LT_DATA_DIR", "data"))
        return cls(
            database_url=env.get("GATEWAY_AUDIT_DATABASE_URL") or f"sqlite+aiosqlite:///{data / 'audit.db'}",
            retention_days=int(env.get("GATEWAY_AUDIT_RETENTION_DAYS", "1825")),
            timeout=float(env.get("GATEWAY_AUDIT_TIMEOUT", "5")),
            batch_max=int(env.get("GATEWAY_AUDIT_BATCH_MAX", "512")),
            queue_max=int(env.get("GATEWAY_AUDIT_QUEUE_MAX", "10000")),
        )
