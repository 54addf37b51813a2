"""Scope of each agency through the gateway's policy stages (collect, decide, prepare, apply) on a small schema
executed in process: a justice department reads the records registered in its province or of persons residing
there (003 Art. 8.4), a civil registry the records registered in its province (8.1), the foreign affairs body
the records registered at missions abroad (8.3), anyone entitled issues an extract whatever the place (13.1).

A property over generated worlds: every path that reaches a record (the root list, a person's records, a name
search) gives it the same verdict, and that verdict is the decrees' (the oracle below), unknown facts included."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from graphql import build_schema, execute, parse, validate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.policy import Caller, DeclaredPurpose, EmbeddedEngine, PolicyService
from gateway.policy.model import ProtectionModel
from tests.citations import ROOT

SDL = """
enum DataCategory { PUBLIC IDENTIFIER BASIC FAMILY CRIMINAL }
enum ValueKind { NAME IDENTIFIER DATE ADDRESS FREE_TEXT TEXT CODE COUNT AMOUNT FLAG REFERENCE }
enum SubjectRole { SUBJECT PARTY }
directive @personalData(category: DataCategory!, kind: ValueKind) on FIELD_DEFINITION
directive @dataSubject(field: String, role: SubjectRole! = SUBJECT, facts: String, inherit: Boolean! = false)
  repeatable on OBJECT | INTERFACE
directive @protectionFact(name: String!) on FIELD_DEFINITION
scalar PartialDate
type Query {
  events: [CivilStatusEvent!]! @personalData(category: BASIC, kind: REFERENCE)
  person(personalId: ID!): Person @personalData(category: IDENTIFIER, kind: REFERENCE)
  searchPersons(name: String, provinceCode: String): [Person!] @personalData(category: BASIC, kind: REFERENCE)
  sentences: [Sentence!]! @personalData(category: CRIMINAL, kind: REFERENCE)
}
type Sentence @dataSubject(field: "offender") {
  id: ID! @personalData(category: PUBLIC, kind: IDENTIFIER)
  provinceCode: String @personalData(category: CRIMINAL, kind: CODE) @protectionFact(name: "enforcementProvince")
  offender: Person @personalData(category: CRIMINAL, kind: REFERENCE)
}
type Person @dataSubject(field: "personalId", facts: "protectionFacts") {
  personalId: ID! @personalData(category: IDENTIFIER, kind: IDENTIFIER)
  fullName: String @personalData(category: BASIC, kind: NAME)
  events: [CivilStatusEvent!]! @personalData(category: FAMILY, kind: REFERENCE)
  sentences: [Sentence!]! @personalData(category: CRIMINAL, kind: REFERENCE)
  protectionFacts: PersonFacts @personalData(category: BASIC, kind: REFERENCE)
}
type PersonFacts @dataSubject(inherit: true) {
  birthDate: PartialDate @personalData(category: BASIC, kind: DATE)
  deceased: Boolean @personalData(category: BASIC, kind: FLAG)
  missing: Boolean @personalData(category: BASIC, kind: FLAG)
  restricted: Boolean @personalData(category: BASIC, kind: FLAG)
  residenceProvinceCode: String @personalData(category: BASIC, kind: CODE)
}
interface CivilStatusEvent {
  id: ID! @personalData(category: PUBLIC, kind: IDENTIFIER)
  registrationProvinceCode: String @personalData(category: PUBLIC, kind: CODE)
  registeredAtMission: Boolean @personalData(category: PUBLIC, kind: FLAG)
  persons: [Person!]! @personalData(category: FAMILY, kind: REFERENCE)
}
type Birth implements CivilStatusEvent @dataSubject(field: "persons") {
  id: ID! @personalData(category: PUBLIC, kind: IDENTIFIER)
  registrationProvinceCode: String @personalData(category: PUBLIC, kind: CODE)
    @protectionFact(name: "registrationProvince")
  registeredAtMission: Boolean @personalData(category: PUBLIC, kind: FLAG)
    @protectionFact(name: "registeredAtMission")
  persons: [Person!]! @personalData(category: FAMILY, kind: REFERENCE)
}
type Marriage implements CivilStatusEvent @dataSubject(field: "persons") {
  id: ID! @personalData(category: PUBLIC, kind: IDENTIFIER)
  registrationProvinceCode: String @personalData(category: PUBLIC, kind: CODE)
    @protectionFact(name: "registrationProvince")
  registeredAtMission: Boolean @personalData(category: PUBLIC, kind: FLAG)
    @protectionFact(name: "registeredAtMission")
  persons: [Person!]! @personalData(category: FAMILY, kind: REFERENCE)
}
"""
SCHEMA = build_schema(SDL)
MODEL = ProtectionModel.from_sdl(SDL)
HOME, ELSEWHERE = "001", "079"
CALLERS = {
    "justice_department": Caller("c1", "stp-ha-noi", "justice_department", HOME, "clerk"),
    "civil_registry": Caller("c2", "ubnd-phuong-hoan-kiem", "civil_registry", HOME, "clerk"),
    "foreign_affairs": Caller("c3", "cuc-lanh-su", "foreign_affairs", None, "officer"),
    "justice_ministry": Caller("c4", "bo-tu-phap", "justice_ministry", None, "officer"),
}
PURPOSES = {  # the purposes data/purposes.json lets each kind declare, for civil status records
    "justice_department": ("civil_status_registration", "civil_status_confirmation", "civil_status_extract"),
    "civil_registry": ("civil_status_registration", "civil_status_extract"),
    "foreign_affairs": ("civil_status_registration", "civil_status_confirmation", "civil_status_extract"),
    "justice_ministry": ("civil_status_confirmation", "civil_status_extract"),
}
ROOT_LIST = "{ events { id } }"
OF_PERSON = 'query($id: ID!) { person(personalId: $id) { events { id } } }'
SEARCH = 'query($p: String) { searchPersons(name: "N", provinceCode: $p) { personalId events { id } } }'


@pytest.fixture(scope="module")
def service() -> PolicyService:
    return PolicyService(EmbeddedEngine(ROOT / "policies", reload_interval=None), pseudonym_key=b"test",
                         clock=lambda: dt.date(2026, 6, 1), policy_arguments={"Query.searchPersons": ["provinceCode"]})


def expected_kept(kind: str, purpose: str, event: dict[str, Any]) -> bool:
    """The decrees' reading, written independently of the policy (unknown facts withhold)."""
    if purpose == "civil_status_extract":
        return True  # 003 Art. 13.1
    registered_home = event["registrationProvinceCode"] == HOME
    if kind == "justice_department":  # 003 Art. 8.4: registered in the area, or every person resides there
        facts = [p["protectionFacts"] for p in event["persons"]]
        return registered_home or all(f is not None and f["residenceProvinceCode"] == HOME for f in facts)
    if kind == "civil_registry":  # 003 Art. 8.1: within its competence, the registrations of its province
        return registered_home
    if kind == "foreign_affairs":  # 003 Art. 8.3: registrations at representative missions abroad
        return event["registeredAtMission"] is True
    return True


