"""Signed checkpoints: when they are made, by whom, where they go, and what happens when they cannot be made."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from test_audit_helpers import Raw, audit_url_fixture, days_ago, rec, signed_settings  # noqa: F401

from gateway.audit import AuditSettings, AuditStore, AuditUnavailable, prune, verify
from gateway.audit.signing import load_verify_keys, parse
from gateway.audit.witness import DirectoryWitness, FileWitness, open_witness


def witness_entries(settings: AuditSettings) -> list[str]:
    assert settings.witness is not None
    return open_witness(settings.witness).all()


def key_file_mode(path: Path | None) -> int:
    assert path is not None
    return path.stat().st_mode & 0o777


async def test_checkpoint_by_time_without_more_records(audit_url: str, tmp_path: Path):
    settings = signed_settings(audit_url, tmp_path, checkpoint_seconds=0.2)
    store = AuditStore(settings)
    await store.start()
    try:
        for i in range(3):
            await store.record(rec(i))
        for _ in range(50):  # the ticker runs every checkpoint_seconds / 4
            await asyncio.sleep(0.05)
            if any(parse(t, load_verify_keys(settings.verify_keys_file)).seq == 3 for t in witness_entries(settings)):
                break
        else:
            pytest.fail(f"no checkpoint of seq 3 by time: {witness_entries(settings)}")
        await asyncio.sleep(0.3)  # idle: no new checkpoint when the head has not moved
        assert len(Raw(audit_url).run("SELECT seq FROM audit_checkpoints WHERE seq = 3")) == 1
    finally:
        await store.close()
    assert key_file_mode(settings.signing_key_file) == 0o600
    verdict = await verify(store)  # the reader engine is gone after close: a fresh store verifies
    assert verdict.ok


async def test_checkpoint_every_n_records_and_on_close(audit_url: str, tmp_path: Path):
    settings = signed_settings(audit_url, tmp_path, checkpoint_records=4)
    store = AuditStore(settings)
    await store.start()
    for i in range(10):
        await store.record(rec(i))
    await store.close()
    keys = load_verify_keys(settings.verify_keys_file)
    made = [(c.seq, c.kind) for c in (parse(t, keys) for t in witness_entries(settings))]
    assert made == [(4, "periodic"), (8, "periodic"), (10, "close")]
    rows = Raw(audit_url).run("SELECT seq, kind, token FROM audit_checkpoints ORDER BY seq")
    assert [(r[0], r[1]) for r in rows] == made and [r[2] for r in rows] == witness_entries(settings)


async def test_two_writers_share_one_chain_and_one_signer_at_a_time(audit_url: str, tmp_path: Path):
    """Two stores (as two gateway processes: separate engines, the same lock, key and witness) write concurrently."""
    settings = signed_settings(audit_url, tmp_path, checkpoint_records=7, batch_max=5)
    stores = [AuditStore(settings), AuditStore(settings)]
    for s in stores:
        await s.start()
    await asyncio.gather(*(stores[i % 2].record(rec(i)) for i in range(120)))
    for s in stores:
        await s.close()
    keys = load_verify_keys(settings.verify_keys_file)
    made = [parse(t, keys) for t in witness_entries(settings)]
    seqs = [c.seq for c in made]
    assert seqs == sorted(set(seqs)), seqs  # one signer at a time: strictly increasing, never twice the same head
    # at least every N records, give or take one batch per writer (a batch commits between a count and its check)
    assert seqs[-1] == 120 and all(b - a <= 7 + 2 * 5 for a, b in zip([0, *seqs], seqs, strict=False)), seqs
    raw = Raw(audit_url)
    assert [r[0] for r in raw.run("SELECT token FROM audit_checkpoints ORDER BY seq")] == [c.token for c in made]
    checker = AuditStore(settings)
    await checker.start(writer=False)
    verdict = await verify(checker)
    await checker.close()
    assert verdict.ok and verdict.records == 120 and verdict.witnessed_seq == 120, verdict


async def test_unwritable_witness_fails_closed_then_recovers(audit_url: str, tmp_path: Path):
    blocked = tmp_path / "witness-dir"
    settings = signed_settings(audit_url, tmp_path, checkpoint_records=2, witness=f"file:{blocked}")
    blocked.mkdir()  # a directory where the witness file should be: every append fails
    store = AuditStore(settings)
    await store.start()
    try:
        assert [(await store.record(rec(i))).seq for i in range(4)] == [1, 2, 3, 4]  # committed, checkpoints fail
        with pytest.raises(AuditUnavailable):
            await store.record(rec(4))  # 2 x checkpoint_records uncovered: no more records without a checkpoint
        blocked.rmdir()
        assert (await store.record(rec(5))).seq == 5  # the checkpoint is made first, then the record
        assert len(FileWitness(blocked).all()) == 1
    finally:
        await store.close()


async def test_production_never_creates_the_key(audit_url: str, tmp_path: Path):
    env = {"GATEWAY_ENV": "Production", "LT_DATA_DIR": str(tmp_path), "GATEWAY_AUDIT_DATABASE_URL": audit_url}
    settings = AuditSettings.from_env(env)
    assert not settings.create_signing_key
    assert settings.signing_key_file == tmp_path / "keys" / "audit-signing.jwk.json"
    assert settings.witness == f"file:{tmp_path / 'audit-witness.jsonl'}"
    store = AuditStore(settings)
    with pytest.raises(AuditUnavailable, match="audit keygen"):
        await store.start()
    assert not (tmp_path / "keys" / "audit-signing.jwk.json").exists()
    development = AuditSettings.from_env({**env, "GATEWAY_ENV": "development"})
    dev = AuditStore(development)
    await dev.start()
    await dev.close()
    kid = json.loads((tmp_path / "keys" / "audit-signing.jwk.json").read_text())["kid"]
    assert [k["kid"] for k in json.loads((tmp_path / "keys" / "audit-verify.jwks.json").read_text())["keys"]] == [kid]
    prod = AuditStore(settings)  # now provisioned: production starts with it
    await prod.start()
    await prod.close()


def test_keygen_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    import argparse

    from gateway.audit.cli import register

    monkeypatch.setenv("LT_DATA_DIR", str(tmp_path))
    parser = argparse.ArgumentParser(prog="gateway")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["audit", "keygen"])
    assert args.handler(args) == 0
    assert "audit signing key audit-" in capsys.readouterr().out
    assert key_file_mode(tmp_path / "keys" / "audit-signing.jwk.json") == 0o600
    assert args.handler(args) == 1  # never overwrites
    assert "never overwritten" in capsys.readouterr().err
    again = parser.parse_args(["audit", "keygen", "--if-absent"])
    assert again.handler(again) == 0 and "kept" in capsys.readouterr().out


async def test_directory_witness_and_signed_prune(audit_url: str, tmp_path: Path):
    settings = signed_settings(audit_url, tmp_path, witness=f"dir:{tmp_path / 'witness'}")
    store = AuditStore(settings)
    await store.start()
    try:
        for i, age in enumerate([400, 390, 380, 10]):
            await store.record(rec(i, at=days_ago(age)))
        result = await prune(store, days_ago(365).isoformat(), retention_days=365)
        assert (result.deleted, result.first_kept, result.anchor_seq) == (3, 4, 5)
        keys = load_verify_keys(settings.verify_keys_file)
        signed = [parse(t, keys) for t in DirectoryWitness(tmp_path / "witness").all()]
        assert [(c.seq, c.kind, c.first_kept) for c in signed][-1] == (5, "prune", 4)
        assert (await verify(store)).ok
        await store.record(rec(9))
    finally:
        await store.close()
    files = sorted((tmp_path / "witness").glob("*.jws"))
    assert files and all(f.stat().st_mode & 0o222 == 0 for f in files)  # write-once: created read-only
    checker = AuditStore(settings)
    await checker.start(writer=False)
    verdict = await verify(checker)
    await checker.close()
    assert verdict.ok and verdict.first_seq == 4 and verdict.witnessed_seq == 6, verdict


async def test_writers_with_a_witness_directory_each(audit_url: str, tmp_path: Path):
    """Gateways writing to ``dir:ROOT/<pod>``, verified with ``dir:ROOT``: the union of their checkpoints."""
    pods = [AuditStore(signed_settings(audit_url, tmp_path, checkpoint_records=3,
                                      witness=f"dir:{tmp_path / 'witness' / pod}")) for pod in ("gw-0", "gw-1")]
    for store in pods:
        await store.start()
    for i in range(20):
        await pods[i % 2].record(rec(i))
    # gw-1 writes last and closes last: its close checkpoint (the head) is in its own directory only, whichever
    # pod happened to sign the periodic ones
    await pods[0].close()
    await pods[1].record(rec(20))
    await pods[1].close()
    mine = signed_settings(audit_url, tmp_path, witness=f"dir:{tmp_path / 'witness' / 'gw-0'}")
    checker = AuditStore(mine)
    await checker.start(writer=False)
    alone = await verify(checker)  # one pod's directory lacks the other's checkpoints
    await checker.close()
    assert not alone.ok and "missing from the witness" in alone.problems[0].reason
    checker = AuditStore(signed_settings(audit_url, tmp_path, witness=f"dir:{tmp_path / 'witness'}"))
    await checker.start(writer=False)
    verdict = await verify(checker)
    await checker.close()
    assert verdict.ok and verdict.witnessed_seq == 21, verdict


REPO = str(Path(__file__).resolve().parent.parent)
WRITER = """
import asyncio, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
from pathlib import Path
from test_audit_helpers import rec, signed_settings
from gateway.audit import AuditStore

