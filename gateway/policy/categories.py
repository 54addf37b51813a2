"""Reading ``@personalData(category: …)`` from SDL (subgraph, supergraph or API schema), and the table of the
categories the policy knows (004 Art. 2.3, 2.4) with their articles and the purposes that may touch each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True, slots=True)
class CategoryRow:
    """One category as the policy treats it: for a policy author classifying a new subgraph's fields."""

    name: str
    article: str  # where 004 Art. 2 defines it (data/rules.json category_articles)
    sensitive: bool  # 004 Art. 2.4 (data/rules.json sensitive_categories)
    explicit_need: bool  # released only to a purpose that lists it in sensitive_needs
    purposes: tuple[str, ...]  # the purposes whose categories or sensitive_needs name it


def category_table(rules: Mapping[str, Any], purposes: Sequence[Mapping[str, Any]]) -> list[CategoryRow]:
    """The categories of ``rules`` (data/rules.json "rules") in their order, with their article and the purposes
    of ``purposes`` (data/purposes.json "purposes") that may touch each."""
    articles = rules.get("category_articles") or {}
    sensitive = set(rules.get("sensitive_categories") or ())
    explicit = set(rules.get("explicit_need_categories") or ())
    rows: list[CategoryRow] = []
    for name in rules.get("categories") or ():
        users = tuple(p["id"] for p in purposes
                      if name in (p.get("categories") or ()) or name in (p.get("sensitive_needs") or ()))
        rows.append(CategoryRow(name, str(articles.get(name, "")), name in sensitive, name in explicit, users))
    return rows


def render_category_table(rows: Sequence[CategoryRow]) -> str:
    """A Markdown table of ``rows`` (``python -m gateway policy categories``; policies/README.md)."""
    lines = ["| category | 004 Art. 2 | sensitive | released to |", "|---|---|---|---|"]
    for r in rows:
        if r.name == "PUBLIC":
            released = "everyone, without a purpose"
        elif r.purposes:
            released = ", ".join(r.purposes) + (" (listed in sensitive_needs)" if r.explicit_need else "")
        else:
            released = "no purpose yet: withheld until a purpose names it"
        lines.append(f"| `{r.name}` | {r.article} | {'yes' if r.sensitive else 'no'} | {released} |")
    return "\n".join(lines)
