"""``prepare``: the execution document. Fields withheld for every type they can come from are pruned (never
fetched), and the row attributes the row rules need are injected under reserved aliases ``_lt_<name>``.

A pruned field ``alias: field`` becomes ``_lt_w_<len(field)>_<field><alias>: __typename`` (same directives):
the document stays valid (no empty selection set) and ``apply`` knows where to put the null and the
FORBIDDEN_FIELD error. On abstract types ``_lt_type: __typename`` tells ``apply`` the row's concrete type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_required_argument,
)

from .collect import check_reserved_aliases
from .types import RESERVED_PREFIX, FieldDecision
from .walk import concrete_types

WITHHELD_PREFIX = RESERVED_PREFIX + "w_"
TYPE_ALIAS = RESERVED_PREFIX + "type"
VALUE_ALIAS = RESERVED_PREFIX + "v"


def withheld_alias(field_name: str, response_key: str) -> str:
    """Reserved alias that records a pruned field's name and response key."""
    return f"{WITHHELD_PREFIX}{len(field_name)}_{field_name}{response_key}"


def parse_withheld_alias(alias: str) -> tuple[str, str]:
    """Inverse of :func:`withheld_alias`: ``(field_name, response_key)``."""
    rest = alias[len(WITHHELD_PREFIX) :]
    length, _, tail = rest.partition("_")
    n = int(length)
    return tail[:n], tail[n:]


def _name(value: str) -> NameNode:
    return NameNode(value=value)


def _field(name: str, alias: str | None = None, selection_set: SelectionSetNode | None = None) -> FieldNode:
    return FieldNode(
        alias=_name(alias) if alias else None,
        name=_name(name),
        arguments=(),
        directives=(),
        selection_set=selection_set,
    )


class Preparer:
    """Builds execution documents; ``row_attributes`` is ``policies/data/row_attributes.json``'s list."""

    def __init__(self, row_attributes: Sequence[Mapping[str, Any]]) -> None:
        self._attributes = list(row_attributes)

    def prepare(self, document: DocumentNode, decision: FieldDecision, schema: GraphQLSchema) -> DocumentNode:
        """Prune unconditionally withheld fields and inject row attributes (see module docstring)."""
        check_reserved_aliases(document)
        definitions = []
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                root = schema.get_root_type(definition.operation)
                if root is None:
                    definitions.append(definition)
                    continue
                selection_set = self._selection_set(definition.selection_set, root, schema, decision)
                definitions.append(_copy(definition, selection_set=selection_set))
            elif isinstance(definition, FragmentDefinitionNode):
                target = schema.get_type(definition.type_condition.name.value)
                if target is None:
                    definitions.append(definition)
                    continue
                selection_set = self._selection_set(definition.selection_set, target, schema, decision)
                definitions.append(_copy(definition, selection_set=selection_set))
            else:
                definitions.append(definition)
        return DocumentNode(definitions=tuple(definitions))

    def attribute_fields(self, type_: GraphQLObjectType | GraphQLInterfaceType) -> list[FieldNode]:
        """The injected selections for rows of ``type_`` (attributes whose path exists on it)."""
        nodes = []
        for attribute in self._attributes:
            types = attribute.get("types", ["*"])
            if "*" not in types and type_.name not in types:
                continue
            for path in attribute.get("paths", []):
                # a nested path gets its own alias: on a union, `_lt_x: x` (a leaf) and `_lt_x: a { … }`
                # (an object) under one response key would not merge (OverlappingFieldsCanBeMerged)
                alias = RESERVED_PREFIX + attribute["name"] + ("" if len(path) == 1 else "__" + "_".join(path[:-1]))
                node = _path_node(type_, list(path), alias)
                if node is not None:
                    nodes.append(node)
                    break
        return nodes

    def _selection_set(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        schema: GraphQLSchema,
        decision: FieldDecision,
    ) -> SelectionSetNode:
        out: list[Any] = []
        fields = getattr(parent, "fields", {})  # unions have none
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                definition = fields.get(name) if not name.startswith("__") else None
                if definition is None:
                    out.append(selection)
                elif _withheld_everywhere(schema, parent, name, decision):
                    key = selection.alias.value if selection.alias else name
                    replacement = _field("__typename", withheld_alias(name, key))
                    out.append(_copy(replacement, directives=selection.directives))
                elif selection.selection_set is not None:
                    child = self._selection_set(
                        selection.selection_set, get_named_type(definition.type), schema, decision
                    )
                    out.append(_copy(selection, selection_set=child))
                else:
                    out.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                target = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
                if target is None:
                    out.append(selection)
                    continue
                child = self._selection_set(selection.selection_set, target, schema, decision)
                out.append(_copy(selection, selection_set=child))
            else:
                out.append(selection)
        out.extend(self._injections(parent, schema))
        return SelectionSetNode(selections=tuple(out))

    def _injections(self, parent: GraphQLNamedType, schema: GraphQLSchema) -> list[Any]:
        if isinstance(parent, GraphQLObjectType):
            return self.attribute_fields(parent)
        if not is_abstract_type(parent):
            return []
        nodes: list[Any] = [_field("__typename", TYPE_ALIAS)]
        # attributes every implementation shares are selected once on the interface; a fragment per concrete
        # type only for the rest (14 civil status event types each repeating them made subgraph work 2x)
        shared = self.attribute_fields(parent) if isinstance(parent, GraphQLInterfaceType) else []
        nodes.extend(shared)
        covered = {node.alias.value for node in shared if node.alias}
        for concrete in concrete_types(schema, parent):
            injected = [n for n in self.attribute_fields(concrete) if not n.alias or n.alias.value not in covered]
            if injected:
                nodes.append(
                    InlineFragmentNode(
                        type_condition=NamedTypeNode(name=_name(concrete.name)),
                        directives=(),
                        selection_set=SelectionSetNode(selections=tuple(injected)),
                    )
                )
        return nodes


def _withheld_everywhere(schema: GraphQLSchema, parent: GraphQLNamedType, name: str, decision: FieldDecision) -> bool:
    """True when every concrete type that can answer ``parent.name`` has it withheld by the field rules."""
    coordinates = [f"{t.name}.{name}" for t in concrete_types(schema, parent) if name in t.fields]
    if not coordinates:
        return False
    for coordinate in coordinates:
        effect = decision.result.fields.get(coordinate)
        if effect is None or effect.effect != "withhold":
            return False
    return True


def _path_node(type_: Any, path: list[str], alias: str) -> FieldNode | None:
    """``alias: a { _lt_v: b { _lt_v: c } }`` if the path resolves to a leaf through single objects."""
    field = type_.fields.get(path[0]) if hasattr(type_, "fields") else None
    if field is None or any(is_required_argument(arg) for arg in field.args.values()):
        return None
    named = get_named_type(field.type)
    if len(path) == 1:
        return _field(path[0], alias) if is_leaf_type(named) else None
    if is_list_type(get_nullable_type(field.type)) or not hasattr(named, "fields"):
        return None
    inner = _path_node(named, path[1:], VALUE_ALIAS)
    if inner is None:
        return None
    return _field(path[0], alias, SelectionSetNode(selections=(inner,)))


def _copy(node: Any, **changes: Any) -> Any:
    """A shallow copy of an AST node with some attributes replaced (the input document is never mutated)."""
    values = {key: getattr(node, key) for key in node.keys if key != "loc"}
    values.update(changes)
    return type(node)(**values)
