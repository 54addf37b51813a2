"""``token`` CLI: dev tokens (only the token on stdout), unknown agency refused, internal tokens."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from gateway.auth import Authenticator, AuthSettings
from gateway.auth.cli import register
from subgraphs.common.internal_auth import InternalTokenVerifier
from subgraphs.common.settings import INTERNAL_ISSUER


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gateway")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LT_DATA_DIR", str(tmp_path))
    for var in ("GATEWAY_JWKS_FILE", "GATEWAY_DEV_KEY_FILE", "GATEWAY_JWKS_URL", "GATEWAY_JWT_ISSUER",
                "GATEWAY_JWT_AUDIENCE", "GATEWAY_INTERNAL_KEY_FILE", "INTERNAL_JWKS_FILE", "GATEWAY_ENV"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


async def test_dev_token(data_dir: Path, capsys: pytest.CaptureFixture[str]):
    assert run(["token", "--agency", "tand-ha-noi", "--sub", "tham-phan-01", "--ttl", "1h"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.count(".") == 2  # only the token
    auth = Authenticator.from_settings(AuthSettings.from_env())
    caller = await auth.verify(out.strip())
    assert (caller.sub, caller.agency_id) == ("tham-phan-01", "tand-ha-noi")


async def test_dev_token_roles(data_dir: Path, capsys: pytest.CaptureFixture[str]):
    assert run(["token", "--sub", "001090000123", "--role", "data_subject"]) == 0
    auth = Authenticator.from_settings(AuthSettings.from_env())
    assert (await auth.verify(capsys.readouterr().out.strip())).is_data_subject
    assert run(["token", "--sub", "dpo-1", "--role", "dpo", "--agency", "bo-tu-phap"]) == 0
    assert (await auth.verify(capsys.readouterr().out.strip())).is_dpo


def test_refuses_unknown_agency(data_dir: Path, capsys: pytest.CaptureFixture[str]):
    assert run(["token", "--agency", "khong-ton-tai", "--sub", "x"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "unknown agency" in captured.err
    assert run(["token", "--sub", "x"]) == 2  # an agency token needs --agency
    assert run(["token", "--agency", "tandtc", "--sub", "x", "--ttl", "forever"]) == 2


def test_internal_token(data_dir: Path, capsys: pytest.CaptureFixture[str]):
    assert run(["token", "--internal", "--subgraph", "sentences", "--sub", "svc"]) == 0
    token = capsys.readouterr().out.strip()
    verifier = InternalTokenVerifier.from_file(data_dir / "keys" / "internal-jwks.json", INTERNAL_ISSUER,
                                               "lienthong-subgraph:sentences")
    assert verifier.verify(token)["sub"] == "svc"
    assert run(["token", "--internal"]) == 2
