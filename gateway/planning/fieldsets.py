"""Federation field sets (``@key``, ``@requires``, ``@provides``) read against the supergraph schema.

A field set may select nested objects and use inline fragments on abstract types
(``data { foo ... on Bar { bar ... on Baz { baz } } }``). Representations sent to ``_entities`` must follow it
exactly: a field under a type condition is sent only for objects of a matching runtime type. These helpers turn a
field set into the :class:`ReqField` tree the executor extracts representations with, and into the "provided"
tree the planner consults below a ``@provides`` field.
"""

from __future__ import annotations

import hashlib
from typing import Any

from graphql import (
    FieldNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    print_ast,
)

from .plan import ReqField

Provided = dict[str, "Provided"]


def concrete_types(schema: GraphQLSchema, type_name: str) -> frozenset[str]:
    """The object types a value of ``type_name`` may have at run time (itself for an object type)."""
    gql_type = schema.get_type(type_name)
    if gql_type is None:
        return frozenset()
    if is_abstract_type(gql_type):
        return frozenset(t.name for t in schema.get_possible_types(gql_type))  # type: ignore[arg-type]
    return frozenset((type_name,))


def req_fields(schema: GraphQLSchema, parent: Any, selection: SelectionSetNode,
               types: frozenset[str] | None = None) -> list[ReqField]:
    """The representation fields of field set ``selection`` on ``parent`` (a composite type of ``schema``);
    fields under a type condition carry the runtime types they apply to."""
    out: list[ReqField] = []
    for sel in selection.selections:
        if isinstance(sel, FieldNode):
            name = sel.name.value
            children: tuple[ReqField, ...] | None = None
            if sel.selection_set is not None:
                definition = parent.fields.get(name) if hasattr(parent, "fields") else None
                named = get_named_type(definition.type) if definition is not None else None
                children = tuple(req_fields(schema, named, sel.selection_set)) if named is not None else ()
            out.append(ReqField(name, children, types, argument_alias(sel)))
        elif isinstance(sel, InlineFragmentNode):
            cond_name = sel.type_condition.name.value if sel.type_condition else parent.name
            cond = schema.get_type(cond_name) or parent
            applies = concrete_types(schema, cond_name) & concrete_types(schema, parent.name)
            if types is not None:
                applies &= types
            if isinstance(parent, GraphQLObjectType):
                if parent.name in applies:  # a fragment that applies to the object type itself
                    out.extend(req_fields(schema, parent, sel.selection_set, types))
            elif applies:
                out.extend(req_fields(schema, cond, sel.selection_set, applies))
    return merge_req_fields(out)


def merge_req_fields(fields: list[ReqField]) -> list[ReqField]:
    """Merge fields of the same name and type condition (children merged), first occurrence order."""
    merged: dict[tuple[str, frozenset[str] | None], ReqField] = {}
    for f in fields:
        key = (f.name, f.types)
        seen = merged.get(key)
        if seen is None:
            merged[key] = f
        elif f.children is not None:
            children = merge_req_fields([*(seen.children or ()), *f.children])
            merged[key] = ReqField(f.name, tuple(children), f.types)
    return list(merged.values())


def provided_tree(schema: GraphQLSchema, parent: str, selection: SelectionSetNode | None,
                  types: frozenset[str] | None = None) -> Provided:
    """What ``@provides(fields:)`` makes resolvable below the providing field of type ``parent``. A field
    under a type condition is provided only for those runtime types: its key is ``"Type.field"`` for each
    (``... on Book { title }`` provides ``Book.title``, not a movie's title); unconditioned fields are keyed by name."""
    out: Provided = {}
    if selection is None:
        return out
    parent_type = schema.get_type(parent)
    for sel in selection.selections:
        if isinstance(sel, FieldNode):
            name = sel.name.value
            definition = getattr(parent_type, "fields", {}).get(name)
            named = get_named_type(definition.type).name if definition is not None else parent
            sub = provided_tree(schema, named, sel.selection_set)
            for key in ([name] if types is None else [f"{t}.{name}" for t in sorted(types)]):
                out.setdefault(key, {}).update(sub)
        elif isinstance(sel, InlineFragmentNode):
            cond = sel.type_condition.name.value if sel.type_condition else parent
            applies: frozenset[str] | None
            if cond == parent and types is None:
                applies = None
            else:
                applies = concrete_types(schema, cond) & (types if types is not None else concrete_types(schema, parent))
            for key, sub in provided_tree(schema, cond, sel.selection_set, applies).items():
                out.setdefault(key, {}).update(sub)
    return out


def provided_entry(provided: Provided | None, type_name: str, field_name: str) -> Provided | None:
    """The provided sub-tree of ``type_name.field_name`` (unconditioned, or under a matching type condition)."""
    if provided is None:
        return None
    entry = provided.get(field_name)
    if entry is None:
        entry = provided.get(f"{type_name}.{field_name}")
    return entry


def top_field_names(selection: SelectionSetNode) -> tuple[str, ...]:
    """Names of a field set's top-level fields (its fragments' fields included)."""
    names: list[str] = []
    for sel in selection.selections:
        if isinstance(sel, FieldNode):
            names.append(sel.name.value)
        elif isinstance(sel, InlineFragmentNode):
            names.extend(top_field_names(sel.selection_set))
    return tuple(dict.fromkeys(names))


def argument_alias(node: FieldNode) -> str | None:
    """The internal response key of a field-set field with arguments (``fine(currency: "VND")``): the client
    may select the same field with other arguments under its name, and the two must never merge."""
    if not node.arguments:
        return None
    digest = hashlib.sha1(" ".join(print_ast(a) for a in node.arguments).encode()).hexdigest()[:8]
    return f"_lt_rq_{node.name.value}_{digest}"


def alias_arguments(selection: SelectionSetNode) -> SelectionSetNode:
    """``selection`` with every field that has arguments selected under its :func:`argument_alias`."""
    out: list[Any] = []
    for sel in selection.selections:
        if isinstance(sel, FieldNode):
            alias = argument_alias(sel)
            sub = alias_arguments(sel.selection_set) if sel.selection_set is not None else None
            out.append(FieldNode(alias=NameNode(value=alias) if alias else sel.alias, name=sel.name,
                                 arguments=sel.arguments, directives=sel.directives, selection_set=sub))
        elif isinstance(sel, InlineFragmentNode):
            out.append(InlineFragmentNode(type_condition=sel.type_condition, directives=sel.directives,
                                          selection_set=alias_arguments(sel.selection_set)))
        else:
            out.append(sel)
    return SelectionSetNode(selections=tuple(out))
