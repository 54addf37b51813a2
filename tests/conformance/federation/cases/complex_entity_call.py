"""Complex entity calls: compound keys (``number year``), nested keys (``id court { id }``) and a key whose
nested part itself comes from another subgraph."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

# Judgments are identified by (number, year) nationally; hearings by (seq, court { id }).
JUDGMENTS = [
    {"number": "12", "year": 2024, "title": "State v. Le", "hearing": {"seq": 1, "court": {"id": "c1", "region": "north"}}},
    {"number": "12", "year": 2023, "title": "State v. Pham", "hearing": {"seq": 2, "court": {"id": "c2", "region": "central"}}},
    {"number": "40", "year": 2024, "title": "State v. Vo", "hearing": {"seq": 1, "court": {"id": "c2", "region": "central"}}},
]
PENALTIES = {("12", 2024): ["fine"], ("12", 2023): ["prison", "fine"], ("40", 2024): []}
ROOMS = {(1, "c1", "north"): "Room A", (2, "c2", "central"): "Room 2", (1, "c2", "central"): "Room 1"}


def judgment_reference(rep: dict[str, Any], _info: Any) -> dict[str, Any] | None:
    key = (rep["number"], rep["year"])
    if key not in PENALTIES:
        return None
    return {"number": rep["number"], "year": rep["year"], "penalties": PENALTIES[key]}


def hearing_reference(rep: dict[str, Any], _info: Any) -> dict[str, Any]:
    court = rep["court"]
    return {**rep, "room": ROOMS.get((rep["seq"], court["id"], court["region"]))}


ARCHIVE = Subgraph(
    "archive",
    link("@key", "@shareable") + """
type Query {
  judgments: [Judgment!]!
  judgment(number: String!, year: Int!): Judgment
}
type Judgment @key(fields: "number year") {
  number: String!
  year: Int!
  title: String!
  hearing: Hearing!
}
type Hearing @key(fields: "seq court { id region }") {
  seq: Int!
  court: CourtRef!
}
type CourtRef @shareable {
  id: ID!
  region: String!
}
""",
    {"Query": {
        "judgments": lambda *_: JUDGMENTS,
        "judgment": lambda _, info, number, year: next(
            (j for j in JUDGMENTS if j["number"] == number and j["year"] == year), None),
    }},
)

PENALTY = Subgraph(
    "penalty",
    link("@key") + """
type Judgment @key(fields: "number year") {
  number: String!
  year: Int!
  penalties: [String!]!
}
""",
    {"Judgment": {"__resolveReference": judgment_reference}},
)

ROOMS_SUBGRAPH = Subgraph(
    "rooms",
    link("@key", "@shareable") + """
type Hearing @key(fields: "seq court { id region }") {
  seq: Int!
  court: CourtRef!
  room: String
}
type CourtRef @shareable {
  id: ID!
  region: String!
}
""",
    {"Hearing": {"__resolveReference": hearing_reference}},
)

CASE = Case(
    name="complex_entity_call",
    features=("complex entity call", "compound @key", "nested @key", "entity call"),
    subgraphs=(ARCHIVE, PENALTY, ROOMS_SUBGRAPH),
    operations=(
        Op("compound_key", '{ judgment(number: "12", year: 2023) { title penalties } }'),
        Op("compound_key_list", "{ judgments { year number penalties } }"),
        Op("nested_key", "{ judgments { title hearing { room } } }"),
        Op("nested_key_and_compound", "{ judgments { penalties hearing { seq court { id } room } title } }"),
        Op("unknown_compound_null", '{ judgment(number: "99", year: 2020) { penalties } }'),
        Op("nested_key_variables", """
query J($n: String!, $y: Int!) { judgment(number: $n, year: $y) { hearing { court { region } room } } }
""", {"n": "40", "y": 2024}),
    ),
)
