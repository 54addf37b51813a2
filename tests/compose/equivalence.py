"""Semantic comparison of two supergraph SDLs: same definitions, same join metadata, order ignored."""

from __future__ import annotations

from typing import Any

from graphql import parse, print_ast
from graphql.language import ast


def _directives(node: Any) -> list[str]:
    return sorted(print_ast(d) for d in getattr(node, "directives", None) or ())


def _args(nodes: Any) -> dict[str, tuple[str, str | None, str | None, list[str]]]:
    return {
        a.name.value: (
            print_ast(a.type),
            print_ast(a.default_value) if a.default_value else None,
            a.description.value if a.description else None,
            _directives(a),
        )
        for a in nodes or ()
    }


def summarize(sdl: str) -> dict[str, Any]:
    """Every definition of ``sdl`` keyed by name, as comparable plain data."""
    summary: dict[str, Any] = {}
    for node in parse(sdl).definitions:
        if isinstance(node, ast.SchemaDefinitionNode):
            summary["schema"] = (
                _directives(node),
                sorted((op.operation.value, op.type.name.value) for op in node.operation_types),
            )
        elif isinstance(node, ast.DirectiveDefinitionNode):
            summary[f"@{node.name.value}"] = (
                _args(node.arguments),
                node.repeatable,
                sorted(loc.value for loc in node.locations),
                node.description.value if node.description else None,
            )
        elif isinstance(node, ast.TypeDefinitionNode):
            entry: dict[str, Any] = {
                "kind": type(node).__name__,
                "description": node.description.value if node.description else None,
                "directives": _directives(node),
                "interfaces": sorted(i.name.value for i in getattr(node, "interfaces", None) or ()),
                "members": sorted(t.name.value for t in getattr(node, "types", None) or ()),
                "values": {
                    v.name.value: (_directives(v), v.description.value if v.description else None)
                    for v in getattr(node, "values", None) or ()
                },
            }
            fields = getattr(node, "fields", None) or ()
            entry["fields"] = {
                f.name.value: (
                    print_ast(f.type),
                    _args(getattr(f, "arguments", None)),
                    print_ast(f.default_value) if getattr(f, "default_value", None) else None,
                    f.description.value if f.description else None,
                    _directives(f),
                )
                for f in fields
            }
            summary[node.name.value] = entry
    return summary


def differences(ours: str, theirs: str) -> list[str]:
    """Human-readable differences between two supergraphs (empty when equivalent)."""
    a, b = summarize(ours), summarize(theirs)
    out = [f"only in ours: {k}" for k in sorted(a.keys() - b.keys())]
    out += [f"only in Apollo's: {k}" for k in sorted(b.keys() - a.keys())]
    for key in sorted(a.keys() & b.keys()):
        if a[key] == b[key]:
            continue
        if isinstance(a[key], dict):
            for part in a[key]:
                if a[key][part] != b[key][part]:
                    if isinstance(a[key][part], dict):
                        for sub in sorted(a[key][part].keys() | b[key][part].keys()):
                            if a[key][part].get(sub) != b[key][part].get(sub):
                                out.append(f"{key}.{sub}: ours {a[key][part].get(sub)} != {b[key][part].get(sub)}")
                    else:
                        out.append(f"{key} {part}: ours {a[key][part]} != Apollo's {b[key][part]}")
        else:
            out.append(f"{key}: ours {a[key]} != Apollo's {b[key]}")
    return out
