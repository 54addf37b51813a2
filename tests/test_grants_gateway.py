"""Grants through the whole gateway (real JWTs, the embedded Rego policy, the audit chain, the three subgraphs
seeded small): a court reads CRIMINAL data only under a valid grant of its own, for its purpose, about the
persons it covers, on every path; a revoked grant or another agency's is refused (000 Art. 13.4); the admin API
is the registrar's only; a covert read is hidden from the data subject until its disclosure date."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gateway.audit.schema import audit_log
from gateway.auth import AuthSettings
from gateway.auth.dev import mint_dev_token
from gateway.config import GatewaySettings
from gateway.grants.model import GrantRequest
from gateway.server import Gateway
from gateway.server.wiring import build_hooks
from gateway.supergraph import load_supergraph
from tests.conformance.stack import ROOT, Stack, start_subgraphs

COURT, PROCURACY, ENFORCEMENT = "tand-ha-noi", "vksnd-ha-noi", "c10-bca"
PERSON = """query($id: ID!) { person(personalId: $id) { fullName sentences { id offenceSummary } } }"""


@dataclass
class Seeded:
    stack: Stack
    offender: str  # an adult, alive, unrestricted person with a sentence
    other: str  # another such person
    sentence: str  # a sentence of offender
    province: str  # offender's residence province


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    workdir = tmp_path_factory.mktemp("grants-gw")
    with ExitStack() as services:
        stack = start_subgraphs(workdir, services, people=150, seed_value=14)
        with sqlite3.connect(workdir / "lt.db") as db:
            born_before = str(datetime.now(UTC).year - 19)
            rows = db.execute(
                "SELECT p.personal_id, MIN(s.id), p.province_code FROM person p JOIN sentence s "
                "ON s.offender_personal_id = p.personal_id WHERE p.date_of_death IS NULL AND p.missing_since IS "
                "NULL AND p.processing_restricted = 0 AND p.date_of_birth < ? GROUP BY p.personal_id "
                "ORDER BY p.personal_id LIMIT 2", (born_before,)).fetchall()
        assert len(rows) == 2, "the seeded data has two adult offenders"
        yield Seeded(stack, rows[0][0], rows[1][0], rows[0][1], rows[0][2])


@pytest.fixture
async def gateway(seeded: Seeded, tmp_path: Path) -> AsyncIterator[Gateway]:
    env = dict(seeded.stack.env)
    env.update({f"{g.upper()}_URL": u for g, u in seeded.stack.subgraph_urls.items()})
    env.update(GATEWAY_ENV="development", GATEWAY_POLICY_ENGINE="embedded",
               GATEWAY_SUPERGRAPH=str(ROOT / "schema.graphql"),
               GATEWAY_AUDIT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}",
               GATEWAY_STORE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    settings = GatewaySettings.from_env(env)
    supergraph = load_supergraph(settings.supergraph_path, settings)
    hooks = build_hooks(settings, supergraph)
    app = Gateway(settings, supergraph, authenticator=hooks.authenticator, policy=hooks.policy, audit=hooks.audit,
                  transports=hooks.transports, resources=hooks.resources)
    async with app:
        yield app


def token(gateway: Gateway, agency: str | None, sub: str = "officer-1", role: str = "agency") -> str:
    return mint_dev_token(agency, sub, role=role, settings=AuthSettings.from_env(dict(gateway.settings.raw_env)))


async def ask(gateway: Gateway, query: str, variables: dict[str, Any] | None = None, *, agency: str | None = COURT,
              purpose: str | None = "criminal_proceedings", basis: str | None = None, sub: str = "officer-1",
              role: str = "agency") -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token(gateway, agency, sub, role)}"}
    if purpose:
        headers["x-purpose"] = purpose
    if basis:
        headers["x-legal-basis"] = basis
    response = await gateway.execute(query, variables, headers=headers)
    return {"status": response.status, **response.body}


def registry(gateway: Gateway) -> Any:
    return gateway.hooks[1].service.grants.registry


def resolver(gateway: Gateway) -> Any:
    return gateway.hooks[1].service.grants


async def grant(gateway: Gateway, subjects: tuple[str, ...] = (), **fields: Any) -> str:
    from gateway.auth import Caller, Role

    base: dict[str, Any] = dict(decision_number="15/2026/QĐ-CSĐT", issued_by="Thủ trưởng Cơ quan CSĐT",
                                decision_date="2026-01-05", agency=COURT, purpose="criminal_proceedings",
                                scope="subjects", subjects=subjects, valid_until="2099-12-31")
    base.update(fields)
    registrar = Caller("registrar-1", ENFORCEMENT, "criminal_enforcement", role=Role.GRANT_REGISTRAR, issuer="t")
    return (await registry(gateway).create(GrantRequest(**base), registrar)).id


def withheld(body: dict[str, Any]) -> dict[str, str]:
    """``{path: reason}`` of the FORBIDDEN_FIELD errors."""
    return {".".join(map(str, e["path"])): e["extensions"].get("reason", e["message"])
            for e in body.get("errors", []) if e.get("extensions", {}).get("code") == "FORBIDDEN_FIELD"}


async def test_valid_grant_releases_only_the_persons_it_covers(gateway: Gateway, seeded: Seeded) -> None:
    gid = await grant(gateway, (seeded.offender,))
    mine = await ask(gateway, PERSON, {"id": seeded.offender}, basis=f"{gid} QĐ 15/2026")
    assert mine["status"] == 200 and withheld(mine) == {}, mine
    assert mine["data"]["person"]["sentences"][0]["offenceSummary"]
    other = await ask(gateway, PERSON, {"id": seeded.other}, basis=gid)
    assert other["data"]["person"]["fullName"] and other["data"]["person"]["sentences"] is None
    assert f"grant {gid} does not cover this person" in withheld(other)["person.sentences"]


async def test_free_text_no_longer_releases_criminal_data_to_a_court(gateway: Gateway, seeded: Seeded) -> None:
    body = await ask(gateway, PERSON, {"id": seeded.offender}, basis="Quyết định khởi tố vụ án 12/2025/QĐ-VKS")
    assert body["data"]["person"]["sentences"] is None
    assert "names no registered grant" in withheld(body)["person.sentences"]
    unknown = await ask(gateway, PERSON, {"id": seeded.offender}, basis="GR-ZZZZZZZZZZ")
    assert "no such grant GR-ZZZZZZZZZZ" in withheld(unknown)["person.sentences"]


async def test_free_text_mode_of_enforcement_bodies_is_kept(gateway: Gateway, seeded: Seeded) -> None:
    body = await ask(gateway, PERSON, {"id": seeded.offender}, agency=ENFORCEMENT, purpose="sentence_enforcement",
                     basis="Quyết định thi hành án 7/2026")
    assert withheld(body) == {} and body["data"]["person"]["sentences"]


async def test_expired_and_other_purpose_withhold_with_their_reason(gateway: Gateway, seeded: Seeded) -> None:
    gid = await grant(gateway, (seeded.offender,), agency=PROCURACY)
    wrong = await ask(gateway, PERSON, {"id": seeded.offender}, agency=PROCURACY, purpose="enforcement_supervision",
                      basis=gid)
    assert "is for purpose criminal_proceedings, not enforcement_supervision" in withheld(wrong)["person.sentences"]
    resolver(gateway).clock = lambda: datetime(2100, 1, 2, tzinfo=UTC)  # after validUntil
    late = await ask(gateway, PERSON, {"id": seeded.offender}, agency=PROCURACY, basis=gid)
    assert "expired at 2099-12-31" in withheld(late)["person.sentences"]


async def test_revoked_or_another_agencys_grant_refuses_the_request(gateway: Gateway, seeded: Seeded) -> None:
    gid = await grant(gateway, (seeded.offender,))
    theirs = await ask(gateway, PERSON, {"id": seeded.offender}, agency=PROCURACY, basis=gid)
    assert theirs["status"] == 403 and theirs.get("data") is None
    assert theirs["errors"][0]["extensions"]["code"] == "REQUEST_REFUSED"
    assert f"was not issued to agency {PROCURACY}" in theirs["errors"][0]["message"]
    assert COURT not in theirs["errors"][0]["message"]  # nothing about the grant's own holder
    revoked = await ask(gateway, """mutation($id: ID!) { revokeGrant(id: $id, reason: "decision annulled") { status } }""",
                        {"id": gid}, agency=None, purpose=None, sub="registrar-1", role="grant_registrar")
    assert revoked["data"] == {"revokeGrant": {"status": "revoked"}}, revoked
    body = await ask(gateway, PERSON, {"id": seeded.offender}, basis=gid)  # the cache forgot it at once
    assert body["status"] == 403 and body["errors"][0]["extensions"]["code"] == "REQUEST_REFUSED"
    assert "decision annulled" in body["errors"][0]["message"]
    async with gateway.hooks[2].store.reader().connect() as conn:
        rows = (await conn.execute(select(audit_log.c.outcome, audit_log.c.error_code, audit_log.c.reason,
                                          audit_log.c.grant_id, audit_log.c.kind)
                                   .order_by(audit_log.c.seq.desc()).limit(3))).all()
    refused = rows[0]
    assert (refused.outcome, refused.error_code, refused.grant_id, refused.kind) == (
        "refused", "REQUEST_REFUSED", gid, "access")
    assert "000 Art. 13.4" in refused.reason and "decision annulled" in refused.reason
    assert any(r.kind == "grant" and r.grant_id == gid for r in rows)  # the revocation, in the same chain


async def test_province_grant_covers_its_residents(gateway: Gateway, seeded: Seeded) -> None:
    gid = await grant(gateway, scope="province", province=seeded.province)
    body = await ask(gateway, PERSON, {"id": seeded.offender}, basis=gid)
    assert withheld(body) == {} and body["data"]["person"]["sentences"], body


async def test_the_grant_verdict_is_the_same_on_every_path(gateway: Gateway, seeded: Seeded) -> None:
    gid = await grant(gateway, (seeded.other,))  # covers the other offender only
    query = """query($id: ID!, $s: ID!) {
      person(personalId: $id) { sentences { offenceSummary } }
      sentencesOf(personalId: $id) { offenceSummary }
      sentence(id: $s) { offenceSummary person { personalId sentences { offenceSummary } } }
    }"""
    body = await ask(gateway, query, {"id": seeded.offender, "s": seeded.sentence}, basis=gid)
    paths = withheld(body)
    data = body["data"]
    assert data["person"]["sentences"] is None and "person.sentences" in paths
    assert all(s["offenceSummary"] is None for s in data["sentencesOf"] or []) or data["sentencesOf"] is None
    assert data["sentence"]["offenceSummary"] is None and data["sentence"]["person"] is None  # CRIMINAL: the link
    assert all("does not cover this person" in reason for reason in paths.values()), paths
    covered = await ask(gateway, query, {"id": seeded.offender, "s": seeded.sentence},
                        basis=await grant(gateway, (seeded.offender,)))
    assert withheld(covered) == {}, covered
    assert covered["data"]["sentence"]["offenceSummary"] and covered["data"]["sentencesOf"][0]["offenceSummary"]
    hop = covered["data"]["sentence"]["person"]  # the entity hop back to the person: the same verdict
    assert hop["personalId"] == seeded.offender and hop["sentences"][0]["offenceSummary"]


ADMIN = """mutation($input: GrantInput!) { createGrant(input: $input) { id agency scope subjects status } }"""


def admin_input(subject: str, **more: Any) -> dict[str, Any]:
    return {"decisionNumber": "20/2026/QĐ-VKS", "issuedBy": "Viện trưởng VKSND TP Hà Nội",
            "decisionDate": "2026-02-01", "agency": COURT, "purpose": "criminal_proceedings", "scope": "subjects",
            "subjects": [subject], "validUntil": "2099-12-31", **more}


async def test_the_admin_api_is_the_registrars_only(gateway: Gateway, seeded: Seeded) -> None:
    made = await ask(gateway, ADMIN, {"input": admin_input(seeded.offender)}, agency=None, purpose=None,
                     sub="registrar-1", role="grant_registrar")
    assert made.get("errors") is None, made
    assert made["data"]["createGrant"]["status"] == "valid"
    listed = await ask(gateway, "{ grants { id } }", agency=None, purpose=None, sub="registrar-1",
                       role="grant_registrar")
    assert made["data"]["createGrant"]["id"] in {g["id"] for g in listed["data"]["grants"]}
    court = await ask(gateway, ADMIN, {"input": admin_input(seeded.offender)}, purpose="criminal_proceedings")
    assert court["data"] is None or court["data"].get("createGrant") is None
    assert {e["extensions"]["code"] for e in court["errors"]} & {"FORBIDDEN_FIELD", "PURPOSE_NOT_PERMITTED"}
    court_reads = await ask(gateway, "{ grants { id subjects } }")
    assert court_reads["data"] is None or court_reads["data"].get("grants") is None
    bad = await ask(gateway, ADMIN, {"input": admin_input("123")}, agency=None, purpose=None, sub="registrar-1",
                    role="grant_registrar")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad["errors"][0]["extensions"]["argumentName"] == "input.subjects"
    assert len((await ask(gateway, "{ grants { id } }", agency=None, purpose=None, sub="registrar-1",
                          role="grant_registrar"))["data"]["grants"]) == 1  # nothing registered by the others


LOG = """query($id: ID!) { accessLog(personalId: $id) { entries { reference purpose grant disclosureAt } } }"""


async def test_a_covert_read_is_hidden_from_the_subject_until_its_disclosure_date(gateway: Gateway,
                                                                                 seeded: Seeded) -> None:
    disclosure = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    covert = await grant(gateway, (seeded.offender,), confidential=True, disclosure_date=disclosure)
    body = await ask(gateway, PERSON, {"id": seeded.offender}, basis=covert)
    assert withheld(body) == {}
    subject_view = await ask(gateway, LOG, {"id": seeded.offender}, agency=None, purpose=None, sub=seeded.offender,
                             role="data_subject")
    assert subject_view["data"]["accessLog"]["entries"] == [], subject_view
    dpo_view = await ask(gateway, LOG, {"id": seeded.offender}, agency=None, purpose=None, sub="dpo-1", role="dpo")
    entry = dpo_view["data"]["accessLog"]["entries"][0]
    assert entry["grant"] == covert and entry["disclosureAt"].startswith(disclosure)
    async with gateway.hooks[2].store.reader().connect() as conn:  # disclosure day comes (moved, not waited)
        await conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        await conn.exec_driver_sql("UPDATE audit_log SET disclosure_at = '2000-01-01T00:00:00.000000Z' "
                                   f"WHERE grant_id = '{covert}'")
        await conn.commit()
    later = await ask(gateway, LOG, {"id": seeded.offender}, agency=None, purpose=None, sub=seeded.offender,
                      role="data_subject")
    assert [e["grant"] for e in later["data"]["accessLog"]["entries"]] == [covert]
    plain = await grant(gateway, (seeded.offender,))  # not confidential: seen at once
    await ask(gateway, PERSON, {"id": seeded.offender}, basis=plain)
    seen = await ask(gateway, LOG, {"id": seeded.offender}, agency=None, purpose=None, sub=seeded.offender,
                     role="data_subject")
    assert seen["data"]["accessLog"]["entries"][0]["grant"] == plain
