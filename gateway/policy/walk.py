"""Helpers shared by collect / prepare / apply: operations, @skip/@include, fragment type conditions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_operation_ast,
    is_abstract_type,
    value_from_ast_untyped,
)

from .types import BadUserInput


def operation_of(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    """The operation to run (GraphQL spec: the only one, or the named one)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        raise BadUserInput(f"unknown or ambiguous operation {operation_name!r}")
    return operation


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """Fragment definitions by name."""
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def included(node: Any, variables: Mapping[str, Any] | None) -> bool:
    """Evaluate ``@skip`` / ``@include`` on a selection (``if`` literal or variable; the document is valid)."""
    for directive in node.directives or ():
        name = directive.name.value
        if name not in (GraphQLSkipDirective.name, GraphQLIncludeDirective.name):
            continue
        condition = next((a.value for a in directive.arguments if a.name.value == "if"), None)
        value = value_from_ast_untyped(condition, dict(variables or {})) if condition is not None else None
        if name == GraphQLSkipDirective.name and value is True:
            return False
        if name == GraphQLIncludeDirective.name and value is not True:
            return False
    return True


def concrete_types(schema: GraphQLSchema, named: GraphQLNamedType) -> list[GraphQLObjectType]:
    """The object types a value of ``named`` can have."""
    if is_abstract_type(named):
        return list(schema.get_possible_types(named))  # type: ignore[arg-type]
    if isinstance(named, GraphQLObjectType):
        return [named]
    return []


def narrow(
    schema: GraphQLSchema, types: list[GraphQLObjectType], condition: str | None
) -> list[GraphQLObjectType]:
    """The ``types`` a fragment with type condition ``condition`` applies to."""
    if condition is None:
        return types
    target = schema.get_type(condition)
    if target is None:
        return []
    if is_abstract_type(target):
        return [t for t in types if schema.is_sub_type(target, t)]  # type: ignore[arg-type]
    return [t for t in types if t is target]


def collect_fields(
    schema: GraphQLSchema,
    runtime_type: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
) -> dict[str, list[FieldNode]]:
    """Fields selected on an object of ``runtime_type``, grouped by response key (GraphQL CollectFields)."""
    grouped: dict[str, list[FieldNode]] = {}
    for node in _selections(schema, runtime_type, selection_set, fragments, variables, set()):
        key = node.alias.value if node.alias else node.name.value
        grouped.setdefault(key, []).append(node)
    return grouped


def _selections(
    schema: GraphQLSchema,
    runtime_type: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
    visited: set[str],
) -> Iterator[FieldNode]:
    for selection in selection_set.selections:
        if not included(selection, variables):
            continue
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else None
            if narrow(schema, [runtime_type], condition):
                yield from _selections(schema, runtime_type, selection.selection_set, fragments, variables, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in visited:
                continue
            if narrow(schema, [runtime_type], fragment.type_condition.name.value):
                yield from _selections(
                    schema, runtime_type, fragment.selection_set, fragments, variables, visited | {name}
                )
