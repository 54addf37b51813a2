"""Audit store: durable chained records, tamper detection, group commit, fail-closed (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time

import pytest
import sqlalchemy as sa
from test_audit_helpers import SUBJECT_A, SUBJECT_B, Raw, audit_url_fixture, rec, store_fixture  # noqa: F401

from gateway.audit import GENESIS, AuditSettings, AuditStore, AuditUnavailable, row_hash, verify

SWAPPED = ("request_id", "account", "agency", "purpose", "subjects", "decision_id", "at")


async def fill(store: AuditStore, n: int = 6) -> list:
    return [await store.record(rec(i, subjects=(SUBJECT_A, SUBJECT_B) if i % 2 else (SUBJECT_A,)))
            for i in range(1, n + 1)]


async def test_records_are_chained_and_verify(store: AuditStore, audit_url: str):
    receipts = await fill(store)
    assert [r.seq for r in receipts] == [1, 2, 3, 4, 5, 6]
    raw = Raw(audit_url)
    first = raw.row(1)
    assert first["prev_hash"] == GENESIS and first["hash"] == receipts[0].hash == row_hash(first)
    assert raw.row(2)["prev_hash"] == receipts[0].hash
    assert first["account"] == "officer-1" and first["agency"] == "tand-ha-noi"
    assert '"Person.religion"' in first["effects"] and first["outcome"] == "masked"
    assert len(raw.index_pairs()) == 9
    assert raw.index_pairs("seq = 1") == sorted([(SUBJECT_A, 1), (SUBJECT_B, 1)])
    verdict = await verify(store)
    assert verdict.ok and verdict.records == 6 and verdict.head_hash == receipts[-1].hash


async def test_triggers_refuse_update_and_delete(store: AuditStore, audit_url: str):
    await fill(store, 2)
    raw = Raw(audit_url)
    for sql in ("UPDATE audit_log SET account = 'nobody' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            raw.run(sql)
    if raw.dialect == "postgresql":
        for sql in ("UPDATE audit_subjects SET personal_id = '000000000000'", "DELETE FROM audit_subjects"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                raw.run(sql)
    else:  # the FTS5 index: a contentless table refuses UPDATE and DELETE statements (no triggers on it)
        for sql in ("UPDATE audit_subject_index SET tokens = 'x'", "DELETE FROM audit_subject_index"):
            with pytest.raises(sa.exc.DBAPIError, match="contentless"):
                raw.run(sql)
    if raw.dialect == "postgresql":
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            raw.run("TRUNCATE audit_log")
    assert (await verify(store)).ok


async def broken(store: AuditStore) -> tuple[int | None, str]:
    verdict = await verify(store)
    assert not verdict.ok
    assert verdict.problem is not None
    return verdict.problem.seq, verdict.problem.reason


async def test_detects_updated_field(store: AuditStore, audit_url: str):
    await fill(store)
    raw = Raw(audit_url)
    raw.drop_triggers()
    raw.run("UPDATE audit_log SET purpose = 'statistics' WHERE seq = 4")
    assert await broken(store) == (4, "contents do not match the record's hash (record modified)")


async def test_detects_updated_hash_too(store: AuditStore, audit_url: str):
    """Recomputing the modified row's own hash moves the break to the next record."""
    await fill(store)
    raw = Raw(audit_url)
    raw.drop_triggers()
    row = raw.row(3) | {"legal_basis": "forged"}
    raw.run("UPDATE audit_log SET legal_basis = 'forged', hash = :h WHERE seq = 3", h=row_hash(row))
    seq, reason = await broken(store)
    assert seq == 4 and "prev_hash does not match" in reason


async def test_detects_deleted_rows(store: AuditStore, audit_url: str):
    await fill(store)
    raw = Raw(audit_url)
    raw.drop_triggers()
    raw.run("DELETE FROM audit_log WHERE seq = 3")
    seq, reason = await broken(store)
    assert seq == 4 and "jumps from 2 to 4" in reason
    raw.run("DELETE FROM audit_log WHERE seq IN (1, 2)")
    seq, reason = await broken(store)
    assert seq == 4 and "records before seq 4 are missing" in reason
    raw.run("DELETE FROM audit_log WHERE seq < 6")
    seq, reason = await broken(store)
    assert seq == 6 and "records before seq 6 are missing" in reason


