"""``collect``: every coordinate an operation can reach, with its declared category and value kind, and the
root calls with the arguments the policy reads (``Collected``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
    get_named_type,
    value_from_ast_untyped,
)

from .model import ProtectionModel
from .types import RESERVED_PREFIX, UNCLASSIFIED, BadUserInput, Collected, RootCall
from .walk import collect_fields, concrete_types, fragments_of, included, narrow, operation_of


def check_reserved_aliases(document: DocumentNode) -> None:
    """Refuse client aliases starting with ``_lt_`` (reserved for the gateway's own selections)."""
    from graphql import visit
    from graphql.language import Visitor

    class _Check(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.alias and node.alias.value.startswith(RESERVED_PREFIX):
                raise BadUserInput(f"alias {node.alias.value!r}: aliases starting with {RESERVED_PREFIX!r} are reserved")

    visit(document, _Check())


def collect(
    schema: GraphQLSchema,
    model: ProtectionModel,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    policy_arguments: Mapping[str, list[str]],
) -> Collected:
    """Coordinates (category and kind from the declarations) and root calls (:func:`root_calls`)."""
    coordinates = collect_coordinates(schema, model.categories, document, operation_name, variables)
    kinds = {c: model.kind(c) for c in coordinates}
    calls = root_calls(schema, document, operation_name, variables, policy_arguments)
    return Collected(coordinates, kinds, calls)


def root_calls(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    policy_arguments: Mapping[str, list[str]],
) -> tuple[RootCall, ...]:
    """The root calls whose coordinate ``policy_arguments`` names (``data/rules.json``), with the values of
    only those arguments, so that decisions stay cacheable. They depend on variable values: not cacheable per
    document, unlike the coordinates."""
    if not policy_arguments:
        return ()
    operation = operation_of(document, operation_name)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return ()
    calls: list[RootCall] = []
    values = dict(variables or {})
    for key, nodes in collect_fields(schema, root, operation.selection_set, fragments_of(document),
                                     variables).items():
        coordinate = f"{root.name}.{nodes[0].name.value}"
        wanted = policy_arguments.get(coordinate)
        if not wanted:
            continue
        arguments = {}
        for arg in nodes[0].arguments or ():
            if arg.name.value in wanted:
                value = value_from_ast_untyped(arg.value, values)
                if value is not Undefined:  # a variable the request did not give: absent, like the argument
                    arguments[arg.name.value] = value
        calls.append(RootCall(key, coordinate, arguments))
    return tuple(calls)


def collect_coordinates(
    schema: GraphQLSchema,
    categories: Mapping[str, str],
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> dict[str, str]:
    """``{"Type.field": category}`` for every field the operation can reach on a concrete type, through
    aliases, fragments and abstract types, honouring ``@skip``/``@include`` with ``variables``. ``__typename``
    and introspection are PUBLIC and left out; a coordinate without a category gets ``UNCLASSIFIED``."""
    check_reserved_aliases(document)
    operation = operation_of(document, operation_name)
    root = schema.get_root_type(operation.operation)
    if root is None:
        raise BadUserInput(f"the schema has no {operation.operation.value} type")
    out: dict[str, str] = {}
    _walk(schema, categories, fragments_of(document), variables, [root], operation.selection_set, out, set())
    return out


def _walk(
    schema: GraphQLSchema,
    categories: Mapping[str, str],
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
    types: list[GraphQLObjectType],
    selection_set: SelectionSetNode,
    out: dict[str, str],
    visited: frozenset[str] | set[str],
) -> None:
    for selection in selection_set.selections:
        if not included(selection, variables):
            continue
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name.startswith("__"):
                continue
            for parent in types:
                field = parent.fields.get(name)
                if field is None:
                    continue
                coordinate = f"{parent.name}.{name}"
                out[coordinate] = categories.get(coordinate) or UNCLASSIFIED
                if selection.selection_set is not None:
                    children = concrete_types(schema, get_named_type(field.type))
                    _walk(schema, categories, fragments, variables, children, selection.selection_set, out, visited)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else None
            _walk(
                schema, categories, fragments, variables, narrow(schema, types, condition),
                selection.selection_set, out, visited,
            )
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is None or fragment.name.value in visited:
                continue
            _walk(
                schema, categories, fragments, variables,
                narrow(schema, types, fragment.type_condition.name.value),
                fragment.selection_set, out, set(visited) | {fragment.name.value},
            )
