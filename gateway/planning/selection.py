"""Selections of subgraph operations, built by the planner and printed once per plan.

A :class:`SelSet` is a list of fields by response key plus inline fragments on concrete types (for abstract
types). Conditions (``@skip``/``@include``) are already evaluated when these are built, so they carry none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    print_ast,
)
from graphql.language import Visitor, visit

from ..supergraph.documents import is_included


@dataclass(slots=True)
class SelField:
    key: str
    name: str
    arguments: tuple[ArgumentNode, ...] = ()
    children: SelSet | None = None
    client: bool = True  # False when only the planner asked for it (keys, @requires)


@dataclass(slots=True)
class SelSet:
    fields: dict[str, SelField] = field(default_factory=dict)
    by_type: dict[str, SelSet] = field(default_factory=dict)

    def add(self, key: str, name: str, arguments: tuple[ArgumentNode, ...] = (), *, client: bool = True,
            composite: bool = False) -> SelField:
        """Add (or find) the field with response ``key``; client fields win over planner-added ones."""
        existing = self.fields.get(key)
        if existing is None:
            existing = self.fields[key] = SelField(key, name, arguments, client=client)
        elif client:
            existing.client = True
        if composite and existing.children is None:
            existing.children = SelSet()
        return existing

    def fragment(self, type_name: str) -> SelSet:
        sub = self.by_type.get(type_name)
        if sub is None:
            sub = self.by_type[type_name] = SelSet()
        return sub

    def print(self) -> str:
        parts: list[str] = []
        for f in self.fields.values():
            text = f.name if f.key == f.name else f"{f.key}: {f.name}"
            if f.arguments:
                text += "(" + ", ".join(print_ast(a) for a in f.arguments) + ")"
            if f.children is not None:
                text += " " + f.children.print()
            parts.append(text)
        for type_name, sub in self.by_type.items():
            parts.append(f"... on {type_name} {sub.print()}")
        return "{ " + " ".join(parts) + " }"

    def variables(self, out: set[str] | None = None) -> set[str]:
        out = set() if out is None else out
        for f in self.fields.values():
            for a in f.arguments:
                _variables_in(a, out)
            if f.children is not None:
                f.children.variables(out)
        for sub in self.by_type.values():
            sub.variables(out)
        return out

    def merge(self, other: SelSet) -> None:
        """Add everything of ``other`` into this set."""
        for f in other.fields.values():
            mine = self.add(f.key, f.name, f.arguments, client=f.client, composite=f.children is not None)
            if f.children is not None and mine.children is not None:
                mine.children.merge(f.children)
        for type_name, sub in other.by_type.items():
            self.fragment(type_name).merge(sub)


def _variables_in(node: Any, out: set[str]) -> None:
    class _V(Visitor):
        def enter_variable(self, v: VariableNode, *_: Any) -> None:
            out.add(v.name.value)

    visit(node, _V())


def type_applies(schema: GraphQLSchema, condition: str | None, runtime: GraphQLObjectType) -> bool:
    """Does a fragment with type ``condition`` apply to objects of type ``runtime``?"""
    if condition is None or condition == runtime.name:
        return True
    cond_type = schema.get_type(condition)
    if cond_type is None or isinstance(cond_type, GraphQLObjectType):
        return False
    return schema.is_sub_type(cond_type, runtime)  # type: ignore[arg-type]


def collect_fields(
    schema: GraphQLSchema,
    runtime: GraphQLObjectType,
    selection_sets: Iterable[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> dict[str, list[FieldNode]]:
    """Fields selected on objects of type ``runtime``, by response key, fragments flattened, conditions applied
    (the spec's CollectFields)."""
    out: dict[str, list[FieldNode]] = {}

    def walk(selection_set: SelectionSetNode) -> None:
        for sel in selection_set.selections:
            if not is_included(sel, variables):
                continue
            if isinstance(sel, FieldNode):
                key = sel.alias.value if sel.alias else sel.name.value
                out.setdefault(key, []).append(sel)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition.name.value if sel.type_condition else None
                if type_applies(schema, cond, runtime):
                    walk(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode):
                frag = fragments.get(sel.name.value)
                if frag is not None and type_applies(schema, frag.type_condition.name.value, runtime):
                    walk(frag.selection_set)

    for selection_set in selection_sets:
        walk(selection_set)
    return out


def sub_selections(field_nodes: list[FieldNode]) -> list[SelectionSetNode]:
    return [f.selection_set for f in field_nodes if f.selection_set is not None]
