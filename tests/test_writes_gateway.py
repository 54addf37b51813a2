"""Writes through the in-process gateway with the real Rego policy, audit store and gateway store: a small
test subgraph declares its mutations with ``subgraphs/common/writes.py`` (served in process, so the gateway's
write path is tested whatever the real subgraphs' mutations are; tests/test_writes_e2e.py runs the real ones).

Attacks: a court registering a birth, a registry writing in another province, a mutation without a rule, a
retried request writing twice (sequentially and concurrently), a key reused for another request, internal
write records leaking to the client.
"""

# no `from __future__ import annotations`: strawberry reads the resolver annotations at schema build time

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import strawberry
from strawberry.types.info import Info

from gateway.auth import AuthSettings
from gateway.auth.dev import mint_dev_token
from gateway.compose.compose import SubgraphSource, compose
from gateway.config import GatewaySettings
from gateway.execution import LocalTransport
from gateway.server import Gateway
from gateway.server.wiring import build_hooks
from gateway.supergraph import load_supergraph
from gateway.writes.write_key import current_write_key
from subgraphs.common.classification import DataCategory, PersonalData, ValueKind
from subgraphs.common.classification import field as classified
from subgraphs.common.errors import bad_user_input
from subgraphs.common.federation import Schema
from subgraphs.common.writes import _CONTEXT_ATTR as _WRITE_RECORDS
from subgraphs.common.writes import WriteArea, WriteRecords, WriteSubject, record_write

MOTHER = "001190000001"


@strawberry.input
class BirthInput:
    registration_province_code: str
    full_name: str
    mother_personal_id: str | None = None


@strawberry.input
class EnforcementInput:
    sentence_id: str
    kind: str
    province_code: str  # the area (@writeArea): a provincial enforcement body writes in its province (000 Art. 13.1)


@strawberry.type
class Receipt:
    id: str = classified(DataCategory.PUBLIC, "Record id.", kind=ValueKind.IDENTIFIER)
    registration_province_code: str = classified(DataCategory.PUBLIC, "Province.", kind=ValueKind.CODE)
    religion: str | None = classified(DataCategory.RELIGION, "Religion (004 Art. 2.4.a).", kind=ValueKind.TEXT,
                                      default="Phật giáo")