async def test_checkpoint_detects_truncated_tail(store: AuditStore, audit_url: str):
    receipts = await fill(store)
    raw = Raw(audit_url)
    raw.drop_triggers()
    raw.delete_index("seq >= 5")
    raw.run("DELETE FROM audit_log WHERE seq >= 5")
    assert (await verify(store)).ok  # a plain chain cannot see a cut tail ...
    verdict = await verify(store, {6: receipts[5].hash})
    assert verdict.problem is not None and "truncated" in verdict.problem.reason  # ... a checkpoint does


async def test_detects_forged_insert(store: AuditStore, audit_url: str):
    receipts = await fill(store)
    raw = Raw(audit_url)
    forged = raw.row(6) | {"seq": 7, "request_id": "forged", "account": "ghost"}
    forged["hash"] = row_hash(forged)  # a self-consistent row, but chained to the wrong predecessor
    cols = ", ".join(forged)
    raw.run(f"INSERT INTO audit_log ({cols}) VALUES ({', '.join(':' + c for c in forged)})", **forged)
    seq, reason = await broken(store)
    assert seq == 7 and "prev_hash does not match the hash of record 6" in reason
    forged2 = forged | {"seq": 8, "prev_hash": receipts[5].hash}
    raw.drop_triggers()
    raw.run("DELETE FROM audit_log WHERE seq = 7")
    raw.run(f"INSERT INTO audit_log ({cols}) VALUES ({', '.join(':' + c for c in forged2)})", **forged2)
    seq, reason = await broken(store)
    assert seq == 8 and "jumps" in reason


async def test_detects_forged_subject_index(store: AuditStore, audit_url: str):
    await fill(store, 3)
    raw = Raw(audit_url)
    raw.forge_index("036090000999", 2)
    seq, reason = await broken(store)
    assert seq == 2 and "forged index" in reason


async def test_detects_reordered_rows(store: AuditStore, audit_url: str):
    await fill(store)
    raw = Raw(audit_url)
    raw.drop_triggers()
    r3, r4 = raw.row(3), raw.row(4)
    for target, source in ((3, r4), (4, r3)):
        sets = ", ".join(f"{c} = :{c}" for c in (*SWAPPED, "prev_hash", "hash"))
        raw.run(f"UPDATE audit_log SET {sets} WHERE seq = :target", target=target,
                **{c: source[c] for c in (*SWAPPED, "prev_hash", "hash")})
    seq, reason = await broken(store)
    assert seq == 3 and "prev_hash does not match" in reason


async def test_group_commit_under_50_concurrent_records(store: AuditStore):
    await store.record(rec(0))  # warm up the connection
    base_tx = store.stats.transactions
    started = time.perf_counter()
    receipts = await asyncio.gather(*(store.record(rec(i)) for i in range(1, 51)))
    elapsed = time.perf_counter() - started
    transactions = store.stats.transactions - base_tx
    assert sorted(r.seq for r in receipts) == list(range(2, 52))
    assert transactions < 50, transactions
    print(f"\n[{store.dialect}] 50 concurrent records: {transactions} transaction(s), "
          f"{50 / transactions:.1f} records/tx, {elapsed * 1000 / 50:.2f} ms per record, {elapsed * 1000:.1f} ms total")
    assert (await verify(store)).ok


async def test_unwritable_store_fails_closed_and_recovers(store: AuditStore, audit_url: str):
    await fill(store, 2)
    raw = Raw(audit_url)
    if raw.dialect == "sqlite":
        raw.run("CREATE TRIGGER broken_disk BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk I/O'); END")
    else:
        raw.run("CREATE FUNCTION broken_disk() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk I/O'; END $$")
        raw.run("CREATE TRIGGER broken_disk BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION broken_disk()")
    results = await asyncio.gather(*(store.record(rec(i)) for i in range(10)), return_exceptions=True)
    assert all(isinstance(r, AuditUnavailable) for r in results), results
    assert results[0].code == "AUDIT_UNAVAILABLE" and results[0].http_status == 503
    raw.run("DROP TRIGGER broken_disk" + (" ON audit_log" if raw.dialect == "postgresql" else ""))
    assert (await store.record(rec(99))).seq == 3  # the failed batch left no trace in the chain
    assert (await verify(store)).ok


async def test_dead_writer_fails_closed(store: AuditStore):
    await store.record(rec(1))
    assert store._task is not None
    store._task.cancel()
    await asyncio.sleep(0)
    with pytest.raises(AuditUnavailable, match="not running"):
        await store.record(rec(2))


