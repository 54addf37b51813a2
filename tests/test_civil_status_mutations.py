"""The civil-status mutations over HTTP (internal token, ASGI transport), on SQLite and PostgreSQL: each
registration validated field by field, written in one transaction with its outbox event and its write record
(before/after hashes for the gateway's audit), nothing written on error; the link of a birth to the person
population creates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import date
from functools import cache
from typing import Any

import orjson
import pytest
from sqlalchemy import create_engine, func, select
from test_civil_status_support import (
    Subgraph,
    make_people,
    seeded_database,
    serving,
)

from subgraphs.civil_status.models import EVENT, OUTBOX, PARTY
from subgraphs.common.writes import WRITES_EXTENSION
from subgraphs.seed.world import SeedPerson

TODAY = date.today().isoformat()
REGISTRATION = {"registrationDate": "2026-06-01", "registeringAuthority": "Ủy ban nhân dân Phường Bến Nghé",
                "registrationProvinceCode": "079", "signerName": "Trần Văn Bình", "signerTitle": "Chủ tịch"}
BIRTH = """mutation($input: BirthRegistrationInput!) { registerBirth(input: $input) {
  id kind registrationNumber registrationDate registrationProvinceCode subject { personalId } source createdAt
  updatedAt fullName dateOfBirth sex father { personalId } mother { personalId } declarantName
  fatherIdentityPaper { kind number holder { personalId } } motherIdentityPaper { kind number holderName }
} }"""
DEATH = """mutation($input: DeathRegistrationInput!) { registerDeath(input: $input) {
  id kind subject { personalId } dateOfDeath createdAt } }"""
MARRIAGE = """mutation($input: MarriageRegistrationInput!) { registerMarriage(input: $input) {
  id kind subject { personalId } husband { personalId } wife { personalId } } }"""
DIVORCE = """mutation($input: DivorceRecordingInput!) { recordDivorce(input: $input) {
  id kind subject { personalId } otherParty { personalId } decisionKind decisionNumber } }"""
CHANGE = """mutation($input: CivilStatusAmendmentInput!) { registerCivilStatusChange(input: $input) {
  id kind subject { personalId } item oldValue newValue reason } }"""
CORRECTION = """mutation($input: CivilStatusAmendmentInput!) { registerCivilStatusCorrection(input: $input) {
  id kind item oldValue newValue } }"""


@cache
def people() -> tuple[SeedPerson, ...]:
    return tuple(make_people(150, seed=31))


def _alive(p: SeedPerson) -> bool:
    return p.date_of_death is None and p.missing_since is None


def pick(test: Any, n: int = 1, offset: int = 0) -> list[SeedPerson]:
    found = [p for p in people() if test(p)]
    assert len(found) >= offset + n, "the test world lacks such persons"
    return found[offset: offset + n]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def seeded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One seeded database per backend and module; every test writes other persons' records."""
    yield from seeded_database(request, tmp_path_factory.mktemp("cs_writes") / "cs.db", list(people()))


@pytest.fixture
async def subgraph(seeded_url: str, internal_keys: Any) -> AsyncIterator[Subgraph]:
    async with serving(seeded_url, internal_keys) as sg:
        yield sg


