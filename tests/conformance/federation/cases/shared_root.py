"""Shared root fields: the same ``@shareable`` root field in several subgraphs, each resolving a different part
of the returned (value) type; the gateway may use any of them but must return every selected field."""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import link

STATS = {"year": 2024, "province": "HN"}

COUNTS = Subgraph(
    "counts",
    link("@shareable") + """
type Query {
  statistics(year: Int!): Statistics @shareable
  ping: String! @shareable
}
type Statistics @shareable {
  year: Int!
  province: String!
  convictions: Int!
}
""",
    {"Query": {"statistics": lambda _, info, year: {**STATS, "year": year, "convictions": 130 + year % 7},
               "ping": lambda *_: "pong"}},
)

DURATIONS = Subgraph(
    "durations",
    link("@shareable") + """
type Query {
  statistics(year: Int!): Statistics @shareable
  ping: String! @shareable
}
type Statistics @shareable {
  year: Int!
  province: String!
  averageMonths: Float!
  releaseRate: Float
}
""",
    {"Query": {"statistics": lambda _, info, year: {**STATS, "year": year, "averageMonths": 14.5, "releaseRate": 1.0},
               "ping": lambda *_: "pong"}},
)

APPEALS = Subgraph(
    "appeals",
    link("@shareable") + """
type Query {
  statistics(year: Int!): Statistics @shareable
}
type Statistics @shareable {
  year: Int!
  appeals: Int
}
""",
    {"Query": {"statistics": lambda _, info, year: {"year": year, "appeals": 9}}},
)

CASE = Case(
    name="shared_root",
    features=("shared root fields", "@shareable"),
    subgraphs=(COUNTS, DURATIONS, APPEALS),
    operations=(
        Op("shared_fields_only", "{ statistics(year: 2024) { year province } }"),
        Op("one_subgraph_field", "{ statistics(year: 2023) { year convictions } }"),
        Op("fields_of_three_subgraphs", "{ statistics(year: 2024) { appeals averageMonths convictions year } }"),
        Op("aliased_twice", "{ a: statistics(year: 2020) { convictions } b: statistics(year: 2021) { averageMonths } }"),
        Op("shared_scalar_root", "{ ping p2: ping }"),
        Op("integral_float", "{ statistics(year: 2022) { releaseRate averageMonths } }",
           note="releaseRate is 1.0: Node prints 1, Python 1.0 (the same JSON number)"),
        Op("variables_to_all", "query S($y: Int!) { statistics(year: $y) { year appeals averageMonths } }", {"y": 2019}),
    ),
)
