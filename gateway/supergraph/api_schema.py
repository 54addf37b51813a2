"""The public API schema: the supergraph minus federation internals and ``@inaccessible`` elements.

As Apollo's ``toAPISchema``: every element of every linked feature goes (``join__*``, ``link__*``, ``core__*``,
``@link``/``@core``, ``@tag``, ``@inaccessible``, ``context__*``, composed directives imported through a
``@link``), and, per the Federation spec's API schema rules, every ``@inaccessible`` type, field, argument, enum
value and input field, with what refers to a removed type: union members, interface implementations, and
fields, arguments and input fields of a removed type. A type left with no field, member or value goes too.
Also removed: ``_Any``, ``_Entity``, ``_Service``, ``Query._entities``/``_service`` (if a supergraph carries
them). Kept: client-facing types, descriptions, ``@deprecated``, ``@specifiedBy`` and unlinked directives.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    build_ast_schema,
)

from .links import Features

FEDERATION_TYPES = frozenset({"_Any", "_Entity", "_Service"})  # reserved by federation: never a client's type
# and, in a supergraph linking nothing, the usual names of the specs' types
HIDDEN_TYPES = FEDERATION_TYPES | {"FieldSet", "link__Import", "link__Purpose"}
HIDDEN_FIELDS = frozenset({"_entities", "_service"})
HIDDEN_DIRECTIVE_PREFIXES = ("join__", "link__", "core__")
# Used when the supergraph links nothing (an old hand-written one): the usual names of linked directives.
HIDDEN_DIRECTIVES = frozenset({"link", "core", "inaccessible", "tag", "composeDirective", "authenticated",
                               "requiresScopes", "policy", "context", "context__fromContext", "cost", "listSize"})

_WITH_FIELDS = (ObjectTypeDefinitionNode, ObjectTypeExtensionNode, InterfaceTypeDefinitionNode,
                InterfaceTypeExtensionNode, InputObjectTypeDefinitionNode, InputObjectTypeExtensionNode)
_UNIONS = (UnionTypeDefinitionNode, UnionTypeExtensionNode)
_ENUMS = (EnumTypeDefinitionNode, EnumTypeExtensionNode)


def _named(type_node: Any) -> str:
    while isinstance(type_node, ListTypeNode | NonNullTypeNode):
        type_node = type_node.type
    return type_node.name.value


class _Filter:
    """Which directives and types the API schema drops, for one supergraph's features."""

    def __init__(self, document: DocumentNode, features: Features | None) -> None:
        self.features = features
        inaccessible = features.apollo("inaccessible") if features else None
        self.inaccessible = inaccessible.directive_name("inaccessible") if inaccessible else "inaccessible"
        self.removed: set[str] = {
            d.name.value for d in document.definitions
            if isinstance(d, TypeDefinitionNode) and (self.feature_type(d.name.value) or self.hidden_node(d))
        }

    def feature_type(self, name: str) -> bool:
        if self.features is not None:
            return name in FEDERATION_TYPES or self.features.owns_type(name)
        return name in HIDDEN_TYPES or name.startswith(HIDDEN_DIRECTIVE_PREFIXES)

    def feature_directive(self, name: str) -> bool:
        if self.features is not None and self.features.owner_of_directive(name) is not None:
            return True
        return name.startswith(HIDDEN_DIRECTIVE_PREFIXES) or (self.features is None and name in HIDDEN_DIRECTIVES)

    def hidden_node(self, node: Any) -> bool:
        return any(d.name.value == self.inaccessible for d in getattr(node, "directives", None) or ())

    def directives(self, node: Any) -> tuple[DirectiveNode, ...]:
        return tuple(d for d in getattr(node, "directives", None) or () if not self.feature_directive(d.name.value))

    def inputs(self, arguments: Any) -> tuple[Any, ...]:
        """Argument (or input field) definitions that stay, without federation directives."""
        return tuple(replace(a, directives=self.directives(a)) for a in arguments or ()
                     if not self.hidden_node(a) and _named(a.type) not in self.removed)

    def field(self, node: Any) -> Any | None:
        if self.hidden_node(node) or node.name.value in HIDDEN_FIELDS or _named(node.type) in self.removed:
            return None
        changes: dict[str, Any] = {"directives": self.directives(node)}
        if getattr(node, "arguments", None):
            changes["arguments"] = self.inputs(node.arguments)
        return replace(node, **changes)

    def type_node(self, node: Any) -> Any | None:
        """The definition without what the API schema drops, or ``None`` if nothing of it is left."""
        changes: dict[str, Any] = {"directives": self.directives(node)}
        if isinstance(node, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode):
            changes["fields"] = self.inputs(node.fields)
        elif isinstance(node, _WITH_FIELDS):
            changes["fields"] = tuple(f for f in (self.field(f) for f in node.fields or ()) if f is not None)
            changes["interfaces"] = tuple(i for i in node.interfaces or () if i.name.value not in self.removed)
        elif isinstance(node, _UNIONS):
            changes["types"] = tuple(t for t in node.types or () if t.name.value not in self.removed)
        elif isinstance(node, _ENUMS):
            changes["values"] = tuple(replace(v, directives=self.directives(v)) for v in node.values or ()
                                      if not self.hidden_node(v))
        emptied = next((k for k in ("fields", "types", "values") if k in changes and not changes[k]), None)
        if emptied is not None and getattr(node, emptied, None):
            return None  # e.g. every field inaccessible: the type (or this extension of it) cannot exist
        return replace(node, **changes)


def api_document(document: DocumentNode, features: Features | None = None) -> DocumentNode:
    """Filter the supergraph document down to the client-facing definitions."""
    keep = _Filter(document, features)
    while True:  # removing a type can empty another one (a union of removed members): repeat until stable
        kept: list[Any] = []
        newly_removed: set[str] = set()
        for definition in document.definitions:
            if isinstance(definition, DirectiveDefinitionNode):
                if not keep.feature_directive(definition.name.value):
                    kept.append(replace(definition, arguments=keep.inputs(definition.arguments)))
            elif isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
                if definition.name.value in keep.removed:
                    continue
                filtered = keep.type_node(definition)
                if filtered is None:
                    if isinstance(definition, TypeDefinitionNode):
                        newly_removed.add(definition.name.value)
                else:
                    kept.append(filtered)
            elif isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
                operations = tuple(o for o in definition.operation_types or ()
                                   if _named(o.type) not in keep.removed)
                kept.append(replace(definition, directives=(), operation_types=operations))
            else:
                kept.append(definition)
        if not newly_removed:
            return DocumentNode(definitions=tuple(kept))
        keep.removed |= newly_removed


def build_api_schema(document: DocumentNode, features: Features | None = None) -> GraphQLSchema:
    """The schema clients are validated and introspected against."""
    return build_ast_schema(api_document(document, features), assume_valid_sdl=True)
