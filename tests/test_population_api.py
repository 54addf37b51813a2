"""The population subgraph over HTTP, on SQLite and PostgreSQL: lookups, batching, search, validation."""

from __future__ import annotations

import base64

import pytest
from population_fixtures import (  # noqa: F401 - fixtures
    PopulationClient,
    by_id,
    population_database,
    population_fixture,
)

from subgraphs.common.identifiers import personal_id_problem

FIELDS = """personalId fullName otherNames dateOfBirth sex placeOfBirth placeOfBirthRegistration hometown
ethnicity religion nationality maritalStatus permanentAddress temporaryAddress currentAddress oldIdCardNumber
dateOfDeath missingSince processingRestricted"""
RELATIVES = "father { personalId fullName } mother { personalId fullName } spouse { personalId maritalStatus }"
ENTITIES = f"""query($r: [_Any!]!) {{ _entities(representations: $r) {{
  ... on Person {{ personalId fullName dateOfBirth {RELATIVES} }} }} }}"""
PERSONS = f"query($ids: [ID!]!) {{ persons(personalIds: $ids) {{ personalId {RELATIVES} }} }}"


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def _code(body: dict) -> tuple[str, str | None]:
    ext = body["errors"][0]["extensions"]
    return ext["code"], ext.get("argumentName")


async def test_person_has_every_field(population: PopulationClient) -> None:
    child = next(p for p in population.people if p.father_id and p.mother_id)
    body = await population.gql(
        f"query($id: ID!) {{ person(personalId: $id) {{ {FIELDS} {RELATIVES} }} }}", {"id": child.personal_id}
    )
    assert "errors" not in body, body
    got = body["data"]["person"]
    assert got["personalId"] == child.personal_id
    assert got["fullName"] == child.full_name
    assert got["dateOfBirth"] == child.date_of_birth
    assert got["sex"] == child.sex and got["nationality"] == "Việt Nam"
    assert got["permanentAddress"] == child.permanent_address
    assert got["processingRestricted"] is child.processing_restricted
    assert got["father"]["personalId"] == child.father_id
    assert got["mother"]["personalId"] == child.mother_id
    assert got["otherNames"] == child.other_names


async def test_spouse_is_kept_for_married_and_widowed_only(population: PopulationClient) -> None:
    people = by_id(population.people)
    married = next(p for p in population.people if p.marital_status == "MARRIED")
    divorced = next((p for p in population.people if p.marital_status == "DIVORCED"), None)
    ids = [married.personal_id] + ([divorced.personal_id] if divorced else [])
    body = await population.gql(PERSONS, {"ids": ids})
    first = body["data"]["persons"][0]
    assert first["spouse"]["personalId"] == married.spouse_id
    assert first["spouse"]["maritalStatus"] in ("MARRIED", "WIDOWED")
    assert people[married.spouse_id].spouse_id == married.personal_id
    if divorced:
        assert body["data"]["persons"][1]["spouse"] is None


async def test_unknown_person_is_null(population: PopulationClient) -> None:
    unknown = "001099999999"
    assert personal_id_problem(unknown) is None and unknown not in by_id(population.people)
    body = await population.gql("query($id: ID!) { person(personalId: $id) { fullName } }", {"id": unknown})
    assert body == {"data": {"person": None}}


@pytest.mark.parametrize("bad", ["12345", "00109999999a", "999099999999", "0010999999999"])
async def test_malformed_personal_id_is_refused_before_sql(population: PopulationClient, bad: str) -> None:
    body, statements = await population.counted(
        "query($id: ID!) { person(personalId: $id) { fullName } }", {"id": bad}
    )
    assert _code(body) == ("BAD_USER_INPUT", "personalId")
    assert body["data"] == {"person": None}
    assert statements == 0


async def test_persons_keeps_input_order_with_nulls(population: PopulationClient) -> None:
    ids = [p.personal_id for p in population.people[:5]]
    wanted = [ids[3], "001099999999", ids[0], ids[3]]
    body = await population.gql("query($ids: [ID!]!) { persons(personalIds: $ids) { personalId } }", {"ids": wanted})
    got = [p and p["personalId"] for p in body["data"]["persons"]]
    assert got == [ids[3], None, ids[0], ids[3]]


@pytest.mark.parametrize("ids", [[], ["001099999999"] * 501, ["001099999999", "12"]])
async def test_persons_refuses_bad_lists_before_sql(population: PopulationClient, ids: list[str]) -> None:
    body, statements = await population.counted(
        "query($ids: [ID!]!) { persons(personalIds: $ids) { personalId } }", {"ids": ids}
    )
    assert _code(body) == ("BAD_USER_INPUT", "personalIds")
    assert statements == 0


