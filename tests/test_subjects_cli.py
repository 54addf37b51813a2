"""``python -m gateway subjects list|show|resolve|lift``: the DPO's desk over the registry the GraphQL API uses:
JSON out, the DPO account checked, bad input named, population and audit outages change nothing, and every
change in the audit chain as the API records it (`audit verify` passes)."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from gateway.__main__ import main
from gateway.audit import AuditSettings, AuditStore
from gateway.auth import Caller, Role
from gateway.config import GatewaySettings
from gateway.store import GatewayStore
from gateway.subjects import cli as subjects_cli
from gateway.subjects.requests import RequestRegistry
from gateway.subjects.tables import metadata
from subgraphs.common.db import Database
from tests.test_subjects_lift import DirectRestrictor, _people, _restricted


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("GATEWAY_STORE_DATABASE_URL", "GATEWAY_AUDIT_DATABASE_URL", "GATEWAY_ENV", "POPULATION_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LT_DATA_DIR", str(tmp_path))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def file(pid: str, *kinds: str) -> list[str]:
    """The data subject ``pid`` files requests of ``kinds`` through the registry (as fileDataSubjectRequest)."""

    async def go() -> list[str]:
        settings = GatewaySettings.from_env()
        store = GatewayStore(settings.store_database_url)
        store.register(metadata)
        await store.start()
        audit = AuditStore(AuditSettings.from_env(dict(settings.raw_env)))
        await audit.start()
        try:
            registry = RequestRegistry(store, audit, DirectRestrictor(None))  # type: ignore[arg-type]
            subject = Caller(pid, None, None, None, Role.DATA_SUBJECT)
            return [(await registry.file(subject, kind, f"my {kind.lower()} request")).id for kind in kinds]
        finally:
            await audit.close()
            await store.close()

    return asyncio.run(go())


def test_list_show_resolve_and_the_audit_chain(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    objection, correction = file("001085012345", "OBJECTION", "CORRECTION")
    other, = file("079090000003", "DELETION")
    status, out, _ = run(capsys, "subjects", "list", "--status", "open")
    assert status == 0
    listed = json.loads(out)
    assert {r["id"] for r in listed} == {objection, correction, other}
    assert all(r["status"] == "PENDING" and r["clock"]["hoursLeft"] > 71 for r in listed)
    status, out, _ = run(capsys, "subjects", "list", "--person", "079090000003")
    assert [r["id"] for r in json.loads(out)] == [other]
    status, out, _ = run(capsys, "subjects", "show", objection)
    assert status == 0 and json.loads(out)["kind"] == "OBJECTION" and json.loads(out)["article"].startswith("004 Art. 9.8")

    status, out, _ = run(capsys, "subjects", "resolve", objection, "--account", "dpo-1", "--outcome", "accept",
                         "--note", "004 Art. 9.8: the address is no longer disclosed")
    assert status == 0, out
    resolved = json.loads(out)
    assert resolved["status"] == "ACCEPTED" and resolved["resolvedBy"] == "dpo-1"
    assert resolved["restrictedSince"] is None  # an objection records nothing at population
    status, out, _ = run(capsys, "subjects", "resolve", correction, "--account", "dpo-1", "--outcome", "REJECT",
                         "--note", "the record matches the birth registration")
    assert status == 0 and json.loads(out)["status"] == "REJECTED"
    status, out, _ = run(capsys, "subjects", "list", "--status", "open")
    assert [r["id"] for r in json.loads(out)] == [other]
    status, out, _ = run(capsys, "subjects", "list", "--status", "accepted")
    assert [r["id"] for r in json.loads(out)] == [objection]

    status, out, _ = run(capsys, "audit", "verify")
    assert status == 0 and "5 record(s)" in out  # 3 filings, 2 resolutions, one chain


def test_refusals_are_named_and_change_nothing(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request, = file("001085012345", "CORRECTION")
    status, _, err = run(capsys, "subjects", "resolve", request, "--account", "clerk-2", "--outcome", "accept",
                         "--note", "x")
    assert status == 1 and "account: 'clerk-2' is not a data-protection officer" in err
    status, _, err = run(capsys, "subjects", "resolve", request, "--account", "dpo-1", "--outcome", "accept",
                         "--note", "  ")
    assert status == 1 and "note: must not be empty" in err
    status, _, err = run(capsys, "subjects", "lift", request, "--account", "dpo-1", "--note", "x")
    assert status == 1 and "not an accepted restriction" in err
    status, _, err = run(capsys, "subjects", "show", "DSR-none")
    assert status == 1 and "id: no request DSR-none" in err
    status, _, err = run(capsys, "subjects", "list", "--person", "12")
    assert status == 1 and err.startswith("subjects: person:")
    with pytest.raises(SystemExit):  # argparse: an outcome that does not exist
        run(capsys, "subjects", "resolve", request, "--account", "dpo-1", "--outcome", "maybe", "--note", "x")
    capsys.readouterr()
    status, out, _ = run(capsys, "subjects", "show", request)
    assert json.loads(out)["status"] == "PENDING"
    status, out, _ = run(capsys, "audit", "verify")
    assert status == 0 and "1 record(s)" in out  # the filing only: no refusal was recorded as a change


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_restriction_accepted_and_lifted_at_population(env: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url, free = asyncio.run(_people(env))
    pid = free[0]
    request, = file(pid, "RESTRICTION")
    # population unreachable (the real HTTP restrictor, a port nobody listens on): still pending, exit 2
    monkeypatch.setenv("POPULATION_URL", f"http://127.0.0.1:{_closed_port()}/graphql")
    status, _, err = run(capsys, "subjects", "resolve", request, "--account", "dpo-1", "--outcome", "accept",
                         "--note", "granted")
    assert status == 2 and "population did not record it" in err
    status, out, _ = run(capsys, "subjects", "show", request)
    assert json.loads(out)["status"] == "PENDING"

    # population's own functions on its database, as its endpoints call them
    def direct(_env: dict[str, str], _settings: Any) -> DirectRestrictor:
        return DirectRestrictor(Database(url))

    monkeypatch.setattr(subjects_cli, "restrictor_for", direct)
    status, out, _ = run(capsys, "subjects", "resolve", request, "--account", "dpo-1", "--outcome", "accept",
                         "--note", "004 Art. 9.6: granted")
    assert status == 0, out
    since = json.loads(out)["restrictedSince"]
    assert since and asyncio.run(_check(url, pid)) is True
    status, out, _ = run(capsys, "subjects", "lift", request, "--account", "dpo-1", "--note", "the subject asked")
    assert status == 0, out
    lifted = json.loads(out)
    assert lifted["restrictionLiftedBy"] == "dpo-1" and lifted["restrictionLiftedAt"] >= since
    assert asyncio.run(_check(url, pid)) is False
    status, _, err = run(capsys, "subjects", "lift", request, "--account", "dpo-1", "--note", "again")
    assert status == 1 and "already lifted" in err
    status, out, _ = run(capsys, "audit", "verify")
    assert status == 0 and "3 record(s)" in out  # file, resolve, lift


async def _check(url: str, pid: str) -> bool:
    db = Database(url)
    try:
        return await _restricted(db, pid)
    finally:
        await db.dispose()
