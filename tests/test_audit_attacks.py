"""A database administrator with the gateway's account attacks the audit trail; ``audit verify`` catches each.

The trail: 12 records, signed checkpoints at seq 5 and 10 (every 5 records) and 12 (on close), in a witness file
outside the database. The attacker may drop triggers, write any table, and recompute hashes; not sign, and not
write the witness. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
from joserfc.jwk import OKPKey
from test_audit_helpers import Raw, audit_url_fixture, rec, signed_settings  # noqa: F401

from gateway.audit import GENESIS, AuditSettings, AuditStore, Verdict, row_hash, verify
from gateway.audit.chain import anchor_row
from gateway.audit.cli import register
from gateway.audit.signing import sign


async def make_trail(url: str, directory: Path, n: int = 12, every: int = 5) -> AuditSettings:
    settings = signed_settings(url, directory, checkpoint_records=every)
    store = AuditStore(settings)
    await store.start()
    for i in range(n):
        await store.record(rec(i))
    await store.close()
    return settings


async def check(settings: AuditSettings) -> Verdict:
    store = AuditStore(settings)
    await store.start(writer=False)
    try:
        return await verify(store)
    finally:
        await store.close()


def witness_lines(settings: AuditSettings, replace: str | None = None) -> list[str]:
    """The witness file's lines (after replacing its content with ``replace``, if given)."""
    path = Path(str(settings.witness).removeprefix("file:"))
    if replace is not None:
        path.write_text(replace)
    return path.read_text().splitlines()


def reasons(verdict: Verdict) -> str:
    return " | ".join(f"{p.seq}: {p.reason}" for p in verdict.problems)


@pytest.fixture(name="trail")
async def trail_fixture(audit_url: str, tmp_path: Path) -> AuditSettings:
    settings = await make_trail(audit_url, tmp_path)
    verdict = await check(settings)
    assert verdict.ok, reasons(verdict)
    assert verdict.checkpoints == 3 and verdict.witnessed_seq == 12 and verdict.records == 12
    return settings


async def test_untouched_trail_verifies(trail: AuditSettings):
    raw = Raw(trail.database_url)
    assert [r[0] for r in raw.run("SELECT seq FROM audit_checkpoints ORDER BY seq")] == [5, 10, 12]
    assert len(witness_lines(trail)) == 3


async def test_drop_triggers_and_update_a_record(trail: AuditSettings):
    raw = Raw(trail.database_url)
    raw.drop_triggers()
    raw.run("UPDATE audit_log SET purpose = 'statistics' WHERE seq = 7")
    verdict = await check(trail)
    assert verdict.problem is not None and verdict.problem.seq == 7
    assert "record modified" in verdict.problem.reason


async def test_forged_prune_anchor_naming_the_head_then_delete_everything(trail: AuditSettings):
    """The attack of issue 11: with the triggers in place, an anchor makes the whole history deletable."""
    raw = Raw(trail.database_url)
    head = raw.row(12)
    anchor = anchor_row(13, head["hash"], "forged") | {"seq": 13, "prev_hash": head["hash"]}
    anchor["hash"] = row_hash(anchor)
    raw.run(f"INSERT INTO audit_log ({', '.join(anchor)}) VALUES ({', '.join(':' + c for c in anchor)})", **anchor)
    raw.delete_index("seq < 13")  # allowed by the triggers: behind the anchor
    assert raw.run("DELETE FROM audit_log WHERE seq < 13") == 12
    verdict = await check(trail)
    assert not verdict.ok
    assert verdict.problem is not None and verdict.problem.seq == 13
    assert "no signed prune anchor accounts for them" in verdict.problem.reason, reasons(verdict)


async def test_forged_anchor_with_the_history_kept(trail: AuditSettings):
    """An anchor row the gateway never signed is refused even before anything is deleted."""
    raw = Raw(trail.database_url)
    head = raw.row(12)
    anchor = anchor_row(13, head["hash"], "forged") | {"seq": 13, "prev_hash": head["hash"]}
    anchor["hash"] = row_hash(anchor)
    raw.run(f"INSERT INTO audit_log ({', '.join(anchor)}) VALUES ({', '.join(':' + c for c in anchor)})", **anchor)
    verdict = await check(trail)
    assert verdict.problem is not None and verdict.problem.seq == 13 and "forged anchor" in verdict.problem.reason


async def test_delete_all_records(trail: AuditSettings):
    raw = Raw(trail.database_url)
    raw.drop_triggers()
    raw.delete_index()
    for table in ("audit_log", "audit_checkpoints"):
        raw.run(f"DELETE FROM {table}")
    verdict = await check(trail)
    assert verdict.problem is not None and verdict.problem.seq == 12
    assert "chain ends at seq 0" in verdict.problem.reason and "truncated" in verdict.problem.reason


