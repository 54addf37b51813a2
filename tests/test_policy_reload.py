"""A running gateway's policy reload refuses a change whose Rego tests fail: the last good version keeps
answering, ``/readyz`` and the log say so; a later good change is served.

The gateway is the real app (``build_app_from_env``: JWT auth, the embedded engine as ``make_engine`` builds it,
the audit store) over a temporary copy of policies/, driven in process; no subgraph is needed because the
requests used are decided (refused) by the policy before any fetch.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.auth.dev import mint_dev_token
from gateway.auth.settings import AuthSettings
from gateway.config import GatewaySettings
from gateway.policy import Caller, DeclaredPurpose
from gateway.server.run import build_app_from_env

ROOT = Path(__file__).resolve().parents[1]
CRIMINAL_RULE = 'f.category == "CRIMINAL"\n\tnot ctx.criminal_kind'
QUERY = '{ person(personalId: "001090000001") { fullName } }'


def env_for(tmp: Path) -> dict[str, str]:
    return {"GATEWAY_ENV": "development", "GATEWAY_POLICY_ENGINE": "embedded",
            "GATEWAY_POLICY_DIR": str(tmp / "policies"), "GATEWAY_POLICY_RELOAD_INTERVAL": "0",
            "LT_DATA_DIR": str(tmp / "data"), "GATEWAY_SUPERGRAPH": str(ROOT / "schema.graphql"),
            "GATEWAY_AUDIT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'audit.db'}"}


@pytest.fixture()
async def running(tmp_path: Path) -> AsyncIterator[tuple[Any, httpx.AsyncClient, dict[str, str]]]:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    env = env_for(tmp_path)
    app = build_app_from_env(GatewaySettings.from_env(env))
    gateway = app.state.gateway
    await gateway.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
            yield gateway, client, env
    finally:
        await gateway.close()


async def _refused_version(client: httpx.AsyncClient, env: dict[str, str]) -> str:
    """The statistics office may not declare criminal proceedings: refused, naming the policy version."""
    token = mint_dev_token("cuc-thong-ke", "officer-reload", settings=AuthSettings.from_env(env))
    response = await client.post("/graphql", json={"query": QUERY}, headers={
        "authorization": f"Bearer {token}", "x-purpose": "criminal_proceedings", "x-legal-basis": "case 1"})
    body = response.json()
    assert response.status_code == 403, body
    assert body["errors"][0]["extensions"]["code"] == "PURPOSE_NOT_PERMITTED"
    return body["extensions"]["policy"]["policyVersion"]


async def _readyz_policy(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/readyz")  # subgraphs are not running: "not ready", the policy part is there
    return response.json()["policy"]


async def _justice_department_sentences(gateway: Any) -> str:
    service = gateway.hooks[1].service
    caller = Caller("r", "stp-ha-noi", "justice_department", "001")
    decision = await service.decide(caller, DeclaredPurpose("administrative_procedure", "x"), "query",
                                    {"Person.sentences": "CRIMINAL"})
    return decision.result.fields["Person.sentences"].effect


async def test_a_change_failing_its_tests_is_refused(running: tuple[Any, httpx.AsyncClient, dict[str, str]],
                                                     caplog: pytest.LogCaptureFixture) -> None:
    gateway, client, env = running
    policies = Path(env["GATEWAY_POLICY_DIR"])
    good = await _refused_version(client, env)
    status = await _readyz_policy(client)
    assert status["version"] == good and status["rejected"] is None and status["engine"] == "embedded"

    # break a rule: CRIMINAL data would reach every agency kind (fields_test.rego catches it)
    source = (policies / "fields.rego").read_text(encoding="utf-8")
    assert CRIMINAL_RULE in source
    (policies / "fields.rego").write_text(source.replace(CRIMINAL_RULE, CRIMINAL_RULE.replace('"CRIMINAL"',
                                                                                         '"CRIMINAL_"')))
    engine = gateway.hooks[1].service.engine
    with caplog.at_level(logging.WARNING, logger="gateway.policy"):
        assert await _refused_version(client, env) == good  # notices the change: vetted in the background
        engine.wait_for_reload(60)
        assert await _refused_version(client, env) == good  # vetted, refused: the old version answers
    status = await _readyz_policy(client)
    assert status["version"] == good
    rejected = status["rejected"]
    assert rejected is not None and rejected["version"] != good
    assert "test_criminal_withheld_from_justice_department" in rejected["reason"]
    assert "Rego tests fail" in rejected["reason"]
    assert any("refused" in r.getMessage() and good in r.getMessage() for r in caplog.records)
    assert await _justice_department_sentences(gateway) == "withhold"  # the last good rule still decides
    assert await _refused_version(client, env) == good  # not re-tried while the files stay the same
    engine.wait_for_reload(60)
    assert (await _readyz_policy(client))["rejected"] == rejected

    # a good change (tests pass) is served, and the rejection is cleared
    (policies / "fields.rego").write_text(source, encoding="utf-8")
    catalogue = json.loads((policies / "data" / "agencies.json").read_text(encoding="utf-8"))
    catalogue["agencies"].append({"id": "reload-test", "name": "x", "kind": "court", "province": None})
    (policies / "data" / "agencies.json").write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")
    await _refused_version(client, env)
    engine.wait_for_reload(60)
    newer = await _refused_version(client, env)
    assert newer not in (good, rejected["version"])
    status = await _readyz_policy(client)
    assert status["version"] == newer and status["rejected"] is None


async def test_a_change_that_does_not_compile_is_refused(
        running: tuple[Any, httpx.AsyncClient, dict[str, str]]) -> None:
    gateway, client, env = running
    policies = Path(env["GATEWAY_POLICY_DIR"])
    good = await _refused_version(client, env)
    with (policies / "calls.rego").open("a", encoding="utf-8") as f:
        f.write("\nbroken := \n")
    assert await _refused_version(client, env) == good
    gateway.hooks[1].service.engine.wait_for_reload(60)
    assert await _refused_version(client, env) == good
    status = await _readyz_policy(client)
    assert status["version"] == good and status["rejected"]["reason"]
