"""``@include`` / ``@skip``: with literals and variables, on fields, inline fragments and fragment spreads, on
fields that need a hop to another subgraph (a skipped hop must not be fetched), and on root fields."""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import by_key, link

PERSONS = {"p1": {"id": "p1", "name": "Ngo An"}, "p2": {"id": "p2", "name": "Ha Binh"}}
RECORDS = {"p1": {"id": "p1", "convictions": 2, "lastOffence": "theft"},
           "p2": {"id": "p2", "convictions": 0, "lastOffence": None}}

POPULATION = Subgraph(
    "population",
    link("@key") + """
type Query {
  person(id: ID!): Person
  persons: [Person!]!
}
type Person @key(fields: "id") {
  id: ID!
  name: String!
}
""",
    {"Query": {"person": lambda _, info, id: PERSONS.get(id), "persons": lambda *_: list(PERSONS.values())},
     "Person": {"__resolveReference": by_key(PERSONS)}},
)

RECORDS_SUBGRAPH = Subgraph(
    "records",
    link("@key") + """
type Query {
  recordCount: Int!
}
type Person @key(fields: "id") {
  id: ID!
  convictions: Int!
  lastOffence: String
}
""",
    {"Query": {"recordCount": lambda *_: len(RECORDS)}, "Person": {"__resolveReference": by_key(RECORDS)}},
)

CASE = Case(
    name="include_skip",
    features=("@include/@skip", "@include/@skip on hops", "variables", "entity call"),
    subgraphs=(POPULATION, RECORDS_SUBGRAPH),
    operations=(
        Op("skip_hop_true", """
query Q($s: Boolean!) { person(id: "p1") { name convictions @skip(if: $s) } }
""", {"s": True}),
        Op("skip_hop_false", """
query Q($s: Boolean!) { person(id: "p1") { name convictions @skip(if: $s) } }
""", {"s": False}),
        Op("include_fragment_on_hop", """
query Q($i: Boolean!) { persons { id ... on Person @include(if: $i) { convictions lastOffence } } }
""", {"i": True}),
        Op("include_spread_false", """
query Q($i: Boolean!) { persons { name ...R @include(if: $i) } }
fragment R on Person { convictions }
""", {"i": False}),
        Op("both_directives", """
query Q($yes: Boolean!, $no: Boolean!) {
  person(id: "p2") { name @include(if: $yes) @skip(if: $no) lastOffence @include(if: $yes) @skip(if: $yes) }
}
""", {"yes": True, "no": False}),
        Op("literal_on_root", '{ a: recordCount @skip(if: true) b: recordCount @include(if: true) person(id: "p1") @include(if: false) { id } }'),
        Op("everything_skipped", """
query Q($s: Boolean!) { person(id: "p1") @skip(if: $s) { id convictions } recordCount @include(if: false) }
""", {"s": True}),
        Op("default_variable", """
query Q($i: Boolean = false) { persons { id convictions @include(if: $i) } }
"""),
        Op("skipped_key_still_selected_elsewhere", """
query Q($s: Boolean!) { persons { id @skip(if: $s) convictions } }
""", {"s": True}),
    ),
)