@pytest.mark.parametrize("n", [1, 200])
async def test_entities_and_relatives_cost_constant_statements(population: PopulationClient, n: int) -> None:
    with_family = [p for p in population.people if p.father_id][:n]
    assert len(with_family) == n
    reps = [{"__typename": "Person", "personalId": p.personal_id} for p in with_family]
    body, statements = await population.counted(ENTITIES, {"r": reps})
    assert "errors" not in body, body
    entities = body["data"]["_entities"]
    assert [e["personalId"] for e in entities] == [p.personal_id for p in with_family]
    assert all((e["father"] or {}).get("personalId") == p.father_id for e, p in zip(entities, with_family, strict=True))
    # One IN (...) for the representations, one for all fathers, mothers and spouses together.
    print(f"_entities N={n}: {statements} SQL statements")
    assert statements == 2

    body, statements = await population.counted(PERSONS, {"ids": [p.personal_id for p in with_family]})
    assert "errors" not in body, body
    print(f"persons N={n}: {statements} SQL statements")
    assert statements == 2


async def test_entities_refuse_malformed_representation(population: PopulationClient) -> None:
    good = population.people[0].personal_id
    reps = [{"__typename": "Person", "personalId": "bad"}, {"__typename": "Person", "personalId": good}]
    body = await population.gql("query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { personalId } } }",
                                {"r": reps})
    assert body["data"]["_entities"] == [None, {"personalId": good}]
    assert _code(body) == ("BAD_USER_INPUT", "representations")


SEARCH = """query($name: String!, $year: Int, $province: String, $first: Int, $after: String) {
  searchPersons(name: $name, birthYear: $year, provinceCode: $province, first: $first, after: $after) {
    edges { cursor node { personalId fullName dateOfBirth permanentAddress } }
    pageInfo { hasNextPage endCursor } } }"""


async def test_search_ignores_accents_and_case_and_pages(population: PopulationClient) -> None:
    family = population.people[0].full_name.split()[0]  # e.g. "Nguyễn"
    expected = sorted(p.personal_id for p in population.people if p.full_name.split()[0] == family)
    ascii_query = family.lower().replace("đ", "d")
    import unicodedata

    ascii_query = "".join(c for c in unicodedata.normalize("NFD", ascii_query) if not unicodedata.combining(c))
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        body = await population.gql(SEARCH, {"name": ascii_query.upper(), "first": 7, "after": after})
        assert "errors" not in body, body
        conn = body["data"]["searchPersons"]
        seen += [e["node"]["personalId"] for e in conn["edges"]]
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
        assert after and after == conn["edges"][-1]["cursor"]
    # Whole words: the family name may also appear as a given name, never as part of a longer word.
    assert set(expected) <= set(seen)
    assert len(seen) == len(set(seen)) and pages == -(-len(seen) // 7)


async def test_search_filters_by_birth_year_and_province(population: PopulationClient) -> None:
    target = population.people[10]
    name = " ".join(target.full_name.split()[1:])  # middle and given name
    body = await population.gql(
        SEARCH, {"name": name, "year": target.birth_year, "province": target.province_code, "first": 100}
    )
    nodes = [e["node"] for e in body["data"]["searchPersons"]["edges"]]
    assert target.personal_id in [n["personalId"] for n in nodes]
    for node in nodes:
        assert node["dateOfBirth"].startswith(str(target.birth_year))
    from subgraphs.common.provinces import BY_CODE

    assert all(n["permanentAddress"].endswith(BY_CODE[target.province_code].name) for n in nodes)


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "An", "first": 0}, "first"),
        ({"name": "An", "first": 101}, "first"),
        ({"name": "An", "year": 1500}, "birthYear"),
        ({"name": "An", "province": "999"}, "provinceCode"),
        ({"name": "An", "after": "not-a-cursor!"}, "after"),
        ({"name": "An", "after": _b64("o:10000")}, "after"),  # beyond the deepest page
        ({"name": "An", "after": _b64("k:5")}, "after"),
    ],
)
async def test_search_refuses_bad_arguments_before_sql(
    population: PopulationClient, variables: dict, argument: str
) -> None:
    body, statements = await population.counted(SEARCH, variables)
    assert _code(body) == ("BAD_USER_INPUT", argument)
    assert statements == 0
