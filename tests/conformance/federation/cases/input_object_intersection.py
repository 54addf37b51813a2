"""Input-object intersection: the same input type in two subgraphs with different optional fields (the
supergraph keeps only the fields of both); literals, variables, nested input objects, lists and defaults are
passed to whichever subgraph resolves the field."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link


def describe(period: dict[str, Any]) -> str:
    # The subgraph reports every key it received, so a field the gateway must not forward would show.
    return ",".join(f"{key}={period[key]}" for key in sorted(period))


SEARCH = Subgraph(
    "search",
    link("@shareable") + """
type Query {
  cases(period: Period!, filter: Filter): [String!]!
  window(period: Period!): String! @shareable
}
input Period {
  from: Int!
  to: Int!
  inclusive: Boolean
}
input Filter {
  period: Period
  courts: [String!]
  limit: Int = 10
}
""",
    {"Query": {"cases": lambda _, info, period, filter=None: [describe(period)] + (
        [f"filter:{describe({k: v if not isinstance(v, dict) else describe(v) for k, v in filter.items()})}"]
        if filter else []),
        "window": lambda _, info, period: "search " + describe(period)}},
)

STATS = Subgraph(
    "stats",
    link("@shareable") + """
type Query {
  total(period: Period!): Int!
  window(period: Period!): String! @shareable
}
input Period {
  from: Int!
  to: Int!
  court: String
}
""",
    {"Query": {"total": lambda _, info, period: period["to"] - period["from"] + 1,
               "window": lambda _, info, period: "stats " + describe(period)}},
)

CASE = Case(
    name="input_object_intersection",
    features=("input-object intersection", "variables"),
    subgraphs=(SEARCH, STATS),
    operations=(
        Op("shared_fields_literal", "{ cases(period: {from: 2020, to: 2022}) total(period: {to: 2024, from: 2021}) }"),
        Op("field_of_one_subgraph_refused", "{ cases(period: {from: 2020, to: 2022, inclusive: true}) }"),
        Op("other_subgraph_field_refused", "{ total(period: {from: 2020, to: 2022, court: \"HN\"}) }"),
        Op("variables_object", "query P($p: Period!) { cases(period: $p) total(period: $p) }",
           {"p": {"from": 2000, "to": 2003}}),
        Op("variable_with_unknown_field_refused", "query P($p: Period!) { total(period: $p) }",
           {"p": {"from": 2000, "to": 2003, "court": "HN"}}),
        Op("nested_input_and_default", """
query F($f: Filter) { cases(period: {from: 1, to: 2}, filter: $f) }
""", {"f": {"period": {"from": 5, "to": 6}, "courts": ["HN", "HUE"]}}),
        Op("shared_root_with_input", "{ window(period: {from: 7, to: 9}) }"),
    ),
)
