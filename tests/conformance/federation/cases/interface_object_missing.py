"""@interfaceObject rows the interface's owner does not know: archive lists ``Record`` ids, one of which the
records subgraph has never heard of (its ``_entities`` answers null). Asking for the concrete type or an
implementation's field of that row nulls it (and, under a Non-Null list item, its parent), while fields that
archive itself resolves need no owner at all.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

RECORDS = {"r1": {"__typename": "Marriage", "id": "r1", "spouses": 2},
           "r2": {"__typename": "Divorce", "id": "r2", "decree": "QD-12"}}
SHELVES = {"r1": "M-1", "r2": "D-4", "r9": "X-0"}


def _known(ref: dict[str, Any], info: Any) -> dict[str, Any] | None:
    return RECORDS.get(ref["id"])


RECORDS_SG = Subgraph(
    "records",
    link("@key") + """
interface Record @key(fields: "id") {
  id: ID!
}
type Marriage implements Record @key(fields: "id") {
  id: ID!
  spouses: Int!
}
type Divorce implements Record @key(fields: "id") {
  id: ID!
  decree: String!
}
""",
    {"Record": {"__resolveReference": _known, "__resolveType": lambda obj, info: obj["__typename"]},
     "Marriage": {"__resolveReference": _known}, "Divorce": {"__resolveReference": _known}},
)

ARCHIVE = Subgraph(
    "archive",
    link("@key", "@interfaceObject") + """
type Query {
  shelf: [Record]!
  strictShelf: [Record!]
}
type Record @key(fields: "id") @interfaceObject {
  id: ID!
  location: String!
}
""",
    {"Query": {"shelf": lambda *_: [{"id": i, "location": s} for i, s in SHELVES.items()],
               "strictShelf": lambda *_: [{"id": i, "location": s} for i, s in SHELVES.items()]},
     "Record": {"__resolveReference": lambda ref, info: {**ref, "location": SHELVES[ref["id"]]}}},
)

CASE = Case(
    name="interface_object_missing",
    features=("@interfaceObject", "@interfaceObject rows unknown to the interface owner", "null bubbling"),
    subgraphs=(RECORDS_SG, ARCHIVE),
    operations=(
        Op("own_fields_need_no_owner", "{ shelf { id location } }"),
        Op("typename_of_an_unknown_row", "{ shelf { __typename id } }"),
        Op("implementation_fields", "{ shelf { location ... on Marriage { spouses } ... on Divorce { decree } } }"),
        Op("unknown_row_under_non_null_items", "{ strictShelf { __typename location } }"),
    ),
)
