"""Chains of @requires across subgraphs: ``ageGroup`` (groups) requires ``age``, itself computed by another
subgraph (ages) from ``birthYear`` (people); and ``label`` (back in people) requires ``ageGroup``, so one
field needs three hops in order: people -> ages -> groups -> people.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

PEOPLE = {"p1": {"id": "p1", "name": "Hoa", "birthYear": 2010}, "p2": {"id": "p2", "name": "Quang", "birthYear": 1980},
          "p3": {"id": "p3", "name": "Tuyet", "birthYear": 1950}}
THIS_YEAR = 2026


def _label(person: dict[str, Any], info: Any) -> str:
    return f"{PEOPLE[person['id']]['name']} ({person['ageGroup']})"


PEOPLE_SG = Subgraph(
    "people",
    link("@key", "@external", "@requires") + """
type Query {
  people: [Person!]!
  person(id: ID!): Person
}
type Person @key(fields: "id") {
  id: ID!
  name: String!
  birthYear: Int!
  ageGroup: String @external
  label: String @requires(fields: "ageGroup")
}
""",
    {
        "Query": {"people": lambda *_: list(PEOPLE.values()), "person": lambda _, info, id: PEOPLE.get(id)},
        "Person": {"__resolveReference": lambda ref, info: {**PEOPLE.get(ref["id"], {}), **ref}, "label": _label},
    },
)

AGES = Subgraph(
    "ages",
    link("@key", "@external", "@requires") + """
type Person @key(fields: "id") {
  id: ID!
  birthYear: Int! @external
  age: Int! @requires(fields: "birthYear")
}
""",
    {"Person": {"__resolveReference": lambda ref, info: ref,
                "age": lambda person, info: THIS_YEAR - person["birthYear"]}},
)


def _group(person: dict[str, Any], info: Any) -> str:
    age = person["age"]
    return "minor" if age < 18 else "adult" if age < 60 else "senior"


GROUPS = Subgraph(
    "groups",
    link("@key", "@external", "@requires") + """
type Person @key(fields: "id") {
  id: ID!
  age: Int! @external
  ageGroup: String @requires(fields: "age")
}
""",
    {"Person": {"__resolveReference": lambda ref, info: ref, "ageGroup": _group}},
)

CASE = Case(
    name="requires_chain",
    features=("@requires", "@requires chain across subgraphs", "requires-requires", "circular @requires"),
    subgraphs=(PEOPLE_SG, AGES, GROUPS),
    operations=(
        Op("one_requires", "{ people { id age } }"),
        Op("requires_of_a_requires", "{ people { ageGroup } }"),
        Op("three_hops_back_to_the_first_subgraph", "{ people { label } }"),
        Op("every_step_selected", "{ people { name birthYear age ageGroup label } }"),
        Op("aliased_roots", '{ a: person(id: "p1") { g: ageGroup } b: person(id: "p3") { label age } '
                            'c: person(id: "nobody") { label } }'),
    ),
)
