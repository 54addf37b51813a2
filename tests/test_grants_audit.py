"""The audit chain with the grant columns (grant_id, disclosure_at, reason): typed, hashed when not null, so a
chain written before them still verifies after the upgrade, and tampering with them is caught."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import orjson

from gateway.audit import AuditRecord, AuditStore, Outcome, verify
from gateway.audit.chain import GENESIS, HASHED_COLUMNS, OPTIONAL_COLUMNS, record_row


def _old_trail(path: Path) -> None:
    """An audit_log as the gateway wrote it before issue 14: no optional columns, the old hash formula."""
    from sqlalchemy import MetaData, Table, create_engine

    from gateway.audit.schema import audit_log

    old = MetaData()
    Table("audit_log", old, *(c._copy() for c in audit_log.columns if c.name not in OPTIONAL_COLUMNS))
    engine = create_engine(f"sqlite:///{path}")
    old.create_all(engine)
    engine.dispose()
    with sqlite3.connect(path) as db:
        row = record_row(AuditRecord("old-1", Outcome.ALLOWED, 200, account="a", agency="tand-ha-noi"))
        for name in OPTIONAL_COLUMNS:
            row.pop(name)
        row.update(seq=1, prev_hash=GENESIS)
        old_hash = hashlib.sha256(orjson.dumps({c: row.get(c) for c in HASHED_COLUMNS},
                                               option=orjson.OPT_SORT_KEYS)).hexdigest()
        names = [*row, "hash"]
        db.execute(f"INSERT INTO audit_log ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                   [*row.values(), old_hash])


async def test_an_old_chain_verifies_after_the_upgrade_and_new_fields_are_chained(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    _old_trail(path)
    store = AuditStore(database_url=f"sqlite+aiosqlite:///{path}")
    await store.start()  # adds the columns the old table lacks
    try:
        assert (await verify(store)).ok
        await store.record(AuditRecord("new-1", Outcome.REFUSED, 403, error_code="REQUEST_REFUSED",
                                       grant_id="GR-0000000001", reason="000 Art. 13.4: grant revoked"))
        await store.record(AuditRecord("new-2", Outcome.ALLOWED, 200, grant_id="GR-0000000002",
                                       disclosure_at=datetime(2027, 1, 1, tzinfo=UTC)))
        verdict = await verify(store)
        assert verdict.ok and verdict.records == 3
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT disclosure_at FROM audit_log WHERE seq = 3").fetchone() == (
            "2027-01-01T00:00:00.000000Z",)
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("UPDATE audit_log SET disclosure_at = '2026-01-01T00:00:00.000000Z' WHERE seq = 3")
    store = AuditStore(database_url=f"sqlite+aiosqlite:///{path}")
    await store.start(writer=False)
    try:
        verdict = await verify(store)  # a covert read made visible early: the chain says so
        assert not verdict.ok and verdict.problem.seq == 3
    finally:
        await store.close()