@dataclass
class Books:
    """The test subgraph's database: rows by id, and every write made."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    writes: list[str] = field(default_factory=list)
    # the gateway's write keys and their first result, as the real subgraphs keep them (subgraphs/common/write_keys)
    kept: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    books: Books


@strawberry.type
class Query:
    @strawberry.field(description="Liveness.", directives=[PersonalData(category=DataCategory.PUBLIC, kind=ValueKind.FLAG)])
    def ping(self) -> bool:
        return True


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a birth (003 Art. 7.2.a).", directives=[
        PersonalData(category=DataCategory.BASIC, kind=ValueKind.REFERENCE),
        WriteArea(argument="input.registrationProvinceCode"), WriteSubject(argument="input.motherPersonalId")])
    async def register_birth(self, info: Info, input: BirthInput) -> Receipt | None:
        if not input.full_name.strip():
            error = bad_user_input("input.fullName", "the child's full name is required")
            error.extensions["invalidFields"] = [  # every problem; one that names internals never leaves
                {"field": "input.fullName", "message": "the child's full name is required"},
                {"field": "input.registrationProvinceCode", "message": "checked at postgresql://10.0.0.7:5432"},
                {"field": "representations.0", "message": "not the client's input"}]
            raise error
        await asyncio.sleep(0.01)  # a write takes time: concurrent retries overlap
        books: Books = info.context.books
        write_key = current_write_key()  # in process: the header the HTTP transport would send
        if write_key in books.kept:  # nothing written now: the first result, its write record replayed
            first, record = books.kept[write_key]
            getattr(info.context, _WRITE_RECORDS).append({**record, "replayed": True})
            return first
        row_id = f"B{len(books.rows) + 1}"
        row = {"id": row_id, "province": input.registration_province_code, "name": input.full_name}
        books.rows[row_id] = row
        books.writes.append(row_id)
        record = record_write(info, "BirthRegistration", row_id, before=None, after=row,
                              subjects=[input.mother_personal_id])
        receipt = Receipt(id=row_id, registration_province_code=input.registration_province_code)
        books.kept[write_key] = (receipt, record)
        return receipt

    @strawberry.mutation(description="Record an enforcement event (000 Art. 11.3).", directives=[
        PersonalData(category=DataCategory.CRIMINAL, kind=ValueKind.REFERENCE),
        WriteArea(argument="input.provinceCode")])
    def record_enforcement_event(self, info: Info, input: EnforcementInput) -> Receipt | None:
        books: Books = info.context.books
        before = dict(books.rows.get(input.sentence_id) or {"id": input.sentence_id, "status": "SERVING"})
        after = dict(before, status=input.kind)
        books.rows[input.sentence_id] = after
        books.writes.append(input.sentence_id)
        record_write(info, "Sentence", input.sentence_id, before=before, after=after)
        return Receipt(id=input.sentence_id, registration_province_code="001")

    @strawberry.mutation(description="No write rule covers this one.", directives=[
        PersonalData(category=DataCategory.PUBLIC, kind=ValueKind.FLAG)])
    def drop_everything(self, info: Info) -> bool | None:
        info.context.books.writes.append("everything")
        return True


SCHEMA = Schema(query=Query, mutation=Mutation, extensions=[WriteRecords])


@dataclass
class World:
    gateway: Gateway
    books: Books
    env: dict[str, str]
    audit_url: str
    audit_hook: Any = None

    def headers(self, agency: str, purpose: str, key: str | None = None, legal_basis: str | None = None,
                sub: str = "officer-1") -> dict[str, str]:
        token = mint_dev_token(agency, sub, settings=AuthSettings.from_env(self.env))
        out = {"authorization": f"Bearer {token}", "x-purpose": purpose}
        if key is not None:
            out["idempotency-key"] = key
        if legal_basis is not None:
            out["x-legal-basis"] = legal_basis
        return out

    async def audit_records(self) -> list[dict[str, Any]]:
        from gateway.audit import AuditStore
        from gateway.audit.maintenance import iter_records

        store = AuditStore(database_url=self.audit_url)
        await store.start(writer=False)
        try:
            return [r async for r in iter_records(store)]
        finally:
            await store.close()


@dataclass
class Shared:
    """What every test's gateway shares: the composed supergraph, and the authenticator and policy of the real
    wiring (``build_hooks``), built once (compiling the policy is the costly part)."""

    env: dict[str, str]
    supergraph: Any
    hooks: Any


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Shared:
    work = tmp_path_factory.mktemp("writes_gateway")
    supergraph_path = work / "supergraph.graphql"
    sdl = compose([SubgraphSource("registry", "http://127.0.0.1:9/graphql", SCHEMA.as_str())]).supergraph_sdl
    supergraph_path.write_text(sdl, encoding="utf-8")
    env = {"GATEWAY_ENV": "test", "GATEWAY_POLICY_ENGINE": "embedded", "LT_DATA_DIR": str(work / "data"),
           "GATEWAY_SUPERGRAPH": str(supergraph_path), "GATEWAY_POLICY_RELOAD_INTERVAL": "off",
           "GATEWAY_AUDIT_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'audit.db'}",
           "GATEWAY_STORE_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'gateway.db'}"}
    settings = GatewaySettings.from_env(env)
    supergraph = load_supergraph(settings.supergraph_path, settings)
    return Shared(env, supergraph, build_hooks(settings, supergraph))


@pytest.fixture
async def world(shared: Shared, tmp_path: Path) -> AsyncIterator[World]:
    """A gateway with its own audit chain and gateway store (fresh per test) and the wiring's write stage."""
    from gateway.audit import AuditSettings, AuditStore, PipelineAudit
    from gateway.store import GatewayStore
    from gateway.writes.idempotency import IdempotencyStore
    from gateway.writes.stage import WriteStage

    audit_url = f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"
    env = dict(shared.env, GATEWAY_AUDIT_DATABASE_URL=audit_url,
               GATEWAY_STORE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    settings = GatewaySettings.from_env(env)
    audit = PipelineAudit(AuditStore(AuditSettings.from_env(env)), shared.supergraph.categories)
    store = GatewayStore(settings.store_database_url)
    writes = WriteStage(IdempotencyStore(store, settings.idempotency_ttl_seconds))
    assert isinstance(shared.hooks.writes, WriteStage)  # the wiring builds the same stage
    books = Books()
    transport = LocalTransport("registry", SCHEMA, context_factory=lambda _ctx: Context(books))
    gateway = Gateway(settings, shared.supergraph, authenticator=shared.hooks.authenticator,
                      policy=shared.hooks.policy, audit=audit, transports={"registry": transport},
                      resources=(store,), writes=writes)
    async with gateway:
        yield World(gateway, books, env, audit_url, audit)


REGISTER = """mutation Register($input: BirthInput!) {
  registerBirth(input: $input) { id registrationProvinceCode } }"""


def birth(province: str = "001", name: str = "Nguyễn Văn An") -> dict[str, Any]:
    return {"input": {"registrationProvinceCode": province, "fullName": name, "motherPersonalId": MOTHER}}


HANOI_REGISTRY = "ubnd-phuong-hoan-kiem"  # civil_registry, province 001
HCMC_REGISTRY = "ubnd-phuong-ben-thanh"  # civil_registry, province 079


async def test_registry_registers_a_birth_in_its_province(world: World) -> None:
    response = await world.gateway.execute(REGISTER, birth(), "Register",
                                           world.headers(HANOI_REGISTRY, "civil_status_registration"))
    assert response.status == 200, response.body
    assert response.body["data"] == {"registerBirth": {"id": "B1", "registrationProvinceCode": "001"}}
    assert "errors" not in response.body
    assert world.books.writes == ["B1"]
    text = json.dumps(response.body)
    # nothing internal leaves: no write record, no record hash (the policy version's short hash is public)
    assert "lienthongWrites" not in text and not re.search(r"sha256:[0-9a-f]{64}", text)


async def test_court_may_not_register_a_birth(world: World) -> None:
    response = await world.gateway.execute(REGISTER, birth(), "Register",
                                           world.headers("tand-ha-noi", "criminal_proceedings",
                                                         legal_basis="Bản án 1/2026/HS-ST"))
    assert response.status == 200, response.body
    assert response.body["data"] == {"registerBirth": None}
    [error] = response.body["errors"]
    assert error["path"] == ["registerBirth"] and error["extensions"]["code"] == "FORBIDDEN_FIELD"
    assert "agency kind court may not call Mutation.registerBirth" in json.dumps(response.body)
    assert world.books.writes == []  # the subgraph was never called


async def test_registry_may_not_register_in_another_province(world: World) -> None:
    response = await world.gateway.execute(REGISTER, birth("001"), "Register",
                                           world.headers(HCMC_REGISTRY, "civil_status_registration"))
    assert response.body["data"] == {"registerBirth": None}
    assert response.body["errors"][0]["extensions"]["code"] == "FORBIDDEN_FIELD"
    assert world.books.writes == []
    # nor with the area hidden in a variable the client leaves out, or a value that is no province code
    for tricky in ("", "79", "079 ", None):
        variables = birth()
        variables["input"]["registrationProvinceCode"] = tricky
        response = await world.gateway.execute(REGISTER, variables, "Register",
                                               world.headers(HCMC_REGISTRY, "civil_status_registration"))
        assert not (response.body.get("data") or {}).get("registerBirth"), (tricky, response.body)
    assert world.books.writes == []


async def test_each_write_decided_on_its_own(world: World) -> None:
    query = """mutation { mine: registerBirth(input: {registrationProvinceCode: "001", fullName: "A"}) { id }
                          theirs: registerBirth(input: {registrationProvinceCode: "079", fullName: "B"}) { id }
                          drop: dropEverything }"""
    response = await world.gateway.execute(query, None, None,
                                           world.headers(HANOI_REGISTRY, "civil_status_registration"))
    assert response.body["data"] == {"mine": {"id": "B1"}, "theirs": None, "drop": None}
    assert {e["path"][0] for e in response.body["errors"]} == {"theirs", "drop"}
    assert world.books.writes == ["B1"]  # deny by default: no rule for dropEverything


async def test_enforcement_event_by_enforcement_body_only(world: World) -> None:
    query = 'mutation { recordEnforcementEvent(input: {sentenceId: "S1", kind: "RELEASE", provinceCode: "001"}) { id } }'
    refused = await world.gateway.execute(query, None, None, world.headers(
        "tand-ha-noi", "sentence_enforcement", legal_basis="Quyết định 5/2026"))
    assert refused.body["data"] == {"recordEnforcementEvent": None}
    assert world.books.writes == []
    allowed = await world.gateway.execute(query, None, None, world.headers(
        "ca-ha-noi-thahs", "sentence_enforcement", legal_basis="Quyết định 5/2026"))
    assert allowed.body["data"] == {"recordEnforcementEvent": {"id": "S1"}}, allowed.body
    assert world.books.writes == ["S1"]
    # 000 Art. 11.3, 13.1: Hà Nội's body does not update a sentence enforced in another province
    elsewhere = 'mutation { recordEnforcementEvent(input: {sentenceId: "S2", kind: "RELEASE", provinceCode: "079"}) { id } }'
    other = await world.gateway.execute(elsewhere, None, None, world.headers(
        "ca-ha-noi-thahs", "sentence_enforcement", legal_basis="Quyết định 5/2026"))
    assert other.body["data"] == {"recordEnforcementEvent": None}, other.body
    assert "000 Art. 11.3, 13.1" in other.body["errors"][0]["message"]
    assert world.books.writes == ["S1"]


async def test_validation_error_names_the_field_and_writes_nothing(world: World) -> None:
    response = await world.gateway.execute(REGISTER, birth(name="  "), "Register",
                                           world.headers(HANOI_REGISTRY, "civil_status_registration"))
    assert response.body["data"] == {"registerBirth": None}
    [error] = response.body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argumentName"] == "input.fullName"
    assert "full name is required" in error["message"] and error["path"] == ["registerBirth"]
    assert error["extensions"]["invalidFields"] == [
        {"field": "input.fullName", "message": "the child's full name is required"}]
    assert "10.0.0.7" not in json.dumps(response.body)
    assert world.books.writes == []


async def test_retry_with_the_same_key_returns_the_first_result_and_writes_once(world: World) -> None:
    headers = world.headers(HANOI_REGISTRY, "civil_status_registration", key="birth-2026-0001")
    first = await world.gateway.execute(REGISTER, birth(), "Register", headers)
    again = await world.gateway.execute(REGISTER, birth(), "Register", headers)
    assert first.status == again.status == 200
    assert again.body == first.body and again.headers.get("idempotent-replayed") == "true"
    assert world.books.writes == ["B1"]
    reused = await world.gateway.execute(REGISTER, birth(name="Other Child"), "Register", headers)
    assert reused.status == 422 and reused.body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert "data" not in reused.body
    # another account of the same agency has its own keys
    other = await world.gateway.execute(REGISTER, birth(), "Register", world.headers(
        HANOI_REGISTRY, "civil_status_registration", key="birth-2026-0001", sub="officer-2"))
    assert other.body["data"]["registerBirth"]["id"] == "B2"
    assert world.books.writes == ["B1", "B2"]


async def test_concurrent_retries_write_once(world: World) -> None:
    headers = world.headers(HANOI_REGISTRY, "civil_status_registration", key="race-1")
    responses = await asyncio.gather(*(world.gateway.execute(REGISTER, birth(), "Register", headers)
                                       for _ in range(6)))
    assert world.books.writes == ["B1"]
    statuses = sorted(r.status for r in responses)
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 409}, [r.body for r in responses]
    for r in responses:
        if r.status == 409:
            assert r.body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_IN_USE"
            assert r.headers.get("retry-after") == "1"
        else:
            assert r.body["data"] == {"registerBirth": {"id": "B1", "registrationProvinceCode": "001"}}
    late = await world.gateway.execute(REGISTER, birth(), "Register", headers)
    assert late.status == 200 and late.headers.get("idempotent-replayed") == "true"
    assert world.books.writes == ["B1"]


