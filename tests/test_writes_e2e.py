"""Writes end to end through the in-process gateway with the real subgraphs over HTTP (internal tokens), the
real Rego policy, the hash-chained audit store and the gateway store: the civil status registrations and the
enforcement events of issue 15.

- a court registering a birth is forbidden (it is no civil status authority, 003 Art. 7.2), nothing is written,
  and the refusal is audited;
- a civil registry of province 079 registering in province 001 is forbidden (003 Art. 7.2.a, 8.4);
- an allowed registration is audited with the record's before/after hashes (never values), in the same chain
  (``audit verify`` passes);
- a retried request with the same ``Idempotency-Key`` returns the first result and writes once;
- a validation error names the input field and writes nothing.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import create_engine, text

from gateway.auth import AuthSettings
from gateway.auth.dev import mint_dev_token
from gateway.compose.compose import SubgraphSource, compose
from gateway.config import GatewaySettings
from gateway.keys import key_paths, load_or_create_internal_key
from gateway.server import Gateway
from gateway.server.wiring import build_hooks
from gateway.supergraph import load_supergraph
from subgraphs.common.db import sync_url
from subgraphs.common.settings import SubgraphSettings
from tests.compose.live_sdl import live_sdl
from tests.fixtures.serve import serve

SUBGRAPHS = ("population", "civil_status", "sentences")
HANOI_REGISTRY = "ubnd-phuong-hoan-kiem"  # civil_registry, province 001
HCMC_REGISTRY = "ubnd-phuong-ben-thanh"  # civil_registry, province 079
HASH = re.compile(r"sha256:[0-9a-f]{64}")
# one gateway for the module (its policy compiled once): the tests share its event loop
pytestmark = pytest.mark.asyncio(loop_scope="module")


@dataclass
class Stack:
    work: Path
    env: dict[str, str]
    data_url: str


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """60 seeded persons in one SQLite database, the three subgraphs over HTTP, the composed supergraph."""
    from gateway.compose.sources import local_source
    from subgraphs.seed.runner import seed

    work = tmp_path_factory.mktemp("writes_e2e")
    data_url = f"sqlite+aiosqlite:///{work / 'lt.db'}"
    env = {"LT_DATA_DIR": str(work / "data")}
    _private, jwks = key_paths(env)
    load_or_create_internal_key(*key_paths(env))
    seed(60, seed=5, database_url_override=data_url)
    with ExitStack() as services:
        sources = []
        for name in SUBGRAPHS:
            app_module = importlib.import_module(f"subgraphs.{name}.app")
            settings = SubgraphSettings(name=name, host="127.0.0.1", port=0, database_url=data_url,
                                        internal_jwks_file=jwks)
            base = services.enter_context(serve(app_module.create_app(settings)))
            sources.append(SubgraphSource(name, f"{base}/graphql", live_sdl(name)))
        sources.append(SubgraphSource("gateway", local_source(env).url, live_sdl("gateway")))
        supergraph = work / "supergraph.graphql"
        supergraph.write_text(compose(sources).supergraph_sdl, encoding="utf-8")
        env.update({
            "GATEWAY_ENV": "development", "GATEWAY_POLICY_ENGINE": "embedded", "GATEWAY_SUPERGRAPH": str(supergraph),
            "GATEWAY_AUDIT_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'audit.db'}",
            "GATEWAY_STORE_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'gateway.db'}",
            "GATEWAY_POLICY_RELOAD_INTERVAL": "off",
        })
        yield Stack(work, env, data_url)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(stack: Stack) -> AsyncIterator[Gateway]:
    settings = GatewaySettings.from_env(stack.env)
    supergraph = load_supergraph(settings.supergraph_path, settings)
    hooks = build_hooks(settings, supergraph)
    async with Gateway(settings, supergraph, authenticator=hooks.authenticator, policy=hooks.policy,
                       audit=hooks.audit, transports=hooks.transports, resources=hooks.resources,
                       writes=hooks.writes) as gw:
        yield gw


def headers(stack: Stack, agency: str, purpose: str, *, key: str | None = None, legal_basis: str | None = None,
            sub: str = "officer-1") -> dict[str, str]:
    token = mint_dev_token(agency, sub, settings=AuthSettings.from_env(stack.env))
    out = {"authorization": f"Bearer {token}", "x-purpose": purpose}
    if key:
        out["idempotency-key"] = key
    if legal_basis:
        out["x-legal-basis"] = legal_basis
    return out


def count(stack: Stack, sql: str, **params: Any) -> int:
    engine = create_engine(sync_url(stack.data_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar_one())
    finally:
        engine.dispose()


def births(stack: Stack, full_name: str) -> int:
    """Birth registrations of a child of that name in the civil status database."""
    return count(stack, "SELECT count(*) FROM civil_status_event WHERE kind = 'BIRTH' AND full_name = :n",
                 n=full_name)


async def audit_rows(stack: Stack) -> list[dict[str, Any]]:
    from gateway.audit import AuditStore
    from gateway.audit.maintenance import iter_records

    store = AuditStore(database_url=stack.env["GATEWAY_AUDIT_DATABASE_URL"])
    await store.start(writer=False)
    try:
        return [r async for r in iter_records(store)]
    finally:
        await store.close()


async def audit_verifies(stack: Stack) -> bool:
    from gateway.audit import AuditStore
    from gateway.audit.attest import verify

    store = AuditStore(database_url=stack.env["GATEWAY_AUDIT_DATABASE_URL"])
    await store.start(writer=False)
    try:
        return (await verify(store)).problem is None
    finally:
        await store.close()


REGISTER = """mutation RegisterBirth($input: BirthRegistrationInput!) {
  registerBirth(input: $input) { registrationNumber registrationDate registrationProvinceCode }
}"""


def birth_input(full_name: str, province: str = "001", **extra: Any) -> dict[str, Any]:
    return {"input": {
        "registrationDate": "2026-11-20", "registeringAuthority": "UBND phường Hoàn Kiếm",
        "registrationProvinceCode": province, "fullName": full_name, "dateOfBirth": "2026-11-02", "sex": "FEMALE",
        "placeOfBirth": "Bệnh viện Phụ sản Hà Nội, Thành phố Hà Nội", "ethnicity": "Kinh",
        "declarantName": "Nguyễn Thị Mẹ", "declarantRelationship": "Mẹ", **extra,
    }}


def writes_of(row: dict[str, Any]) -> list[dict[str, Any]]:
    raw = row.get("writes")
    return json.loads(raw) if isinstance(raw, str) else list(raw or [])


async def test_court_registering_a_birth_is_forbidden_and_audited(stack: Stack, gateway: Gateway) -> None:
    name = "Trần Tòa Án"
    response = await gateway.execute(REGISTER, birth_input(name), "RegisterBirth", headers(
        stack, "tand-ha-noi", "criminal_proceedings", legal_basis="Bản án 12/2026/HS-ST"))
    assert response.status == 200, response.body
    assert response.body["data"] == {"registerBirth": None}
    [error] = response.body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN_FIELD" and error["path"] == ["registerBirth"]
    assert births(stack, name) == 0
    row = (await audit_rows(stack))[-1]
    assert row["agency"] == "tand-ha-noi" and "Mutation.registerBirth" in row["coordinates"]
    [write] = writes_of(row)
    assert write["coordinate"] == "Mutation.registerBirth" and write["outcome"] == "refused"
    assert "court" in write["reason"] and write["records"] == []


async def test_registry_of_another_province_is_forbidden(stack: Stack, gateway: Gateway) -> None:
    name = "Lê Tỉnh Khác"
    response = await gateway.execute(REGISTER, birth_input(name, "001"), "RegisterBirth", headers(
        stack, HCMC_REGISTRY, "civil_status_registration"))
    assert response.body["data"] == {"registerBirth": None}
    assert response.body["errors"][0]["extensions"]["code"] == "FORBIDDEN_FIELD"
    assert births(stack, name) == 0
    [write] = writes_of((await audit_rows(stack))[-1])
    assert write["outcome"] == "refused" and "province 079 may not write in province 001" in write["reason"]


async def test_allowed_registration_is_audited_with_hashes(stack: Stack, gateway: Gateway) -> None:
    name = "Nguyễn Thị Khai Sinh"
    response = await gateway.execute(REGISTER, birth_input(name), "RegisterBirth", headers(
        stack, HANOI_REGISTRY, "civil_status_registration"))
    assert response.status == 200, response.body
    registered = response.body["data"]["registerBirth"]
    assert registered["registrationProvinceCode"] == "001" and registered["registrationNumber"], response.body
    assert births(stack, name) == 1
    body = json.dumps(response.body)
    assert "lienthongWrites" not in body and not HASH.search(body)  # nothing internal leaves
    row = (await audit_rows(stack))[-1]
    [write] = writes_of(row)
    assert write["outcome"] == "written"
    [record] = [r for r in write["records"] if r["recordType"] == "BirthRegistration"]
    assert record["before"] is None and HASH.fullmatch(record["after"])
    assert name not in json.dumps(row, ensure_ascii=False)  # hashes, never values
    assert await audit_verifies(stack)


async def test_retry_with_the_same_key_returns_the_first_result_and_writes_once(stack: Stack,
                                                                                gateway: Gateway) -> None:
    name = "Phạm Thử Lại"
    key_headers = headers(stack, HANOI_REGISTRY, "civil_status_registration", key="kb-2026-11-20-0007")
    first = await gateway.execute(REGISTER, birth_input(name), "RegisterBirth", key_headers)
    again = await gateway.execute(REGISTER, birth_input(name), "RegisterBirth", key_headers)
    assert first.status == again.status == 200
    assert again.body == first.body and again.headers.get("idempotent-replayed") == "true"
    assert births(stack, name) == 1
    [write] = writes_of((await audit_rows(stack))[-1])
    assert write["outcome"] == "replayed"
    other = await gateway.execute(REGISTER, birth_input("Another Child"), "RegisterBirth", key_headers)
    assert other.status == 422 and other.body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert births(stack, "Another Child") == 0


class LostAnswer:
    """The real HTTP transport of a subgraph, whose answer is lost once after the subgraph ran the operation (a
    timeout at the gateway while the subgraph commits)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.lost = inner, inner.name, False

    async def send(self, query: str, variables: dict[str, Any], ctx: Any) -> dict[str, Any]:
        from gateway.execution.transport import SubgraphFailure

        answer = await self.inner.send(query, variables, ctx)
        if not self.lost:
            self.lost = True
            raise SubgraphFailure("no answer within 5000 ms")
        return answer


