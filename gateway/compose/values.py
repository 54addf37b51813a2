"""Printing GraphQL values the way Apollo's composition prints them (``valueToString``)."""

from __future__ import annotations

import json

from graphql.language import ast


def print_string(value: str) -> str:
    """A GraphQL string literal (JSON escaping, as ``JSON.stringify``)."""
    return json.dumps(value, ensure_ascii=False)


def print_value(node: ast.ValueNode) -> str:
    """A value literal: ``{a: 1, b: [X, "y"]}`` (no inner padding in objects, unlike graphql-core)."""
    if isinstance(node, ast.StringValueNode):
        return print_string(node.value)
    if isinstance(node, ast.ListValueNode):
        return "[" + ", ".join(print_value(v) for v in node.values) + "]"
    if isinstance(node, ast.ObjectValueNode):
        return "{" + ", ".join(f"{f.name.value}: {print_value(f.value)}" for f in node.fields) + "}"
    if isinstance(node, ast.BooleanValueNode):
        return "true" if node.value else "false"
    if isinstance(node, ast.NullValueNode):
        return "null"
    if isinstance(node, ast.VariableNode):
        return f"${node.name.value}"
    return str(node.value)  # type: ignore[attr-defined]  # Int, Float, Enum


def print_directive(node: ast.DirectiveNode) -> str:
    """An applied directive: ``@name(arg: value, ...)``."""
    args = ", ".join(f"{a.name.value}: {print_value(a.value)}" for a in node.arguments or ())
    return f"@{node.name.value}({args})" if args else f"@{node.name.value}"


def print_type(node: ast.TypeNode) -> str:
    """A type reference: ``[Person!]!``."""
    if isinstance(node, ast.NonNullTypeNode):
        return print_type(node.type) + "!"
    if isinstance(node, ast.ListTypeNode):
        return "[" + print_type(node.type) + "]"
    return node.name.value  # type: ignore[attr-defined]
