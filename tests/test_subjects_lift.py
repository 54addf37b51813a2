"""Lifting a restriction of processing (004 Art. 9.6), in process: population's ``/internal/restrictions/lift``
(the row keeps its set and lifted times; the protection fact follows every restriction of the person), and the
DPO's ``liftRestriction`` over a real gateway store, audit store and population database (the restrictor calls
population's own functions instead of HTTP). The real-HTTP path is tests/test_subjects_e2e.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import graphql
from sqlalchemy import select

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
from subgraphs.common.db import Database
from subgraphs.common.settings import SubgraphSettings
from subgraphs.population.app import create_app
from subgraphs.population.models import PERSON, RESTRICTION
from subgraphs.population.restrictions import (
    LIFT_PATH,
    RESTRICTION_PATH,
    RESTRICTION_SCOPE,
    lift_restriction,
    record_restriction,
)
from tests.population_fixtures import load_population, seed_people

SINCE = "2026-12-01T08:00:00Z"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
DPO = Caller("dpo-1", "bo-tu-phap", "justice_ministry", None, Role.DPO)
OFFICER = Caller("clerk-2", "stp-ha-noi", "justice_department", "001", Role.AGENCY)


async def _people(tmp_path: Path) -> tuple[str, list[str]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
    people = seed_people(30)
    await asyncio.to_thread(load_population, url, people)
    return url, [p.personal_id for p in people if not p.processing_restricted]


async def _restricted(db: Database, pid: str) -> bool:
    async with db.engine.connect() as conn:
        return bool((await conn.execute(select(PERSON.c.processing_restricted)
                                        .where(PERSON.c.personal_id == pid))).scalar_one())


# --- population -------------------------------------------------------------------------------------------------

@pytest.fixture
async def population(tmp_path: Path, internal_keys: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Any, Database, list[str]]]:
    url, free = await _people(tmp_path)
    settings = SubgraphSettings(name="population", host="127.0.0.1", port=4001, database_url=url,
                                internal_jwks_file=internal_keys.jwks_path)
    db = Database(url)
    app = create_app(settings, db=db, verifier=internal_keys.verifier("population"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://population") as http:
        yield http, internal_keys, db, free
    await db.dispose()


async def test_population_lifts_keeping_the_history(population: Any) -> None:
    http, keys, db, free = population
    pid = free[0]
    gateway = keys.headers("population", sub="gateway", scope=RESTRICTION_SCOPE)
    for reference, since in (("DSR-1", SINCE), ("DSR-2", "2026-12-02T08:00:00Z")):
        reply = await http.post(RESTRICTION_PATH, headers=gateway,
                                json={"personalId": pid, "since": since, "requestReference": reference})
        assert reply.status_code == 200, reply.text
    lift = {"personalId": pid, "liftedAt": "2026-12-03T09:00:00+07:00", "requestReference": "DSR-1"}
    first = await http.post(LIFT_PATH, headers=gateway, json=lift)
    assert first.status_code == 200, first.text
    assert first.json() == {"personalId": pid, "since": "2026-12-01T08:00:00.000000Z",
                            "liftedAt": "2026-12-03T02:00:00.000000Z", "requestReference": "DSR-1",
                            "restricted": True}  # DSR-2 still stands
    assert await _restricted(db, pid) is True
    again = await http.post(LIFT_PATH, headers=gateway, json={**lift, "liftedAt": "2026-12-05T00:00:00Z"})
    assert again.json()["liftedAt"] == "2026-12-03T02:00:00.000000Z"  # idempotent: the first time stands
    second = await http.post(LIFT_PATH, headers=gateway, json={**lift, "requestReference": "DSR-2"})
    assert second.json()["restricted"] is False
    assert await _restricted(db, pid) is False
    facts = await http.post("/graphql", headers=keys.headers("population"), json={
        "query": "query($id: ID!) { person(personalId: $id) { protectionFacts { restricted } } }",
        "variables": {"id": pid}})
    assert facts.json()["data"]["person"]["protectionFacts"] == {"restricted": False}
    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(RESTRICTION.c.request_reference, RESTRICTION.c.since, RESTRICTION.c.lifted_at)
                                   .order_by(RESTRICTION.c.id))).all()
    assert [tuple(r) for r in rows] == [("DSR-1", "2026-12-01T08:00:00.000000Z", "2026-12-03T02:00:00.000000Z"),
                                        ("DSR-2", "2026-12-02T08:00:00.000000Z", "2026-12-03T02:00:00.000000Z")]


async def test_population_refuses_bad_lifts(population: Any) -> None:
    http, keys, db, free = population
    pid, other = free[0], free[1]
    gateway = keys.headers("population", sub="gateway", scope=RESTRICTION_SCOPE)
    await http.post(RESTRICTION_PATH, headers=gateway, json={"personalId": pid, "since": SINCE, "requestReference": "R"})
    lift = {"personalId": pid, "liftedAt": "2026-12-02T00:00:00Z", "requestReference": "R"}
    ordinary = await http.post(LIFT_PATH, json=lift, headers=keys.headers("population", sub="001085012345"))
    assert ordinary.status_code == 403  # a client request's internal token carries no restriction scope
    assert (await http.post(LIFT_PATH, json=lift)).status_code == 401
    cases = [({**lift, "liftedAt": "soon"}, 400, "liftedAt"),
             ({**lift, "liftedAt": "2026-11-30T00:00:00Z"}, 400, "liftedAt"),  # before the restriction
             ({**lift, "personalId": "12"}, 400, "personalId"),
             ({**lift, "requestReference": ""}, 400, "requestReference"),
             ({**lift, "requestReference": "NONE"}, 404, "requestReference"),
             ({**lift, "personalId": other}, 404, "requestReference")]  # the reference restricted someone else
    for body, status, field in cases:
        reply = await http.post(LIFT_PATH, json=body, headers=gateway)
        assert reply.status_code == status, (body, reply.text)
        assert reply.json()["errors"][0]["extensions"]["argumentName"] == field, body
    assert await _restricted(db, pid) is True


# --- the DPO's liftRestriction over the real stores -------------------------------------------------------------

class DirectRestrictor:
    """Population's own functions on its database, as its HTTP endpoints call them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.down = False

    async def restrict(self, personal_id: str, since: str, reference: str) -> str:
        recorded = await record_restriction(self.db, personal_id, since, reference)
        assert recorded is not None
        return str(recorded["since"])

    async def lift(self, personal_id: str, lifted_at: str, reference: str) -> str:
        if self.down:
            raise RestrictionUnavailable("population unreachable")
        lifted = await lift_restriction(self.db, personal_id, lifted_at, reference)
        assert lifted is not None
        return str(lifted["liftedAt"])


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def rights(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    url, free = await _people(tmp_path)
    db = Database(url)
    store = GatewayStore(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    store.register(SUBJECTS_SERVICE.metadata)
    await store.start()
    audit = AuditStore(AuditSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"))
    await audit.start()
    clock, restrictor = Clock(), DirectRestrictor(db)
    purposes = {p["id"]: p for p in load_bundle(None).catalogue("purposes") or []}
    agencies = AgencyCatalogue.load(AuthSettings().agencies_file)
    subject_rights = SubjectRights(RequestRegistry(store, audit, restrictor, clock),
                                   ConsentRegistry(store, audit, agencies, purposes, clock))
    deps = LocalDeps(audit=audit, store=store, agencies=agencies, settings=None, subjects=subject_rights)  # type: ignore[arg-type]
    yield {"schema": build_local_schema(deps, [SUBJECTS_SERVICE]), "clock": clock, "db": db, "audit": audit,
           "restrictor": restrictor, "free": free}
    await audit.close()
    await store.close()
    await db.dispose()


FILE = "mutation($k: DataSubjectRequestKind!) { fileDataSubjectRequest(kind: $k, details: \"please\") { id } }"
RESOLVE = "mutation($id: ID!, $d: DataSubjectRequestDecision!) { resolveDataSubjectRequest(id: $id, decision: $d, " \
          "note: \"ok\") { id status restrictedSince } }"
LIFT = "mutation($id: ID!, $n: String!) { liftRestriction(id: $id, note: $n) { id status restrictedSince " \
       "restrictionLiftedAt restrictionLiftedBy restrictionLiftNote } }"


async def call(env: dict[str, Any], caller: Caller, query: str, **variables: Any) -> Any:
    return await graphql(env["schema"], query, variable_values=variables, context_value={"caller": caller})


def codes(result: Any) -> list[str]:
    return [str((e.extensions or {}).get("code")) for e in result.errors or ()]


async def _request(env: dict[str, Any], subject: Caller, kind: str, decision: str | None) -> str:
    filed = await call(env, subject, FILE, k=kind)
    request = filed.data["fileDataSubjectRequest"]["id"]
    if decision is not None:
        resolved = await call(env, DPO, RESOLVE, id=request, d=decision)
        assert not resolved.errors, resolved.errors
    return str(request)


async def test_the_dpo_lifts_an_accepted_restriction(rights: dict[str, Any]) -> None:
    pid = rights["free"][0]
    subject = Caller(pid, None, None, None, Role.DATA_SUBJECT)
    request = await _request(rights, subject, "RESTRICTION", "ACCEPT")
    assert await _restricted(rights["db"], pid) is True
    # nobody but the DPO: the subject, an agency officer
    for caller in (subject, OFFICER):
        refused = await call(rights, caller, LIFT, id=request, n="lift")
        assert codes(refused) == ["FORBIDDEN_FIELD"] and refused.data == {"liftRestriction": None}
    assert await _restricted(rights["db"], pid) is True
    rights["clock"].now = T0 + timedelta(days=3)
    lifted = (await call(rights, DPO, LIFT, id=request, n="the subject asked")).data["liftRestriction"]
    assert lifted == {"id": request, "status": "ACCEPTED", "restrictedSince": "2026-12-01T08:00:00.000000Z",
                      "restrictionLiftedAt": "2026-12-04T08:00:00.000000Z", "restrictionLiftedBy": "dpo-1",
                      "restrictionLiftNote": "the subject asked"}
    assert await _restricted(rights["db"], pid) is False
    mine = (await call(rights, subject, "{ myDataSubjectRequests { id restrictionLiftedAt } }")).data
    assert mine == {"myDataSubjectRequests": [{"id": request, "restrictionLiftedAt": "2026-12-04T08:00:00.000000Z"}]}
    again = await call(rights, DPO, LIFT, id=request, n="again")
    assert codes(again) == ["BAD_USER_INPUT"] and "already lifted" in again.errors[0].message
    async with rights["audit"].engine.connect() as conn:  # type: ignore[attr-defined]
        from sqlalchemy import text

        notes = (await conn.execute(text("SELECT operation_name, subjects, note FROM audit_log WHERE kind = 'subject' "
                                         "ORDER BY seq"))).all()
    assert [n[0] for n in notes] == ["subject_request.file", "subject_request.resolve", "subject_request.lift"]
    assert pid in notes[-1][1] and "the subject asked" in notes[-1][2] and "2026-12-04T08:00:00" in notes[-1][2]


async def test_only_an_accepted_restriction_is_lifted(rights: dict[str, Any]) -> None:
    pid = rights["free"][1]
    subject = Caller(pid, None, None, None, Role.DATA_SUBJECT)
    cases = {"pending": await _request(rights, subject, "RESTRICTION", None),
             "rejected": await _request(rights, subject, "RESTRICTION", "REJECT"),
             "objection": await _request(rights, subject, "OBJECTION", "ACCEPT")}
    for name, request in cases.items():
        refused = await call(rights, DPO, LIFT, id=request, n="lift")
        assert codes(refused) == ["BAD_USER_INPUT"], name
        assert "not an accepted restriction" in refused.errors[0].message, name
    assert codes(await call(rights, DPO, LIFT, id="DSR-none", n="x")) == ["BAD_USER_INPUT"]
    accepted = await _request(rights, subject, "RESTRICTION", "ACCEPT")
    assert codes(await call(rights, DPO, LIFT, id=accepted, n="  ")) == ["BAD_USER_INPUT"]  # a note is required
    # population down: nothing lifted anywhere, the DPO is told so
    rights["restrictor"].down = True
    down = await call(rights, DPO, LIFT, id=accepted, n="lift")
    assert codes(down) == ["SUBGRAPH_UNAVAILABLE"]
    assert await _restricted(rights["db"], pid) is True
    listed = (await call(rights, DPO, "query($p: ID!) { dataSubjectRequests(personalId: $p) { id restrictionLiftedAt } }",
                         p=pid)).data["dataSubjectRequests"]
    assert {"id": accepted, "restrictionLiftedAt": None} in listed
    rights["restrictor"].down = False
    assert not (await call(rights, DPO, LIFT, id=accepted, n="lift")).errors
    assert await _restricted(rights["db"], pid) is False
