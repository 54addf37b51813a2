"""Type references across subgraphs: equality and the subtyping Apollo allows when merging field types.

A field may be ``String!`` in one subgraph and ``String`` in another (output: the supergraph uses the more
general ``String``; input: the stricter ``String!``); lists propagate; an object is a subtype of an interface it
implements and of a union it belongs to (in the supergraph).
"""

from __future__ import annotations

from collections.abc import Callable

from graphql.language import ast

IsMember = Callable[[str, str], bool]
"""``is_member(abstract, object)``: does ``object`` implement / belong to ``abstract`` in the supergraph?"""


def same_type(a: ast.TypeNode, b: ast.TypeNode) -> bool:
    if isinstance(a, ast.NonNullTypeNode) and isinstance(b, ast.NonNullTypeNode):
        return same_type(a.type, b.type)
    if isinstance(a, ast.ListTypeNode) and isinstance(b, ast.ListTypeNode):
        return same_type(a.type, b.type)
    if isinstance(a, ast.NamedTypeNode) and isinstance(b, ast.NamedTypeNode):
        return a.name.value == b.name.value
    return False


def is_strict_subtype(type_: ast.TypeNode, maybe_sub: ast.TypeNode, is_member: IsMember) -> bool:
    """Is ``maybe_sub`` a strict subtype of ``type_`` (Apollo's default subtyping rules)?"""
    if isinstance(maybe_sub, ast.NonNullTypeNode):
        if isinstance(type_, ast.NonNullTypeNode):
            return is_strict_subtype(type_.type, maybe_sub.type, is_member)
        return same_type(type_, maybe_sub.type) or is_strict_subtype(type_, maybe_sub.type, is_member)
    if isinstance(type_, ast.NonNullTypeNode):
        return False
    if isinstance(type_, ast.ListTypeNode) and isinstance(maybe_sub, ast.ListTypeNode):
        return is_strict_subtype(type_.type, maybe_sub.type, is_member)
    if isinstance(type_, ast.NamedTypeNode) and isinstance(maybe_sub, ast.NamedTypeNode):
        return is_member(type_.name.value, maybe_sub.name.value)
    return False
