"""@requires with nested selections and inline fragments: a court fee computed from the dossier's court region
and from its subject, a union whose members carry different fields (``... on Person`` / ``... on Company``).

``registry`` owns dossiers and their value types; ``fees`` declares them ``@external`` and requires a nested
field set, so the router must fetch the nested fields from ``registry`` first and pass them in the
representation, fragments included (the fee resolver fails loudly if a required field is missing).
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

DOSSIERS: dict[str, dict[str, Any]] = {
    "d1": {"id": "d1", "title": "Land dispute", "court": {"name": "Hanoi court", "region": {"code": "N", "rate": 3}},
           "subject": {"__typename": "Person", "name": "Lan", "age": 70}},
    "d2": {"id": "d2", "title": "Contract breach", "court": {"name": "Hue court", "region": {"code": "C", "rate": 2}},
           "subject": {"__typename": "Company", "title": "Sao Mai JSC", "employees": 120}},
    "d3": {"id": "d3", "title": "Inheritance", "court": {"name": "Can Tho court", "region": {"code": "S", "rate": 1}},
           "subject": {"__typename": "Person", "name": "Minh", "age": 30}},
}

REGISTRY = Subgraph(
    "registry",
    link("@key", "@shareable") + """
type Query {
  dossiers: [Dossier!]!
  dossier(id: ID!): Dossier
}
type Dossier @key(fields: "id") {
  id: ID!
  title: String!
  court: Court!
  subject: Party!
}
type Court @shareable {
  name: String!
  region: Region!
}
type Region @shareable {
  code: String!
  rate: Int!
}
union Party = Person | Company
type Person @shareable {
  name: String!
  age: Int!
}
type Company @shareable {
  title: String!
  employees: Int!
}
""",
    {
        "Query": {"dossiers": lambda *_: list(DOSSIERS.values()), "dossier": lambda _, info, id: DOSSIERS.get(id)},
        "Dossier": {"__resolveReference": lambda ref, info: DOSSIERS.get(ref["id"])},
    },
)


def _fee(dossier: dict[str, Any], info: Any) -> int:
    # Every required field must have come in the representation: a missing one is a planner bug, said loudly.
    rate = dossier["court"]["region"]["rate"]
    subject = dossier["subject"]
    base = subject["age"] * 10 if subject.get("__typename") == "Person" else subject["employees"] * 100
    return base * rate + len(dossier["court"]["region"]["code"])


def _reduced(dossier: dict[str, Any], info: Any) -> bool:
    subject = dossier["subject"]
    return subject.get("__typename") == "Person" and subject["age"] >= 65


FEES = Subgraph(
    "fees",
    link("@key", "@external", "@requires", "@shareable") + """
type Dossier @key(fields: "id") {
  id: ID!
  court: Court! @external
  subject: Party! @external
  fee: Int! @requires(fields: "court { region { code rate } } subject { ... on Person { age } ... on Company { employees } }")
  reducedFee: Boolean! @requires(fields: "subject { __typename ... on Person { age } }")
}
type Court @shareable {
  region: Region!
}
type Region @shareable {
  code: String!
  rate: Int!
}
union Party = Person | Company
type Person @shareable {
  age: Int!
}
type Company @shareable {
  employees: Int!
}
""",
    {"Dossier": {"__resolveReference": lambda ref, info: ref, "fee": _fee, "reducedFee": _reduced}},
)

CASE = Case(
    name="requires_nested",
    features=("@requires", "@requires nested selections", "@requires with fragments", "@external"),
    subgraphs=(REGISTRY, FEES),
    operations=(
        Op("fee_only", "{ dossiers { fee } }"),
        Op("fee_with_owned_fields", '{ dossier(id: "d2") { title fee reducedFee } }'),
        Op("fee_and_overlapping_required_fields",
           "{ dossiers { id court { name region { code } } fee subject { ... on Person { name age } } } }"),
        Op("fee_in_fragments_with_aliases",
           "query { a: dossier(id: \"d1\") { ...F } b: dossier(id: \"d3\") { ...F } } "
           "fragment F on Dossier { cost: fee discounted: reducedFee subject { __typename } }"),
        Op("unknown_dossier", '{ dossier(id: "none") { fee } }'),
    ),
)
