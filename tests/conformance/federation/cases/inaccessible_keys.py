"""@inaccessible fields the router still needs: an entity keyed by a hidden field (``@key(fields: "ref")``, ``ref``
@inaccessible) and a @requires on a hidden field. The client can select neither, yet every hop must carry them:
the router plans its own selections against the supergraph, not the API schema.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

CASES = {"R-77": {"ref": "R-77", "title": "Smuggling", "weight": 140},
         "R-78": {"ref": "R-78", "title": "Forgery", "weight": 12}}
SHELVES = {"R-77": "vault 2", "R-78": "cabinet 9"}

DOCKET = Subgraph(
    "docket",
    link("@key", "@inaccessible") + """
type Query {
  cases: [Case!]!
}
type Case @key(fields: "ref") {
  ref: ID! @inaccessible
  title: String!
  weight: Int! @inaccessible
}
""",
    {"Query": {"cases": lambda *_: list(CASES.values())},
     "Case": {"__resolveReference": lambda ref, info: CASES.get(ref["ref"])}},
)


def _box(case: dict[str, Any], info: Any) -> str:
    return "crate" if case["weight"] > 100 else "folder"  # a KeyError if the hidden required field was not sent


ARCHIVE = Subgraph(
    "archive",
    link("@key", "@inaccessible", "@external", "@requires") + """
type Query {
  shelved: [Case!]!
}
type Case @key(fields: "ref") {
  ref: ID! @inaccessible
  shelf: String!
  weight: Int! @external
  box: String! @requires(fields: "weight")
}
""",
    {"Query": {"shelved": lambda *_: [{"ref": r, "shelf": s} for r, s in SHELVES.items()]},
     "Case": {"__resolveReference": lambda ref, info: {**ref, "shelf": SHELVES[ref["ref"]]}
              if ref["ref"] in SHELVES else None, "box": _box}},
)

CASE = Case(
    name="inaccessible_keys",
    features=("@inaccessible", "@inaccessible key fields", "@requires"),
    subgraphs=(DOCKET, ARCHIVE),
    operations=(
        Op("hop_keyed_by_a_hidden_field", "{ cases { title shelf } }"),
        Op("hop_back_keyed_by_a_hidden_field", "{ shelved { shelf title } }"),
        Op("requires_a_hidden_field", "{ shelved { box } }"),
        Op("everything_visible", "{ cases { title shelf box } }"),
        Op("hidden_key_is_not_selectable_refused", "{ cases { ref title } }"),
    ),
)
