"""The rights service's resolvers over a real gateway store and audit store (SQLite, and PostgreSQL for the
store when reachable): who may call what, bad input, the 72-hour clock, a restriction population could not
record, consents' checks, and the audit records."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema, graphql

from gateway.audit import AuditSettings, AuditStore
from gateway.auth import AgencyCatalogue, AuthSettings, Caller, Role
from gateway.local_subgraph import LocalDeps, build_local_schema
from gateway.policy.bundle import load_bundle
from gateway.store import GatewayStore
from gateway.subjects import (
    SUBJECTS_SERVICE,
    ConsentRegistry,
    RequestRegistry,
    RestrictionUnavailable,
    SubjectRights,
)

ME = "001085012345"
SUBJECT = Caller(ME, None, None, None, Role.DATA_SUBJECT)
OTHER = Caller("079090000003", None, None, None, Role.DATA_SUBJECT)
DPO = Caller("dpo-1", "bo-tu-phap", "justice_ministry", None, Role.DPO)
OFFICER = Caller("clerk-2", "stp-ha-noi", "justice_department", "001", Role.AGENCY)
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Restrictor:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.down = False

    async def restrict(self, personal_id: str, since: str, reference: str) -> str:
        if self.down:
            raise RestrictionUnavailable("population unreachable")
        self.calls.append((personal_id, since, reference))
        return since


@pytest.fixture(params=["sqlite", "postgres"])
async def env(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    else:
        url = request.getfixturevalue("pg_database")()
    store = GatewayStore(url)
    store.register(SUBJECTS_SERVICE.metadata)
    await store.start()
    # a short commit timeout: the outage test waits for it, nothing else comes near it
    audit = AuditStore(AuditSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}", timeout=1.0))
    await audit.start()
    clock, restrictor = Clock(), Restrictor()
    purposes = {p["id"]: p for p in load_bundle(None).catalogue("purposes") or []}
    agencies = AgencyCatalogue.load(AuthSettings().agencies_file)
    rights = SubjectRights(RequestRegistry(store, audit, restrictor, clock),
                           ConsentRegistry(store, audit, agencies, purposes, clock))
    deps = LocalDeps(audit=audit, store=store, agencies=agencies, settings=None, subjects=rights)  # type: ignore[arg-type]
    schema = build_local_schema(deps, [SUBJECTS_SERVICE])
    yield {"schema": schema, "clock": clock, "restrictor": restrictor, "audit": audit, "rights": rights}
    await audit.close()
    await store.close()


async def call(schema: GraphQLSchema, caller: Caller, query: str, **variables: Any) -> Any:
    result = await graphql(schema, query, variable_values=variables, context_value={"caller": caller})
    return result


FILE = "mutation($k: DataSubjectRequestKind!, $d: String!) { fileDataSubjectRequest(kind: $k, details: $d) " \
       "{ id personalId kind status article clock { filedAt deadline resolvedAt overdue hoursLeft article } } }"
RESOLVE = "mutation($id: ID!, $d: DataSubjectRequestDecision!, $n: String!) { resolveDataSubjectRequest(id: $id, " \
          "decision: $d, note: $n) { id status resolvedBy decisionNote restrictedSince clock { resolvedAt overdue } } }"


def codes(result: Any) -> list[str]:
    return [str((e.extensions or {}).get("code")) for e in result.errors or ()]


async def test_roles_are_checked_by_the_resolvers(env: dict[str, Any]) -> None:
    schema = env["schema"]
    for caller in (DPO, OFFICER):
        assert codes(await call(schema, caller, FILE, k="CORRECTION", d="x")) == ["FORBIDDEN_FIELD"]
        assert codes(await call(schema, caller, "{ myDataSubjectRequests { id } }")) == ["FORBIDDEN_FIELD"]
        assert codes(await call(schema, caller, "{ myConsents { reference } }")) == ["FORBIDDEN_FIELD"]
    for caller in (SUBJECT, OFFICER):
        assert codes(await call(schema, caller, "{ dataSubjectRequests { id } }")) == ["FORBIDDEN_FIELD"]
        assert codes(await call(schema, caller, RESOLVE, id="DSR-x", d="ACCEPT", n="n")) == ["FORBIDDEN_FIELD"]


async def test_a_request_is_about_the_caller_and_its_clock_is_reported(env: dict[str, Any]) -> None:
    schema, clock = env["schema"], env["clock"]
    filed = (await call(schema, SUBJECT, FILE, k="OBJECTION", d="Do not disclose my address.")).data
    request = filed["fileDataSubjectRequest"]
    assert request["personalId"] == ME and request["status"] == "PENDING"
    assert request["clock"] == {"filedAt": "2026-12-01T08:00:00.000000Z", "deadline": "2026-12-04T08:00:00.000000Z",
                                "resolvedAt": None, "overdue": False, "hoursLeft": 72.0, "article": "004 Art. 9.8.b"}
    others = (await call(schema, OTHER, "{ myDataSubjectRequests { id } }")).data
    assert others == {"myDataSubjectRequests": []}  # another subject never sees it
    clock.now = T0 + timedelta(hours=80)  # the deadline passes: reported, nothing happened by itself
    late = (await call(schema, DPO, "query($p: ID!) { dataSubjectRequests(personalId: $p, status: PENDING) "
                                    "{ id clock { overdue hoursLeft } } }", p=ME)).data["dataSubjectRequests"]
    assert late == [{"id": request["id"], "clock": {"overdue": True, "hoursLeft": -8.0}}]
    rejected = (await call(schema, DPO, RESOLVE, id=request["id"], d="REJECT",
                           n="004 Art. 16.2.b: processed by a state body by law")).data
    out = rejected["resolveDataSubjectRequest"]
    assert out["status"] == "REJECTED" and out["resolvedBy"] == "dpo-1" and out["restrictedSince"] is None
    assert out["clock"] == {"resolvedAt": "2026-12-04T16:00:00.000000Z", "overdue": True}
    assert env["restrictor"].calls == []  # only an accepted restriction reaches population


async def test_an_accepted_restriction_reaches_population_first(env: dict[str, Any]) -> None:
    schema, restrictor = env["schema"], env["restrictor"]
    request = (await call(schema, SUBJECT, FILE, k="RESTRICTION", d="Restrict all of it.")).data[
        "fileDataSubjectRequest"]
    restrictor.down = True
    failed = await call(schema, DPO, RESOLVE, id=request["id"], d="ACCEPT", n="granted")
    assert codes(failed) == ["SUBGRAPH_UNAVAILABLE"]
    pending = (await call(schema, SUBJECT, "{ myDataSubjectRequests { status restrictedSince } }")).data
    assert pending["myDataSubjectRequests"] == [{"status": "PENDING", "restrictedSince": None}]
    restrictor.down = False
    env["clock"].now = T0 + timedelta(hours=1)
    accepted = (await call(schema, DPO, RESOLVE, id=request["id"], d="ACCEPT", n="granted")).data
    assert accepted["resolveDataSubjectRequest"]["restrictedSince"] == "2026-12-01T09:00:00.000000Z"
    assert restrictor.calls == [(ME, "2026-12-01T09:00:00.000000Z", request["id"])]
    twice = await call(schema, DPO, RESOLVE, id=request["id"], d="REJECT", n="changed my mind")
    assert codes(twice) == ["BAD_USER_INPUT"]


async def test_bad_input_names_the_argument(env: dict[str, Any]) -> None:
    schema = env["schema"]
    cases = [
        (SUBJECT, FILE, {"k": "CORRECTION", "d": "   "}, "details"),
        (SUBJECT, FILE, {"k": "CORRECTION", "d": "x" * 2001}, "details"),
        (DPO, RESOLVE, {"id": "DSR-nope", "d": "ACCEPT", "n": "n"}, "id"),
        (DPO, "{ dataSubjectRequests(personalId: \"12\") { id } }", {}, "personalId"),
        (DPO, "{ dataSubjectRequests(first: 0) { id } }", {}, "first"),
    ]
    for caller, query, variables, argument in cases:
        result = await call(schema, caller, query, **variables)
        assert codes(result) == ["BAD_USER_INPUT"], (query, result.errors)
        assert result.errors[0].extensions["argumentName"] == argument


GIVE = "mutation($a: String!, $p: String!, $e: String!, $s: [DataCategory!]) { giveConsent(agency: $a, " \
       "purpose: $p, expires: $e, scope: $s) { reference personalId agency purpose scope expiresAt status } }"


async def test_consents_are_checked_when_given_and_found_by_the_policy(env: dict[str, Any]) -> None:
    schema, rights, clock = env["schema"], env["rights"], env["clock"]
    bad = [
        ({"a": "nobody", "p": "consented_provision", "e": "2027-01-01"}, "agency"),
        ({"a": "stp-ha-noi", "p": "civil_status_extract", "e": "2027-01-01"}, "purpose"),  # needs none
        ({"a": "tand-ha-noi", "p": "consented_provision", "e": "2027-01-01"}, "agency"),  # a court may not
        ({"a": "stp-ha-noi", "p": "consented_provision", "e": "2026-11-30"}, "expires"),  # past
        ({"a": "stp-ha-noi", "p": "consented_provision", "e": "2040-01-01"}, "expires"),  # > 5 years
        ({"a": "stp-ha-noi", "p": "consented_provision", "e": "2027-01-01", "s": ["CRIMINAL"]}, "scope"),
    ]
    for variables, argument in bad:
        result = await call(schema, SUBJECT, GIVE, **variables)
        assert codes(result) == ["BAD_USER_INPUT"], (variables, result.errors)
        assert result.errors[0].extensions["argumentName"] == argument
    given = (await call(schema, SUBJECT, GIVE, a="stp-ha-noi", p="consented_provision", e="2027-01-01",
                        s=["BASIC", "IDENTIFIER"])).data["giveConsent"]
    assert given["personalId"] == ME and given["scope"] == ["BASIC", "IDENTIFIER"] and given["status"] == "VALID"
    assert given["expiresAt"] == "2027-01-01T23:59:59.999999Z"
    facts = await rights.consents.consent_facts(given["reference"])
    assert facts == {"reference": given["reference"], "found": True, "personal_id": ME, "agency": "stp-ha-noi",
                     "purpose": "consented_provision", "scope": ["BASIC", "IDENTIFIER"], "withdrawn": False,
                     "expired": False}
    assert (await rights.consents.consent_facts("CS-made-up"))["found"] is False
    clock.now = datetime(2027, 1, 2, tzinfo=UTC)
    assert (await rights.consents.consent_facts(given["reference"]))["expired"] is True
    withdraw = "mutation($r: ID!) { withdrawConsent(reference: $r) { status withdrawnAt } }"
    assert codes(await call(schema, OTHER, withdraw, r=given["reference"])) == ["BAD_USER_INPUT"]  # not theirs
    done = (await call(schema, SUBJECT, withdraw, r=given["reference"])).data["withdrawConsent"]
    assert done == {"status": "WITHDRAWN", "withdrawnAt": "2027-01-02T00:00:00.000000Z"}
    assert (await rights.consents.consent_facts(given["reference"]))["withdrawn"] is True
    assert codes(await call(schema, SUBJECT, withdraw, r=given["reference"])) == ["BAD_USER_INPUT"]  # twice
    listed = (await call(schema, SUBJECT, "{ myConsents { reference status } }")).data["myConsents"]
    assert listed == [{"reference": given["reference"], "status": "WITHDRAWN"}]


async def test_every_change_is_in_the_hash_chain(env: dict[str, Any]) -> None:
    from sqlalchemy import select

    from gateway.audit import verify
    from gateway.audit.schema import audit_log

    schema, audit = env["schema"], env["audit"]
    request = (await call(schema, SUBJECT, FILE, k="DELETION", d="Delete my temporary address.")).data[
        "fileDataSubjectRequest"]
    await call(schema, DPO, RESOLVE, id=request["id"], d="REJECT", n="004 Art. 16.2.b")
    given = (await call(schema, SUBJECT, GIVE, a="stp-ha-noi", p="consented_provision", e="2027-01-01")).data
    await call(schema, SUBJECT, "mutation($r: ID!) { withdrawConsent(reference: $r) { status } }",
               r=given["giveConsent"]["reference"])
    async with audit.reader().connect() as conn:
        rows = (await conn.execute(select(audit_log.c.kind, audit_log.c.operation_name, audit_log.c.account,
                                          audit_log.c.subjects).order_by(audit_log.c.seq))).all()
    assert [(r.kind, r.operation_name, r.account) for r in rows] == [
        ("subject", "subject_request.file", ME), ("subject", "subject_request.resolve", "dpo-1"),
        ("subject", "consent.give", ME), ("subject", "consent.withdraw", ME),
    ]
    assert all(r.subjects == f'["{ME}"]' for r in rows)
    assert (await verify(audit)).ok


async def test_a_change_that_cannot_be_audited_is_not_made(env: dict[str, Any]) -> None:
    schema = env["schema"]
    await env["audit"].close()  # the audit trail is gone
    failed = await call(schema, SUBJECT, FILE, k="CORRECTION", d="My hometown is wrong.")
    assert codes(failed) == ["AUDIT_UNAVAILABLE"] and failed.data == {"fileDataSubjectRequest": None}
    assert (await call(schema, SUBJECT, "{ myDataSubjectRequests { id } }")).data == {"myDataSubjectRequests": []}
    refused = await call(schema, SUBJECT, GIVE, a="stp-ha-noi", p="consented_provision", e="2027-01-01")
    assert codes(refused) == ["AUDIT_UNAVAILABLE"]
    assert (await call(schema, SUBJECT, "{ myConsents { reference } }")).data == {"myConsents": []}
