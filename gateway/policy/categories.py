"""Reading ``@personalData(category: …)`` from SDL (subgraph, supergraph or API schema)."""

from __future__ import annotations

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    StringValueNode,
    parse,
    print_ast,
)

DIRECTIVE_NAMES = frozenset({"personalData"})


def categories_from_document(document: DocumentNode) -> dict[str, str]:
    """``{"Type.field": category}`` for every field of an object type that carries the directive."""
    out: dict[str, str] = {}
    for definition in document.definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            continue
        for field in definition.fields or ():
            for directive in field.directives or ():
                if directive.name.value.split("__")[-1] not in DIRECTIVE_NAMES:
                    continue
                for argument in directive.arguments or ():
                    if argument.name.value == "category":
                        value = argument.value
                        category = value.value if isinstance(value, StringValueNode) else getattr(value, "value", None)
                        if category:
                            out[f"{definition.name.value}.{field.name.value}"] = str(category)
    return out


def categories_from_sdl(sdl: str) -> dict[str, str]:
    """Categories from SDL text."""
    return categories_from_document(parse(sdl))


def api_sdl(sdl: str) -> str:
    """Drop directive definitions and schema-level link/join noise enough for ``build_ast_schema`` with
    ``assume_valid`` (used by ``policy explain --query``)."""
    document = parse(sdl)
    kept = [d for d in document.definitions if not isinstance(d, DirectiveDefinitionNode)]
    return print_ast(DocumentNode(definitions=tuple(kept)))
