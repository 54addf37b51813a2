"""The grants registry (gateway/grants): checks of a new grant, revocation, the audit records of every change
(same hash chain, `audit verify` passes), the resolver's statuses and cache; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gateway.audit import AuditStore, AuditUnavailable, verify
from gateway.audit.chain import KIND_GRANT
from gateway.audit.schema import audit_log
from gateway.auth import AgencyCatalogue, AuthSettings, Caller, Role
from gateway.grants.model import (
    GrantInputError,
    GrantRequest,
    Status,
    grant_reference,
    grants_table,
    metadata,
)
from gateway.grants.registry import GrantNotFound, GrantRegistry
from gateway.grants.resolver import GrantResolver
from gateway.policy.bundle import load_bundle
from gateway.store import GatewayStore
from tests.postgres import scratch_database, unreachable_reason

AGENCIES = AgencyCatalogue.load(AuthSettings().agencies_file)
PURPOSES = {p["id"]: p for p in load_bundle(None).catalogue("purposes")}
REGISTRAR = Caller("registrar-1", "c10-bca", "criminal_enforcement", role=Role.GRANT_REGISTRAR, issuer="test")
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
A, B = "001099000001", "001099000002"


def request(**overrides: Any) -> GrantRequest:
    base = GrantRequest(decision_number="15/2026/QĐ-CSĐT", issued_by="Thủ trưởng Cơ quan CSĐT",
                        decision_date="2026-05-30", agency="tand-ha-noi", purpose="criminal_proceedings",
                        scope="case", case_reference="12/2026/HSST", subjects=(A,), valid_until="2026-12-31")
    return replace(base, **overrides)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
async def registry(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[GrantRegistry]:
    if request.param == "postgresql":
        if reason := unreachable_reason():
            pytest.skip(reason)
        with scratch_database() as url:
            async for registry in _registry(url, tmp_path):
                yield registry
    else:
        async for registry in _registry(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}", tmp_path):
            yield registry


async def _registry(url: str, tmp_path: Path) -> AsyncIterator[GrantRegistry]:
    store = GatewayStore(url)
    store.register(metadata)
    await store.start()
    audit = AuditStore(database_url=f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    await audit.start()
    try:
        yield GrantRegistry(store, audit, agencies=AGENCIES, purposes=PURPOSES, clock=Clock(NOW))
    finally:
        await audit.close()
        await store.close()


async def grant_records(audit: AuditStore) -> list[Any]:
    async with audit.reader().connect() as conn:
        return (await conn.execute(select(audit_log).where(audit_log.c.kind == KIND_GRANT)
                                   .order_by(audit_log.c.seq))).all()


async def test_create_show_list_revoke_and_every_change_audited(registry: GrantRegistry) -> None:
    grant = await registry.create(request(), REGISTRAR)
    assert grant_reference(f"{grant.id.lower()}; QĐ 15/2026") == grant.id  # named by X-Legal-Basis
    assert (await registry.get(grant.id)) == grant
    assert grant.status(NOW) is Status.VALID and grant.valid_until == "2026-12-31T23:59:59.999999Z"
    other = await registry.create(request(agency="vksnd-ha-noi", purpose="enforcement_supervision"), REGISTRAR)
    assert {g.id for g in await registry.list()} == {grant.id, other.id}
    assert [g.id for g in await registry.list(agency="vksnd-ha-noi")] == [other.id]
    revoked = await registry.revoke(grant.id, "the case was closed", REGISTRAR)
    assert revoked.status(NOW) is Status.REVOKED and revoked.revocation_reason == "the case was closed"
    assert revoked.revoked_by == "registrar-1"
    assert [g.id for g in await registry.list(include_revoked=False)] == [other.id]
    with pytest.raises(GrantInputError, match="revoked already"):
        await registry.revoke(grant.id, "again", REGISTRAR)
    with pytest.raises(GrantNotFound):
        await registry.revoke("GR-0000000000", "no such", REGISTRAR)
    records = await grant_records(registry.audit)
    assert [(r.operation_name, r.grant_id, r.account, r.role) for r in records] == [
        ("grant.create", grant.id, "registrar-1", "grant_registrar"),
        ("grant.create", other.id, "registrar-1", "grant_registrar"),
        ("grant.revoke", grant.id, "registrar-1", "grant_registrar"),
    ]
    assert records[2].reason == "the case was closed" and records[0].legal_basis == "15/2026/QĐ-CSĐT"
    assert (await verify(registry.audit)).ok  # the same hash chain, typed columns included


BAD_GRANTS: list[tuple[dict[str, Any], str]] = [
    ({"agency": "no-such-agency"}, "agency"),
    ({"purpose": "statistics"}, "purpose"),  # a court may not declare it
    ({"purpose": "no_such"}, "purpose"),
    ({"scope": "everyone"}, "scope"),
    ({"subjects": ()}, "subjects"),
    ({"subjects": ("12345",)}, "subjects"),
    ({"case_reference": None}, "caseReference"),
    ({"scope": "province", "province": "001"}, "subjects"),  # a province grant names no subjects
    ({"scope": "province", "subjects": (), "province": "999"}, "province"),
    ({"valid_until": "2026-05-01"}, "validUntil"),  # already past
    ({"valid_from": "2026-07-01", "valid_until": "2026-06-30"}, "validUntil"),
    ({"valid_until": "31/12/2026"}, "validUntil"),
    ({"confidential": True}, "disclosureDate"),
    ({"confidential": True, "disclosure_date": "2027-01-01", "purpose": "sentence_enforcement"}, "confidential"),
    ({"disclosure_date": "2027-01-01"}, "disclosureDate"),
    ({"decision_number": "  "}, "decisionNumber"),
]


async def test_a_bad_grant_is_refused_naming_the_field(registry: GrantRegistry) -> None:
    for overrides, field in BAD_GRANTS:
        with pytest.raises(GrantInputError) as raised:
            await registry.create(request(**overrides), REGISTRAR)
        assert raised.value.field == field, overrides
    assert await registry.list() == [] and await grant_records(registry.audit) == []


async def test_no_change_without_its_audit_record(registry: GrantRegistry) -> None:
    await registry.audit.close()  # the trail cannot take the record: the change is rolled back
    with pytest.raises(AuditUnavailable):
        await registry.create(request(), REGISTRAR)
    assert await registry.list() == []


async def test_resolver_statuses_follow_the_clock_and_the_registry(registry: GrantRegistry) -> None:
    clock, ticks = Clock(NOW), [0.0]
    resolver = GrantResolver(registry, ttl_seconds=5, confidential_purposes=frozenset({"criminal_proceedings"}),
                             clock=clock, monotonic=lambda: ticks[0])
    grant = await registry.create(request(valid_from="2026-06-02"), REGISTRAR)
    assert (await resolver.resolve(None, "criminal_proceedings")).status is Status.ABSENT
    assert (await resolver.resolve("Quyết định 12/2025", "criminal_proceedings")).status is Status.NOT_NAMED
    assert (await resolver.resolve("GR-ZZZZZZZZZZ", "criminal_proceedings")).status is Status.UNKNOWN
    assert (await resolver.resolve(grant.id, "criminal_proceedings")).status is Status.NOT_YET_VALID
    clock.now = NOW + timedelta(days=2)
    use = await resolver.resolve(f"{grant.id} 15/2026", "criminal_proceedings")
    assert use.status is Status.VALID and use.policy_input()["subjects"] == [A]
    assert use.disclosure_at is None  # not a confidential grant: the read is not covert
    clock.now = datetime(2027, 1, 1, tzinfo=UTC)
    assert (await resolver.resolve(grant.id, "criminal_proceedings")).status is Status.EXPIRED
    clock.now = NOW + timedelta(days=2)
    reads = resolver.reads
    await registry.revoke(grant.id, "closed", REGISTRAR)  # through this process: the cache forgets it at once
    assert (await resolver.resolve(grant.id, "criminal_proceedings")).status is Status.REVOKED
    assert resolver.reads == reads + 1


async def test_a_change_by_another_process_is_seen_after_the_cache_time(registry: GrantRegistry) -> None:
    ticks = [0.0]
    grant = await registry.create(request(), REGISTRAR)
    resolver = GrantResolver(registry, ttl_seconds=5, clock=Clock(NOW), monotonic=lambda: ticks[0])
    assert (await resolver.resolve(grant.id, "criminal_proceedings")).status is Status.VALID
    async with registry.store.engine.begin() as conn:  # another process (the CLI) revokes it
        await conn.execute(grants_table.update().where(grants_table.c.id == grant.id)
                           .values(revoked_at="2026-06-01T07:00:00.000000Z", revocation_reason="elsewhere"))
    assert (await resolver.resolve(grant.id, "criminal_proceedings")).status is Status.VALID  # cached
    ticks[0] = 6.0
    assert (await resolver.resolve(grant.id, "criminal_proceedings")).status is Status.REVOKED


async def test_covert_read_under_a_confidential_grant_carries_the_disclosure_date(registry: GrantRegistry) -> None:
    resolver = GrantResolver.for_catalogue(registry, PURPOSES)
    resolver.clock = Clock(NOW)
    grant = await registry.create(request(confidential=True, disclosure_date="2027-03-01"), REGISTRAR)
    use = await resolver.resolve(grant.id, "criminal_proceedings")
    assert use.disclosure_at == datetime(2027, 3, 1, tzinfo=UTC)
    assert (await resolver.resolve(grant.id, "enforcement_supervision")).disclosure_at is None  # other purpose


async def test_an_unreadable_registry_is_unavailable_not_an_error(tmp_path: Path) -> None:
    store = GatewayStore(f"sqlite+aiosqlite:///{tmp_path / 'never-started.db'}")
    registry = GrantRegistry(store, None, agencies=AGENCIES, purposes=PURPOSES)
    use = await GrantResolver(registry).resolve("GR-0000000001", "criminal_proceedings")
    assert use.status is Status.UNAVAILABLE and use.reference == "GR-0000000001"


async def test_registrar_role_is_honoured_only_for_listed_accounts(tmp_path: Path) -> None:
    from gateway.auth import AuthError
    from gateway.auth.dev import mint_dev_token

    settings = AuthSettings.from_env({"LT_DATA_DIR": str(tmp_path)})
    with pytest.raises(ValueError, match="not a grant registrar"):
        mint_dev_token("tand-ha-noi", "officer-1", role="grant_registrar", settings=settings)
    assert AGENCIES.grant_registrar("registrar-1").agency == "c10-bca"
    from gateway.auth import Authenticator

    authenticator = Authenticator.from_settings(settings, AGENCIES)
    token = mint_dev_token(None, "registrar-1", role="grant_registrar", settings=settings)
    caller = await authenticator.authenticate([(b"authorization", f"Bearer {token}".encode())])
    assert caller.is_grant_registrar and caller.agency_id == "c10-bca"
    forged = mint_dev_token("tand-ha-noi", "officer-1", settings=settings,
                            extra={"role": "grant_registrar"})
    with pytest.raises(AuthError, match="not a grant registrar"):
        await authenticator.authenticate([(b"authorization", f"Bearer {forged}".encode())])


async def test_the_admin_api_answers_audit_unavailable_when_a_change_cannot_be_audited(
        registry: GrantRegistry) -> None:
    """Through the GraphQL API, an unauditable change is the contract's AUDIT_UNAVAILABLE (nothing else said)."""
    from graphql import graphql

    from gateway.grants.api import GRANTS_SERVICE
    from gateway.local_subgraph import LocalDeps, build_local_schema

    deps = LocalDeps(audit=registry.audit, store=registry.store, agencies=AGENCIES, settings=None,  # type: ignore[arg-type]
                     grants=registry)
    schema = build_local_schema(deps, [GRANTS_SERVICE])
    await registry.audit.close()
    result = await graphql(schema, 'mutation { createGrant(input: {decisionNumber: "15/2026/QĐ-CSĐT", '
                           'issuedBy: "Thủ trưởng Cơ quan CSĐT", decisionDate: "2026-05-30", agency: "tand-ha-noi", '
                           'purpose: "criminal_proceedings", scope: "case", caseReference: "12/2026/HSST", '
                           f'subjects: ["{A}"], validUntil: "2026-12-31"}}) {{ id }} }}',
                           context_value={"caller": REGISTRAR})
    assert result.data is None  # createGrant is non-null: the error nulls the answer
    assert [(e.message, (e.extensions or {}).get("code")) for e in result.errors or ()] == [
        ("The audit trail is unavailable: nothing was recorded; try again.", "AUDIT_UNAVAILABLE")]
    assert await registry.list() == []