async def test_a_retry_after_a_subgraph_timeout_writes_once(stack: Stack, gateway: Gateway) -> None:
    name = "Đỗ Hết Giờ"
    key_headers = headers(stack, HANOI_REGISTRY, "civil_status_registration", key="kb-2026-11-20-timeout")
    real = gateway.transports["civil_status"]
    gateway.transports["civil_status"] = LostAnswer(real)
    try:
        lost = await gateway.execute(REGISTER, birth_input(name), "RegisterBirth", key_headers)
        assert lost.body["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
        assert births(stack, name) == 1  # the subgraph committed; the gateway cannot know
        retry = await gateway.execute(REGISTER, birth_input(name), "RegisterBirth", key_headers)
    finally:
        gateway.transports["civil_status"] = real
    assert retry.status == 200 and retry.body["data"]["registerBirth"]["registrationNumber"], retry.body
    assert births(stack, name) == 1  # the subgraph recognised the write key: the first result, no second row
    assert count(stack, "SELECT count(*) FROM civil_status_outbox WHERE payload LIKE :n", n=f"%{name}%") == 1
    outcomes = [[w["outcome"] for w in writes_of(r)] for r in (await audit_rows(stack))[-4:]]
    assert outcomes == [["intended"], ["unknown"], ["intended"], ["replayed"]]
    again = await gateway.execute(REGISTER, birth_input(name), "RegisterBirth", key_headers)
    assert again.headers.get("idempotent-replayed") == "true" and again.body == retry.body
    assert await audit_verifies(stack)


async def test_validation_error_names_the_field_and_writes_nothing(stack: Stack, gateway: Gateway) -> None:
    name = "Võ Ngày Sai"
    response = await gateway.execute(REGISTER, birth_input(name, dateOfBirth="2026-02-30"), "RegisterBirth",
                                     headers(stack, HANOI_REGISTRY, "civil_status_registration"))
    assert response.body["data"] == {"registerBirth": None}
    [error] = response.body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argumentName"] == "input.dateOfBirth", error
    assert births(stack, name) == 0
    [write] = writes_of((await audit_rows(stack))[-1])
    assert write["outcome"] == "rejected"


async def test_enforcement_event_only_by_enforcement_bodies(stack: Stack, gateway: Gateway) -> None:
    engine = create_engine(sync_url(stack.data_url))
    with engine.connect() as conn:
        sentence = conn.execute(text("SELECT id FROM sentence ORDER BY id LIMIT 1")).scalar_one()
    engine.dispose()
    before = count(stack, "SELECT count(*) FROM enforcement_event WHERE sentence_id = :s", s=sentence)
    query = """mutation Event($input: EnforcementEventInput!) { recordEnforcementEvent(input: $input) {
      __typename } }"""
    variables = {"input": {"sentenceId": str(sentence), "provinceCode": "001", "kind": "REWARD",
                           "date": "2026-11-01", "authority": "Trại giam Hỏa Lò", "decisionNumber": "QĐ 9/2026"}}
    court = await gateway.execute(query, variables, "Event", headers(
        stack, "tand-ha-noi", "sentence_enforcement", legal_basis="QĐ 9/2026"))
    assert not (court.body.get("data") or {}).get("recordEnforcementEvent"), court.body
    assert any(e["extensions"]["code"] == "FORBIDDEN_FIELD" for e in court.body["errors"])
    assert count(stack, "SELECT count(*) FROM enforcement_event WHERE sentence_id = :s", s=sentence) == before
    [write] = writes_of((await audit_rows(stack))[-1])
    assert write["outcome"] == "refused" and "000 Art. 11.3" in write["reason"]
