"""Field sets (``@key(fields:)``, ``@requires``, ``@provides``): parse them and resolve the fields they name."""

from __future__ import annotations

from graphql import GraphQLSyntaxError, parse
from graphql.language import ast

from .subgraph import Subgraph


class FieldSetError(ValueError):
    """A field set that does not parse or names a field its type does not have."""


def named_type(node: ast.TypeNode) -> str:
    while not isinstance(node, ast.NamedTypeNode):
        node = node.type  # type: ignore[attr-defined]
    return node.name.value


def parse_field_set(fields: str) -> ast.SelectionSetNode:
    try:
        document = parse("{" + fields + "}")
    except GraphQLSyntaxError as exc:
        raise FieldSetError(f'invalid field set "{fields}": {exc.message}') from exc
    operation = document.definitions[0]
    return operation.selection_set  # type: ignore[attr-defined]


def field_set_coordinates(subgraph: Subgraph, type_name: str, fields: str) -> list[tuple[str, str]]:
    """``(type, field)`` for every field the field set selects, nested selections included, in ``subgraph``.

    Raises :class:`FieldSetError` naming the first field that does not exist.
    """
    result: list[tuple[str, str]] = []
    _collect(subgraph, type_name, parse_field_set(fields), result)
    return result


def top_level_fields(fields: str) -> list[str]:
    """Names of the top-level fields of a field set."""
    return [s.name.value for s in parse_field_set(fields).selections if isinstance(s, ast.FieldNode)]


def _collect(
    subgraph: Subgraph, type_name: str, selection_set: ast.SelectionSetNode, out: list[tuple[str, str]]
) -> None:
    type_def = subgraph.types.get(type_name)
    for selection in selection_set.selections:
        if isinstance(selection, ast.InlineFragmentNode):
            target = selection.type_condition.name.value if selection.type_condition else type_name
            _collect(subgraph, target, selection.selection_set, out)
            continue
        if not isinstance(selection, ast.FieldNode):
            raise FieldSetError("field sets may not use fragment spreads")
        name = selection.name.value
        if name == "__typename":
            continue
        field = type_def.fields.get(name) if type_def is not None else None
        if field is None:
            raise FieldSetError(f'field "{type_name}.{name}" does not exist in subgraph "{subgraph.name}"')
        out.append((type_name, name))
        if selection.selection_set is not None:
            _collect(subgraph, named_type(field.type), selection.selection_set, out)
