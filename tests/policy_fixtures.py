"""A small schema built from SDL, in-memory data and helpers for the policy document tests."""

from __future__ import annotations

from typing import Any

from graphql import build_schema

from gateway.policy.model import ProtectionModel

SDL = """
enum DataCategory { PUBLIC IDENTIFIER BASIC FAMILY ETHNIC_ORIGIN RELIGION HEALTH CRIMINAL }
enum ValueKind { NAME IDENTIFIER DATE ADDRESS FREE_TEXT TEXT CODE COUNT AMOUNT FLAG REFERENCE }
enum SubjectRole { SUBJECT PARTY }
directive @personalData(category: DataCategory!, kind: ValueKind) on FIELD_DEFINITION
directive @dataSubject(field: String, role: SubjectRole! = SUBJECT, facts: String, inherit: Boolean! = false)
  repeatable on OBJECT | INTERFACE
directive @protectionFact(name: String!) on FIELD_DEFINITION
scalar PartialDate
enum Sex { MALE FEMALE }
type Query {
  person(personalId: ID!): Person @personalData(category: IDENTIFIER, kind: REFERENCE)
  persons(personalIds: [ID!]!): [Person]! @personalData(category: IDENTIFIER, kind: REFERENCE)
  events: [CivilStatusEvent]! @personalData(category: BASIC, kind: REFERENCE)
  searchPersons(name: String): [SearchResult!] @personalData(category: BASIC, kind: REFERENCE)
  stats: [SentenceStatistic!]! @personalData(category: PUBLIC, kind: REFERENCE)
}
type Person @dataSubject(field: "personalId", facts: "protectionFacts") {
  personalId: ID! @personalData(category: IDENTIFIER, kind: IDENTIFIER)
  fullName: String @personalData(category: BASIC, kind: NAME)
  religion: String @personalData(category: RELIGION, kind: TEXT)
  sex: Sex @personalData(category: BASIC, kind: CODE)
  dateOfBirth: PartialDate @personalData(category: BASIC, kind: DATE)
  permanentAddress: String @personalData(category: BASIC, kind: ADDRESS)
  issueDate: Int @personalData(category: BASIC, kind: DATE)
  father: Person @personalData(category: FAMILY, kind: REFERENCE)
  sentences: [Sentence!] @personalData(category: CRIMINAL, kind: REFERENCE)
  nickname: String! @personalData(category: BASIC, kind: TEXT)
  secret: String
  protectionFacts: PersonFacts @personalData(category: BASIC, kind: REFERENCE)
}
type PersonFacts @dataSubject(inherit: true) {
  birthDate: PartialDate @personalData(category: BASIC, kind: DATE)
  deceased: Boolean @personalData(category: BASIC, kind: FLAG)
  missing: Boolean @personalData(category: BASIC, kind: FLAG)
  restricted: Boolean @personalData(category: BASIC, kind: FLAG)
  residenceProvinceCode: String @personalData(category: BASIC, kind: CODE)
}
type Sentence @dataSubject(field: "offender") {
  id: ID! @personalData(category: CRIMINAL, kind: IDENTIFIER)
  charges: String @personalData(category: CRIMINAL, kind: FREE_TEXT)
  offender: Person @personalData(category: CRIMINAL, kind: REFERENCE)
  penalty: Penalty @personalData(category: CRIMINAL, kind: REFERENCE)
}
type Penalty @dataSubject(inherit: true) {
  term: String @personalData(category: CRIMINAL, kind: AMOUNT)
}
interface CivilStatusEvent {
  registrationNumber: String! @personalData(category: IDENTIFIER, kind: IDENTIFIER)
  registrationProvinceCode: String! @personalData(category: PUBLIC, kind: CODE)
  persons: [Person!]! @personalData(category: FAMILY, kind: REFERENCE)
}
type Birth implements CivilStatusEvent @dataSubject(field: "persons") {
  registrationNumber: String! @personalData(category: IDENTIFIER, kind: IDENTIFIER)
  registrationProvinceCode: String! @personalData(category: PUBLIC, kind: CODE)
    @protectionFact(name: "registrationProvince")
  persons: [Person!]! @personalData(category: FAMILY, kind: REFERENCE)
  childName: String @personalData(category: BASIC, kind: NAME)
}
type Marriage implements CivilStatusEvent @dataSubject(field: "persons") {
  registrationNumber: String! @personalData(category: IDENTIFIER, kind: IDENTIFIER)
  registrationProvinceCode: String! @personalData(category: PUBLIC, kind: CODE)
    @protectionFact(name: "registrationProvince")
  persons: [Person!]! @personalData(category: FAMILY, kind: REFERENCE)
}
union SearchResult = Person | Sentence
type SentenceStatistic {
  province: String! @personalData(category: PUBLIC, kind: CODE)
  count: Int! @personalData(category: PUBLIC, kind: COUNT) @protectionFact(name: "cellCount")
}
"""

