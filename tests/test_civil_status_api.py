"""The civil-status subgraph over HTTP (internal token, ASGI transport), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import cache
from typing import Any

import pytest
from test_civil_status_support import (
    Subgraph,
    make_people,
    seeded_database,
    serving,
)

from subgraphs.civil_status.enums import CivilStatusEventKind
from subgraphs.seed.world import SeedPerson

EVENT_FIELDS = """
  __typename id kind registrationNumber bookNumber registrationDate registeringAuthority
  registrationProvinceCode registrationProvince signerName signerTitle subject { personalId }
  ... on BirthRegistration {
    fullName dateOfBirth sex ethnicity father { personalId } mother { personalId }
    declarantPersonalId declarant { personalId }
  }
  ... on MarriageRegistration { husband { personalId } wife { personalId } }
  ... on DeathRegistration { dateOfDeath placeOfDeath causeOfDeath }
  ... on CourtDecisionRecording { court decisionNumber decisionDate decisionKind otherParty { personalId } }
  ... on ForeignEventRecording { recordedEvent foreignCountry foreignDocumentDate otherParty { personalId } }
  ... on CivilStatusAmendment { item oldValue newValue reason }
  ... on EthnicityRedetermination { oldEthnicity newEthnicity }
  ... on GuardianshipRegistration { guardian { personalId } basis }
  ... on GuardianshipTermination { guardian { personalId } reason }
  ... on ParentChildRecognition { parent { personalId } parentRole }
  ... on AdoptionRegistration { adoptiveFather { personalId } adoptiveMother { personalId } }
  ... on MaritalStatusConfirmation { maritalStatus intendedUse validUntil }
"""
BIRTH_FIELDS = """
  __typename id kind registrationNumber bookNumber registrationDate registeringAuthority
  registrationProvinceCode registrationProvince signerName signerTitle subject { personalId }
  fullName dateOfBirth sex ethnicity father { personalId } mother { personalId }
  declarantPersonalId declarant { personalId }
"""
ENTITIES = f"""
query($reps: [_Any!]!, $kinds: [CivilStatusEventKind!]) {{
  _entities(representations: $reps) {{
    ... on Person {{
      personalId
      birthRegistration {{ {BIRTH_FIELDS} }}
      civilStatusEvents(kinds: $kinds) {{ {EVENT_FIELDS} }}
    }}
  }}
}}
"""
RECORDS = f"query($n: String!) {{ civilStatusRecords(registrationNumber: $n) {{ {EVENT_FIELDS} }} }}"


@cache
def people() -> tuple[SeedPerson, ...]:
    return tuple(make_people(1500))


def reps(persons: list[SeedPerson] | tuple[SeedPerson, ...]) -> list[dict[str, str]]:
    return [{"__typename": "Person", "personalId": p.personal_id} for p in persons]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def seeded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One seeded database per backend and module: the tests only read."""
    yield from seeded_database(request, tmp_path_factory.mktemp("civil_status") / "civil_status.db", list(people()))


@pytest.fixture
async def subgraph(seeded_url: str, internal_keys: Any) -> AsyncIterator[Subgraph]:
    async with serving(seeded_url, internal_keys) as sg:
        yield sg


async def test_only_the_gateway_may_call(subgraph: Subgraph, internal_keys: Any) -> None:
    body = {"query": '{ civilStatusRecords(registrationNumber: "1") { id } }'}
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, internal_keys.headers("population")):
        before = subgraph.db.statements
        response = await subgraph.client.post("/graphql", json=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert subgraph.db.statements == before
    health = await subgraph.client.get("/healthz")
    assert health.status_code == 200 and health.json()["subgraph"] == "civil_status"


async def test_entities_cost_one_statement_for_1_or_200_persons(subgraph: Subgraph) -> None:
    one, n1 = await subgraph.counted(ENTITIES, {"reps": reps(people()[:1])})
    many, n200 = await subgraph.counted(ENTITIES, {"reps": reps(people()[:200])})
    print(f"SQL statements: N=1 -> {n1}, N=200 -> {n200}")
    assert "errors" not in one and "errors" not in many
    assert n1 == n200 == 1
    assert len(many["data"]["_entities"]) == 200
    by_id = {p.personal_id: p for p in people()}
    for entity in many["data"]["_entities"]:
        p = by_id[entity["personalId"]]
        birth = entity["birthRegistration"]
        assert birth["kind"] == "BIRTH" and birth["fullName"] == p.full_name
        assert birth["dateOfBirth"] == p.date_of_birth and birth["sex"] == p.sex
        assert birth["registrationProvinceCode"] == p.birth_province_code
        assert (birth["father"] or {}).get("personalId") == p.father_id
        # the declarant as a Person comes from the stored id: no statement of its own (n200 == 1 above)
        assert (birth["declarant"] or {}).get("personalId") == birth["declarantPersonalId"]
        assert birth["declarantPersonalId"] in {p.father_id, p.mother_id}
        (listed,) = [e for e in entity["civilStatusEvents"] if e["id"] == birth["id"]]
        assert {k: listed[k] for k in birth} == birth
        dates = [e["registrationDate"] for e in entity["civilStatusEvents"]]
        assert dates == sorted(dates)


async def test_events_agree_with_the_population_record(subgraph: Subgraph) -> None:
    persons = people()[:400]
    body = await subgraph.query(ENTITIES, {"reps": reps(persons)})
    events = {e["personalId"]: e["civilStatusEvents"] for e in body["data"]["_entities"]}
    checked = {"marriage": 0, "divorce": 0, "death": 0}
    for p in persons:
        mine = events[p.personal_id]
        if p.date_of_death:
            (death,) = [e for e in mine if e["kind"] == "DEATH"]
            assert death["dateOfDeath"] == p.date_of_death and death["causeOfDeath"]
            checked["death"] += 1
        if p.marriage_date and p.spouse_id in events:
            weddings = [e for e in mine if e["kind"] == "MARRIAGE" or e.get("recordedEvent") == "MARRIAGE"]
            (wedding,) = weddings
            assert wedding in events[p.spouse_id], "one record, listed under both spouses"
            if wedding["kind"] == "MARRIAGE":
                assert wedding["registrationDate"] == p.marriage_date
                role = "husband" if p.sex == "MALE" else "wife"
                assert wedding[role]["personalId"] == p.personal_id
            checked["marriage"] += 1
        if p.marital_status == "DIVORCED":
            (divorce,) = [e for e in mine if e.get("decisionKind") == "DIVORCE"]
            assert divorce["decisionDate"] == p.divorce_date
            checked["divorce"] += 1
    assert all(checked.values()), checked


async def test_kinds_filter(subgraph: Subgraph) -> None:
    persons = people()[:300]
    body, n = await subgraph.counted(ENTITIES, {"reps": reps(persons), "kinds": ["DEATH", "MARRIAGE"]})
    assert n == 1
    kinds = {e["kind"] for ent in body["data"]["_entities"] for e in ent["civilStatusEvents"]}
    assert kinds == {"DEATH", "MARRIAGE"}
    only_events = """query($reps: [_Any!]!, $kinds: [CivilStatusEventKind!]) {
        _entities(representations: $reps) { ... on Person { civilStatusEvents(kinds: $kinds) { id } } } }"""
    body, n = await subgraph.counted(only_events, {"reps": reps(persons[:2]), "kinds": []})
    assert n == 0
    assert {e["extensions"]["argumentName"] for e in body["errors"]} == {"kinds"}
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}


