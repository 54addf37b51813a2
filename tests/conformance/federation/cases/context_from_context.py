"""@context / @fromContext (federation 2.8, join v0.5 ``contextArguments``): ``Cart.total`` takes its ``locale``
argument from the nearest ``User`` above it (``@context(name: "userCtx")``), never from the client (the
argument is not in the API schema). The router reads ``locale`` on the user and passes it when it fetches the
cart's ``total``.

Every ``expected`` is written by hand from the spec and the data below: Apollo Gateway (JS) refuses supergraphs
linking the context spec (``for: SECURITY``, not in its supported features), so it gives no reference here.

"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

USERS = {"u1": {"id": "u1", "locale": "vi-VN", "cart": {"id": "k1", "items": 3}},
         "u2": {"id": "u2", "locale": "en-US", "cart": {"id": "k2", "items": 1}},
         "u3": {"id": "u3", "locale": "fr-FR", "cart": None}}
CARTS = {u["cart"]["id"]: u["cart"] for u in USERS.values() if u["cart"]}
NAMES = {"u1": "Nga", "u2": "Peter", "u3": "Amelie"}


def _total(cart: dict[str, Any], info: Any, locale: str | None = None) -> str:
    if locale is None:
        raise ValueError("no locale from the context")
    return f"{cart['items']} items ({locale})"


USERS_SG = Subgraph(
    "users",
    link("@key", "@context", "@fromContext", version="2.8") + """
type Query {
  user(id: ID!): User
  users: [User!]!
}
type User @key(fields: "id") @context(name: "userCtx") {
  id: ID!
  locale: String!
  cart: Cart
}
type Cart @key(fields: "id") {
  id: ID!
  items: Int!
  total(locale: String @fromContext(field: "$userCtx { locale }")): String!
}
""",
    {"Query": {"user": lambda _, info, id: USERS.get(id), "users": lambda *_: list(USERS.values())},
     "User": {"__resolveReference": lambda ref, info: USERS.get(ref["id"])},
     "Cart": {"__resolveReference": lambda ref, info: CARTS.get(ref["id"]), "total": _total}},
)

PROFILES = Subgraph(
    "profiles",
    link("@key", version="2.8") + """
type User @key(fields: "id") {
  id: ID!
  name: String!
}
""",
    {"User": {"__resolveReference": lambda ref, info: {"id": ref["id"], "name": NAMES[ref["id"]]}}},
)

NOTE = "written by hand from the spec: Apollo Gateway refuses supergraphs that link the context spec"

CASE = Case(
    name="context_from_context",
    features=("@context", "@fromContext"),
    subgraphs=(USERS_SG, PROFILES),
    operations=(
        Op("value_from_the_parent_context", '{ user(id: "u1") { cart { total } } }',
           expected={"data": {"user": {"cart": {"total": "3 items (vi-VN)"}}}}, note=NOTE),
        Op("context_per_list_item", "{ users { id cart { id items total } } }",
           expected={"data": {"users": [
               {"id": "u1", "cart": {"id": "k1", "items": 3, "total": "3 items (vi-VN)"}},
               {"id": "u2", "cart": {"id": "k2", "items": 1, "total": "1 items (en-US)"}},
               {"id": "u3", "cart": None}]}}, note=NOTE),
        Op("context_with_a_hop_elsewhere", '{ user(id: "u2") { name locale cart { total } } }',
           expected={"data": {"user": {"name": "Peter", "locale": "en-US", "cart": {"total": "1 items (en-US)"}}}},
           note=NOTE),
        Op("context_argument_is_not_the_clients_refused",
           '{ user(id: "u1") { cart { total(locale: "de-DE") } } }',
           expected={"errors": [{"message": 'Unknown argument "locale" on field "Cart.total".',
                                 "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}, note=NOTE),
    ),
)
