"""@requires when the required data is missing: the owner errors on one item's required field, returns null for
another's, and does not know a third entity at all. What reaches the requiring subgraph, and the errors and
nulls the client sees (paths, bubbling to the nearest nullable field), follow Apollo Gateway.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

ITEMS = {"i1": {"id": "i1", "name": "Warrant", "weight": 2},
         "i2": {"id": "i2", "name": "Summons", "weight": "error"},
         "i3": {"id": "i3", "name": "Subpoena", "weight": None}}
ROOT = ["i1", "i2", "i3", "i4"]


def _weight(item: dict[str, Any], info: Any) -> int | None:
    if item["weight"] == "error":
        raise ValueError("scale broken")
    return item["weight"]


OWNER = Subgraph(
    "owner",
    link("@key") + """
type Item @key(fields: "id") {
  id: ID!
  name: String!
  weight: Int
}
""",
    {"Item": {"__resolveReference": lambda ref, info: ITEMS.get(ref["id"]), "weight": _weight}},
)


def _postage(item: dict[str, Any], info: Any) -> int | None:
    weight = item.get("weight")
    return None if weight is None else 5 + weight * 3


def _strict(item: dict[str, Any], info: Any) -> int:
    if item.get("weight") is None:
        raise ValueError(f"no weight for {item['id']}")
    return item["weight"] * 10


MAIL = Subgraph(
    "mail",
    link("@key", "@external", "@requires") + """
type Query {
  outbox: [Item]
}
type Item @key(fields: "id") {
  id: ID!
  weight: Int @external
  postage: Int @requires(fields: "weight")
  strictPostage: Int! @requires(fields: "weight")
}
""",
    {"Query": {"outbox": lambda *_: [{"id": i} for i in ROOT]},
     "Item": {"__resolveReference": lambda ref, info: ref, "postage": _postage, "strictPostage": _strict}},
)

CASE = Case(
    name="requires_errors",
    features=("@requires", "@requires with errors in the required field", "errors"),
    subgraphs=(OWNER, MAIL),
    operations=(
        Op("nullable_requiring_field", "{ outbox { id postage } }"),
        Op("non_null_requiring_field_bubbles", "{ outbox { id strictPostage } }",
           expected={"data": {"outbox": [{"id": "i1", "strictPostage": 20}, None, None, None]}, "errors": [
               {"message": "scale broken", "path": ["outbox", 1, "weight"]},
               {"message": "no weight", "path": ["outbox", 1, "strictPostage"]},
               {"message": "no weight for i3", "path": ["outbox", 2, "strictPostage"]},
               {"message": "no weight for i4", "path": ["outbox", 3, "strictPostage"]}]},
           note="written by hand from the spec: a Non-Null field that cannot be resolved is a field error, so i4 "
                "(unknown to the owner, its weight never fetched) has an error at its strictPostage; Apollo Gateway "
                "does not send i4 to mail and nulls the item with no error at all"),
        Op("required_field_selected_too", "{ outbox { name weight postage } }"),
    ),
)