async def test_rewrite_all_records_with_a_valid_hash_chain(trail: AuditSettings):
    raw = Raw(trail.database_url)
    raw.drop_triggers()
    raw.run("DELETE FROM audit_checkpoints")  # the database's copies would betray the old heads
    prev = GENESIS
    for seq in range(1, 13):
        row = raw.row(seq) | {"account": "someone-else", "prev_hash": prev}
        row["hash"] = prev = row_hash(row)
        raw.run("UPDATE audit_log SET account = :account, prev_hash = :prev_hash, hash = :hash WHERE seq = :seq",
                **row)
    unsigned = AuditStore(AuditSettings(database_url=trail.database_url))  # the hash chain alone is fooled
    await unsigned.start(writer=False)
    assert (await verify(unsigned)).ok
    await unsigned.close()
    verdict = await check(trail)
    assert verdict.problem is not None and verdict.problem.seq == 5
    assert "differs from the signed checkpoint" in verdict.problem.reason and "rewritten" in verdict.problem.reason


async def test_rewrite_with_checkpoints_signed_by_the_attackers_key(trail: AuditSettings):
    raw = Raw(trail.database_url)
    raw.drop_triggers()
    own = OKPKey.generate_key("Ed25519", parameters={"kid": "audit-attacker"})
    chain = raw.run("SELECT value FROM audit_meta")[0][0]
    forged = sign(own, chain, 12, "ff" * 32, "close")
    raw.run("INSERT INTO audit_checkpoints (seq, kind, at, head_hash, token) VALUES (12, 'forged', :at, :h, :t)",
            at=forged.at, h=forged.head, t=forged.token)
    verdict = await check(trail)
    assert any("unknown key 'audit-attacker'" in p.reason and "forged checkpoint" in p.reason
               for p in verdict.problems), reasons(verdict)


async def test_truncate_the_tail(trail: AuditSettings):
    raw = Raw(trail.database_url)
    raw.drop_triggers()
    raw.delete_index("seq > 8")
    raw.run("DELETE FROM audit_log WHERE seq > 8")
    raw.run("DELETE FROM audit_checkpoints WHERE seq > 8")
    verdict = await check(trail)
    assert verdict.problem is not None and verdict.problem.seq == 12
    assert "chain ends at seq 8" in verdict.problem.reason and "truncated" in verdict.problem.reason


async def test_new_database_in_place_of_the_old_one(audit_url: str, tmp_path: Path, request: pytest.FixtureRequest):
    """Drop the whole database and start a fresh chain: the witness still holds the old chain's checkpoints."""
    settings = await make_trail(audit_url, tmp_path)
    other = (f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}" if audit_url.startswith("sqlite")
             else request.getfixturevalue("pg_database")())
    replaced = await make_trail(other, tmp_path, n=3)
    verdict = await check(replaced)
    assert any("database holds chain" in p.reason for p in verdict.problems), reasons(verdict)
    assert settings.witness == replaced.witness


async def test_witness_emptied_or_replaced(trail: AuditSettings):
    """The checkpoints in the database must be in the witness (a different or truncated witness is caught)."""
    assert witness_lines(trail, replace="") == []
    verdict = await check(trail)
    assert [p.seq for p in verdict.problems] == [5, 10, 12]
    assert all("missing from the witness" in p.reason for p in verdict.problems)


async def test_cli_names_the_failure(trail: AuditSettings, monkeypatch: pytest.MonkeyPatch, capsys):
    for name, value in (("DATABASE_URL", trail.database_url), ("SIGNING_KEY_FILE", trail.signing_key_file),
                        ("VERIFY_KEYS_FILE", trail.verify_keys_file), ("WITNESS", trail.witness)):
        monkeypatch.setenv(f"GATEWAY_AUDIT_{name}", str(value))
    parser = argparse.ArgumentParser(prog="gateway")
    register(parser.add_subparsers(dest="command"))

    async def run() -> int:
        args = parser.parse_args(["audit", "verify"])
        return await asyncio.to_thread(args.handler, args)

    assert await run() == 0
    out = capsys.readouterr().out
    assert "audit chain OK: 12 record(s)" in out and "signed checkpoints OK: 3 in witness" in out
    raw = Raw(trail.database_url)
    raw.drop_triggers()
    raw.run("DELETE FROM audit_log WHERE seq > 10")
    assert await run() == 1
    out = capsys.readouterr().out
    assert "audit chain BROKEN at record seq 12" in out and "truncated" in out, out
    print(out)