async def test_bad_idempotency_key_is_refused_before_anything_runs(world: World) -> None:
    headers = world.headers(HANOI_REGISTRY, "civil_status_registration", key="no spaces allowed")
    response = await world.gateway.execute(REGISTER, birth(), "Register", headers)
    assert response.status == 400 and response.body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert world.books.writes == []


async def test_every_write_audited_in_the_chain(world: World) -> None:
    from gateway.audit import AuditStore
    from gateway.audit.attest import verify

    registry = world.headers(HANOI_REGISTRY, "civil_status_registration", key="audit-1")
    await world.gateway.execute(REGISTER, birth(), "Register", registry)  # written
    await world.gateway.execute(REGISTER, birth(), "Register", registry)  # replayed
    await world.gateway.execute(REGISTER, birth("079"), "Register", world.headers(
        HANOI_REGISTRY, "civil_status_registration"))  # refused: another province
    await world.gateway.execute(REGISTER, birth(name=""), "Register", world.headers(
        HANOI_REGISTRY, "civil_status_registration"))  # rejected by the subgraph
    await world.gateway.execute('{ ping }', None, None, world.headers(HANOI_REGISTRY, "civil_status_registration"))
    rows = await world.audit_records()
    # before the subgraph is called, the writes about to be made are recorded (HTTP status 202, "intended")
    intents = [r for r in rows if r["http_status"] == 202]
    assert [[e["outcome"] for e in json.loads(r["writes"])] for r in intents] == [["intended"], ["intended"]]
    assert [r["request_id"] for r in intents] == [rows[0]["request_id"], rows[4]["request_id"]]
    rows = [r for r in rows if r["http_status"] != 202]
    entries = [json.loads(r["writes"]) if r.get("writes") else [] for r in rows]
    written, replayed, refused, rejected, read = entries
    assert read == []  # a query has no write entries (and its record hashes as before: no writes column)
    [w] = written
    assert (w["coordinate"], w["key"], w["outcome"], w["subjects"]) == (
        "Mutation.registerBirth", "registerBirth", "written", [MOTHER])
    [record] = w["records"]
    assert record["recordType"] == "BirthRegistration" and record["recordId"] == "B1"
    assert record["before"] is None and re.fullmatch(r"sha256:[0-9a-f]{64}", record["after"])
    assert "Nguyễn" not in rows[0]["writes"]  # hashes, never values
    assert rows[0]["subjects"] == [MOTHER]  # the write's subjects index the record (accessLog)
    assert [e["outcome"] for e in replayed] == ["replayed"] and replayed[0]["records"] == []
    assert refused[0]["outcome"] == "refused" and "province 001 may not write in province 079" in refused[0]["reason"]
    assert rejected[0]["outcome"] == "rejected"
    assert world.books.writes == ["B1"]
    store = AuditStore(database_url=world.audit_url)
    await store.start(writer=False)
    try:
        assert (await verify(store)).problem is None  # `audit verify` passes
    finally:
        await store.close()


