"""@inaccessible: a field, a type, an enum value, an input field, an argument and a union member hidden from the
API schema. They cannot be queried (validation fails), do not show in introspection, and a subgraph returning
a hidden enum value or a member of a hidden type never gets it through to the client.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

CASES = {
    "c1": {"id": "c1", "title": "Theft", "sealedNote": "informant X", "status": "OPEN"},
    "c2": {"id": "c2", "title": "Fraud", "sealedNote": None, "status": "CLOSED"},
    "c3": {"id": "c3", "title": "Minor offender", "sealedNote": "juvenile", "status": "SEALED"},
}
PARTIES = [{"__typename": "Person", "name": "Hanh"}, {"__typename": "Witness", "alias": "W-1"}]


def _cases(_: Any, info: Any, filter: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    wanted = (filter or {}).get("status")
    return [c for c in CASES.values() if c["status"] != "SEALED" and (wanted is None or c["status"] == wanted)]


DOCKET = Subgraph(
    "docket",
    link("@key", "@inaccessible") + """
type Query {
  case(id: ID!): Case
  cases(filter: CaseFilter): [Case!]!
  internalStats: Stats @inaccessible
  parties: [Party]!
}
type Case @key(fields: "id") {
  id: ID!
  title: String!
  sealedNote: String @inaccessible
  status: Status!
}
enum Status {
  OPEN
  CLOSED
  SEALED @inaccessible
}
input CaseFilter {
  status: Status
  includeSealed: Boolean @inaccessible
}
type Stats @inaccessible {
  total: Int
}
union Party = Person | Witness
type Person {
  name: String!
}
type Witness @inaccessible {
  alias: String!
}
""",
    {
        "Query": {"case": lambda _, info, id: CASES.get(id), "cases": _cases,
                  "internalStats": lambda *_: {"total": 3}, "parties": lambda *_: PARTIES},
        "Case": {"__resolveReference": lambda ref, info: CASES.get(ref["id"])},
        "Party": {"__resolveType": lambda obj, info: obj["__typename"]},
    },
)

HEARINGS = Subgraph(
    "hearings",
    link("@key", "@inaccessible") + """
type Case @key(fields: "id") {
  id: ID!
  hearings(includeSealed: Boolean @inaccessible): Int!
}
""",
    {"Case": {"__resolveReference": lambda ref, info: ref,
              "hearings": lambda case, info, includeSealed=False: len(case["id"]) + (9 if includeSealed else 0)}},
)

INTROSPECTION = """{
  stats: __type(name: "Stats") { name }
  witness: __type(name: "Witness") { name }
  status: __type(name: "Status") { enumValues(includeDeprecated: true) { name } }
  filter: __type(name: "CaseFilter") { inputFields { name } }
  party: __type(name: "Party") { possibleTypes { name } }
  case: __type(name: "Case") { fields { name args { name } } }
  query: __type(name: "Query") { fields { name } }
}"""

CASE = Case(
    name="inaccessible_elements",
    features=("@inaccessible", "@inaccessible in introspection", "@inaccessible enum values"),
    subgraphs=(DOCKET, HEARINGS),
    operations=(
        Op("accessible_fields_work", "{ cases(filter: { status: OPEN }) { title status hearings } }"),
        Op("hidden_field_is_invalid_refused", "{ cases { id sealedNote } }"),
        Op("hidden_root_and_type_are_invalid_refused", "{ internalStats { total } }"),
        Op("hidden_argument_and_input_field_are_invalid_refused",
           "{ cases(filter: { includeSealed: true }) { hearings(includeSealed: true) } }"),
        Op("hidden_enum_value_is_invalid_input_refused", "{ cases(filter: { status: SEALED }) { id } }"),
        Op("introspection_hides_everything", INTROSPECTION),
        # A value the API schema does not have (an @inaccessible enum value, union member) is nulled, the null
        # bubbling; it is reported in extensions.valueCompletion as Apollo Router does, not as a client error
        # (Apollo Gateway and the public federation audit expect no error): Apollo's answer is the reference.
        Op("hidden_enum_value_returned_by_a_subgraph", '{ case(id: "c3") { id title status } }'),
        Op("hidden_union_member_returned_by_a_subgraph", "{ parties { __typename ... on Person { name } } }"),
    ),
)
