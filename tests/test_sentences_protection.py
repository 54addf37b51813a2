"""The sentences subgraph's protection declarations (docs/PROTECTION.md) as its own SDL prints them: a value kind
on every field, whose data every row is (``@dataSubject``), the cellCount row fact; and what it serves for them:
a foreign offender's protection facts (batched) and a legal entity's representative as a Person reference."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    parse,
    value_from_ast_untyped,
)
from sqlalchemy import create_engine, text
from test_sentences_support import Subgraph, load_fixture, make_people, open_subgraph, postgres_url

from subgraphs.common.classification import ValueKind
from subgraphs.common.db import sync_url

PEOPLE = make_people(30, random.Random(11))
PARTS = ("OffenderBackground", "Judgment", "Charge", "Penalty", "JudicialMeasure", "CivilObligation",
         "EnforcementEvent", "LegalEntitySentence", "ForeignOffenderProtectionFacts", "StatusChange")
# Types with non-PUBLIC fields that need no @dataSubject here: the Person stub (population, its owner, declares it).
NOT_OWNED = {"Person"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A loaded database in which the first foreign offender's (first) sentence records a death."""
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sp') / 'sentences.db'}"])
    else:
        urls = postgres_url()
    for url in urls:
        load_fixture(url, PEOPLE)
        engine = create_engine(sync_url(url))
        with engine.begin() as conn:
            sid = conn.execute(text("SELECT id FROM sentence WHERE foreign_offender_code = (SELECT min("
                                    "identification_code) FROM foreign_offender) ORDER BY id LIMIT 1")).scalar_one()
            conn.execute(text("INSERT INTO enforcement_event (sentence_id, position, kind, event_date, authority) "
                              "VALUES (:s, 99, 'DEATH', '2025-01-02', 'Trại giam Chí Hòa')"), {"s": sid})
        engine.dispose()
        yield url


@pytest.fixture
async def subgraph(database_url: str, tmp_path: Path) -> AsyncIterator[Subgraph]:
    async with open_subgraph(tmp_path, database_url) as sg:
        yield sg


def _objects(document: DocumentNode) -> dict[str, Any]:
    return {d.name.value: d for d in document.definitions
            if isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode) and not d.name.value.startswith("_")}


def _directives(node: Any, name: str) -> list[dict[str, Any]]:
    return [{a.name.value: value_from_ast_untyped(a.value) for a in d.arguments or ()}
            for d in node.directives or () if d.name.value == name]


async def _sdl(sg: Subgraph) -> DocumentNode:
    return parse((await sg.query("{ _service { sdl } }"))["data"]["_service"]["sdl"])


async def test_every_field_declares_a_known_value_kind(subgraph: Subgraph) -> None:
    kinds = {k.value for k in ValueKind}
    missing, unknown = [], []
    for type_name, node in _objects(await _sdl(subgraph)).items():
        for f in node.fields or ():
            if f.name.value.startswith("_"):
                continue
            (declared,) = _directives(f, "personalData")
            coordinate = f"{type_name}.{f.name.value}"
            if declared.get("kind") is None:
                missing.append(coordinate)
            elif declared["kind"] not in kinds:
                unknown.append(coordinate)
    assert not missing and not unknown, (missing, unknown)