class FailingAudit:
    """An audit store that cannot make anything durable."""

    def record(self, _record: Any) -> Any:
        raise RuntimeError("audit database unreachable")


async def test_no_audit_no_write(world: World) -> None:
    world.gateway.pipeline.audit = FailingAudit()
    key = world.headers(HANOI_REGISTRY, "civil_status_registration", key="down-1")
    response = await world.gateway.execute(REGISTER, birth(), "Register", key)
    assert response.status == 503 and response.body["errors"][0]["extensions"]["code"] == "AUDIT_UNAVAILABLE"
    assert "data" not in response.body
    assert world.books.writes == []  # fail closed: the write is never attempted untraced
    world.gateway.pipeline.audit = world.audit_hook  # back up: the key was released, the retry writes
    retry = await world.gateway.execute(REGISTER, birth(), "Register", key)
    assert retry.status == 200 and retry.body["data"]["registerBirth"]["id"] == "B1"
    assert world.books.writes == ["B1"]


class LosesTheSecondRecord:
    """The audit store records the writes' intent, then fails on the request's own record."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, 0

    async def record(self, record: Any) -> Any:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("audit database went away")
        return await self.inner.record(record)


async def test_a_write_whose_record_failed_is_audited_by_its_replay(world: World) -> None:
    world.gateway.pipeline.audit = LosesTheSecondRecord(world.audit_hook)
    key = world.headers(HANOI_REGISTRY, "civil_status_registration", key="lost-1")
    first = await world.gateway.execute(REGISTER, birth(), "Register", key)
    assert first.status == 503 and "data" not in first.body  # no durable record, no data
    assert world.books.writes == ["B1"]  # ... but the subgraph had written (its intent is in the chain)
    retry = await world.gateway.execute(REGISTER, birth(), "Register", key)
    assert retry.status == 200 and retry.headers.get("idempotent-replayed") == "true"
    assert retry.body["data"] == {"registerBirth": {"id": "B1", "registrationProvinceCode": "001"}}
    assert world.books.writes == ["B1"]  # never written twice
    intent, replay = [json.loads(r["writes"]) for r in await world.audit_records()]
    assert [w["outcome"] for w in intent] == ["intended"]
    [entry] = replay  # the replay's record carries the first request's write, hashes and all
    assert entry["outcome"] == "written" and "audited by this replay of request" in entry["reason"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", entry["records"][0]["after"])


async def test_store_down_no_write(world: World) -> None:
    await world.gateway.resources[0].close()  # the gateway store goes away
    response = await world.gateway.execute(REGISTER, birth(), "Register", world.headers(
        HANOI_REGISTRY, "civil_status_registration", key="store-down"))
    assert response.status == 503 and response.body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_UNAVAILABLE"
    assert world.books.writes == []
    # without a key the store is not needed
    plain = await world.gateway.execute(REGISTER, birth(), "Register", world.headers(
        HANOI_REGISTRY, "civil_status_registration"))
    assert plain.status == 200 and world.books.writes == ["B1"]
    await world.gateway.resources[0].start()


async def test_what_a_write_returns_is_read_under_the_read_policy(world: World) -> None:
    query = """mutation { registerBirth(input: {registrationProvinceCode: "001", fullName: "A"}) {
      id religion } }"""
    response = await world.gateway.execute(query, None, None,
                                           world.headers(HANOI_REGISTRY, "civil_status_registration"))
    assert response.body["data"] == {"registerBirth": {"id": "B1", "religion": None}}  # written, then masked
    [error] = response.body["errors"]
    assert error["path"] == ["registerBirth", "religion"] and error["extensions"]["code"] == "FORBIDDEN_FIELD"
    assert world.books.writes == ["B1"]


async def test_a_mutation_withheld_by_the_read_policy_is_audited_as_refused(world: World) -> None:
    # the enforcement body may write, but CRIMINAL data needs a legal basis (X-Legal-Basis): the field is
    # withheld, so the mutation is pruned and never reaches its subgraph
    query = 'mutation { recordEnforcementEvent(input: {sentenceId: "S9", kind: "RELEASE", provinceCode: "001"}) { id } }'
    response = await world.gateway.execute(query, None, None, world.headers("ca-ha-noi-thahs", "sentence_enforcement"))
    assert response.body["data"] == {"recordEnforcementEvent": None}
    assert world.books.writes == []
    rows = await world.audit_records()
    assert [r["http_status"] for r in rows] == [200]  # no intent: nothing was going to be written
    [entry] = json.loads(rows[0]["writes"])
    assert entry["outcome"] == "refused" and entry["reason"]


class Unreachable:
    """The registry subgraph's transport failing ``failures`` times before it answers; ``delivered`` says
    whether the operation had reached the subgraph (a timeout) or not (connection refused)."""

    def __init__(self, inner: Any, failures: int, delivered: bool) -> None:
        self.name, self.inner, self.failures, self.delivered = inner.name, inner, failures, delivered

    async def send(self, query: str, variables: dict[str, Any], ctx: Any) -> dict[str, Any]:
        from gateway.execution.transport import SubgraphFailure

        if self.failures:
            self.failures -= 1
            if self.delivered:  # it ran, then the answer was lost: the write happened
                await self.inner.send(query, variables, ctx)
                raise SubgraphFailure("no answer within 5000 ms")
            raise SubgraphFailure("the connection failed", delivered=False)
        return await self.inner.send(query, variables, ctx)


async def test_a_retry_after_an_unreachable_subgraph_runs_and_writes_once(world: World) -> None:
    transports = world.gateway.transports
    transports["registry"] = Unreachable(transports["registry"], failures=1, delivered=False)
    key = world.headers(HANOI_REGISTRY, "civil_status_registration", key="unreachable-1")
    down = await world.gateway.execute(REGISTER, birth(), "Register", key)
    assert down.body["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE" and world.books.writes == []
    retry = await world.gateway.execute(REGISTER, birth(), "Register", key)  # the key was freed: it runs
    assert retry.body["data"] == {"registerBirth": {"id": "B1", "registrationProvinceCode": "001"}}
    assert "idempotent-replayed" not in retry.headers and world.books.writes == ["B1"]
    outcomes = [[e["outcome"] for e in json.loads(r["writes"])] for r in await world.audit_records()]
    assert outcomes == [["intended"], ["not_sent"], ["intended"], ["written"]]


async def test_a_retry_after_a_lost_answer_never_writes_twice(world: World) -> None:
    transports = world.gateway.transports
    transports["registry"] = Unreachable(transports["registry"], failures=1, delivered=True)
    key = world.headers(HANOI_REGISTRY, "civil_status_registration", key="lost-answer-1")
    lost = await world.gateway.execute(REGISTER, birth(), "Register", key)
    assert lost.body["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert world.books.writes == ["B1"]  # it did write, the gateway cannot know
    # the key was freed: the retry runs under the same write key and the subgraph answers its first result
    retry = await world.gateway.execute(REGISTER, birth(), "Register", key)
    assert retry.body["data"] == {"registerBirth": {"id": "B1", "registrationProvinceCode": "001"}}
    assert world.books.writes == ["B1"]
    again = await world.gateway.execute(REGISTER, birth(), "Register", key)  # now kept by the gateway's store
    assert again.headers.get("idempotent-replayed") == "true" and again.body == retry.body
    records = await world.audit_records()
    outcomes = [[e["outcome"] for e in json.loads(r["writes"])] for r in records]
    assert outcomes == [["intended"], ["unknown"], ["intended"], ["replayed"], ["replayed"]]
    [replayed] = json.loads(records[3]["writes"])
    assert replayed["records"][0]["recordId"] == "B1" and replayed["records"][0]["replayed"] is True


async def test_without_an_idempotency_key_each_mutation_has_its_own_write_key(world: World) -> None:
    headers = world.headers(HANOI_REGISTRY, "civil_status_registration")
    for _ in range(2):
        body = (await world.gateway.execute(REGISTER, birth(), "Register", headers)).body
        assert "errors" not in body, body
    assert world.books.writes == ["B1", "B2"] and len(world.books.kept) == 2 and None not in world.books.kept


async def test_a_refused_connection_is_known_undelivered(tmp_path: Path) -> None:
    from gateway.execution import FetchContext, HttpTransport
    from gateway.execution.transport import SubgraphFailure, http_client
    from gateway.keys import InternalTokenMinter, load_or_create_internal_key
    from tests.fixtures.serve import free_port

    minter = InternalTokenMinter(load_or_create_internal_key(tmp_path / "k.json", tmp_path / "j.json"))
    async with http_client(4) as client:
        transport = HttpTransport("registry", f"http://127.0.0.1:{free_port()}/graphql", client, minter, 2.0)
        with pytest.raises(SubgraphFailure) as failed:
            await transport.send("mutation { dropEverything }", {}, FetchContext("r1", "officer", "ubnd"))
    assert failed.value.delivered is False and str(failed.value) == "the connection failed"
