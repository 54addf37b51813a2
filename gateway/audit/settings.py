"""Settings of the audit store, read from the environment.

| variable | default | meaning |
|---|---|---|
| ``GATEWAY_AUDIT_DATABASE_URL`` | ``sqlite+aiosqlite:///$LT_DATA_DIR/audit.db`` | SQLAlchemy async URL (SQLite or ``postgresql+asyncpg://``) |
| ``GATEWAY_AUDIT_RETENTION_DAYS`` | ``1825`` | records younger than this are never pruned (``audit prune``) |
| ``GATEWAY_AUDIT_TIMEOUT`` | ``5`` | seconds a request waits for its record to commit before ``AUDIT_UNAVAILABLE`` |
| ``GATEWAY_AUDIT_BATCH_MAX`` | ``512`` | most records written in one transaction (group commit) |
| ``GATEWAY_AUDIT_QUEUE_MAX`` | ``10000`` | most records waiting; beyond it requests fail closed at once |
| ``GATEWAY_AUDIT_CHECKPOINT_RECORDS`` | ``1000`` | a signed checkpoint of the head at least every this many records |
| ``GATEWAY_AUDIT_CHECKPOINT_SECONDS`` | ``30`` | ... and at least this often while records arrive (and on close) |
| ``GATEWAY_AUDIT_SIGNING_KEY_FILE`` | ``$LT_DATA_DIR/keys/audit-signing.jwk.json`` | Ed25519 private JWK; created on first use except in production |
| ``GATEWAY_AUDIT_VERIFY_KEYS_FILE`` | ``$LT_DATA_DIR/keys/audit-verify.jwks.json`` | public JWKS ``audit verify`` trusts |
| ``GATEWAY_AUDIT_WITNESS`` | ``file:$LT_DATA_DIR/audit-witness.jsonl`` | where checkpoints are also written, outside the database: ``file:PATH`` (append-only file) or ``dir:PATH`` (one write-once file per checkpoint) |

``GATEWAY_ENV=production`` never creates the signing key: it must be given (``python -m gateway audit keygen``).
Settings built directly (``AuditSettings(database_url=...)``) sign nothing unless the key and witness are given.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from subgraphs.common.settings import parse_environment


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """Configuration of an :class:`~gateway.audit.store.AuditStore`."""

    database_url: str = "sqlite+aiosqlite:///data/audit.db"
    retention_days: int = 1825
    timeout: float = 5.0
    batch_max: int = 512
    queue_max: int = 10000
    checkpoint_records: int = 1000
    checkpoint_seconds: float = 30.0
    signing_key_file: Path | None = None  # None: an unsigned trail (benchmarks, legacy tests)
    verify_keys_file: Path | None = None
    witness: str | None = None
    create_signing_key: bool = True  # False in production: the key must be provisioned

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AuditSettings:
        """Read from ``env`` (default ``os.environ``)."""
        env = os.environ if env is None else env
        data = Path(env.get("LT_DATA_DIR", "data"))
        keys = data / "keys"
        return cls(
            database_url=env.get("GATEWAY_AUDIT_DATABASE_URL") or f"sqlite+aiosqlite:///{data / 'audit.db'}",
            retention_days=int(env.get("GATEWAY_AUDIT_RETENTION_DAYS", "1825")),
            timeout=float(env.get("GATEWAY_AUDIT_TIMEOUT", "5")),
            batch_max=int(env.get("GATEWAY_AUDIT_BATCH_MAX", "512")),
            queue_max=int(env.get("GATEWAY_AUDIT_QUEUE_MAX", "10000")),
            checkpoint_records=max(1, int(env.get("GATEWAY_AUDIT_CHECKPOINT_RECORDS", "1000"))),
            checkpoint_seconds=max(0.1, float(env.get("GATEWAY_AUDIT_CHECKPOINT_SECONDS", "30"))),
            signing_key_file=Path(env.get("GATEWAY_AUDIT_SIGNING_KEY_FILE") or keys / "audit-signing.jwk.json"),
            verify_keys_file=Path(env.get("GATEWAY_AUDIT_VERIFY_KEYS_FILE") or keys / "audit-verify.jwks.json"),
            witness=env.get("GATEWAY_AUDIT_WITNESS") or f"file:{data / 'audit-witness.jsonl'}",
            # the one GATEWAY_ENV parser: an unknown value ("prod") refuses instead of counting as development
            create_signing_key=parse_environment(env) != "production",
        )
