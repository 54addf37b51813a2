"""The population subgraph's side of the protection model (docs/PROTECTION.md): a value kind on every field,
``Person`` declaring itself its own data subject with its protection facts, search containers as PUBLIC
references, and ``Person.protectionFacts`` right for restricted, deceased, missing and ordinary persons at no
extra SQL statement (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    DocumentNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ValueNode,
    parse,
)
from population_fixtures import PopulationClient, population_database, population_fixture  # noqa: F401

from subgraphs.common.classification import ValueKind
from subgraphs.population.schema import schema
from subgraphs.seed.world import SeedPerson

FACTS = "protectionFacts { birthDate deceased missing restricted residenceProvinceCode }"
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { personalId %s } } }"


def _value(node: ValueNode) -> Any:
    return getattr(node, "value", None)  # NullValueNode has none: None


def _objects(sdl: str) -> dict[str, ObjectTypeDefinitionNode]:
    document: DocumentNode = parse(sdl)
    return {d.name.value: d for d in document.definitions
            if isinstance(d, ObjectTypeDefinitionNode) and not d.name.value.startswith("_")}


def _personal_data(sdl: str) -> dict[str, dict[str, Any] | None]:
    """``Type.field`` -> the arguments of its ``@personalData`` (None without one); federation fields excluded."""
    out: dict[str, dict[str, Any] | None] = {}
    for name, node in _objects(sdl).items():
        for f in node.fields or ():
            if f.name.value.startswith("_"):
                continue
            directive = next((d for d in f.directives or () if d.name.value == "personalData"), None)
            out[f"{name}.{f.name.value}"] = directive and {a.name.value: _value(a.value) for a in directive.arguments}
    return out


def _subjects(sdl: str, type_name: str) -> list[dict[str, Any]]:
    node = _objects(sdl)[type_name]
    return [{a.name.value: _value(a.value) for a in d.arguments} for d in node.directives or ()
            if d.name.value == "dataSubject"]


def _check_kinds(sdl: str) -> None:
    declared = _personal_data(sdl)
    kinds = {k.name for k in ValueKind}
    assert {"Query.person", "Query.persons", "Query.searchPersons", "Person.protectionFacts"} <= set(declared)
    assert [c for c, args in declared.items() if not args or args.get("kind") not in kinds] == []


def test_every_field_declares_a_value_kind_in_the_printed_schema() -> None:
    _check_kinds(schema.as_str())


async def test_every_field_declares_a_value_kind_in_the_served_sdl(population: PopulationClient) -> None:
    body = await population.gql("{ _service { sdl } }")
    _check_kinds(body["data"]["_service"]["sdl"])


@pytest.mark.parametrize(
    ("coordinate", "category", "kind"),
    [
        ("Person.personalId", "IDENTIFIER", "IDENTIFIER"), ("Person.oldIdCardNumber", "IDENTIFIER", "IDENTIFIER"),
        ("Person.fullName", "BASIC", "NAME"), ("Person.otherNames", "BASIC", "NAME"),
        ("Person.dateOfBirth", "BASIC", "DATE"), ("Person.dateOfDeath", "BASIC", "DATE"),
        ("Person.missingSince", "BASIC", "DATE"), ("Person.sex", "BASIC", "CODE"),
        ("Person.maritalStatus", "FAMILY", "CODE"), ("Person.permanentAddress", "BASIC", "ADDRESS"),
        ("Person.currentAddress", "BASIC", "ADDRESS"), ("Person.temporaryAddress", "BASIC", "ADDRESS"),
        ("Person.placeOfBirth", "BASIC", "ADDRESS"), ("Person.placeOfBirthRegistration", "BASIC", "ADDRESS"),
        ("Person.hometown", "BASIC", "ADDRESS"), ("Person.ethnicity", "ETHNIC_ORIGIN", "TEXT"),
        ("Person.religion", "RELIGION", "TEXT"), ("Person.nationality", "BASIC", "TEXT"),
        ("Person.processingRestricted", "BASIC", "FLAG"), ("Person.father", "FAMILY", "REFERENCE"),
        ("Person.mother", "FAMILY", "REFERENCE"), ("Person.spouse", "FAMILY", "REFERENCE"),
        ("Person.protectionFacts", "BASIC", "REFERENCE"),
        ("PersonProtectionFacts.birthDate", "BASIC", "DATE"), ("PersonProtectionFacts.deceased", "BASIC", "FLAG"),
        ("PersonProtectionFacts.missing", "BASIC", "FLAG"), ("PersonProtectionFacts.restricted", "BASIC", "FLAG"),
        ("PersonProtectionFacts.residenceProvinceCode", "BASIC", "CODE"),
        ("PersonConnection.edges", "PUBLIC", "REFERENCE"), ("PersonEdge.node", "PUBLIC", "REFERENCE"),
        ("PersonEdge.cursor", "PUBLIC", "CODE"), ("Query.person", "BASIC", "REFERENCE"),
        ("Query.persons", "BASIC", "REFERENCE"), ("Query.searchPersons", "BASIC", "REFERENCE"),
    ],
)
def test_field_category_and_kind(coordinate: str, category: str, kind: str) -> None:
    assert _personal_data(schema.as_str())[coordinate] == {"category": category, "kind": kind}


def test_person_is_its_own_subject_and_its_facts_inherit() -> None:
    sdl = schema.as_str()
    assert _subjects(sdl, "Person") == [
        {"field": "personalId", "role": "SUBJECT", "facts": "protectionFacts", "inherit": False}
    ]
    assert [s["inherit"] for s in _subjects(sdl, "PersonProtectionFacts")] == [True]
    facts = _objects(sdl)["PersonProtectionFacts"]
    assert {f.name.value for f in facts.fields} == {
        "birthDate", "deceased", "missing", "restricted", "residenceProvinceCode"
    }
    # A null field is an unknown fact, a null object every fact unknown: all nullable (docs/PROTECTION.md §2).
    person = _objects(sdl)["Person"]
    assert not any(isinstance(f.type, NonNullTypeNode) for f in facts.fields)
    assert not isinstance(next(f for f in person.fields if f.name.value == "protectionFacts").type, NonNullTypeNode)
    # Containers of rows with their own subjects need none.
    assert _subjects(sdl, "PersonConnection") == [] and _subjects(sdl, "PersonEdge") == []


def _expected(p: SeedPerson) -> dict[str, Any]:
    return {"birthDate": p.date_of_birth, "deceased": p.date_of_death is not None,
            "missing": p.missing_since is not None, "restricted": p.processing_restricted,
            "residenceProvinceCode": p.province_code}


def _examples(people: list[SeedPerson]) -> dict[str, SeedPerson]:
    return {
        "restricted": next(p for p in people if p.processing_restricted),
        "deceased": next(p for p in people if p.date_of_death),
        "missing": next(p for p in people if p.missing_since),
        "ordinary": next(p for p in people if not (p.processing_restricted or p.date_of_death or p.missing_since)),
    }


async def test_protection_facts_of_restricted_deceased_missing_and_ordinary(population: PopulationClient) -> None:
    examples = _examples(population.people)
    ids = [p.personal_id for p in examples.values()]
    body = await population.gql(f"query($ids: [ID!]!) {{ persons(personalIds: $ids) {{ personalId {FACTS} }} }}",
                                {"ids": ids})
    assert "errors" not in body, body
    got = {row["personalId"]: row["protectionFacts"] for row in body["data"]["persons"]}
    for label, person in examples.items():
        assert got[person.personal_id] == _expected(person), label
    assert got[examples["restricted"].personal_id]["restricted"] is True
    assert got[examples["deceased"].personal_id]["deceased"] is True
    assert got[examples["missing"].personal_id]["missing"] is True
    ordinary = got[examples["ordinary"].personal_id]
    # Known facts are explicit: false, never null, for an ordinary person.
    assert (ordinary["deceased"], ordinary["missing"], ordinary["restricted"]) == (False, False, False)
    assert len(ordinary["residenceProvinceCode"]) == 3


async def test_protection_facts_cost_no_extra_statement(population: PopulationClient) -> None:
    """The gateway asks for the facts of every subject through ``_entities`` and on relatives: they come from
    the row already loaded, so the statement count is the same with or without them."""
    people = population.people
    with_family = [p for p in people if p.father_id][:50] + list(_examples(people).values())
    reps = [{"__typename": "Person", "personalId": p.personal_id} for p in with_family]
    _, bare = await population.counted(ENTITIES % "", {"r": reps})
    body, with_facts = await population.counted(ENTITIES % FACTS, {"r": reps})
    assert "errors" not in body, body
    assert [e["protectionFacts"] for e in body["data"]["_entities"]] == [_expected(p) for p in with_family]
    assert bare == with_facts == 1

    relatives = f"father {{ personalId {FACTS} }} spouse {{ personalId {FACTS} }}"
    _, bare = await population.counted(ENTITIES % "father { personalId } spouse { personalId }", {"r": reps})
    body, with_facts = await population.counted(ENTITIES % f"{FACTS} {relatives}", {"r": reps})
    assert "errors" not in body, body
    index = {p.personal_id: p for p in people}
    fathers = [e["father"] for e in body["data"]["_entities"] if e["father"]]
    assert fathers and all(f["protectionFacts"] == _expected(index[f["personalId"]]) for f in fathers)
    assert bare == with_facts == 2


async def test_protection_facts_in_search_results(population: PopulationClient) -> None:
    person = _examples(population.people)["restricted"]
    body, statements = await population.counted(
        "query($name: String!, $year: Int) { searchPersons(name: $name, birthYear: $year, first: 100) "
        f"{{ edges {{ node {{ personalId {FACTS} }} }} }} }}",
        {"name": person.full_name, "year": person.birth_year},
    )
    assert "errors" not in body, body
    nodes = {e["node"]["personalId"]: e["node"]["protectionFacts"] for e in body["data"]["searchPersons"]["edges"]}
    assert nodes[person.personal_id] == _expected(person) and statements == 1


def test_the_gateways_protection_model_reads_these_declarations() -> None:
    """What the gateway derives from this subgraph's SDL alone: Person is its own subject with the facts
    contract, its facts inherit, the search containers hold no personal data and need no subject."""
    from gateway.policy.model import SUBJECT_FACTS, UNCLASSIFIED, UNKNOWN_KIND, ProtectionModel

    model = ProtectionModel.from_sdl(schema.as_str())
    person = model.of("Person")
    assert person is not None and (person.self_key, person.self_facts) == ("personalId", "protectionFacts")
    facts = model.of("PersonProtectionFacts")
    assert facts is not None and facts.inherit
    assert set(SUBJECT_FACTS) == {f.name.value for f in _objects(schema.as_str())["PersonProtectionFacts"].fields}
    for container in ("PersonConnection", "PersonEdge", "PersonPageInfo"):
        assert not model.holds_personal(container), container
    coordinates = list(_personal_data(schema.as_str()))
    assert [c for c in coordinates if model.category(c) == UNCLASSIFIED or model.kind(c) == UNKNOWN_KIND] == []
