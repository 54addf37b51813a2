"""A small schema built from SDL, in-memory data and helpers for the policy document tests."""

from __future__ import annotations

from typing import Any

from graphql import build_schema

SDL = """
scalar PartialDate
enum Sex { MALE FEMALE }
type Query {
  person(personalId: ID!): Person
  persons(personalIds: [ID!]!): [Person]!
  events: [CivilStatusEvent!]!
  search: [SearchResult!]!
  stats: [SentenceStatistic!]!
}
type Person {
  personalId: ID!
  fullName: String
  religion: String
  sex: Sex
  dateOfBirth: PartialDate
  dateOfDeath: PartialDate
  missingSince: PartialDate
  processingRestricted: Boolean
  permanentAddress: String
  issueDate: Int
  father: Person
  sentences: [Sentence!]
  nickname: String!
  secret: String
}
type Sentence { id: ID! charges: String offender: Person }
interface CivilStatusEvent { registrationNumber: String! registrationProvinceCode: String! persons: [Person!]! }
type Birth implements CivilStatusEvent {
  registrationNumber: String! registrationProvinceCode: String! persons: [Person!]! childName: String
}
type Marriage implements CivilStatusEvent {
  registrationNumber: String! registrationProvinceCode: String! persons: [Person!]!
}
union SearchResult = Person | Sentence
type SentenceStatistic { province: String! count: Int! }
"""

CATEGORIES = {
    "Query.person": "IDENTIFIER", "Query.persons": "IDENTIFIER", "Query.events": "BASIC", "Query.search": "BASIC",
    "Query.stats": "PUBLIC",
    "Person.personalId": "IDENTIFIER", "Person.fullName": "BASIC", "Person.religion": "RELIGION",
    "Person.sex": "BASIC", "Person.dateOfBirth": "BASIC", "Person.dateOfDeath": "BASIC",
    "Person.missingSince": "BASIC", "Person.processingRestricted": "PUBLIC", "Person.permanentAddress": "BASIC",
    "Person.issueDate": "BASIC", "Person.father": "FAMILY", "Person.sentences": "CRIMINAL",
    "Person.nickname": "BASIC",  # Person.secret has no category: most restricted
    "Sentence.id": "CRIMINAL", "Sentence.charges": "CRIMINAL", "Sentence.offender": "CRIMINAL",
    "Birth.registrationNumber": "IDENTIFIER", "Birth.registrationProvinceCode": "PUBLIC", "Birth.persons": "FAMILY",
    "Birth.childName": "BASIC",
    "Marriage.registrationNumber": "IDENTIFIER", "Marriage.registrationProvinceCode": "PUBLIC",
    "Marriage.persons": "FAMILY",
    "SentenceStatistic.province": "PUBLIC", "SentenceStatistic.count": "PUBLIC",
}


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
    minor["sentences"] = [{"__typename": "Sentence", "id": "S1", "charges": "Art. 173", "offender": minor}]
    adult = dict(minor, personalId="079090000003", fullName="Trần Thị Lớn", dateOfBirth="1990",
                 father=father, nickname="Lớn")
    adult["sentences"] = [{"__typename": "Sentence", "id": "S2", "charges": "Art. 171", "offender": adult}]
    restricted = dict(adult, personalId="001080000004", fullName="Lê Hạn Chế", processingRestricted=True,
                      sentences=[])
    people = {p["personalId"]: p for p in (father, minor, adult, restricted)}
    events = [
        {"__typename": "Birth", "registrationNumber": "B-1", "registrationProvinceCode": "001",
         "persons": [minor], "childName": "Nguyễn Văn Con"},
        {"__typename": "Marriage", "registrationNumber": "M-2", "registrationProvinceCode": "079",
         "persons": [adult]},
    ]
    return {
        "person": lambda _info, personalId: people.get(personalId),
        "persons": lambda _info, personalIds: [people.get(i) for i in personalIds],
        "events": events,
        "search": [adult, *adult["sentences"]],
        "stats": [{"province": "001", "count": 12}, {"province": "079", "count": 3}],
    }


def has_reserved_keys(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k.startswith("_lt_") or has_reserved_keys(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_reserved_keys(v) for v in value)
    return False
