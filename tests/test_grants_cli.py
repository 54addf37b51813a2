"""``python -m gateway grants create|list|show|revoke``: JSON out, the registrar account checked, bad input named,
every change in the audit chain (`audit verify` passes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.__main__ import main

CREATE = ["grants", "create", "--account", "registrar-1", "--decision-number", "15/2026/QĐ-CSĐT",
          "--issued-by", "Thủ trưởng Cơ quan CSĐT", "--decision-date", "2026-11-20", "--agency", "tand-ha-noi",
          "--purpose", "criminal_proceedings", "--scope", "case", "--case-reference", "123/2026/TLST-HS",
          "--subject", "001099000001", "--valid-until", "2099-06-30"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("GATEWAY_STORE_DATABASE_URL", "GATEWAY_AUDIT_DATABASE_URL", "GATEWAY_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LT_DATA_DIR", str(tmp_path))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_create_list_show_revoke(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, *CREATE)
    assert status == 0
    grant = json.loads(out)
    assert grant["id"].startswith("GR-") and grant["subjects"] == ["001099000001"] and grant["createdBy"] == "registrar-1"
    status, out, _ = run(capsys, "grants", "list")
    assert status == 0 and [g["id"] for g in json.loads(out)] == [grant["id"]] and json.loads(out)[0]["status"] == "valid"
    status, out, _ = run(capsys, "grants", "revoke", grant["id"].lower(), "--account", "registrar-1",
                         "--reason", "decision annulled")
    assert status == 0 and json.loads(out)["revocationReason"] == "decision annulled"
    status, out, _ = run(capsys, "grants", "show", grant["id"])
    assert status == 0 and json.loads(out)["status"] == "revoked"
    status, out, _ = run(capsys, "grants", "list", "--active")
    assert json.loads(out) == []
    status, out, _ = run(capsys, "audit", "verify")
    assert status == 0 and "2 record(s)" in out


def test_refusals_are_named(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, *[a if a != "registrar-1" else "officer-1" for a in CREATE])
    assert status != 0 and "not a grant registrar" in err
    status, _, err = run(capsys, *[a if a != "2099-06-30" else "2020-01-01" for a in CREATE])
    assert status == 1 and "validUntil: must be after validFrom" in err
    status, _, err = run(capsys, "grants", "show", "GR-0000000000")
    assert status == 1 and "no grant" in err
