"""The public API schema: the supergraph minus federation internals.

Removed: ``join__*`` / ``link__*`` types and directives, ``@link``, ``_Any``, ``_Entity``, ``_Service``,
``Query._entities`` / ``Query._service``, and anything marked ``@inaccessible``. Kept: the client-facing types,
descriptions, ``@deprecated`` and the composed ``@personalData``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    GraphQLSchema,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    build_ast_schema,
)

HIDDEN_TYPES = frozenset({"_Any", "_Entity", "_Service", "FieldSet", "link__Import", "link__Purpose"})
HIDDEN_FIELDS = frozenset({"_entities", "_service"})
HIDDEN_DIRECTIVE_PREFIXES = ("join__", "link__")
HIDDEN_DIRECTIVES = frozenset({"link", "core", "inaccessible", "tag", "composeDirective", "authenticated",
                               "requiresScopes", "policy", "context", "context__fromContext", "cost", "listSize"})


def _hidden_type(name: str) -> bool:
    return name in HIDDEN_TYPES or name.startswith(HIDDEN_DIRECTIVE_PREFIXES)


def _hidden_directive(name: str) -> bool:
    return name in HIDDEN_DIRECTIVES or name.startswith(HIDDEN_DIRECTIVE_PREFIXES)


def _inaccessible(node: Any) -> bool:
    return any(d.name.value == "inaccessible" for d in getattr(node, "directives", None) or ())


def _strip(node: Any) -> Any:
    """``node`` without federation directive usages (recursively over fields, arguments, enum values)."""
    changes: dict[str, Any] = {}
    if getattr(node, "directives", None):
        changes["directives"] = tuple(d for d in node.directives if not _hidden_directive(d.name.value))
    # _strip only sees type, field, argument and enum value definitions, so "arguments" are definitions here.
    for attr in ("fields", "values", "arguments"):
        children = getattr(node, attr, None)
        if children:
            changes[attr] = tuple(
                _strip(c) for c in children
                if not _inaccessible(c) and not (attr == "fields" and c.name.value in HIDDEN_FIELDS)
            )
    if getattr(node, "types", None):  # union members
        changes["types"] = tuple(t for t in node.types if not _hidden_type(t.name.value))
    if getattr(node, "interfaces", None):
        changes["interfaces"] = tuple(t for t in node.interfaces if not _hidden_type(t.name.value))
    return replace(node, **changes) if changes else node


def api_document(document: DocumentNode) -> DocumentNode:
    """Filter the supergraph document down to the client-facing definitions."""
    inaccessible_types = {
        d.name.value for d in document.definitions if isinstance(d, TypeDefinitionNode) and _inaccessible(d)
    }
    kept: list[Any] = []
    for definition in document.definitions:
        if isinstance(definition, DirectiveDefinitionNode):
            if not _hidden_directive(definition.name.value):
                kept.append(definition)
        elif isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
            name = definition.name.value
            if not _hidden_type(name) and name not in inaccessible_types:
                kept.append(_strip(definition))
        elif isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            kept.append(replace(definition, directives=()))
        else:
            kept.append(definition)
    return DocumentNode(definitions=tuple(kept))


def build_api_schema(document: DocumentNode) -> GraphQLSchema:
    """The schema clients are validated and introspected against."""
    return build_ast_schema(api_document(document), assume_valid_sdl=True)
