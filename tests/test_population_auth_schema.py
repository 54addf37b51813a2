"""Only the gateway may call the population subgraph; every field it serves is classified (004 Art. 2)."""

from __future__ import annotations

import pytest
from graphql import ObjectTypeDefinitionNode, parse
from population_fixtures import PopulationClient, population_database, population_fixture  # noqa: F401

from gateway.keys import InternalTokenMinter, load_or_create_internal_key
from subgraphs.population.schema import schema

QUERY = {"query": "{ person(personalId: \"001099999999\") { personalId } }"}


async def test_healthz_is_open(population: PopulationClient) -> None:
    response = await population.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "subgraph": "population"}


async def _refused(population: PopulationClient, headers: dict[str, str]) -> None:
    before = population.db.statements
    response = await population.http.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert population.db.statements == before


async def test_request_without_token_is_refused(population: PopulationClient) -> None:
    await _refused(population, {})
    await _refused(population, {"Authorization": "Basic dXNlcjpwYXNz"})


async def test_request_with_garbage_token_is_refused(population: PopulationClient) -> None:
    await _refused(population, {"Authorization": "Bearer not.a.jwt"})


async def test_expired_token_is_refused(population: PopulationClient) -> None:
    expired = InternalTokenMinter(population.keys.minter.key, ttl=-120).mint("population", sub="x")
    await _refused(population, {"Authorization": f"Bearer {expired}"})


async def test_token_for_another_subgraph_is_refused(population: PopulationClient) -> None:
    await _refused(population, population.keys.headers("sentences"))


async def test_token_signed_by_another_key_is_refused(population: PopulationClient, tmp_path) -> None:
    stranger = load_or_create_internal_key(tmp_path / "other" / "k.json", tmp_path / "other" / "jwks.json")
    token = InternalTokenMinter(stranger).mint("population", sub="x")
    await _refused(population, {"Authorization": f"Bearer {token}"})


async def test_valid_token_is_served(population: PopulationClient) -> None:
    response = await population.http.post("/graphql", json=QUERY, headers=population.headers)
    assert response.status_code == 200 and response.json() == {"data": {"person": None}}


def _categories(sdl: str) -> dict[str, str | None]:
    """``Type.field`` -> category of every object field (federation's own ``_``-fields excluded)."""
    out: dict[str, str | None] = {}
    for node in parse(sdl).definitions:
        if isinstance(node, ObjectTypeDefinitionNode) and not node.name.value.startswith("_"):
            for f in node.fields or ():
                if f.name.value.startswith("_"):
                    continue
                directive = next((d for d in f.directives or () if d.name.value == "personalData"), None)
                out[f"{node.name.value}.{f.name.value}"] = directive and directive.arguments[0].value.value
    return out


async def test_sdl_classifies_every_field(population: PopulationClient) -> None:
    """Every output field of the served SDL carries @personalData; Person is the entity keyed by personalId."""
    response = await population.http.post("/graphql", json={"query": "{ _service { sdl } }"},
                                          headers=population.headers)
    sdl = response.json()["data"]["_service"]["sdl"]
    assert '@key(fields: "personalId")' in sdl
    categories = _categories(sdl)
    assert [coordinate for coordinate, category in categories.items() if category is None] == []
    assert {"Query.person", "Query.persons", "Query.searchPersons"} <= set(categories)
    print(schema.as_str())


@pytest.mark.parametrize(
    ("field", "category"),
    [
        ("personalId", "IDENTIFIER"), ("oldIdCardNumber", "IDENTIFIER"), ("ethnicity", "ETHNIC_ORIGIN"),
        ("religion", "RELIGION"), ("maritalStatus", "FAMILY"), ("father", "FAMILY"), ("mother", "FAMILY"),
        ("spouse", "FAMILY"), ("fullName", "BASIC"), ("processingRestricted", "BASIC"), ("dateOfDeath", "BASIC"),
        ("dateOfBirth", "BASIC"), ("permanentAddress", "BASIC"),
    ],
)
def test_person_field_categories(field: str, category: str) -> None:
    assert _categories(schema.as_str())[f"Person.{field}"] == category


def test_root_field_signatures() -> None:
    sdl = " ".join(schema.as_str().split())
    assert "person(personalId: ID!): Person" in sdl
    # Root fields are nullable: the policy may withhold them (null + FORBIDDEN_FIELD), see test_nullability.
    assert "persons(personalIds: [ID!]!): [Person] @" in sdl
    assert (
        "searchPersons(name: String!, birthYear: Int, provinceCode: String, first: Int = 20, after: String): "
        "PersonConnection @" in sdl
    ), sdl[sdl.index("searchPersons"):][:200]
