"""Tables and append-only triggers, created on start with idempotent DDL (no alembic: two tables, and the
triggers are dialect-specific SQL that alembic would only wrap).

``audit_log`` holds the chained records (``kind`` ``access`` or ``anchor``); the subject index
(:mod:`gateway.audit.subject_index`: ``audit_subjects`` on PostgreSQL, an FTS5 table on SQLite) maps
``(personal_id, seq)`` for the access log. UPDATE is always refused; DELETE only for rows older than the newest
prune anchor (``seq < max(anchor_seq)``), so pruning must first append its anchor. PostgreSQL also refuses
TRUNCATE. ``audit_checkpoints`` keeps the signed checkpoints (also written to the witness) and ``audit_meta`` the
chain id (random, set once); both refuse UPDATE and DELETE.

The triggers stop mistakes and the gateway's own code, not the database's owner: whoever can drop them can rewrite
the tables, which is what the signed checkpoints in the witness catch (:mod:`gateway.audit.signing`).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

metadata = MetaData()

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("at", String(32), nullable=False),
    Column("request_id", String(128)),
    Column("account", Text),
    Column("agency", String(128)),
    Column("role", String(32)),
    Column("purpose", String(64)),
    Column("legal_basis", Text),
    Column("operation_name", Text),
    Column("document_hash", String(128)),
    Column("coordinates", Text, nullable=False),
    Column("categories", Text, nullable=False),
    Column("effects", Text, nullable=False),
    Column("subjects", Text, nullable=False),
    Column("outcome", String(16)),
    Column("http_status", Integer),
    Column("error_code", String(64)),
    Column("decision_id", String(128)),
    Column("policy_version", String(128)),
    Column("anchor_seq", BigInteger),
    Column("anchor_hash", String(64)),
    Column("note", Text),
    Column("grant_id", String(32)),  # optional columns (chain.OPTIONAL_COLUMNS): hashed only when not null
    Column("disclosure_at", String(32)),
    Column("reason", Text),
    Column("writes", Text),  # JSON: a mutation's write entries (chain.record_row)
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_log_at", "at"),
)

audit_subjects = Table(
    "audit_subjects",
    metadata,
    Column("personal_id", String(32), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), primary_key=True),  # a prune checkpoint may share its seq with a periodic one
    Column("at", String(32), nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("first_kept", BigInteger),
    Column("token", Text, nullable=False),  # the JWS: the columns above only repeat its payload for queries
)

audit_meta = Table(
    "audit_meta",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

FROZEN_TABLES = ("audit_checkpoints", "audit_meta")

_GUARD = "COALESCE((SELECT MAX(anchor_seq) FROM audit_log WHERE kind = 'anchor'), 0)"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
    for table in ("audit_log",)
] + [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
        WHEN OLD.seq >= {_GUARD}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only (only records behind a prune anchor may go)'); END"""
    for table in ("audit_log",)
] + [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
    for table in FROZEN_TABLES
    for op in ("UPDATE", "DELETE")
]

POSTGRES_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION lt_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND OLD.seq < {_GUARD} THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE OR REPLACE FUNCTION lt_audit_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END $$""",
] + [
    stmt
    for table in ("audit_log", "audit_subjects")
    for stmt in (
        f"""CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION lt_audit_append_only()""",
        f"""CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION lt_audit_no_truncate()""",
    )
] + [
    stmt
    for table in FROZEN_TABLES
    for stmt in (
        f"""CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION lt_audit_no_truncate()""",
        f"""CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION lt_audit_no_truncate()""",
    )
]

# Serialises writers across processes for the length of a transaction (PostgreSQL).
POSTGRES_LOCK = "SELECT pg_advisory_xact_lock(5497064753463246158)"


async def create_schema(conn: AsyncConnection) -> None:
    """Create the tables, indexes and triggers if absent (idempotent)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        await conn.exec_driver_sql(POSTGRES_LOCK)  # concurrent starts: one at a time
        await conn.run_sync(metadata.create_all)
        statements = POSTGRES_TRIGGERS
    elif dialect == "sqlite":
        from .subject_index import create_sqlite_index, sqlite_legacy_index  # it imports this module's tables

        legacy = await sqlite_legacy_index(conn)
        # SQLite's subject index is an FTS5 table, not audit_subjects (gateway.audit.subject_index)
        tables = [t for t in metadata.sorted_tables if t is not audit_subjects]
        await conn.run_sync(lambda sync: metadata.create_all(sync, tables=tables))
        await create_sqlite_index(conn, legacy=legacy)
        statements = SQLITE_TRIGGERS
    else:
        raise RuntimeError(f"unsupported audit database dialect {dialect!r} (SQLite or PostgreSQL)")
    await _add_optional_columns(conn)
    for statement in statements:
        await conn.exec_driver_sql(statement)
    # The chain id goes into every checkpoint: a witness holding another chain's checkpoints (the database was
    # recreated) does not verify against this one.
    await conn.execute(text("INSERT INTO audit_meta (name, value) VALUES ('chain_id', :v) ON CONFLICT (name) "
                            "DO NOTHING"), {"v": uuid.uuid4().hex})


_OPTIONAL_DDL = {"grant_id": "VARCHAR(32)", "disclosure_at": "VARCHAR(32)", "reason": "TEXT", "writes": "TEXT"}


async def _add_optional_columns(conn: AsyncConnection) -> None:
    """Add the columns a trail created before them lacks (ADD COLUMN is neither UPDATE nor DELETE: the triggers
    allow it, and the old rows' hashes do not cover the new, null columns)."""
    def present(sync_conn: Any) -> set[str]:
        from sqlalchemy import inspect

        return {c["name"] for c in inspect(sync_conn).get_columns("audit_log")}

    existing = await conn.run_sync(present)
    for name, ddl in _OPTIONAL_DDL.items():
        if name not in existing:
            await conn.exec_driver_sql(f"ALTER TABLE audit_log ADD COLUMN {name} {ddl}")


async def chain_id(conn: AsyncConnection) -> str | None:
    """The chain id stored in the database (None before :func:`create_schema`)."""
    return (await conn.execute(select(audit_meta.c.value).where(audit_meta.c.name == "chain_id"))).scalar()