def build_world(people: list[str | None | bool], events: list[tuple[str | None, bool | None, list[int]]]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Persons (their residence province, None for an unknown one, False for unknown facts altogether) and
    events (registration province or None, at a mission or None, indexes of their persons)."""
    persons = []
    for n, residence in enumerate(people):
        facts = None if residence is False else {
            "birthDate": "1980-01-01", "deceased": False, "missing": False, "restricted": False,
            "residenceProvinceCode": residence}
        persons.append({"__typename": "Person", "personalId": f"0010800000{n:02d}", "fullName": f"P{n}",
                        "protectionFacts": facts, "events": []})
    rows = []
    for n, (province, mission, who) in enumerate(events):
        event = {"__typename": "Birth" if len(who) == 1 else "Marriage", "id": f"E{n}",
                 "registrationProvinceCode": province, "registeredAtMission": mission,
                 "persons": [persons[i] for i in dict.fromkeys(who)]}
        rows.append(event)
        for person in event["persons"]:
            person["events"].append(event)
    return persons, rows


async def visible(service: PolicyService, caller: Caller, purpose: str, query: str, root: dict[str, Any],
                  variables: dict[str, Any] | None = None) -> list[str]:
    """The ids of the records the caller gets on one path (through collect, decide, prepare, execute, apply)."""
    document = parse(query)
    collected = service.collect(SCHEMA, MODEL, document, None, variables)
    decision = await service.decide(caller, DeclaredPurpose(purpose), "query", collected)
    prepared = service.prepare(document, decision, SCHEMA, MODEL)
    assert validate(SCHEMA, prepared.document) == []
    result = execute(SCHEMA, prepared.document, root_value=root, variable_values=variables)
    assert not result.errors, result.errors
    applied = service.apply({"data": result.data, "errors": []}, prepared, None, variables, decision, SCHEMA, MODEL)
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("id"), str):
                found.append(value["id"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(applied.data)
    return found


async def verdicts(service: PolicyService, kind: str, purpose: str, persons: list[dict[str, Any]],
                   events: list[dict[str, Any]]) -> dict[str, set[bool]]:
    """For every record, the set of verdicts (kept or not) over every path that reaches it."""
    caller = CALLERS[kind]
    root = {"events": events, "person": lambda _info, personalId: next(
        (p for p in persons if p["personalId"] == personalId), None),
        "searchPersons": lambda _info, name=None, provinceCode=None: persons}
    seen: dict[str, set[bool]] = {e["id"]: set() for e in events}
    kept = set(await visible(service, caller, purpose, ROOT_LIST, root))
    for e in events:
        seen[e["id"]].add(e["id"] in kept)
    for person in persons:
        kept = set(await visible(service, caller, purpose, OF_PERSON, root, {"id": person["personalId"]}))
        for e in person["events"]:
            seen[e["id"]].add(e["id"] in kept)
    province = {"p": caller.province} if caller.province else {}
    kept = set(await visible(service, caller, purpose, SEARCH, root, province))
    for e in events:
        if e["persons"]:
            seen[e["id"]].add(e["id"] in kept)
    return seen


RESIDENCE = st.sampled_from([HOME, ELSEWHERE, None, False])
EVENT = st.tuples(st.sampled_from([HOME, ELSEWHERE, None]), st.sampled_from([True, False, None]),
                  st.lists(st.integers(0, 3), min_size=1, max_size=2))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(RESIDENCE, min_size=4, max_size=4), events=st.lists(EVENT, min_size=1, max_size=5))
def test_every_path_to_a_record_gets_the_decrees_verdict(service: PolicyService, people: list,
                                                         events: list) -> None:
    persons, rows = build_world(people, events)

    async def check() -> None:
        for kind, purposes in PURPOSES.items():
            for purpose in purposes:
                seen = await verdicts(service, kind, purpose, persons, rows)
                for event in rows:
                    assert seen[event["id"]] == {expected_kept(kind, purpose, event)}, (kind, purpose, event["id"])

    asyncio.run(check())


def test_the_oracle_and_the_policy_agree_on_the_cases_the_decrees_name(service: PolicyService) -> None:
    """The named cases, so that a regression says which reading broke."""
    persons, rows = build_world([HOME, ELSEWHERE, None, False], [
        (HOME, False, [1]),       # E0 registered in the province, of a person residing elsewhere
        (ELSEWHERE, False, [0]),  # E1 registered elsewhere, of a resident: the justice department reads it
        (ELSEWHERE, False, [0, 1]),  # E2 registered elsewhere, one person residing elsewhere: not for it
        (ELSEWHERE, True, [3]),   # E3 at a mission, a person whose facts are unknown
        (None, None, [2]),        # E4 place of registration unknown
    ])

    async def kept(kind: str, purpose: str) -> list[str]:
        seen = await verdicts(service, kind, purpose, persons, rows)
        return sorted(i for i, v in seen.items() if v == {True})

    assert asyncio.run(kept("justice_department", "civil_status_registration")) == ["E0", "E1"]
    assert asyncio.run(kept("civil_registry", "civil_status_registration")) == ["E0"]
    assert asyncio.run(kept("foreign_affairs", "civil_status_registration")) == ["E3"]
    assert asyncio.run(kept("foreign_affairs", "civil_status_confirmation")) == ["E3"]
    for kind in PURPOSES:
        assert asyncio.run(kept(kind, "civil_status_extract")) == ["E0", "E1", "E2", "E3", "E4"]
    assert asyncio.run(kept("justice_ministry", "civil_status_confirmation")) == ["E0", "E1", "E2", "E3", "E4"]


def test_a_province_scoped_name_search_names_its_province(service: PolicyService) -> None:
    """Query.searchPersons by a justice department or a civil registry must pass its own provinceCode, whatever
    the purpose (a name search is no extract of a given record); the foreign affairs body and the Ministry
    search anywhere."""
    persons, rows = build_world([HOME], [(HOME, False, [0])])
    root = {"events": rows, "searchPersons": lambda _info, name=None, provinceCode=None: persons}

    async def run(kind: str, purpose: str, variables: dict[str, Any]) -> Any:
        document = parse(SEARCH)
        collected = service.collect(SCHEMA, MODEL, document, None, variables)
        decision = await service.decide(CALLERS[kind], DeclaredPurpose(purpose), "query", collected)
        prepared = service.prepare(document, decision, SCHEMA, MODEL)
        result = execute(SCHEMA, prepared.document, root_value=root, variable_values=variables)
        return service.apply({"data": result.data, "errors": []}, prepared, None, variables, decision, SCHEMA, MODEL)

    for kind in ("justice_department", "civil_registry"):
        for purpose in ("civil_status_registration", "civil_status_extract"):
            for variables in ({}, {"p": ELSEWHERE}):
                refused = asyncio.run(run(kind, purpose, variables))
                assert refused.data["searchPersons"] is None
                reasons = [e["extensions"].get("reason", "") for e in refused.errors]
                assert any("003 Art. 8.4" in r for r in reasons), reasons
            own = asyncio.run(run(kind, purpose, {"p": HOME}))
            assert own.data["searchPersons"] is not None
    for kind in ("foreign_affairs", "justice_ministry"):
        anywhere = asyncio.run(run(kind, "civil_status_extract", {}))
        assert anywhere.data["searchPersons"] is not None


def test_a_provincial_enforcement_body_reads_the_sentences_of_its_province(service: PolicyService) -> None:
    """000 Art. 13.1: the sentences enforced in its province, on the root list and through the offender; a
    national enforcement body reads them all; an unknown province withholds."""
    persons, _ = build_world([HOME, ELSEWHERE], [])
    sentences = [{"id": f"S{n}", "provinceCode": province, "offender": persons[n % 2]}
                 for n, province in enumerate([HOME, ELSEWHERE, None, HOME])]
    for sentence in sentences:
        sentence["offender"].setdefault("sentences", []).append(sentence)
    root = {"sentences": sentences, "person": lambda _info, personalId: next(
        (p for p in persons if p["personalId"] == personalId), None)}
    provincial = Caller("o1", "ca-ha-noi-thahs", "criminal_enforcement", HOME, "officer")
    national = Caller("o2", "c10-bca", "criminal_enforcement", None, "officer")

    async def ids(caller: Caller, query: str, variables: dict[str, Any] | None = None) -> list[str]:
        document = parse(query)
        collected = service.collect(SCHEMA, MODEL, document, None, variables)
        decision = await service.decide(caller, DeclaredPurpose("sentence_enforcement", "QĐ 5/2026"), "query", collected)
        prepared = service.prepare(document, decision, SCHEMA, MODEL)
        result = execute(SCHEMA, prepared.document, root_value=root, variable_values=variables)
        assert not result.errors, result.errors
        applied = service.apply({"data": result.data, "errors": []}, prepared, None, variables, decision, SCHEMA, MODEL)
        found: list[str] = []
        for value in (applied.data.get("sentences") or []) + ((applied.data.get("person") or {}).get("sentences") or []):
            if value:
                found.append(value["id"])
        return sorted(found)

    assert asyncio.run(ids(provincial, "{ sentences { id } }")) == ["S0", "S3"]
    of_person = 'query($id: ID!) { person(personalId: $id) { sentences { id } } }'
    assert asyncio.run(ids(provincial, of_person, {"id": persons[0]["personalId"]})) == ["S0"]
    assert asyncio.run(ids(provincial, of_person, {"id": persons[1]["personalId"]})) == ["S3"]
    assert asyncio.run(ids(national, "{ sentences { id } }")) == ["S0", "S1", "S2", "S3"]


def test_the_supergraph_declares_the_row_facts_the_scopes_read() -> None:
    """A scope rule applies to the types that declare its row fact: a record type without it would be outside
    every scope (unscoped), so every civil status record declares where and how it was registered, and every
    sentence where it is enforced."""
    from graphql import build_ast_schema
    from graphql import parse as parse_sdl

    from gateway.policy.categories import api_sdl

    sdl = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    model = ProtectionModel.from_sdl(sdl)
    schema = build_ast_schema(parse_sdl(api_sdl(sdl)), assume_valid=True)
    events = [t for t in schema.type_map.values()
              if getattr(t, "interfaces", None) and "CivilStatusEvent" in {i.name for i in t.interfaces}]
    assert len(events) >= 10
    for t in events:
        facts = set(model.of(t.name).row_facts)
        assert {"registrationProvince", "registeredAtMission"} <= facts, t.name
    for name in ("Sentence", "LegalEntitySentence"):
        assert "enforcementProvince" in model.of(name).row_facts, name
