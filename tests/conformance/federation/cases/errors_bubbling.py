"""Errors and null bubbling: a subgraph error is reported at the client's path (through aliases, lists and
``_entities`` fetches); a null in a non-null field nulls the nearest nullable parent; a failing entity fetch
nulls only the fields it would have provided."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from ..case import Case, Op, Subgraph
from ._sdl import link

DOCUMENTS = [{"id": "d1", "title": "Indictment"}, {"id": "d2", "title": "Verdict"}, {"id": "d3", "title": "Appeal"}]


def failing(message: str, code: str | None = None) -> Any:
    def resolve(*_: Any, **__: Any) -> Any:
        if code:
            raise GraphQLError(message, extensions={"code": code})
        raise ValueError(message)

    return resolve


def signature_reference(rep: dict[str, Any], _info: Any) -> dict[str, Any]:
    if rep["id"] == "d2":
        raise ValueError("signature service cannot read d2")
    return {"id": rep["id"], "signedBy": f"clerk of {rep['id']}", "sealed": rep["id"] != "d3"}


def seal(doc: dict[str, Any], _info: Any) -> str | None:
    return None if doc["id"] == "d3" else f"seal-{doc['id']}"


FILES = Subgraph(
    "files",
    link("@key") + """
type Query {
  documents: [Document]!
  document(id: ID!): Document
  broken: String
  brokenStrict: String!
  forbidden: String
  strictDocuments: [Document!]
}
type Document @key(fields: "id") {
  id: ID!
  title: String!
  pages: Int
  mandatoryPages: Int!
}
""",
    {"Query": {"documents": lambda *_: DOCUMENTS,
               "document": lambda _, info, id: next((d for d in DOCUMENTS if d["id"] == id), None),
               "broken": failing("files is down"),
               "brokenStrict": failing("files is down hard"),
               "forbidden": failing("not for you", "FORBIDDEN"),
               "strictDocuments": lambda *_: DOCUMENTS},
     "Document": {"__resolveReference": lambda rep, _: next((d for d in DOCUMENTS if d["id"] == rep["id"]), None),
                  "pages": lambda doc, _: failing("page count unknown")() if doc["id"] == "d2" else 3,
                  "mandatoryPages": lambda doc, _: None if doc["id"] == "d1" else 5}},
)

SIGNATURES = Subgraph(
    "signatures",
    link("@key") + """
type Document @key(fields: "id") {
  id: ID!
  signedBy: String
  seal: String!
  sealed: Boolean!
}
""",
    {"Document": {"__resolveReference": signature_reference, "seal": seal}},
)

CASE = Case(
    name="errors_bubbling",
    features=("errors", "subgraph error at client path", "null bubbling", "entity call"),
    subgraphs=(FILES, SIGNATURES),
    operations=(
        Op("root_error_nullable", "{ broken documents { id } }"),
        Op("root_error_non_null_nulls_data", "{ documents { id } brokenStrict }"),
        Op("error_with_code_and_alias", "{ secret: forbidden document(id: \"d1\") { title } }"),
        Op("field_error_in_list", "{ documents { id pages } }"),
        Op("field_error_under_aliases", "{ docs: documents { key: id p: pages again: pages } }"),
        Op("non_null_bubbles_to_list_item", "{ documents { id mandatoryPages } }"),
        Op("non_null_bubbles_through_non_null_list", "{ strictDocuments { id mandatoryPages } x: broken }"),
        Op("entity_fetch_error_mapped", "{ documents { id title signedBy } }"),
        Op("entity_non_null_null_bubbles", "{ documents { id seal } }"),
        Op("entity_error_with_alias", "{ docs: documents { key: id by: signedBy sealed } }"),
    ),
)
