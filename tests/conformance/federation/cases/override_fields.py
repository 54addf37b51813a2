"""@override: ``modern`` takes ``Case.status`` over from ``legacy`` (simple), ``Case.deadline`` together with a
@requires on it, and ``Court.name`` on a type reached through an interface (``Venue``). Legacy still answers
its old fields, with values saying "legacy": a router asking it for an overridden field shows in the data.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

CASES = {"k1": {"id": "k1", "filedOn": "2026-03-01", "court": "t1"},
         "k2": {"id": "k2", "filedOn": "2026-04-15", "court": "t2"}}
COURTS = {"t1": {"__typename": "Court", "id": "t1"}, "t2": {"__typename": "Court", "id": "t2"}}
ROOMS = [{"__typename": "Room", "id": "room-9", "name": "Room 9"}]


def _legacy_case(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {**row, "status": "legacy-status", "deadline": "legacy-deadline", "court": COURTS[row["court"]]}


LEGACY = Subgraph(
    "legacy",
    link("@key", version="2.7") + """
type Query {
  cases: [Case!]!
  venues: [Venue!]!
}
type Case @key(fields: "id") {
  id: ID!
  status: String!
  deadline: String!
  filedOn: String!
  court: Court!
}
interface Venue {
  id: ID!
  name: String!
}
type Court implements Venue @key(fields: "id") {
  id: ID!
  name: String!
}
type Room implements Venue {
  id: ID!
  name: String!
}
""",
    {
        "Query": {"cases": lambda *_: [_legacy_case(c) for c in CASES.values()],
                  "venues": lambda *_: [*({**c, "name": "legacy-name"} for c in COURTS.values()), *ROOMS]},
        "Case": {"__resolveReference": lambda ref, info: _legacy_case(CASES.get(ref["id"]))},
        "Court": {"__resolveReference": lambda ref, info: {**COURTS[ref["id"]], "name": "legacy-name"}},
        "Venue": {"__resolveType": lambda obj, info: obj["__typename"]},
    },
)


def _deadline(case: dict[str, Any], info: Any) -> str:
    year, month, day = case["filedOn"].split("-")  # the required field: a KeyError if the router omitted it
    return f"{year}-{int(month) + 2:02d}-{day}"


MODERN = Subgraph(
    "modern",
    link("@key", "@override", "@external", "@requires", version="2.7") + """
type Case @key(fields: "id") {
  id: ID!
  status: String! @override(from: "legacy")
  filedOn: String! @external
  deadline: String! @override(from: "legacy") @requires(fields: "filedOn")
}
type Court @key(fields: "id") {
  id: ID!
  name: String! @override(from: "legacy")
}
""",
    {"Case": {"__resolveReference": lambda ref, info: {**ref, "status": f"open-{ref['id']}"}, "deadline": _deadline},
     "Court": {"__resolveReference": lambda ref, info: {"id": ref["id"], "name": f"Court {ref['id']}"}}},
)

CASE = Case(
    name="override_fields",
    features=("@override", "@override with @requires", "@override on an interface implementation"),
    subgraphs=(LEGACY, MODERN),
    operations=(
        Op("overridden_field", "{ cases { id status } }"),
        Op("overridden_field_with_requires", "{ cases { deadline } }"),
        Op("not_overridden_fields_stay", "{ cases { filedOn court { id } } }"),
        Op("overridden_on_an_implementation", "{ venues { __typename id name } }"),
        Op("overridden_through_a_fragment", "{ venues { ... on Court { name } ... on Room { id name } } }"),
        Op("everything", "{ cases { id status deadline filedOn court { name } } }"),
    ),
)
