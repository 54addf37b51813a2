"""The response shape of an operation: per runtime type, the fields to complete, in the client's order.

Built once per plan (conditions evaluated, fragments flattened), so completing a response is a tight walk over
precomputed lists instead of re-collecting fields for every object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    SelectionSetNode,
    is_abstract_type,
    is_leaf_type,
)

from .keys import source_key, typed_key
from .selection import collect_fields, sub_selections

LEAF, OBJECT, ABSTRACT, RAW = 0, 1, 2, 3


@dataclass(slots=True)
class TypeRef:
    """A field's output type: ``nullable``, and either ``of`` (list item type) or a named ``kind``."""

    nullable: bool
    of: TypeRef | None
    kind: int
    name: str
    # an enum's values in the API schema: a subgraph value outside them (an @inaccessible value) is invalid
    values: frozenset[str] | None = None


@dataclass(slots=True)
class FieldShape:
    key: str  # the client's response key
    name: str
    source: str  # the response key in the subgraphs' answers (an internal alias when ``key`` is reserved)
    parent: str
    type: TypeRef | None  # None for __typename
    sub: dict[str, ObjectShape] | None  # runtime type name -> shape
    alt: str | None = None  # the typed key it is fetched under in a subgraph whose type differs (keys.typed_key)


@dataclass(slots=True)
class ObjectShape:
    type_name: str
    fields: list[FieldShape]


def type_ref(gql_type: Any) -> TypeRef:
    nullable = True
    if isinstance(gql_type, GraphQLNonNull):
        nullable, gql_type = False, gql_type.of_type
    if isinstance(gql_type, GraphQLList):
        return TypeRef(nullable, type_ref(gql_type.of_type), LEAF, "")
    if isinstance(gql_type, GraphQLEnumType):
        return TypeRef(nullable, None, LEAF, gql_type.name, frozenset(gql_type.values))
    if is_leaf_type(gql_type):
        kind = LEAF
    elif is_abstract_type(gql_type):
        kind = ABSTRACT
    else:
        kind = OBJECT
    return TypeRef(nullable, None, kind, gql_type.name)


class ShapeBuilder:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 variables: dict[str, Any], reserved: frozenset[str] = frozenset(),
                 retyped: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.schema = schema
        self.retyped = retyped  # (type, field) some subgraph declares with another type
        self.reserved = reserved
        self.fragments = fragments
        self.variables = variables
        self._memo: dict[tuple[str, tuple[int, ...]], ObjectShape] = {}

    def build(self, runtime: GraphQLObjectType, selection_sets: list[SelectionSetNode], root: bool = False
              ) -> ObjectShape:
        memo_key = (runtime.name, tuple(id(s) for s in selection_sets))
        cached = self._memo.get(memo_key)
        if cached is not None:
            return cached
        shape = ObjectShape(runtime.name, [])
        self._memo[memo_key] = shape  # before recursing: equal sub-selections share the shape
        for key, nodes in collect_fields(self.schema, runtime, selection_sets, self.fragments, self.variables).items():
            name = nodes[0].name.value
            if name == "__typename":
                shape.fields.append(FieldShape(key, name, key, runtime.name, None, None))
                continue
            if root and name in ("__schema", "__type"):  # answered by the gateway under the client's key
                shape.fields.append(FieldShape(key, name, key, runtime.name, TypeRef(True, None, RAW, name), None))
                continue
            field_def = runtime.fields[name]
            ref = type_ref(field_def.type)
            named = ref
            while named.of is not None:
                named = named.of
            sub = None
            if named.kind in (OBJECT, ABSTRACT):
                named_type = self.schema.get_type(named.name)
                sets = sub_selections(nodes)
                runtimes = (self.schema.get_possible_types(named_type) if named.kind == ABSTRACT  # type: ignore[arg-type]
                            else [named_type])
                sub = {t.name: self.build(t, sets) for t in runtimes}  # type: ignore[union-attr,arg-type]
                if isinstance(named_type, GraphQLInterfaceType):
                    # The interface's own view, for objects of an @interfaceObject whose concrete type is not
                    # known (not needed, or not found): the fields without type condition, as Apollo Gateway
                    # answers; unless __typename is selected, which such an object cannot have (it nulls).
                    own = self.build(named_type, sets)  # type: ignore[arg-type]
                    if "__typename" not in {f.name for f in own.fields}:
                        sub[named.name] = own
            source = source_key(key, name, self.reserved)
            alt = typed_key(runtime.name, source) if (runtime.name, name) in self.retyped else None
            shape.fields.append(FieldShape(key, name, source, runtime.name, ref, sub, alt))
        return shape
