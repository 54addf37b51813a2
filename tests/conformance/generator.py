"""Random valid operations over the API schema (seeded, deterministic) for ours-vs-Apollo conformance.

Each operation mixes what a planner must get right: root fields of several subgraphs, entity hops
(``Person → civilStatusEvents → subject → sentences …``), lists, abstract types through inline and named
fragments, aliases (the same field twice with different arguments), variables, ``@skip``/``@include``,
``__typename``, unknown ids (null results) and malformed ids (``BAD_USER_INPUT``). Every operation is validated
with graphql-core; an invalid draft (e.g. conflicting fragments) is dropped and drawn again.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    parse,
    validate,
)

from .pools import Pools

ID_POOLS = {
    ("person", "personalId"): "person_ids",
    ("sentencesOf", "personalId"): "person_ids",
    ("sentence", "id"): "sentence_ids",
    ("legalEntity", "id"): "legal_entity_ids",
    ("civilStatusEvent", "id"): "event_ids",
    ("civilStatusRecords", "registrationNumber"): "registration_numbers",
    ("foreignOffender", "identificationCode"): "foreign_codes",
}
MAX_DEPTH = 5
MAX_COMPOSITE_FIELDS = 10
# Served by the gateway itself (gateway.local_subgraph), not by a subgraph Apollo Gateway can reach; covered by
# tests/e2e through our gateway instead.
def _gateway_local_roots() -> frozenset[str]:
    """Every ``Query`` field the local services declare (``accessLog``, ``grants``, the data-subject services...):
    read from their SDL so that a new local service is never sent to Apollo Gateway."""
    from graphql import ObjectTypeDefinitionNode, ObjectTypeExtensionNode

    from gateway.local_subgraph import local_services, merged_sdl

    names: set[str] = set()
    for node in parse(merged_sdl(local_services())).definitions:
        if isinstance(node, ObjectTypeDefinitionNode | ObjectTypeExtensionNode) and node.name.value == "Query":
            names.update(f.name.value for f in node.fields or ())
    return frozenset(names)


GATEWAY_LOCAL_ROOTS = _gateway_local_roots()


@dataclass
class Operation:
    name: str
    query: str
    variables: dict[str, Any]

    def as_json(self) -> str:
        return json.dumps({"query": self.query, "variables": self.variables, "operationName": self.name},
                          ensure_ascii=False, indent=2)


@dataclass
class _Draft:
    rng: random.Random
    variables: dict[str, tuple[str, Any]] = field(default_factory=dict)
    fragments: dict[str, str] = field(default_factory=dict)
    fields: int = 0

    def var(self, type_: str, value: Any) -> str:
        name = f"v{len(self.variables) + 1}"
        self.variables[name] = (type_, value)
        return f"${name}"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, _Enum):
        return value.name
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class _Enum:
    name: str


class OperationGenerator:
    """``generate(n)`` returns ``n`` distinct valid operations; same schema, pools and seed → same operations."""

    def __init__(self, schema: GraphQLSchema, pools: Pools, seed: int = 7) -> None:
        self.schema = schema
        self.pools = pools
        self.rng = random.Random(seed)

    def generate(self, count: int) -> list[Operation]:
        operations: list[Operation] = []
        seen: set[str] = set()
        attempts = 0
        while len(operations) < count and attempts < count * 20:
            attempts += 1
            op = self._one(f"Op{len(operations) + 1}")
            if op is None or op.query in seen:
                continue
            seen.add(op.query)
            operations.append(op)
        return operations

    def _one(self, name: str) -> Operation | None:
        draft = _Draft(self.rng)
        query_type = self.schema.query_type
        assert query_type is not None
        roots = self.rng.sample(sorted(set(query_type.fields) - GATEWAY_LOCAL_ROOTS),
                                k=self.rng.choice([1, 1, 2, 2, 3]))
        body = []
        for index, root in enumerate(roots):
            body.append(self._root_field(draft, root, query_type.fields[root], alias=f"r{index}" if index else None))
            if self.rng.random() < 0.15:  # the same root field again, other arguments: needs an alias
                body.append(self._root_field(draft, root, query_type.fields[root], alias=f"again{index}"))
        if self.rng.random() < 0.2:
            body.append("__typename")
        var_defs = ", ".join(f"${n}: {t}" for n, (t, _) in draft.variables.items())
        header = f"query {name}" + (f"({var_defs})" if var_defs else "")
        text = header + " {\n" + "\n".join("  " + line for line in body) + "\n}\n" + "".join(draft.fragments.values())
        document = parse(text)
        if validate(self.schema, document):
            return None
        return Operation(name, text, {n: v for n, (_, v) in draft.variables.items()})

    # ------------------------------------------------------------------------------------------ arguments
    def _root_args(self, draft: _Draft, root: str, field_def: GraphQLField) -> str:
        rng = self.rng
        values: dict[str, Any] = {}
        for arg_name in field_def.args:
            pool_name = ID_POOLS.get((root, arg_name))
            if pool_name is not None:
                values[arg_name] = self._id(pool_name, arg_name)
            elif root == "persons":
                values[arg_name] = [self._id("person_ids", "personalId") for _ in range(rng.randint(1, 4))]
            elif root == "searchPersons":
                if arg_name == "name":
                    values[arg_name] = rng.choice(self.pools.name_fragments)
                elif arg_name == "first":
                    values[arg_name] = rng.randint(1, 4)
            elif root == "civilStatusRegistrations":
                values.update(
                    provinceCode=rng.choice(self.pools.province_codes),
                    year=rng.choice(self.pools.registration_years),
                    first=rng.randint(1, 4),
                    offset=rng.randint(0, 2),
                )
            elif root == "sentenceStatistics":
                start = rng.randint(2012, 2022)
                values.update(fromYear=start, toYear=start + rng.randint(0, 4))
                if rng.random() < 0.4:
                    values["provinceCode"] = rng.choice(self.pools.province_codes)
            elif isinstance(field_def.args[arg_name].type, GraphQLNonNull):
                values[arg_name] = self._generic_value(field_def.args[arg_name].type)
        return self._print_args(draft, field_def, values)

    def _id(self, pool_name: str, arg_name: str) -> str:
        draw = self.rng.random()
        if draw < 0.12:
            return self.pools.unknown.get(arg_name, "0")
        if draw < 0.22:
            return self.pools.malformed.get(arg_name, "?")
        pool: list[str] = getattr(self.pools, pool_name)
        return self.rng.choice(pool) if pool else self.pools.unknown.get(arg_name, "0")

    def _generic_value(self, type_: Any) -> Any:
        named = get_named_type(type_)
        if isinstance(named, GraphQLEnumType):
            return _Enum(sorted(named.values)[0])
        return {"Int": 2, "Boolean": True, "Float": 1.0}.get(named.name, "x")

    def _print_args(self, draft: _Draft, field_def: GraphQLField, values: dict[str, Any]) -> str:
        parts = []
        for arg_name, value in values.items():
            if self.rng.random() < 0.5 and not isinstance(value, _Enum):
                type_ = str(field_def.args[arg_name].type)
                if isinstance(value, list) and any(isinstance(v, _Enum) for v in value):
                    parts.append(f"{arg_name}: {_literal(value)}")
                    continue
                parts.append(f"{arg_name}: {draft.var(type_, value)}")
            else:
                parts.append(f"{arg_name}: {_literal(value)}")
        return "(" + ", ".join(parts) + ")" if parts else ""

    def _field_args(self, draft: _Draft, field_def: GraphQLField) -> str:
        values: dict[str, Any] = {}
        for arg_name, arg in field_def.args.items():
            named = get_named_type(arg.type)
            if isinstance(named, GraphQLEnumType) and isinstance(arg.type, GraphQLList | GraphQLNonNull):
                if self.rng.random() < 0.5:
                    values[arg_name] = [_Enum(v) for v in self.rng.sample(sorted(named.values), k=self.rng.randint(1, 3))]
            elif isinstance(arg.type, GraphQLNonNull):
                values[arg_name] = self._generic_value(arg.type)
        return self._print_args(draft, field_def, values)

    # ------------------------------------------------------------------------------------------ selections
    def _root_field(self, draft: _Draft, root: str, field_def: GraphQLField, alias: str | None) -> str:
        prefix = f"{alias}: " if alias else ""
        sub = self._selection(draft, get_named_type(field_def.type), depth=1)
        return f"{prefix}{root}{self._root_args(draft, root, field_def)}{sub}"

    def _selection(self, draft: _Draft, type_: Any, depth: int) -> str:
        if is_leaf_type(type_):
            return ""
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            items = self._abstract_items(draft, type_, depth)
        else:
            items = self._object_items(draft, type_, depth)
        indent = "  " * (depth + 1)
        return " {\n" + "\n".join(indent + item for item in items) + "\n" + "  " * depth + "}"

    def _abstract_items(self, draft: _Draft, type_: Any, depth: int) -> list[str]:
        rng = self.rng
        items = ["__typename"] if rng.random() < 0.7 else []
        if isinstance(type_, GraphQLInterfaceType):
            items += self._leaves(type_, rng.randint(1, 3))
        possible = sorted(self.schema.get_possible_types(type_), key=lambda t: t.name)
        for obj in rng.sample(possible, k=min(len(possible), rng.randint(1, 3))):
            inner = self._selection(draft, obj, depth + 1)
            if rng.random() < 0.3:
                items.append(self._named_fragment(draft, obj, inner))
            else:
                items.append(f"... on {obj.name}{inner}")
        return items or ["__typename"]

    def _object_items(self, draft: _Draft, type_: GraphQLObjectType, depth: int) -> list[str]:
        rng = self.rng
        items = self._leaves(type_, rng.randint(1, 4))
        if rng.random() < 0.2:
            items.append("__typename")
        composite = sorted(n for n, f in type_.fields.items() if not is_leaf_type(get_named_type(f.type)))
        budget = 0 if depth >= MAX_DEPTH or draft.fields >= MAX_COMPOSITE_FIELDS else rng.choice([0, 1, 1, 2])
        for name in rng.sample(composite, k=min(budget, len(composite))):
            field_def = type_.fields[name]
            draft.fields += 1
            args = self._field_args(draft, field_def)
            sub = self._selection(draft, get_named_type(field_def.type), depth + 1)
            directive = self._condition(draft)
            alias = f"{name}_{depth}: " if rng.random() < 0.15 else ""
            items.append(f"{alias}{name}{args}{directive}{sub}")
            if field_def.args and rng.random() < 0.3:  # same field, other arguments, under an alias
                items.append(f"{name}Alt{depth}: {name}{self._field_args(draft, field_def)}{sub}")
        if rng.random() < 0.15:
            items = [self._named_fragment(draft, type_, " {\n" + "\n".join(items) + "\n}")]
        if rng.random() < 0.1:
            items.append(f"... on {type_.name} {{ {self._leaves(type_, 1)[0]} }}")
        return items

    def _leaves(self, type_: Any, count: int) -> list[str]:
        leaves = sorted(n for n, f in type_.fields.items() if is_leaf_type(get_named_type(f.type)) and not f.args)
        if not leaves:
            return ["__typename"]
        picked = self.rng.sample(leaves, k=min(count, len(leaves)))
        return [f"{name}{self._condition_literal()}" for name in picked]

    def _condition(self, draft: _Draft) -> str:
        draw = self.rng.random()
        if draw < 0.1:
            return f" @include(if: {draft.var('Boolean!', self.rng.random() < 0.5)})"
        if draw < 0.18:
            return f" @skip(if: {draft.var('Boolean!', self.rng.random() < 0.5)})"
        return ""

    def _condition_literal(self) -> str:
        draw = self.rng.random()
        if draw < 0.04:
            return " @skip(if: true)"
        if draw < 0.08:
            return " @include(if: false)"
        return ""

    def _named_fragment(self, draft: _Draft, type_: Any, selection: str) -> str:
        name = f"F{len(draft.fragments) + 1}_{type_.name}"
        draft.fragments[name] = f"fragment {name} on {type_.name}{selection}\n"
        return f"...{name}"