async def test_unreachable_database(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    for url in (f"sqlite+aiosqlite:///{blocker}/audit.db", "postgresql+asyncpg://postgres@127.0.0.1:1/none"):
        s = AuditStore(AuditSettings(database_url=url, timeout=1))
        with pytest.raises(AuditUnavailable):
            await s.start()
        with pytest.raises(AuditUnavailable):
            await s.record(rec(1))


async def test_close_writes_queued_records(audit_url: str):
    s = AuditStore(AuditSettings(database_url=audit_url))
    await s.start()
    pending = [asyncio.ensure_future(s.record(rec(i))) for i in range(20)]
    await asyncio.sleep(0)
    await s.close()
    assert len({(await p).seq for p in pending}) == 20


async def test_timed_out_record_is_never_left_saying_answered(audit_url: str, tmp_path):
    """A request whose record is not durable in time answers 503 without data; the record then committed late
    must not stand as an answered request: a correcting record follows it (queued ones are dropped)."""
    from test_audit_helpers import signed_settings

    s = AuditStore(signed_settings(audit_url, tmp_path, timeout=0.2))
    await s.start()
    commit = s._commit_batch

    def slow_commit(rows):  # the database stalls (a lock) while this batch is in its transaction
        time.sleep(0.6)
        commit(rows)

    s._commit_batch = slow_commit  # type: ignore[method-assign]
    try:
        results = await asyncio.gather(*(s.record(rec(i)) for i in range(1, 4)), return_exceptions=True)
        assert all(isinstance(r, AuditUnavailable) for r in results), results
        s._commit_batch = commit  # type: ignore[method-assign]
        await asyncio.sleep(1.0)  # the stalled batch commits, then its corrections
        assert (await s.record(rec(9))).seq > 0
    finally:
        await s.close()
    rows = Raw(audit_url).run("SELECT seq, request_id, outcome, http_status, error_code, note FROM audit_log "
                              "WHERE kind = 'access' ORDER BY seq")
    by_request: dict[str, list] = {}
    for row in rows:
        by_request.setdefault(row[1], []).append(row)
    for i in range(1, 4):
        mine = by_request.get(f"req-{i}", [])
        # either never written, or written and corrected by a later 503 record naming it
        assert not mine or (mine[-1][2] == "failed" and mine[-1][3] == 503 and mine[-1][4] == "AUDIT_UNAVAILABLE"
                            and f"corrects seq {mine[0][0]}" in mine[-1][5]), mine
    assert [r[1] for r in rows][-1] == "req-9"
    checker = AuditStore(signed_settings(audit_url, tmp_path))
    await checker.start()
    try:
        assert (await verify(checker)).ok  # corrections are chained records like any other
    finally:
        await checker.close()


async def test_a_restarted_database_connection_is_replaced_without_failing_the_batch(store: AuditStore,
                                                                                     audit_url: str):
    """The writer holds one driver connection between batches (gateway.audit.batch_writer); when the database
    dropped it (a restart), the next batch takes a new connection instead of failing its requests."""
    await fill(store, 1)
    raw = Raw(audit_url)
    if raw.dialect != "postgresql":
        pytest.skip("SQLite has no server that could drop the connection")
    # every other backend on this test's database: the writer's held connection among them
    raw.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    receipt = await store.record(rec(2))
    assert receipt.seq == 2
    assert store.stats.failed_transactions == 0
    assert (await verify(store)).ok


async def test_a_sqlite_trail_made_before_the_fts5_index_is_indexed_from_its_records(tmp_path):
    """A trail written with the old ``audit_subjects`` table (SQLite) is indexed from its records' subjects on
    start, and its old table goes: the access log and ``audit verify`` work on it as on a new one."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    store = AuditStore(AuditSettings(database_url=url))
    await store.start()
    await fill(store, 3)
    await store.close()
    raw = Raw(url)
    raw.run("CREATE TABLE audit_subjects (personal_id VARCHAR(32) NOT NULL, seq BIGINT NOT NULL, "
            "PRIMARY KEY (personal_id, seq))")
    raw.run("DROP TABLE audit_subject_terms")
    raw.run("DROP TABLE audit_subject_index")  # as the trail was before: no FTS5 index
    again = AuditStore(AuditSettings(database_url=url))
    await again.start()
    try:
        assert raw.index_pairs() == sorted([(SUBJECT_A, 1), (SUBJECT_B, 1), (SUBJECT_A, 2), (SUBJECT_A, 3),
                                            (SUBJECT_B, 3)])
        assert not raw.run("SELECT name FROM sqlite_master WHERE name = 'audit_subjects'")
        assert (await verify(again)).ok
        await again.record(rec(4))
        assert (await verify(again)).ok
    finally:
        await again.close()
