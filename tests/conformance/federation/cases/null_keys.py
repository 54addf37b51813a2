"""Null keys: a reference that is null, or whose (nullable) key field is null, is not sent to ``_entities`` and
completes to null; a compound key with one null part likewise; non-null references with null keys bubble."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

# Sentences point at the facility where they are served; some are not yet assigned (null) and some were
# registered with a facility whose code is unknown (null key field).
SENTENCES = [
    {"id": "s1", "facility": {"code": "HN-01"}, "origin": {"province": "HN", "serial": 1}},
    {"id": "s2", "facility": None, "origin": None},
    {"id": "s3", "facility": {"code": None}, "origin": {"province": "HUE", "serial": None}},
    {"id": "s4", "facility": {"code": "HUE-07"}, "origin": {"province": "HUE", "serial": 7}},
]
FACILITIES = {"HN-01": "Thanh Xuan", "HUE-07": "Binh Dien"}
ORIGINS = {("HN", 1): "Hanoi first instance", ("HUE", 7): "Hue first instance"}


def facility_reference(rep: dict[str, Any], _info: Any) -> dict[str, Any] | None:
    if rep.get("code") is None:
        return None  # Apollo Gateway does send such a representation; nothing is found for it
    name = FACILITIES.get(rep["code"])
    return {"code": rep["code"], "name": name} if name else None


def origin_reference(rep: dict[str, Any], _info: Any) -> dict[str, Any]:
    if rep.get("serial") is None or rep.get("province") is None:
        return None
    return {**rep, "label": ORIGINS.get((rep["province"], rep["serial"]))}


ENFORCEMENT = Subgraph(
    "enforcement",
    link("@key") + """
type Query {
  sentences: [Sentence!]!
  strictSentences: [StrictSentence!]
}
type Sentence @key(fields: "id") {
  id: ID!
  facility: Facility
  origin: Origin
}
type StrictSentence {
  id: ID!
  facility: Facility!
}
type Facility @key(fields: "code") {
  code: String
}
type Origin @key(fields: "province serial") {
  province: String
  serial: Int
}
""",
    {"Query": {"sentences": lambda *_: SENTENCES,
               "strictSentences": lambda *_: [{"id": "s1", "facility": {"code": "HN-01"}},
                                              {"id": "s3", "facility": {"code": None}}]},
     "Facility": {"__resolveReference": lambda rep, _: rep},
     "Origin": {"__resolveReference": lambda rep, _: rep}},
)

FACILITY = Subgraph(
    "facility",
    link("@key") + """
type Facility @key(fields: "code") {
  code: String
  name: String!
}
type Origin @key(fields: "province serial") {
  province: String
  serial: Int
  label: String
}
""",
    {"Facility": {"__resolveReference": facility_reference}, "Origin": {"__resolveReference": origin_reference}},
)

CASE = Case(
    name="null_keys",
    features=("null keys", "compound @key", "null bubbling", "entity call"),
    subgraphs=(ENFORCEMENT, FACILITY),
    operations=(
        Op("null_reference_and_null_key", "{ sentences { id facility { code name } } }"),
        Op("null_part_of_compound_key", "{ sentences { id origin { province serial label } } }"),
        Op("both_hops", "{ sentences { facility { name } origin { label } } }"),
        Op("key_fields_only_no_fetch", "{ sentences { facility { code } origin { serial } } }"),
        Op("null_key_under_non_null_bubbles", "{ strictSentences { id facility { name } } }"),
    ),
)
