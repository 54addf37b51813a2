"""@interfaceObject: ``records`` owns the entity interface ``Record`` and its implementations; ``archive`` sees
``Record`` as an object (``@interfaceObject``) and adds ``shelf`` to every implementation, and ``box`` that
@requires the interface's ``year``. From archive's root the router must ask records for the concrete type
(``__typename``, type conditions) and for ``year``; from records' root, archive is asked with
``__typename: "Record"`` representations.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

RECORDS = {
    "r1": {"__typename": "BirthRecord", "id": "r1", "year": 2001, "child": "Phuong"},
    "r2": {"__typename": "DeathRecord", "id": "r2", "year": 1999, "deceased": "Tam"},
    "r3": {"__typename": "BirthRecord", "id": "r3", "year": 2015, "child": "Long"},
}
SHELVES = {"r1": "A-1", "r2": "B-7", "r3": "A-2"}


def _by_id(ref: dict[str, Any], info: Any) -> dict[str, Any] | None:
    return RECORDS.get(ref["id"])


RECORDS_SG = Subgraph(
    "records",
    link("@key") + """
type Query {
  records: [Record!]!
}
interface Record @key(fields: "id") {
  id: ID!
  year: Int!
}
type BirthRecord implements Record @key(fields: "id") {
  id: ID!
  year: Int!
  child: String!
}
type DeathRecord implements Record @key(fields: "id") {
  id: ID!
  year: Int!
  deceased: String!
}
""",
    {
        "Query": {"records": lambda *_: list(RECORDS.values())},
        "Record": {"__resolveReference": _by_id, "__resolveType": lambda obj, info: obj["__typename"]},
        "BirthRecord": {"__resolveReference": _by_id},
        "DeathRecord": {"__resolveReference": _by_id},
    },
)


def _archived(ref: dict[str, Any], info: Any) -> dict[str, Any] | None:
    if ref["id"] not in SHELVES:
        return None
    return {**ref, "__typename": "Record", "shelf": SHELVES[ref["id"]]}


def _box(record: dict[str, Any], info: Any) -> str:
    return f"box-{record['year'] // 10 * 10}s"  # needs the required year: a KeyError if the router omitted it


ARCHIVE = Subgraph(
    "archive",
    link("@key", "@interfaceObject", "@external", "@requires") + """
type Query {
  archived: [Record!]!
}
type Record @key(fields: "id") @interfaceObject {
  id: ID!
  shelf: String!
  year: Int! @external
  box: String! @requires(fields: "year")
}
""",
    {"Query": {"archived": lambda *_: [{"__typename": "Record", "id": i, "shelf": s} for i, s in SHELVES.items()]},
     "Record": {"__resolveReference": _archived, "box": _box}},
)

CASE = Case(
    name="interface_object",
    features=("@interfaceObject", "@interfaceObject with @requires", "entity interface"),
    subgraphs=(RECORDS_SG, ARCHIVE),
    operations=(
        Op("interface_root_to_interface_object", "{ records { id year shelf } }"),
        Op("interface_object_root_no_hop", "{ archived { id shelf } }"),
        Op("concrete_typename_from_the_interface_owner", "{ archived { __typename id } }"),
        Op("type_conditions_from_the_interface_object_root",
           "{ archived { shelf ... on BirthRecord { child } ... on DeathRecord { deceased year } } }"),
        Op("requires_on_interface_object_from_interface_root", "{ records { ... on BirthRecord { child } box } }"),
        Op("requires_on_interface_object_from_its_root", "{ archived { id box } }"),
    ),
)
