"""Selections of subgraph operations, built by the planner and printed once per plan.

A :class:`SelSet` is a list of fields by response key plus inline fragments on concrete types (for abstract
types). Conditions (``@skip``/``@include``) are already evaluated when these are built, so they carry none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    SelectionSetNode,
    VariableNode,
    print_ast,
)
from graphql.language import Visitor, visit

from ..supergraph.documents import collect_fields, type_applies  # noqa: F401 - the one CollectFields, re-exported


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


def sub_selections(field_nodes: list[FieldNode]) -> list[SelectionSetNode]:
    return [f.selection_set for f in field_nodes if f.selection_set is not None]
