"""Print a :class:`Supergraph` exactly as ``@apollo/composition`` prints ``supergraphSdl``.

Layout follows ``@apollo/federation-internals``' ``printSchema`` with ``shallowOrderPrintedDefinitions``: the
schema definition, then directive definitions and types each sorted by name (``String.localeCompare``), fields
and values in merge order, block-string descriptions (multi-line past 70 characters).
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import SArg, SDirectiveDef, SEnumValue, SField, SType, Supergraph

INDENT = "  "
ROOT_ORDER = ("query", "mutation", "subscription")


def locale_key(name: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """A sort key approximating ICU root collation (``localeCompare``) for GraphQL names: punctuation before
    digits before letters, case ignored except as a final tie-break where lower case comes first."""
    primary = []
    tertiary = []
    for ch in name:
        if ch.isalpha():
            primary.append((2, ord(ch.lower())))
        elif ch.isdigit():
            primary.append((1, ord(ch)))
        else:
            primary.append((0, ord(ch)))
        tertiary.append(1 if ch.isupper() else 0)
    return tuple(primary), tuple(tertiary)


def print_supergraph(supergraph: Supergraph) -> str:
    """The supergraph SDL (no trailing newline, like Apollo's)."""
    parts = [_print_schema(supergraph)]
    parts += [_print_directive_def(d) for d in sorted(supergraph.directive_defs.values(), key=_by_name)]
    for type_ in sorted(supergraph.types.values(), key=_by_name):
        printed = _print_type(type_)
        if printed is not None:
            parts.append(printed)
    return "\n\n".join(parts)


def _by_name(element: SType | SDirectiveDef) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    return locale_key(element.name)


def _print_schema(supergraph: Supergraph) -> str:
    roots = [f"{INDENT}{op}: {supergraph.roots[op]}" for op in ROOT_ORDER if op in supergraph.roots]
    return "schema" + _directives_block(supergraph.links, bool(roots)) + "{\n" + "\n".join(roots) + "\n}"


def _directives_block(directives: list[str], end_with_newline: bool) -> str:
    if not directives:
        return ""
    text = "\n" + INDENT + ("\n" + INDENT).join(directives)
    return text + ("\n" if end_with_newline else "")


def _inline_directives(directives: list[str]) -> str:
    return "".join(" " + d for d in directives)


def description(text: str | None, indentation: str = "", first_in_block: bool = True) -> str:
    """``printDescription`` of federation-internals."""
    if text is None:
        return ""
    block = _block_string(text, len(text) > 70)
    prefix = "\n" + indentation if indentation and not first_in_block else indentation
    return prefix + block.replace("\n", "\n" + indentation) + "\n"


def _block_string(value: str, prefer_multiple_lines: bool) -> str:
    single_line = "\n" not in value
    leading_space = value[:1] in (" ", "\t")
    multiple = not single_line or value.endswith('"') or value.endswith("\\") or prefer_multiple_lines
    result = ""
    if multiple and not (single_line and leading_space):
        result += "\n"
    result += value
    if multiple:
        result += "\n"
    return '"""' + result.replace('"""', '\\"""') + '"""'


def _print_directive_def(directive: SDirectiveDef) -> str:
    repeatable = " repeatable" if directive.repeatable else ""
    return (
        f"{description(directive.description)}directive @{directive.name}{_print_args(directive.args)}"
        f"{repeatable} on {' | '.join(directive.locations)}"
    )


def _print_arg(arg: SArg) -> str:
    default = f" = {arg.default}" if arg.default is not None else ""
    return f"{arg.name}: {arg.type}{default}{_inline_directives(arg.directives)}"


def _print_args(args: list[SArg], indentation: str = "") -> str:
    if not args:
        return ""
    if all(not a.description for a in args):
        return "(" + ", ".join(_print_arg(a) for a in args) + ")"
    lines = [
        description(a.description, INDENT + indentation, i == 0) + INDENT + indentation + _print_arg(a)
        for i, a in enumerate(args)
    ]
    return "(\n" + "\n".join(lines) + f"\n{indentation})"


def _block(items: list[str]) -> str:
    return "{\n" + "\n".join(items) + "\n}" if items else ""


def _print_fields(fields: Iterable[SField]) -> str:
    return _block(
        [
            description(f.description, INDENT, i == 0)
            + INDENT
            + f"{f.name}{_print_args(f.args, INDENT)}: {f.type}"
            + _inline_directives(f.directives)
            for i, f in enumerate(fields)
        ]
    )


def _print_input_fields(fields: Iterable[SArg]) -> str:
    return _block(
        [description(f.description, INDENT, i == 0) + INDENT + _print_arg(f) for i, f in enumerate(fields)]
    )


def _print_values(values: Iterable[SEnumValue]) -> str:
    return _block(
        [
            description(v.description, INDENT, i == 0) + INDENT + v.name + _inline_directives(v.directives)
            for i, v in enumerate(values)
        ]
    )


def _print_type(t: SType) -> str | None:
    head = description(t.description)
    if t.kind == "SCALAR":
        return f"{head}scalar {t.name}{_directives_block(t.directives, False)}"
    if t.kind == "UNION":
        if not t.directives and not t.members:
            return None
        members = " = " + " | ".join(t.members) if t.members else ""
        return f"{head}union {t.name}{_directives_block(t.directives, bool(t.members))}{members}"
    if t.kind in ("OBJECT", "INTERFACE"):
        if not t.directives and not t.interfaces and not t.fields:
            return None
        keyword = "type" if t.kind == "OBJECT" else "interface"
        implements = " implements " + " & ".join(t.interfaces) if t.interfaces else ""
        body, has_body = _print_fields(t.fields.values()), bool(t.fields)
    elif t.kind == "ENUM":
        keyword, implements = "enum", ""
        body, has_body = _print_values(t.values.values()), bool(t.values)
    else:
        keyword, implements = "input", ""
        body, has_body = _print_input_fields(t.input_fields.values()), bool(t.input_fields)
    if not t.directives and not has_body:
        return None
    space = " " if not t.directives and has_body else ""
    return f"{head}{keyword} {t.name}{implements}{_directives_block(t.directives, has_body)}{space}{body}"
