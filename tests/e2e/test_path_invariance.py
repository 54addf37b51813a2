"""Path invariance as a property over the schema: the same row gets the same verdict whichever path reaches it.

Everything here is derived from the API schema, not written per case:
- *lookups*: root fields with one required argument naming a field of the type they return
  (``person(personalId:)``, ``persons(personalIds:)``, ``civilStatusEvent(id:)``, ``sentence(id:)``...);
- *hops*: every field of every type whose type can hold the row (``Person.father``, ``BirthRegistration.mother``,
  ``Sentence.person``, ``Person.civilStatusEvents``...), found in the data by a discovery query;
- *owner lists*: root fields with one required ``personalId`` argument listing rows of a type whose subject
  field is keyed by it (``sentencesOf``), and the name search.
For subjects of every protection class (restricted, deceased, missing, minor offender, adult offender, a person
with a family), for every agency kind × purpose pair of the catalogues, every path's copy of a row (all its
leaves, in one operation with an alias per path) must equal the copy its lookup returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from graphql import (
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)

from gateway.supergraph.loader import load_supergraph
from tests.conformance.stack import ROOT
from tests.e2e import ids
from tests.e2e.support import LEGAL_BASIS, E2EStack

ROW_TYPES = ("Person", "CivilStatusEvent", "Sentence")  # the row types whose copies are compared


@cache
def api() -> GraphQLSchema:
    return load_supergraph(ROOT / "schema.graphql").api_schema


def _nullable(t: Any) -> Any:
    return t.of_type if is_non_null_type(t) else t


def _concrete(name: str) -> list[GraphQLObjectType]:
    t = api().get_type(name)
    return [t] if isinstance(t, GraphQLObjectType) else list(api().get_possible_types(t))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Lookup:
    field: str
    argument: str
    identity: str  # the field of the row the argument names
    plural: bool


@cache
def lookups(type_name: str) -> tuple[Lookup, ...]:
    """Root fields that fetch rows of ``type_name`` by one of their fields."""
    out = []
    for name, field in api().query_type.fields.items():
        required = [(a, arg) for a, arg in field.args.items() if is_non_null_type(arg.type)]
        if len(required) != 1 or len(field.args) != 1:
            continue
        argument, arg = required[0]
        target = get_named_type(field.type).name
        if type_name not in {t.name for t in _concrete(target)} | {target}:
            continue
        plural = is_list_type(_nullable(arg.type))
        identity = argument[:-1] if plural and argument.endswith("s") else argument
        if all(identity in t.fields for t in _concrete(type_name)):
            out.append(Lookup(name, argument, identity, plural))
    # a lookup returning one row names the row's identity (civilStatusEvent(id:) before civilStatusRecords)
    out.sort(key=lambda lk: (lk.plural or is_list_type(_nullable(api().query_type.fields[lk.field].type)), lk.field))
    return tuple(out)


def leaves(type_name: str) -> str:
    """Every leaf field (without required arguments) of every concrete type, with __typename."""
    parts = ["__typename"]
    for t in _concrete(type_name):
        names = [n for n, f in t.fields.items() if is_leaf_type(get_named_type(f.type))
                 and not any(is_non_null_type(a.type) for a in f.args.values())]
        parts.append(f"... on {t.name} {{ {' '.join(names)} }}")
    return "{ " + " ".join(parts) + " }"


def identity_of(type_name: str) -> str:
    return lookups(type_name)[0].identity


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------- discovery
@dataclass(frozen=True)
class Path:
    """How to reach a row: a root call and the field steps below it; ``single`` when every step returns one
    object (then the row is whatever is at the end), else the row is found in the lists by its identity."""

    root: str  # e.g. 'person(personalId: "…")'
    steps: tuple[str, ...]
    single: bool

    def query(self, alias: str, selection: str) -> str:
        body = selection
        for step in reversed(self.steps):
            body = f"{{ {step} {body} }}"
        return f"{alias}: {self.root} {body}"


def _lookup_paths(type_name: str, values: dict[str, Any]) -> list[Path]:
    out = []
    for lookup in lookups(type_name):
        value = values.get(lookup.identity)
        if value is None:
            continue
        returns_list = is_list_type(_nullable(api().query_type.fields[lookup.field].type))
        argument = [value] if lookup.plural else value
        out.append(Path(f"{lookup.field}({lookup.argument}: {_literal(argument)})", (), not returns_list))
    return out


def _hop_fields(parent: GraphQLObjectType, row_type: str) -> list[str]:
    """Fields of ``parent`` (without required arguments) whose rows can be of ``row_type``."""
    wanted = {t.name for t in _concrete(row_type)}
    return [n for n, f in parent.fields.items()
            if not any(is_non_null_type(a.type) for a in f.args.values())
            and not is_leaf_type(get_named_type(f.type))
            and {t.name for t in _concrete(get_named_type(f.type).name)} & wanted]


def _is_list(parent: GraphQLObjectType, field: str) -> bool:
    return is_list_type(_nullable(parent.fields[field].type))


Rows = dict[tuple[str, str], tuple[dict[str, Any], list[Path]]]


def discover(e2e: E2EStack, person: str) -> Rows:
    """Rows around ``person`` (its Person row, the events and sentences reached from it and from the persons
    those name) with every path found to each, read by a court in criminal proceedings (it sees every row)."""
    found: Rows = {}
    token = e2e.token("tandtc")
    person_type = api().get_type("Person")
    assert isinstance(person_type, GraphQLObjectType)

    def add(row_type: str, row: dict[str, Any], path: Path | None) -> None:
        key = (row_type, str(row[identity_of(row_type)]))
        values, paths = found.setdefault(key, (dict(row), []))
        if path is not None:
            paths.append(path)

    add("Person", {"personalId": person}, None)
    frontier, seen = [person], set()
    for depth in range(2):
        next_frontier: list[str] = []
        for pid in frontier:
            if pid in seen:
                continue
            seen.add(pid)
            root = f'person(personalId: "{pid}")'
            for row_type in ROW_TYPES:
                for field in _hop_fields(person_type, row_type):
                    reply = e2e.post(f"{{ x: {root} {{ {field} {_identities(row_type)} }} }}", token=token,
                                     purpose="criminal_proceedings", legal_basis=LEGAL_BASIS)
                    for row in _rows((reply.data or {}).get("x") or {}, field):
                        add(row_type, row, Path(root, (field,), not _is_list(person_type, field)))
                        if depth == 0:
                            next_frontier.extend(_persons_named(e2e, token, row_type, row))
        frontier = next_frontier
    return {key: (values, _lookup_paths(key[0], values) + paths) for key, (values, paths) in found.items()}


def _identities(row_type: str) -> str:
    names = sorted({lk.identity for lk in lookups(row_type)})
    return "{ __typename " + " ".join(f"... on {t.name} {{ {' '.join(names)} }}" for t in _concrete(row_type)) + " }"


def _rows(value: Any, field: str) -> list[dict[str, Any]]:
    found = value.get(field)
    items = found if isinstance(found, list) else [found]
    return [i for i in items if isinstance(i, dict)]


def _persons_named(e2e: E2EStack, token: str, row_type: str, row: dict[str, Any]) -> list[str]:
    """The persons a discovered event or sentence names (its subjects and parties), to discover from them."""
    if row_type == "Person":
        return [str(row["personalId"])]
    lookup = lookups(row_type)[0]
    concrete = api().get_type(row["__typename"])
    assert isinstance(concrete, GraphQLObjectType)
    fields = _hop_fields(concrete, "Person")
    if not fields:
        return []
    value = _literal(row[lookup.identity])
    selection = " ".join(f"{f} {{ personalId }}" for f in fields)
    reply = e2e.post(f"{{ r: {lookup.field}({lookup.argument}: {value}) {{ ... on {concrete.name} {{ {selection} }} }} }}",
                     token=token, purpose="criminal_proceedings", legal_basis=LEGAL_BASIS)
    data = (reply.data or {}).get("r") or {}
    out = []
    for f in fields:
        for item in data.get(f) if isinstance(data.get(f), list) else [data.get(f)]:
            if isinstance(item, dict) and item.get("personalId"):
                out.append(str(item["personalId"]))
    return out


# ---------------------------------------------------------------------------------------------- callers
def callers() -> list[tuple[str, str]]:
    """One (agency, purpose) per agency kind allowed to declare each purpose (home-province agencies first)."""
    agencies = json.loads((ROOT / "policies/data/agencies.json").read_text(encoding="utf-8"))["agencies"]
    purposes = json.loads((ROOT / "policies/data/purposes.json").read_text(encoding="utf-8"))["purposes"]
    by_kind: dict[str, str] = {}
    for agency in sorted(agencies, key=lambda a: (a.get("province") not in (None, ids.HOME_PROVINCE), a["id"])):
        by_kind.setdefault(agency["kind"], agency["id"])
    return [(by_kind[kind], p["id"]) for p in purposes for kind in p["agency_kinds"] if kind in by_kind]


def _copy_at(value: Any, path: Path, row_type: str, identity_value: Any) -> tuple[str, Any]:
    """Where ``path`` leads in one answer: ("closed", None) when a row above the end is null (the path is shut
    before the row), ("row", copy) for a single-object path or the list item whose identity is
    ``identity_value``, ("absent", rows) when the lists do not hold it (rows: every item at the end)."""
    rows: list[Any] = value if isinstance(value, list) else [value]
    for step in path.steps:
        if path.single and rows == [None]:
            return "closed", None
        nxt: list[Any] = []
        for row in rows:
            if isinstance(row, dict):
                v = row.get(step)
                nxt.extend(v if isinstance(v, list) else [v])
        rows = nxt
    if path.single:
        return ("row", rows[0]) if rows else ("closed", None)
    ident = identity_of(row_type)
    matches = [r for r in rows if isinstance(r, dict) and identity_value is not None and r.get(ident) == identity_value]
    return ("row", matches[0]) if matches else ("absent", rows)


SUBJECTS = {
    "restricted": ids.restricted,
    "deceased": ids.deceased,
    "missing": ids.missing,
    "minor offender": lambda e2e: ids.minor_offender(e2e),
    "adult offender": ids.adult_offender,
    "with family": ids.visible_adult,
}


# A row's paths always share one operation (its copies are compared within one answer); rows are grouped up
# to this many fields per operation. Small groups keep the embedded engine fast: rego-cpp builds and reads
# objects and sets in time linear in their size, so one decision costs ~quadratic time in its field count
# (1500 fields ~2 s, 300 fields ~0.2 s); OPA itself does not.
MAX_FIELDS_PER_OPERATION = 300


def _chunks(rows: Rows) -> list[list[tuple[tuple[str, str], list[Path]]]]:
    chunks: list[list[tuple[tuple[str, str], list[Path]]]] = [[]]
    size = 0
    for key, (_, paths) in sorted(rows.items()):
        cost = len(paths) * (leaves(key[0]).count(" ") + 1)
        if chunks[-1] and size + cost > MAX_FIELDS_PER_OPERATION:
            chunks.append([])
            size = 0
        chunks[-1].append((key, paths))
        size += cost
    return chunks


def _compare(e2e: E2EStack, kind: str, agency: str, purpose: str, token: str,
             chunk: list[tuple[tuple[str, str], list[Path]]]) -> int:
    """Ask every path of the rows of ``chunk`` in one operation; the number of copies compared."""
    compared = 0
    selections, where = [], []
    for (row_type, identity), paths in chunk:
        for path in paths:
            alias = f"p{len(selections)}"
            selections.append(path.query(alias, leaves(row_type)))
            where.append((alias, row_type, identity, path))
    reply = e2e.post("{ " + " ".join(selections) + " }", token=token, purpose=purpose, legal_basis=LEGAL_BASIS)
    if reply.status == 403:
        return 0  # this pair is refused as a whole, whatever the path
    assert reply.status == 200 and isinstance(reply.data, dict), (agency, purpose, reply.body)
    # a hop withheld as a field of its parent row (a missing person's spouse) shuts the path there
    shut = {tuple(e["path"]) for e in reply.errors if (e.get("extensions") or {}).get("code") == "FORBIDDEN_FIELD"
            and isinstance(e.get("path"), list)}
    canonical: dict[tuple[str, str], Any] = {}
    for alias, row_type, identity, path in where:
        if not path.steps and path.single:  # a lookup by identity: the row's reference copy
            canonical.setdefault((row_type, identity), reply.data.get(alias))
    for alias, row_type, identity, path in where:
        reference = canonical.get((row_type, identity))
        ident = identity_of(row_type)
        ident_value = reference.get(ident) if isinstance(reference, dict) else None
        where_to, copy = _copy_at(reply.data.get(alias), path, row_type, ident_value)
        context = (kind, agency, purpose, row_type, identity, path.query(alias, ""))
        if where_to == "closed" or (path.single and path.steps and (alias, *path.steps) in shut):
            continue
        if reference is None:
            # withheld (or filtered) by its lookup: no path may show it
            if where_to == "row":
                assert copy is None, (*context, copy)
            else:
                assert all(not isinstance(r, dict) or r.get(ident) != identity for r in copy), (*context, copy)
            compared += 1
        elif where_to == "row":
            assert copy == reference, (*context, copy, reference)
            compared += 1
    return compared


@pytest.mark.parametrize("kind", sorted(SUBJECTS))
def test_every_path_to_a_row_gets_the_same_verdict(e2e: E2EStack, kind: str) -> None:
    person = SUBJECTS[kind](e2e)
    rows = discover(e2e, person)
    assert len(rows) > 1 and any(len(paths) > 1 for _, paths in rows.values()), rows
    compared = 0
    for agency, purpose in callers():
        token = e2e.token(agency)
        for chunk in _chunks(rows):
            compared += _compare(e2e, kind, agency, purpose, token, chunk)
    assert compared > 0
