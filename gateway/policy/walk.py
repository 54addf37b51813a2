"""Helpers shared by collect / prepare / apply: operations, fragments, possible types. Field collection and
``@skip``/``@include`` are the one implementation every stage uses (``gateway.supergraph.documents``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    get_operation_ast,
    is_abstract_type,
)

from ..supergraph.documents import collect_fields as _collect_fields
from ..supergraph.documents import is_included
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


def included(node: Any, variables: Mapping[str, Any] | None) -> bool:
    """``@skip`` / ``@include`` on a selection (the planner's evaluation)."""
    return is_included(node, variables or {})


def collect_fields(
    schema: GraphQLSchema,
    runtime_type: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
) -> dict[str, list[FieldNode]]:
    """Fields selected on an object of ``runtime_type``, grouped by response key (the planner's CollectFields)."""
    return _collect_fields(schema, runtime_type, [selection_set], fragments, variables or {})
