"""Prune with an anchor (chain stays verifiable), export jsonl/csv, and the ``audit`` CLI."""

from __future__ import annotations

import argparse
import csv
import io
import json

import pytest
import sqlalchemy as sa
from test_audit_helpers import Raw, audit_url_fixture, days_ago, rec, store_fixture  # noqa: F401

from gateway.audit import AuditStore, PruneRefused, export, prune, verify
from gateway.audit.cli import register


async def aged(store: AuditStore) -> None:
    """Ten records 400..10 days old, then two of today."""
    for i, age in enumerate([400, 390, 380, 370, 360, 200, 100, 50, 20, 10]):
        await store.record(rec(i, at=days_ago(age)))
    await store.record(rec(10))
    await store.record(rec(11))


async def test_prune_keeps_chain_verifiable(store: AuditStore, audit_url: str):
    await aged(store)
    result = await prune(store, days_ago(365).isoformat(), retention_days=365)
    assert (result.deleted, result.first_kept, result.anchor_seq) == (4, 5, 13)
    raw = Raw(audit_url)
    assert raw.run("SELECT min(seq) FROM audit_log")[0][0] == 5
    assert raw.index_pairs("seq < 5") == []
    assert raw.index_pairs("seq >= 5")  # the kept records are still indexed
    anchor = raw.row(13)
    assert anchor["kind"] == "anchor" and anchor["anchor_seq"] == 5 and anchor["anchor_hash"] == raw.row(5)["prev_hash"]
    verdict = await verify(store)
    assert verdict.ok, verdict.problem
    assert verdict.first_seq == 5 and verdict.records == 9
    # Still appendable, and a second prune anchors again.
    await store.record(rec(12))
    second = await prune(store, days_ago(150).isoformat(), retention_days=30)
    assert (second.deleted, second.first_kept) == (2, 7)
    assert (await verify(store)).ok
    # Nothing left to prune: no new anchor.
    assert (await prune(store, days_ago(150).isoformat(), retention_days=30)).deleted == 0


async def test_pruned_start_still_tamper_evident(store: AuditStore, audit_url: str):
    await aged(store)
    await prune(store, days_ago(365).isoformat(), retention_days=365)
    raw = Raw(audit_url)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        raw.run("DELETE FROM audit_log WHERE seq = 5")  # not behind the anchor
    raw.drop_triggers()
    raw.run("DELETE FROM audit_log WHERE seq = 5")
    verdict = await verify(store)
    assert verdict.problem is not None and verdict.problem.seq == 6
    assert "prune anchor accounts for them" in verdict.problem.reason


async def test_prune_refusals(store: AuditStore, audit_url: str):
    await aged(store)
    with pytest.raises(PruneRefused, match="retention"):
        await prune(store, days_ago(100).isoformat(), retention_days=365)
    raw = Raw(audit_url)
    raw.drop_triggers()
    raw.run("UPDATE audit_log SET account = 'x' WHERE seq = 2")
    with pytest.raises(PruneRefused, match="does not verify"):
        await prune(store, days_ago(365).isoformat(), retention_days=365)
    assert raw.run("SELECT count(*) FROM audit_log")[0][0] == 12  # nothing deleted


async def test_prune_everything_leaves_the_anchor(store: AuditStore):
    for i, age in enumerate([90, 80, 70]):
        await store.record(rec(i, at=days_ago(age)))
    result = await prune(store, days_ago(1).isoformat(), retention_days=1)
    assert (result.deleted, result.first_kept, result.anchor_seq) == (3, 4, 4)
    assert (await verify(store)).ok
    assert (await store.record(rec(9))).seq == 5
    assert (await verify(store)).ok


async def test_export_jsonl_and_csv(store: AuditStore):
    await aged(store)
    out = io.StringIO()
    count = await export(store, out, "jsonl", since=days_ago(201).isoformat(), until=days_ago(15).isoformat())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == 4 and [r["seq"] for r in lines] == [6, 7, 8, 9]
    assert lines[0]["subjects"] == ["001090000123"] and lines[0]["effects"][0]["path"] == "person.religion"
    out = io.StringIO()
    assert await export(store, out, "csv") == 12
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["seq"] == "1" and json.loads(rows[0]["categories"]) == ["BASIC", "CRIMINAL"]


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gateway")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


async def test_cli(store: AuditStore, audit_url: str, monkeypatch: pytest.MonkeyPatch, capsys, tmp_path):
    await aged(store)
    await store.close()
    monkeypatch.setenv("GATEWAY_AUDIT_DATABASE_URL", audit_url)
    monkeypatch.setenv("GATEWAY_AUDIT_RETENTION_DAYS", "365")
    monkeypatch.setenv("GATEWAY_AUDIT_SIGNING_KEY_FILE", str(store.settings.signing_key_file))
    monkeypatch.setenv("GATEWAY_AUDIT_VERIFY_KEYS_FILE", str(store.settings.verify_keys_file))
    monkeypatch.setenv("GATEWAY_AUDIT_WITNESS", str(store.settings.witness))
    # asyncio.run() inside a running loop is not allowed: run the CLI in a thread, like a separate process.
    import asyncio

    async def run(argv: list[str]) -> int:
        return await asyncio.to_thread(cli, argv)

    assert await run(["audit", "verify"]) == 0
    assert "audit chain OK: 12 record(s)" in capsys.readouterr().out
    assert await run(["audit", "export", "--format", "csv", "-o", str(tmp_path / "x.csv")]) == 0
    assert (tmp_path / "x.csv").read_text().count("\n") == 13
    assert await run(["audit", "prune"]) == 0
    assert "pruned 4 record(s)" in capsys.readouterr().out
    assert await run(["audit", "prune", "--before", days_ago(5).isoformat()]) == 1
    raw = Raw(audit_url)
    raw.drop_triggers()
    raw.run("UPDATE audit_log SET agency = 'bo-cong-an' WHERE seq = 7")
    assert await run(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN at record seq 7" in out and "record modified" in out
    assert await run(["audit", "verify", "--checkpoint", "bad"]) == 2