async def test_value_kinds_of_names_free_text_and_references(subgraph: Subgraph) -> None:
    objects = _objects(await _sdl(subgraph))

    def kind(coordinate: str) -> str:
        type_name, field_name = coordinate.split(".")
        (f,) = [f for f in objects[type_name].fields if f.name.value == field_name]
        return _directives(f, "personalData")[0]["kind"]

    expected = {
        "NAME": ["LegalEntity.legalRepresentative", "OffenderBackground.nameAtJudgment", "OffenderBackground.aliases",
                 "ForeignOffender.fullName", "CivilObligation.beneficiary"],
        "IDENTIFIER": ["Sentence.id", "ForeignOffender.identificationCode", "Judgment.number", "Person.personalId"],
        "FREE_TEXT": ["Sentence.offenceSummary", "EnforcementEvent.note", "EnforcementEvent.healthGround",
                      "LegalEntitySentence.offenceSummary", "Penalty.details", "JudicialMeasure.medicalGround"],
        "ADDRESS": ["OffenderBackground.residenceAtJudgment", "Sentence.residenceAfterRelease",
                    "Sentence.workplaceAfterRelease", "LegalEntity.headOfficeAddress"],
        "TEXT": ["Sentence.sourceAgency", "Judgment.sourceAgency", "OffenderBackground.occupation",
                 "OffenderBackground.educationLevel", "ForeignOffender.nationality", "Judgment.courtName",
                 "EnforcementEvent.authority"],
        "DATE": ["Sentence.offenceDate", "ForeignOffender.dateOfBirth", "ForeignOffenderProtectionFacts.birthDate",
                 "Sentence.createdAt", "Sentence.updatedAt", "StatusChange.since", "FacilityResources.reportedOn"],
        "CODE": ["Sentence.status", "Charge.article", "Sentence.source", "StatusChange.status", "StatusChange.cause",
                 "EnforcementEventRecorded.status", "FacilityEquipment.kind", "SentenceStatistic.provinceCode",
                 "ForeignOffenderProtectionFacts.residenceProvinceCode"],
        "COUNT": ["SentenceStatistic.offenders", "SentenceStatistic.sentences", "OffenderBackground.priorConvictions",
                  "FacilityResources.staff", "FacilityEquipment.quantity"],
        "AMOUNT": ["Penalty.amount", "Penalty.termMonths", "CivilObligation.amount"],
        "FLAG": ["OffenderBackground.minorAtOffence", "ForeignOffenderProtectionFacts.deceased",
                 "EnforcementEvent.recordedWithinDeadline"],
        "REFERENCE": ["Sentence.person", "Sentence.foreignOffender", "Sentence.offender", "Person.sentences",
                      "ForeignOffender.protectionFacts", "LegalEntity.legalRepresentativePerson", "Query.sentence",
                      "Query.sentenceStatistics", "Query.facilities", "Facility.resources", "Sentence.statusHistory",
                      "Mutation.recordEnforcementEvent", "EnforcementEventRecorded.event"],
    }
    wrong = {c: kind(c) for k, coordinates in expected.items() for c in coordinates if kind(c) != k}
    assert not wrong, wrong


async def test_record_fields_carry_the_category_of_their_record(subgraph: Subgraph) -> None:
    """source/sourceAgency/createdAt/updatedAt are as sensitive as the record they describe (a field has one
    category whatever the path): CRIMINAL on a conviction's rows, BASIC on a foreigner, PUBLIC on state bodies."""
    objects = _objects(await _sdl(subgraph))
    expected = {"Sentence": "CRIMINAL", "Judgment": "CRIMINAL", "Charge": "CRIMINAL", "EnforcementEvent": "CRIMINAL",
                "StatusChange": "CRIMINAL", "ForeignOffender": "BASIC", "Facility": "PUBLIC",
                "FacilityResources": "PUBLIC", "FacilityEquipment": "PUBLIC", "LegalEntity": "PUBLIC",
                "LegalEntitySentence": "PUBLIC", "LegalEntityStatusChange": "PUBLIC"}
    for type_name, category in expected.items():
        fields = {f.name.value: _directives(f, "personalData")[0] for f in objects[type_name].fields}
        for name in ("source", "sourceAgency", "createdAt", "updatedAt"):
            assert fields[name]["category"] == category, f"{type_name}.{name}"
    assert all(_directives(f, "personalData")[0]["category"] == "PUBLIC"
               for t in ("FacilityResources", "FacilityEquipment") for f in objects[t].fields)


async def test_subjects_declared(subgraph: Subgraph) -> None:
    objects = _objects(await _sdl(subgraph))
    subjects = {name: _directives(node, "dataSubject") for name, node in objects.items()}
    assert [(s["field"], s["role"]) for s in subjects["Sentence"]] == [("person", "SUBJECT"),
                                                                      ("foreignOffender", "SUBJECT")]
    for part in PARTS:
        assert [s["inherit"] for s in subjects[part]] == [True], part
    assert [(s["field"], s["role"]) for s in subjects["EnforcementEventRecorded"]] == [("person", "SUBJECT"),
                                                                                      ("foreignOffender", "SUBJECT")]
    (foreigner,) = subjects["ForeignOffender"]
    assert (foreigner["field"], foreigner["facts"], foreigner["role"]) == ("identificationCode", "protectionFacts",
                                                                          "SUBJECT")
    (entity,) = subjects["LegalEntity"]
    assert (entity["field"], entity["role"], entity["inherit"]) == ("legalRepresentativePerson", "PARTY", False)
    assert subjects["Person"] == []  # a stub: population owns Person and declares its subject
    personal = {name for name, node in objects.items() if name not in ("Query", "Mutation") and any(
        _directives(f, "personalData")[0]["category"] != "PUBLIC" for f in node.fields or ()
        if not f.name.value.startswith("_"))}
    undeclared = sorted(name for name in personal - NOT_OWNED if not subjects[name])
    assert not undeclared, f"types with non-PUBLIC fields and no @dataSubject: {undeclared}"