MODEL = ProtectionModel.from_sdl(SDL)
CATEGORIES = MODEL.categories


def schema():
    return build_schema(SDL)


def world() -> dict[str, Any]:
    """People, events and statistics; the root value for graphql-core's default resolvers."""
    father = {
        "__typename": "Person", "personalId": "001060000001", "fullName": "Nguyễn Văn Bố", "religion": "Phật giáo",
        "sex": "MALE", "dateOfBirth": "1960", "dateOfDeath": "2020-01-02", "missingSince": None,
        "processingRestricted": False, "permanentAddress": "1 Hàng Bài, Hoàn Kiếm, Thành phố Hà Nội",
        "issueDate": 1990, "father": None, "sentences": [], "nickname": "Bố", "secret": "s",
    }
    minor = dict(father, personalId="001210000002", fullName="Nguyễn Văn Con", dateOfBirth="2012-03-04",
                 dateOfDeath=None, father=father, nickname="Con")
    minor["sentences"] = [{"__typename": "Sentence", "id": "S1", "charges": "Art. 173", "offender": minor,
                           "penalty": {"term": "2 years"}}]
    adult = dict(minor, personalId="079090000003", fullName="Trần Thị Lớn", dateOfBirth="1990",
                 father=father, nickname="Lớn")
    adult["sentences"] = [{"__typename": "Sentence", "id": "S2", "charges": "Art. 171", "offender": adult,
                           "penalty": {"term": "3 years"}}]
    restricted = dict(adult, personalId="001080000004", fullName="Lê Hạn Chế", processingRestricted=True,
                      sentences=[])
    unknown = dict(adult, personalId="001070000005", fullName="Không Rõ", sentences=[], facts_unknown=True)
    people = {p["personalId"]: p for p in (father, minor, adult, restricted, unknown)}
    for person in people.values():
        person["protectionFacts"] = None if person.get("facts_unknown") else {
            "birthDate": person["dateOfBirth"], "deceased": person["dateOfDeath"] is not None,
            "missing": person["missingSince"] is not None, "restricted": person["processingRestricted"],
            "residenceProvinceCode": "001",
        }
    events = [
        {"__typename": "Birth", "registrationNumber": "B-1", "registrationProvinceCode": "001",
         "persons": [minor], "childName": "Nguyễn Văn Con"},
        {"__typename": "Marriage", "registrationNumber": "M-2", "registrationProvinceCode": "079",
         "persons": [adult]},
        {"__typename": "Marriage", "registrationNumber": "M-3", "registrationProvinceCode": "001",
         "persons": [adult, restricted]},
        {"__typename": "Marriage", "registrationNumber": "M-4", "registrationProvinceCode": "001",
         "persons": [unknown]},
    ]
    return {
        "person": lambda _info, personalId: people.get(personalId),
        "persons": lambda _info, personalIds: [people.get(i) for i in personalIds],
        "events": events,
        "searchPersons": lambda _info, name=None: [adult, *adult["sentences"], *minor["sentences"]],
        "stats": [{"province": "001", "count": 12}, {"province": "079", "count": 3}],
    }


def has_reserved_keys(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k.startswith("_lt_") or has_reserved_keys(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_reserved_keys(v) for v in value)
    return False