async def main():
    store = AuditStore(signed_settings(sys.argv[2], Path(sys.argv[3]), checkpoint_records=10))
    await store.start()
    await asyncio.gather(*(store.record(rec(i)) for i in range(int(sys.argv[4]))))
    await store.close()

asyncio.run(main())
"""


async def test_two_gateway_processes_on_one_postgres_chain(pg_database, tmp_path: Path):
    """Real processes: the advisory lock serialises records and checkpoints; one key, one witness, one chain."""
    import sys

    url = pg_database()
    repo = REPO
    setup = AuditStore(signed_settings(url, tmp_path))  # create the schema and the key once, like `make run`
    await setup.start()
    await setup.close()
    procs = [await asyncio.create_subprocess_exec(sys.executable, "-c", WRITER, repo, url, str(tmp_path), "150")
             for _ in range(2)]
    assert [await p.wait() for p in procs] == [0, 0]
    settings = signed_settings(url, tmp_path)
    keys = load_verify_keys(settings.verify_keys_file)
    seqs = [parse(t, keys).seq for t in witness_entries(settings)]
    assert seqs == sorted(set(seqs)) and seqs[-1] == 300, seqs
    checker = AuditStore(settings)
    await checker.start(writer=False)
    verdict = await verify(checker)
    await checker.close()
    assert verdict.ok and verdict.records == 300 and verdict.checkpoints == len(seqs), verdict


async def test_the_writer_logs_a_rewrite_it_notices(audit_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    settings = signed_settings(audit_url, tmp_path, checkpoint_records=3)
    store = AuditStore(settings)
    await store.start()
    try:
        for i in range(3):
            await store.record(rec(i))
        raw = Raw(audit_url)
        # the checkpoint of seq 3 is signed after its batch answered: rewrite only what it already vouches for
        for _ in range(500):
            if raw.run("SELECT count(*) FROM audit_checkpoints WHERE seq = 3")[0][0]:
                break
            await asyncio.sleep(0.01)
        raw.drop_triggers()
        raw.run("UPDATE audit_log SET hash = :h WHERE seq = 3", h="0" * 64)
        for i in range(3):
            await store.record(rec(i))
    finally:
        await store.close()
    assert "record 3 no longer matches its signed checkpoint" in caplog.text


async def test_verify_while_the_gateway_writes_and_checkpoints(audit_url: str, tmp_path: Path):
    """No false alarm from a live trail: checkpoints and records made during verify are outside its verdict."""
    settings = signed_settings(audit_url, tmp_path, checkpoint_records=5, batch_max=4)
    store = AuditStore(settings)
    await store.start()
    writing = asyncio.ensure_future(asyncio.gather(*(store.record(rec(i)) for i in range(400))))
    verdicts = []
    try:
        while not writing.done():
            verdicts.append(await verify(store))
    finally:
        await writing
        await store.close()
    assert len(verdicts) >= 2 and all(v.ok for v in verdicts), [v.problems for v in verdicts if not v.ok]
    print(f"{len(verdicts)} verifications during 400 writes, {verdicts[-1].records} records in the last")