async def test_facts_contract_and_cell_count_fact(subgraph: Subgraph) -> None:
    objects = _objects(await _sdl(subgraph))
    facts = {f.name.value: (f, _directives(f, "personalData")[0]) for f in objects["ForeignOffenderProtectionFacts"].fields}
    assert set(facts) == {"birthDate", "deceased", "missing", "restricted", "residenceProvinceCode"}
    assert all(d["category"] == "BASIC" and f.type.kind == "named_type" for f, d in facts.values())  # nullable
    (protection,) = [f for f in objects["ForeignOffender"].fields if f.name.value == "protectionFacts"]
    assert _directives(protection, "personalData") == [{"category": "BASIC", "kind": "REFERENCE"}]
    assert protection.type.kind == "named_type"
    facts_declared = {(t, f.name.value): _directives(f, "protectionFact") for t, node in objects.items()
                      for f in node.fields or () if _directives(f, "protectionFact")}
    assert facts_declared == {("SentenceStatistic", "offenders"): [{"name": "cellCount"}],
                              # a provincial enforcement body exploits the sentences it manages (000 Art. 13.1)
                              ("Sentence", "provinceCode"): [{"name": "enforcementProvince"}],
                              ("LegalEntitySentence", "provinceCode"): [{"name": "enforcementProvince"}]}


FACTS = "birthDate deceased missing restricted residenceProvinceCode"


async def test_foreign_offender_protection_facts(subgraph: Subgraph) -> None:
    engine = create_engine(sync_url(str(subgraph.db.url)))
    with engine.connect() as conn:
        foreigners = conn.execute(text("SELECT identification_code, date_of_birth FROM foreign_offender "
                                       "ORDER BY identification_code")).all()
    engine.dispose()
    assert len(foreigners) >= 3
    (dead_code, dead_born), alive_born = foreigners[0], foreigners[1][1]
    got = await subgraph.query(f"query($c: String!) {{ foreignOffender(identificationCode: $c) {{ protectionFacts "
                               f"{{ {FACTS} }} }} }}", {"c": dead_code})
    assert got["data"]["foreignOffender"]["protectionFacts"] == {
        "birthDate": dead_born, "deceased": True, "missing": False, "restricted": False,
        "residenceProvinceCode": None}
    query = f"query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on ForeignOffender {{ identificationCode " \
            f"protectionFacts {{ {FACTS} }} }} }} }}"
    reps = [{"__typename": "ForeignOffender", "identificationCode": code} for code, _ in foreigners]
    before = subgraph.db.statements
    one = await subgraph.query(query, {"r": reps[1:2]})
    single = subgraph.db.statements - before
    before = subgraph.db.statements
    every = await subgraph.query(query, {"r": reps})
    many = subgraph.db.statements - before
    assert "errors" not in every, every
    assert one["data"]["_entities"][0]["protectionFacts"] == {
        "birthDate": alive_born, "deceased": False, "missing": False, "restricted": False,
        "residenceProvinceCode": None}
    assert [e["protectionFacts"]["deceased"] for e in every["data"]["_entities"]] == [True] + [False] * (len(reps) - 1)
    assert single == many == 2, (single, many)  # the foreigners, then their death records: one statement each


async def test_legal_representative_person_costs_no_statement(subgraph: Subgraph) -> None:
    engine = create_engine(sync_url(str(subgraph.db.url)))
    with engine.connect() as conn:
        entities = conn.execute(text("SELECT id, legal_representative, legal_representative_personal_id "
                                     "FROM legal_entity ORDER BY id")).all()
    engine.dispose()
    people = {p.personal_id: p for p in PEOPLE}
    assert entities and all(people[pid].full_name == name for _, name, pid in entities)
    base = "query($i: ID!) { legalEntity(id: $i) { id legalRepresentative %s sentences { status } } }"
    before = subgraph.db.statements
    plain = await subgraph.query(base % "", {"i": entities[0][0]})
    without = subgraph.db.statements - before
    before = subgraph.db.statements
    got = await subgraph.query(base % "legalRepresentativePerson { personalId }", {"i": entities[0][0]})
    with_person = subgraph.db.statements - before
    assert "errors" not in plain and "errors" not in got, got
    assert got["data"]["legalEntity"]["legalRepresentativePerson"] == {"personalId": entities[0][2]}
    assert without == with_person == 2
