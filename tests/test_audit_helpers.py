"""Shared helpers of the audit tests (no tests here): a store on SQLite or PostgreSQL, raw tampering access.

Import ``audit_url_fixture`` / ``store_fixture`` to get the ``audit_url`` / ``store`` fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.audit import AuditRecord, AuditSettings, AuditStore
from gateway.audit.subject_index import FTS_TABLE, TERMS_TABLE, decode, encode

SUBJECT_A, SUBJECT_B = "001090000123", "079195001234"


@pytest.fixture(name="audit_url", params=["sqlite", "postgres"])
def audit_url_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty audit database: a SQLite file, or a fresh PostgreSQL database (skipped if unreachable)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"
    return request.getfixturevalue("pg_database")()


def signed_settings(audit_url: str, directory: Path, **over: Any) -> AuditSettings:
    """Settings of a signing store: its key, verify keys and witness file under ``directory``."""
    fields: dict[str, Any] = dict(
        database_url=audit_url, timeout=5, signing_key_file=directory / "keys" / "audit-signing.jwk.json",
        verify_keys_file=directory / "keys" / "audit-verify.jwks.json", witness=f"file:{directory / 'witness.jsonl'}",
    )
    fields.update(over)
    return AuditSettings(**fields)


@pytest.fixture(name="store")
async def store_fixture(audit_url: str, tmp_path: Path) -> AsyncIterator[AuditStore]:
    """A signing store (checkpoints every 1000 records / 30 s, and on close) on ``audit_url``."""
    s = AuditStore(signed_settings(audit_url, tmp_path))
    await s.start()
    try:
        yield s
    finally:
        await s.close()


def rec(i: int, *, subjects: tuple[str, ...] = (SUBJECT_A,), at: datetime | None = None, **over: Any) -> AuditRecord:
    fields: dict[str, Any] = dict(
        request_id=f"req-{i}", outcome="masked", http_status=200, account=f"officer-{i % 3}",
        agency="tand-ha-noi", role="agency", purpose="criminal_proceedings",
        legal_basis="Quyết định khởi tố vụ án số 12/QĐ-CSĐT", operation_name="PersonWithSentences",
        document_hash="sha256:" + "ab" * 32, coordinates=["Query.person", "Person.fullName", "Person.sentences"],
        categories=["BASIC", "CRIMINAL"],
        effects=[{"path": ["person", "religion"], "coordinate": "Person.religion", "mask": "withhold",
                  "reason": "RELIGION not needed for criminal_proceedings"}],
        subjects=subjects, decision_id=f"dec-{i}", policy_version="v1", at=at,
    )
    fields.update(over)
    return AuditRecord(**fields)


class Raw:
    """A synchronous connection outside the store, for tampering like a DB administrator would."""

    def __init__(self, url: str) -> None:
        sync_url = url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
        self.engine = sa.create_engine(sync_url, poolclass=sa.pool.NullPool)
        self.dialect = self.engine.dialect.name

    def run(self, sql: str, **params: Any) -> Any:
        with self.engine.begin() as conn:
            result = conn.execute(sa.text(sql), params)
            return result.all() if result.returns_rows else result.rowcount

    def drop_triggers(self) -> None:
        tables = ("audit_log", "audit_subjects", "audit_checkpoints", "audit_meta")  # (no index triggers on SQLite)
        if self.dialect == "sqlite":
            for table in tables:
                for op in ("update", "delete"):
                    self.run(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        else:
            for table in tables:
                for name in ("append_only", "no_truncate"):
                    self.run(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}")

    # The subject index (gateway.audit.subject_index): audit_subjects on PostgreSQL, a contentless FTS5 table on
    # SQLite whose rows are changed by the 'delete' command naming their tokens again.
    def index_pairs(self, condition: str = "1 = 1") -> list[tuple[str, int]]:
        """The index's (personal_id, seq) pairs whose ``seq`` meets ``condition``."""
        if self.dialect == "sqlite":
            rows = self.run(f"SELECT term, doc AS seq FROM {TERMS_TABLE} WHERE {condition}")
            return sorted((decode(term), seq) for term, seq in rows)
        return sorted((pid, seq) for pid, seq in self.run(f"SELECT personal_id, seq FROM audit_subjects WHERE "
                                                          f"{condition}"))

    def delete_index(self, condition: str = "1 = 1") -> None:
        """Delete the index entries of the records whose ``seq`` meets ``condition`` (before the records go)."""
        if self.dialect == "sqlite":
            self.run(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, tokens) SELECT 'delete', seq, (SELECT "
                     f"group_concat(lower(hex(value)), ' ') FROM json_each(audit_log.subjects)) FROM audit_log "
                     f"WHERE subjects != '[]' AND {condition}")
        else:
            self.run(f"DELETE FROM audit_subjects WHERE {condition}")

    def forge_index(self, personal_id: str, seq: int) -> None:
        """Make the index say record ``seq`` names ``personal_id``."""
        if self.dialect == "sqlite":
            tokens = " ".join(encode(pid) for pid, s in self.index_pairs(f"doc = {int(seq)}"))
            self.delete_index(f"seq = {int(seq)}")
            self.run(f"INSERT INTO {FTS_TABLE} (rowid, tokens) VALUES (:seq, :tokens)", seq=seq,
                     tokens=f"{tokens} {encode(personal_id)}")
        else:
            self.run("INSERT INTO audit_subjects (personal_id, seq) VALUES (:pid, :seq)", pid=personal_id, seq=seq)

    def row(self, seq: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.text("SELECT * FROM audit_log WHERE seq = :s"), {"s": seq}).mappings().one())


def days_ago(days: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)
