"""Nested lists and custom scalars across hops: entities inside lists of lists (with null items) batched into
one ``_entities`` fetch and put back in place, a JSON-like custom scalar whose object values keep their key
order, and errors raised by a field inside an ``_entities`` fetch (``_entities/i/field``) mapped to the client's
path, with the subgraph's own ``extensions.code``."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from ..case import Case, Op, Subgraph
from ._sdl import link

# Panels of judges per session: a list of lists of references, some missing.
SESSIONS = [
    {"day": "mon", "panels": [[{"id": "j1"}, {"id": "j2"}], [], [{"id": "j3"}, None]]},
    {"day": "tue", "panels": [None, [{"id": "j2"}, {"id": "j1"}]]},
]
JUDGES = {
    "j1": {"id": "j1", "name": "Le A", "profile": {"z": 1, "a": {"y": True, "b": [3, 2, 1]}, "m": None}},
    "j2": {"id": "j2", "name": "Pham B", "profile": {"b": "x", "a": "y"}},
    "j3": {"id": "j3", "name": "Vo C", "profile": [1, {"k": "v", "c": "d"}]},
}


def rating(judge: dict[str, Any], _info: Any) -> int:
    if judge["id"] == "j2":
        raise GraphQLError("rating sealed", extensions={"code": "SEALED"})
    if judge["id"] == "j3":
        raise ValueError("rating service timeout")
    return 5


SCHEDULE = Subgraph(
    "schedule",
    link("@key") + """
type Query {
  sessions: [Session!]!
  tags: [[String]]
}
type Session {
  day: String!
  panels: [[Judge]]
}
type Judge @key(fields: "id") {
  id: ID!
}
""",
    {"Query": {"sessions": lambda *_: SESSIONS, "tags": lambda *_: [["a", None], None, []]}},
)

PEOPLE = Subgraph(
    "people",
    link("@key") + """
scalar JSON
type Judge @key(fields: "id") {
  id: ID!
  name: String!
  profile: JSON
  rating: Int
  strictRating: Int!
}
""",
    {"Judge": {"__resolveReference": lambda rep, _: JUDGES.get(rep["id"]), "rating": rating,
               "strictRating": rating}},
)

CASE = Case(
    name="nested_lists_and_scalars",
    features=("nested lists", "custom scalars", "subgraph error at client path", "errors", "null bubbling",
              "entity call"),
    subgraphs=(SCHEDULE, PEOPLE),
    operations=(
        Op("lists_of_lists_hop", "{ sessions { day panels { id name } } }"),
        Op("scalar_lists_of_lists", "{ tags }"),
        Op("custom_scalar_key_order", "{ sessions { panels { profile } } }"),
        Op("entity_field_errors_mapped", "{ sessions { day panels { name rating } } }"),
        Op("entity_non_null_field_error_bubbles_to_item", "{ sessions { panels { id strictRating } } }"),
    ),
)