def counts(url: str) -> tuple[int, int, int]:
    engine = create_engine(url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg"))
    with engine.connect() as conn:
        out = tuple(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (EVENT, PARTY, OUTBOX))
    engine.dispose()
    return out  # type: ignore[return-value]


def outbox(url: str) -> list[dict[str, Any]]:
    engine = create_engine(url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg"))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(OUTBOX).order_by(OUTBOX.c.created_at)).mappings()]
    engine.dispose()
    return rows


def last_event(url: str, topic: str) -> dict[str, Any]:
    rows = [r for r in outbox(url) if r["topic"] == topic]
    assert rows, topic
    return {**rows[-1], "payload": orjson.loads(rows[-1]["payload"])}


def bad_fields(body: dict[str, Any]) -> list[str]:
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    fields = [f["field"] for f in error["extensions"].get("invalidFields", [])] or [error["extensions"]["argumentName"]]
    assert error["extensions"]["argumentName"] == fields[0]
    return fields


def birth_input(father: SeedPerson, mother: SeedPerson, **over: Any) -> dict[str, Any]:
    return {**REGISTRATION, "fullName": "Nguyễn Minh Khang", "dateOfBirth": "2026-05-20", "sex": "MALE",
            "placeOfBirth": "Bệnh viện Từ Dũ, Phường Bến Thành, Thành phố Hồ Chí Minh",
            "fatherPersonalId": father.personal_id, "motherPersonalId": mother.personal_id,
            "declarantName": father.full_name, "declarantPersonalId": father.personal_id,
            "declarantRelationship": "Cha",
            "fatherIdentityPaper": {"kind": "CITIZEN_ID_CARD", "number": father.personal_id,
                                    "issuingAuthority": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
                                    "issueDate": "2021-04-02"},
            **over}


def _couple() -> tuple[SeedPerson, SeedPerson]:
    husband = pick(lambda p: p.sex == "MALE" and p.marital_status == "MARRIED" and _alive(p))[0]
    wife = next(p for p in people() if p.personal_id == husband.spouse_id)
    return husband, wife


# -- birth ----------------------------------------------------------------------------------------------------

async def test_register_birth_writes_the_record_its_event_and_its_write_record(subgraph: Subgraph,
                                                                               seeded_url: str) -> None:
    father, mother = _couple()
    before = counts(seeded_url)
    body = await subgraph.query(BIRTH, {"input": birth_input(father, mother)})
    assert "errors" not in body, body
    birth = body["data"]["registerBirth"]
    assert birth["kind"] == "BIRTH" and birth["subject"] is None  # until population issues the child's id
    assert birth["father"] == {"personalId": father.personal_id} and birth["source"] == "REGISTRATION_SOFTWARE"
    assert birth["createdAt"] == birth["updatedAt"] and birth["createdAt"].endswith("Z")
    assert birth["registrationNumber"] == f"{int(birth['id']):08d}/2026"
    assert birth["fatherIdentityPaper"] == {"kind": "CITIZEN_ID_CARD", "number": father.personal_id,
                                            "holder": {"personalId": father.personal_id}}
    assert counts(seeded_url) == (before[0] + 1, before[1], before[2] + 1)  # no party until linked
    event = last_event(seeded_url, "civil_status.birth_registered")
    assert event["key"] == birth["id"] and event["published_at"] is None
    assert event["payload"] | {"registeredAt": None} == {
        "registrationId": birth["id"], "registrationNumber": birth["registrationNumber"],
        "fullName": "Nguyễn Minh Khang", "sex": "MALE", "dateOfBirth": "2026-05-20",
        "placeOfBirth": "Bệnh viện Từ Dũ, Phường Bến Thành, Thành phố Hồ Chí Minh",
        "registrationProvinceCode": "079", "placeOfBirthRegistration": "Ủy ban nhân dân Phường Bến Nghé",
        "hometown": None, "ethnicity": None, "nationality": "Việt Nam", "fatherPersonalId": father.personal_id,
        "motherPersonalId": mother.personal_id, "registeredAt": None}
    [record] = body["extensions"][WRITES_EXTENSION]
    assert record["coordinate"] == "Mutation.registerBirth" and record["recordId"] == birth["id"]
    assert record["before"] is None and record["after"].startswith("sha256:") and len(record["after"]) == 71
    assert record["subjects"] == sorted({father.personal_id, mother.personal_id})
    assert "Khang" not in orjson.dumps(record).decode()  # hashes, never values


async def test_a_foreign_father_is_recorded_by_his_passport(subgraph: Subgraph) -> None:
    _, mother = _couple()
    passport = {"kind": "PASSPORT", "number": "M1234567", "issuingCountry": "Hàn Quốc",
                "holderName": "KIM MIN JUN", "holderNationality": "Hàn Quốc"}
    body = await subgraph.query(BIRTH, {"input": birth_input(mother, mother, fatherPersonalId=None,
                                                             declarantName=mother.full_name,
                                                             declarantPersonalId=mother.personal_id,
                                                             fatherIdentityPaper=passport)})
    assert "errors" not in body, body
    birth = body["data"]["registerBirth"]
    assert birth["father"] is None and birth["fatherIdentityPaper"]["holder"] is None


async def test_every_wrong_field_is_named_and_nothing_is_written(subgraph: Subgraph, seeded_url: str) -> None:
    father, mother = _couple()
    before = counts(seeded_url)
    wrong = birth_input(
        father, mother, fullName="  ", dateOfBirth="2026-06-15", registrationProvinceCode="999",
        motherPersonalId=father.personal_id, registrationDate="2099-01-01",
        fatherIdentityPaper={"kind": "CITIZEN_ID_CARD", "number": "001099000001"},
        motherIdentityPaper={"kind": "PASSPORT", "number": "M1"},
    )
    body = await subgraph.query(BIRTH, {"input": wrong})
    assert body["data"]["registerBirth"] is None
    assert set(bad_fields(body)) == {
        "input.registrationDate", "input.registrationProvinceCode", "input.motherPersonalId", "input.fullName",
        "input.fatherIdentityPaper.number", "input.motherIdentityPaper.number",
    }
    # one field at a time: each refusal names that field
    for override, field in (
        ({"dateOfBirth": "2026-06-15"}, "input.dateOfBirth"),
        ({"dateOfBirth": "2026"}, "input.dateOfBirth"),
        ({"dateOfBirth": "2026-02-30"}, "input.dateOfBirth"),
        ({"fatherPersonalId": "12345"}, "input.fatherPersonalId"),
        ({"registeringAuthority": "x" * 201}, "input.registeringAuthority"),
        ({"declarantName": "An\x00"}, "input.declarantName"),
        ({"registrationNumber": "12 34"}, "input.registrationNumber"),
        ({"motherPersonalId": None, "motherIdentityPaper": {"kind": "PASSPORT", "number": "B7654321"}},
         "input.motherIdentityPaper.holderName"),  # a holder with no personal id is named
    ):
        fields = bad_fields(await subgraph.query(BIRTH, {"input": birth_input(father, mother, **override)}))
        assert fields == [field], (override, fields)
    assert counts(seeded_url) == before


async def test_a_registration_number_is_unique_in_its_book(subgraph: Subgraph, seeded_url: str) -> None:
    father, mother = _couple()
    numbered = birth_input(father, mother, registrationNumber="KS-2026/777", bookNumber="01/2026")
    assert "errors" not in await subgraph.query(BIRTH, {"input": numbered})
    before = counts(seeded_url)
    assert bad_fields(await subgraph.query(BIRTH, {"input": numbered})) == ["input.registrationNumber"]
    assert counts(seeded_url) == before


# -- death, marriage, divorce -----------------------------------------------------------------------------

async def test_register_death_once(subgraph: Subgraph, seeded_url: str) -> None:
    person = pick(lambda p: _alive(p) and p.birth_year < 1990, offset=3)[0]
    data = {**REGISTRATION, "personalId": person.personal_id, "dateOfDeath": "2026-05-30",
            "placeOfDeath": "Tại nhà", "causeOfDeath": "Tuổi cao"}
    body = await subgraph.query(DEATH, {"input": data})
    assert "errors" not in body, body
    assert body["data"]["registerDeath"]["subject"] == {"personalId": person.personal_id}
    event = last_event(seeded_url, "civil_status.death_registered")
    assert event["key"] == person.personal_id and event["payload"]["dateOfDeath"] == "2026-05-30"
    before = counts(seeded_url)
    again = await subgraph.query(DEATH, {"input": data})
    assert bad_fields(again) == ["input.personalId"] and again["data"]["registerDeath"] is None
    young = pick(lambda p: _alive(p) and p.birth_year >= 1990 and len(p.date_of_birth) == 10)[0]
    early = {**data, "personalId": young.personal_id, "dateOfDeath": "1989"}
    assert bad_fields(await subgraph.query(DEATH, {"input": early})) == ["input.dateOfDeath"]
    assert counts(seeded_url) == before


async def test_register_marriage_of_two_unmarried_adults(subgraph: Subgraph, seeded_url: str) -> None:
    adult = lambda sex: lambda p: (p.sex == sex and p.marital_status == "SINGLE" and _alive(p)  # noqa: E731
                                   and p.birth_year <= 2000)
    [husband], [wife] = pick(adult("MALE")), pick(adult("FEMALE"))
    data = {**REGISTRATION, "husbandPersonalId": husband.personal_id, "wifePersonalId": wife.personal_id}
    body = await subgraph.query(MARRIAGE, {"input": data})
    assert "errors" not in body, body
    result = body["data"]["registerMarriage"]
    assert result["husband"] == {"personalId": husband.personal_id} and result["subject"] == result["husband"]
    assert last_event(seeded_url, "civil_status.marriage_registered")["payload"]["spouses"] == [
        husband.personal_id, wife.personal_id]
    assert body["extensions"][WRITES_EXTENSION][0]["subjects"] == sorted([husband.personal_id, wife.personal_id])
    before = counts(seeded_url)
    [other] = pick(adult("FEMALE"), offset=1)
    bigamy = {**data, "wifePersonalId": other.personal_id}
    assert bad_fields(await subgraph.query(MARRIAGE, {"input": bigamy})) == ["input.husbandPersonalId"]
    swapped = {**data, "husbandPersonalId": wife.personal_id, "wifePersonalId": husband.personal_id}
    assert set(bad_fields(await subgraph.query(MARRIAGE, {"input": swapped}))) == {
        "input.husbandPersonalId", "input.wifePersonalId"}
    assert counts(seeded_url) == before


async def test_record_divorce_of_a_marriage_in_force(subgraph: Subgraph, seeded_url: str) -> None:
    husband, wife = pick(lambda p: p.sex == "MALE" and p.marital_status == "MARRIED" and _alive(p), offset=1)[0], None
    wife = next(p for p in people() if p.personal_id == husband.spouse_id)
    data = {**REGISTRATION, "personalId": husband.personal_id, "otherPartyPersonalId": wife.personal_id,
            "court": "Tòa án nhân dân khu vực 1 - Thành phố Hồ Chí Minh", "decisionNumber": "12/2026/QĐST-HNGĐ",
            "decisionDate": "2026-05-12"}
    body = await subgraph.query(DIVORCE, {"input": data})
    assert "errors" not in body, body
    assert body["data"]["recordDivorce"]["decisionKind"] == "DIVORCE"
    payload = last_event(seeded_url, "civil_status.divorce_recorded")["payload"]
    assert payload["spouses"] == [husband.personal_id, wife.personal_id] and payload["date"] == "2026-05-12"
    assert "12/2026/QĐST-HNGĐ" in payload["courtDecisionRef"]
    before = counts(seeded_url)
    assert bad_fields(await subgraph.query(DIVORCE, {"input": data})) == ["input.otherPartyPersonalId"]
    # divorced, each may marry again
    remarry = {**REGISTRATION, "husbandPersonalId": husband.personal_id, "wifePersonalId": wife.personal_id}
    assert "errors" not in await subgraph.query(MARRIAGE, {"input": remarry})
    assert counts(seeded_url)[0] == before[0] + 1


# -- change and correction --------------------------------------------------------------------------------

async def test_change_and_correction_amend_the_birth_record(subgraph: Subgraph, seeded_url: str) -> None:
    person = pick(lambda p: _alive(p) and len(p.date_of_birth) == 10, offset=5)[0]
    birth_query = """query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person {
      birthRegistration { id updatedAt } } } }"""
    reps = {"reps": [{"__typename": "Person", "personalId": person.personal_id}]}
    first = (await subgraph.query(birth_query, reps))["data"]["_entities"][0]["birthRegistration"]
    change = {**REGISTRATION, "personalId": person.personal_id, "item": "FULL_NAME", "newValue": "Lê Hoàng Phúc",
              "reason": "Theo nguyện vọng"}
    body = await subgraph.query(CHANGE, {"input": change})
    assert "errors" not in body, body
    assert body["data"]["registerCivilStatusChange"]["oldValue"] == person.full_name  # the recorded value
    records = body["extensions"][WRITES_EXTENSION]
    assert [r["recordType"] for r in records] == ["BirthRegistration", "CivilStatusChange"]
    assert records[0]["recordId"] == first["id"] and records[0]["before"] != records[0]["after"]
    assert None not in (records[0]["before"], records[0]["after"])
    later = (await subgraph.query(birth_query, reps))["data"]["_entities"][0]["birthRegistration"]
    assert later["updatedAt"] >= first["updatedAt"]
    event = last_event(seeded_url, "civil_status.change_recorded")
    assert event["payload"]["changes"] == {"fullName": "Lê Hoàng Phúc"} and event["key"] == person.personal_id
    before = counts(seeded_url)
    stale = {**change, "oldValue": person.full_name, "newValue": "Lê Hoàng Nam"}  # no longer the recorded one
    assert bad_fields(await subgraph.query(CHANGE, {"input": stale})) == ["input.oldValue"]
    same = {**change}
    assert bad_fields(await subgraph.query(CHANGE, {"input": same})) == ["input.newValue"]
    bad_date = {**change, "item": "DATE_OF_BIRTH", "newValue": "2001-13-01"}
    assert bad_fields(await subgraph.query(CORRECTION, {"input": bad_date})) == ["input.newValue"]
    unknown = {**change, "personalId": "079099999999"}
    assert bad_fields(await subgraph.query(CHANGE, {"input": unknown})) == ["input.personalId"]
    assert counts(seeded_url) == before
    fixed = {**change, "item": "DATE_OF_BIRTH", "newValue": person.date_of_birth[:8] + (
        "15" if person.date_of_birth[8:] != "15" else "16")}
    body = await subgraph.query(CORRECTION, {"input": fixed})
    assert "errors" not in body, body
    assert body["data"]["registerCivilStatusCorrection"]["oldValue"] == person.date_of_birth


# -- who may write, and all or nothing -----------------------------------------------------------------------

async def test_only_the_gateway_with_an_account_may_write(subgraph: Subgraph, seeded_url: str,
                                                          internal_keys: Any) -> None:
    father, mother = _couple()
    before = counts(seeded_url)
    payload = {"query": BIRTH, "variables": {"input": birth_input(father, mother)}}
    assert (await subgraph.client.post("/graphql", json=payload)).status_code == 401
    other = internal_keys.headers("population", agency="court-hn")  # a token for another subgraph
    assert (await subgraph.client.post("/graphql", json=payload, headers=other)).status_code == 401
    anonymous = internal_keys.headers("civil_status", sub=None, agency="court-hn")
    body = (await subgraph.client.post("/graphql", json=payload, headers=anonymous)).json()
    assert body["data"]["registerBirth"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert counts(seeded_url) == before


async def test_a_failure_after_the_insert_writes_nothing(subgraph: Subgraph, seeded_url: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from subgraphs.civil_status import registry

    async def broken(*_: Any, **__: Any) -> str:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(registry, "add_event", broken)
    father, mother = _couple()
    before = counts(seeded_url)
    body = await subgraph.query(BIRTH, {"input": birth_input(father, mother)})
    assert body["data"]["registerBirth"] is None and body["errors"]
    assert WRITES_EXTENSION not in (body.get("extensions") or {})  # nothing written, nothing to audit
    assert counts(seeded_url) == before


async def test_concurrent_registrations_get_distinct_ids(subgraph: Subgraph) -> None:
    father, mother = _couple()
    bodies = await asyncio.gather(*(subgraph.query(BIRTH, {"input": birth_input(father, mother)})
                                    for _ in range(6)))
    assert all("errors" not in b for b in bodies), bodies
    ids = {b["data"]["registerBirth"]["id"] for b in bodies}
    assert len(ids) == 6
