"""Enum intersection: an enum used only as output in two subgraphs with different values (the supergraph has
their union), an enum used only as input (the supergraph keeps the intersection: a value of one subgraph only is
refused before any fetch), and enum values passed through variables and returned through entity hops."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

OFFENCES = [{"id": "o1", "severity": "MINOR"}, {"id": "o2", "severity": "MAJOR"}]
REVIEW = {"o1": "CRITICAL", "o2": "MAJOR"}


def courts_at(_: Any, _info: Any, level: str) -> list[str]:
    return [f"{level.lower()} court {n}" for n in (1, 2)]


CRIMINAL = Subgraph(
    "criminal",
    link("@key", "@shareable") + """
type Query {
  offences: [Offence!]!
  courts(level: CourtLevel!): [String!]! @shareable
  countAt(levels: [CourtLevel!]!): Int!
}
enum Severity {
  MINOR
  MAJOR
}
enum CourtLevel {
  DISTRICT
  PROVINCIAL
  SUPREME
}
type Offence @key(fields: "id") {
  id: ID!
  severity: Severity!
}
""",
    {"Query": {"offences": lambda *_: OFFENCES, "courts": courts_at,
               "countAt": lambda _, info, levels: len(levels)},
     "Offence": {"__resolveReference": lambda rep, _: next((o for o in OFFENCES if o["id"] == rep["id"]), None)}},
)

APPEALS = Subgraph(
    "appeals",
    link("@key", "@shareable") + """
type Query {
  courts(level: CourtLevel!): [String!]! @shareable
}
enum Severity {
  MAJOR
  CRITICAL
}
enum CourtLevel {
  PROVINCIAL
  SUPREME
  MILITARY
}
type Offence @key(fields: "id") {
  id: ID!
  reviewedSeverity: Severity
}
""",
    {"Query": {"courts": courts_at},
     "Offence": {"__resolveReference": lambda rep, _: {"id": rep["id"], "reviewedSeverity": REVIEW.get(rep["id"])}}},
)

CASE = Case(
    name="enum_intersection",
    features=("enum intersection", "enum union (output)", "variables", "entity call"),
    subgraphs=(CRIMINAL, APPEALS),
    operations=(
        Op("output_enum_union_across_hop", "{ offences { id severity reviewedSeverity } }"),
        Op("input_enum_shared_value", "{ courts(level: SUPREME) }"),
        Op("input_enum_value_of_one_subgraph_refused", "{ courts(level: DISTRICT) }"),
        Op("input_enum_other_subgraph_value_refused", "{ courts(level: MILITARY) }"),
        Op("input_enum_variable", "query C($l: CourtLevel!) { courts(level: $l) }", {"l": "PROVINCIAL"}),
        Op("input_enum_variable_bad_value_refused", "query C($l: CourtLevel!) { courts(level: $l) }", {"l": "MILITARY"}),
        Op("input_enum_list_variable", "query C($l: [CourtLevel!]!) { countAt(levels: $l) }",
           {"l": ["SUPREME", "PROVINCIAL", "SUPREME"]}),
    ),
)