async def test_every_kind_resolves_to_its_type_by_registration_number(subgraph: Subgraph) -> None:
    from sqlalchemy import func, select

    from subgraphs.civil_status.models import EVENT

    async with subgraph.db.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(EVENT.c.kind, func.min(EVENT.c.registration_number)).group_by(EVENT.c.kind)
            )
        ).all()
    numbers = dict(rows)
    assert set(numbers) == {k.value for k in CivilStatusEventKind}
    for kind, number in numbers.items():
        body, n = await subgraph.counted(RECORDS, {"n": number})
        assert n == 1 and "errors" not in body, body
        (event,) = body["data"]["civilStatusRecords"]
        assert event["kind"] == kind and event["registrationNumber"] == number
        assert event["registrationProvince"].startswith(("Tỉnh", "Thành phố"))
    assert (await subgraph.query(RECORDS, {"n": "99999999/1900"}))["data"]["civilStatusRecords"] == []


async def test_registrations_of_a_province_and_year(subgraph: Subgraph) -> None:
    p = people()[0]
    query = """query($p: String!, $y: Int!) { civilStatusRegistrations(provinceCode: $p, year: $y, first: 200) {
        registrationProvinceCode registrationDate kind } }"""
    year = int(p.date_of_birth[:4])
    body = await subgraph.query(query, {"p": p.birth_province_code, "y": year})
    found = body["data"]["civilStatusRegistrations"]
    assert found and all(e["registrationProvinceCode"] == p.birth_province_code for e in found)
    assert all(e["registrationDate"][:4] == str(year) for e in found)


BAD_INPUTS = [
    (RECORDS, {"n": ""}, "registrationNumber"),
    (RECORDS, {"n": "   "}, "registrationNumber"),
    (RECORDS, {"n": "1" * 41}, "registrationNumber"),
    (RECORDS, {"n": "12 3"}, "registrationNumber"),
    (RECORDS, {"n": "1';DROP TABLE x"}, "registrationNumber"),
    (ENTITIES, {"reps": [{"__typename": "Person", "personalId": "123"}]}, "representations"),
    (ENTITIES, {"reps": [{"__typename": "Person", "personalId": "999012345678"}]}, "representations"),
    (ENTITIES, {"reps": [{"__typename": "Person"}]}, "representations"),
    ('{ civilStatusEvent(id: "x1") { id } }', {}, "id"),
    ('{ civilStatusRegistrations(provinceCode: "002", year: 2020) { id } }', {}, "provinceCode"),
    ('{ civilStatusRegistrations(provinceCode: "001", year: 1800) { id } }', {}, "year"),
    ('{ civilStatusRegistrations(provinceCode: "001", year: 2020, first: 0) { id } }', {}, "first"),
    ('{ civilStatusRegistrations(provinceCode: "001", year: 2020, first: 201) { id } }', {}, "first"),
    ('{ civilStatusRegistrations(provinceCode: "001", year: 2020, offset: -1) { id } }', {}, "offset"),
    ('{ civilStatusRegistrations(provinceCode: "001", year: 2020, kinds: []) { id } }', {}, "kinds"),
]


@pytest.mark.parametrize(("query", "variables", "argument"), BAD_INPUTS)
async def test_bad_input_is_refused_before_any_sql(
    subgraph: Subgraph, query: str, variables: dict[str, Any], argument: str
) -> None:
    body, statements = await subgraph.counted(query, variables)
    assert statements == 0
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argumentName": argument}
    assert argument in error["message"]
