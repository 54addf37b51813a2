"""@requires through a value type marked ``@external`` as a whole (``type Offence @external``) with an argument
inside the nested selection (``offence { averageFine(currency: "VND") }``), and the client asking the same
nested field with another argument. As in ``requires_with_arguments``, the client's and the required values
stay apart: where they differ, ``expected`` is written by hand (Apollo Gateway merges them).
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

CHARGES = {"ch1": {"id": "ch1", "article": "173", "offence": {"code": "theft", "fine": 20_000_000}},
           "ch2": {"id": "ch2", "article": "174", "offence": {"code": "fraud", "fine": 50_000_000}}}
RATES = {"VND": 1, "USD": 25_000}


def _average(offence: dict[str, Any], info: Any, currency: str) -> int:
    return offence["fine"] // RATES[currency]


CODE = Subgraph(
    "code",
    link("@key", "@shareable") + """
type Query {
  charges: [Charge!]!
}
type Charge @key(fields: "id") {
  id: ID!
  article: String!
  offence: Offence!
}
type Offence @shareable {
  code: String!
  averageFine(currency: String!): Int!
}
""",
    {"Query": {"charges": lambda *_: list(CHARGES.values())},
     "Charge": {"__resolveReference": lambda ref, info: CHARGES.get(ref["id"])},
     "Offence": {"averageFine": _average}},
)


def _serious(charge: dict[str, Any], info: Any) -> bool:
    return charge["offence"]["averageFine"] >= 30_000_000  # in VND, whatever the client asked for


SEVERITY = Subgraph(
    "severity",
    link("@key", "@external", "@requires") + """
type Charge @key(fields: "id") {
  id: ID!
  offence: Offence! @external
  serious: Boolean! @requires(fields: "offence { averageFine(currency: \\"VND\\") }")
}
type Offence @external {
  averageFine(currency: String!): Int!
}
""",
    {"Charge": {"__resolveReference": lambda ref, info: ref, "serious": _serious}},
)

HAND = ("written by hand from the spec: the client's averageFine(currency: \"USD\") and the required "
        "averageFine(currency: \"VND\") differ in arguments, each keeps its own value")

CASE = Case(
    name="requires_external_type",
    features=("@requires", "@requires with arguments", "@external on a type", "@requires nested selections"),
    subgraphs=(CODE, SEVERITY),
    operations=(
        Op("requires_through_an_external_type", "{ charges { article serious } }"),
        Op("client_asks_the_same_argument", '{ charges { offence { averageFine(currency: "VND") } serious } }'),
        Op("client_asks_another_argument", '{ charges { offence { code averageFine(currency: "USD") } serious } }',
           expected={"data": {"charges": [
               {"offence": {"code": "theft", "averageFine": 800}, "serious": False},
               {"offence": {"code": "fraud", "averageFine": 2000}, "serious": True}]}}, note=HAND),
    ),
)
