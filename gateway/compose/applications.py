"""Applied directives that survive into the supergraph: are they valid in their subgraph, and when are two of them
the same application?

Apollo's composition builds every subgraph as a GraphQL schema first, so a composed directive applied where its
definition does not allow it, with an unknown or missing argument or a value of the wrong type, or a type
referenced but never defined, fails composition with ``INVALID_GRAPHQL`` and a message naming the subgraph. The
checks here give the same verdicts with Apollo's messages, and refuse ``null`` for a non-null argument, which
Apollo lets through or crashes on. A string naming an enum value is accepted for an enum argument and printed as
the enum value, as Apollo does.

Two applications are the same when their arguments, defaults filled in from the subgraph's definition, are equal
(``@dataSubject(inherit: true)`` is ``@dataSubject(field: null, role: SUBJECT, facts: null, inherit: true)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from graphql import Visitor, parse, visit
from graphql.language import ast

from .errors import CompositionError
from .links import LINK_IDENTITY, SUPPORTED_FEDERATION_DIRECTIVES, UNSUPPORTED_FEDERATION_DIRECTIVES
from .subgraph import BUILTIN_SCALARS, FEDERATION_TYPES, Arg, Subgraph, TypeDef
from .values import print_type, print_value

# Defaults of the built-in directives composition keeps (graphql-js definitions).
BUILTIN_DEFAULTS: dict[str, dict[str, str]] = {
    "deprecated": {"reason": '"No longer supported"'},
    "specifiedBy": {},
}
INT_RANGE = range(-(2**31), 2**31)
GRAPHQL_DIRECTIVES = frozenset({"skip", "include", "deprecated", "specifiedBy", "oneOf"})
FEDERATION_DIRECTIVES = SUPPORTED_FEDERATION_DIRECTIVES | UNSUPPORTED_FEDERATION_DIRECTIVES | {"cacheTag"}


def application_key(subgraph: Subgraph, node: ast.DirectiveNode) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What identifies an application for de-duplication: its name and every argument value, defaults included
    (Apollo's ``sameDirectiveApplication``: ``valueEquals`` of ``arguments(true)``)."""
    name = node.name.value
    definition = subgraph.directive_defs.get(name)
    if definition is not None:
        values = {a.name: print_value(a.default) for a in definition.args.values() if a.default is not None}
    else:
        values = dict(BUILTIN_DEFAULTS.get(name, {}))
    for argument in node.arguments or ():
        values[argument.name.value] = print_value(argument.value)
    return name, tuple(sorted(values.items()))


@dataclass(slots=True)
class _Site:
    """Where a list of applied directives sits: its directive location, its coordinate and the list itself."""

    location: str
    coordinate: str
    directives: list[ast.DirectiveNode]


def check_subgraph(subgraph: Subgraph) -> list[CompositionError]:
    """``INVALID_GRAPHQL`` errors for unknown types and invalid applications of composed directives; enum
    arguments given as strings are rewritten in place to enum values."""
    checker = _Checker(subgraph)
    for name in subgraph.composed:
        if name not in subgraph.directive_defs:
            checker.errors.append(
                CompositionError(
                    "DIRECTIVE_COMPOSITION_ERROR",
                    f'Could not find matching directive definition for argument to @composeDirective "@{name}" in '
                    f'subgraph "{subgraph.name}".',
                )
            )
    checker.check_known_directives()
    checker.check_types()
    for site in _sites(subgraph):
        checker.check_site(site)
    return checker.errors


def _sites(subgraph: Subgraph) -> Iterator[_Site]:
    for type_def in subgraph.types.values():
        yield _Site(type_def.kind, type_def.name, type_def.directives)
        for field in type_def.fields.values():
            coordinate = f"{type_def.name}.{field.name}"
            yield _Site("FIELD_DEFINITION", coordinate, field.directives)
            for arg in field.args.values():
                yield _Site("ARGUMENT_DEFINITION", f"{coordinate}({arg.name}:)", arg.directives)
        for input_field in type_def.input_fields.values():
            yield _Site("INPUT_FIELD_DEFINITION", f"{type_def.name}.{input_field.name}", input_field.directives)
        for value in type_def.values.values():
            yield _Site("ENUM_VALUE", f"{type_def.name}.{value.name}", value.directives)


class _Checker:
    def __init__(self, subgraph: Subgraph) -> None:
        self.subgraph = subgraph
        self.errors: list[CompositionError] = []

    def error(self, message: str, node: ast.Node | None = None, location: object = None) -> None:
        where = self.subgraph.loc(node) if node is not None else location
        self.errors.append(
            CompositionError("INVALID_GRAPHQL", f"[{self.subgraph.name}] {message}", (where,) if where else ())
        )

    # -- directives ----------------------------------------------------------------------------------------

    def check_known_directives(self) -> None:
        """Every applied directive is defined: by the subgraph, by GraphQL, by federation or by ``@link``
        (Apollo: ``Unknown directive "@x".``). A directive the subgraph applies but neither defines nor imports
        would otherwise vanish silently from the supergraph."""
        fed = self.subgraph.federation
        known = set(self.subgraph.directive_defs) | GRAPHQL_DIRECTIVES
        known |= {fed.local(n) for n in FEDERATION_DIRECTIVES} | {f"{fed.link.prefix}__{n}" for n in FEDERATION_DIRECTIVES}
        known |= {link.alias or "link" for link in self.subgraph.links if link.identity == LINK_IDENTITY} | {"link"}

        class Collect(Visitor):
            def __init__(self) -> None:
                super().__init__()
                self.unknown: list[ast.DirectiveNode] = []

            def enter_directive(self, node: ast.DirectiveNode, *_: object) -> None:
                if node.name.value not in known:
                    self.unknown.append(node)

        collect = Collect()
        visit(parse(self.subgraph.sdl), collect)
        for node in collect.unknown:
            self.error(f'Unknown directive "@{node.name.value}".', node)

    # -- types -----------------------------------------------------------------------------------------------

    def known(self, name: str) -> bool:
        return (
            name in self.subgraph.types
            or name in BUILTIN_SCALARS
            or name in FEDERATION_TYPES
            or self.subgraph.federation.is_federation_type(name)
        )

    def check_types(self) -> None:
        """Every type a field, argument, input field, interface, union member or composed directive definition
        names is defined (Apollo: ``Unknown type X``)."""
        reported: set[str] = set()

        def need(type_node: ast.TypeNode, location: object) -> None:
            name = _named(type_node)
            if not self.known(name) and name not in reported:
                reported.add(name)
                self.error(f"Unknown type {name}", location=location)

        for definition in self.subgraph.directive_defs.values():
            for arg in definition.args.values():
                need(arg.type, arg.location)
        for type_def in self.subgraph.types.values():
            for name in [*type_def.interfaces, *type_def.members]:
                if not self.known(name) and name not in reported:
                    reported.add(name)
                    self.error(f"Unknown type {name}", location=type_def.location)
            for field in type_def.fields.values():
                need(field.type, field.location)
                for arg in field.args.values():
                    need(arg.type, arg.location)
            for input_field in type_def.input_fields.values():
                need(input_field.type, input_field.location)
        for definition in self.subgraph.directive_defs.values():
            for arg in definition.args.values():
                if arg.default is not None and self.known(_named(arg.type)):
                    if self.coerce(arg.default, arg.type) is None:
                        self.error(
                            f'Invalid default value (got: {print_value(arg.default)}) provided for argument '
                            f'"@{definition.name}({arg.name}:)" of type "{print_type(arg.type)}".',
                            location=arg.location,
                        )

    # -- applications ----------------------------------------------------------------------------------------

    def check_site(self, site: _Site) -> None:
        seen: set[str] = set()
        for index, node in enumerate(site.directives):
            name = node.name.value
            definition = self.subgraph.directive_defs.get(name)
            if definition is None or name not in self.subgraph.composed:
                continue  # @deprecated / @specifiedBy: validated by GraphQL itself when the supergraph is built
            if site.location not in definition.locations:
                self.error(f'Directive "@{name}" may not be used on {site.location}.', node)
                continue
            if not definition.repeatable:
                if name in seen:
                    self.error(f'The directive "@{name}" can only be used once at this location.', node)
                    continue
                seen.add(name)
            fixed = self.check_arguments(node, definition.args, site.coordinate)
            if fixed is not None:
                site.directives[index] = fixed

    def check_arguments(
        self, node: ast.DirectiveNode, args: dict[str, Arg], coordinate: str
    ) -> ast.DirectiveNode | None:
        """The application, with enum strings rewritten, or ``None`` if it is invalid (errors recorded)."""
        name = node.name.value
        valid = True
        given: set[str] = set()
        arguments: list[ast.ArgumentNode] = []
        for argument in node.arguments or ():
            arg_name = argument.name.value
            if arg_name in given:
                self.error(f'There can be only one argument named "{arg_name}".', argument)
                valid = False
                continue
            given.add(arg_name)
            definition = args.get(arg_name)
            if definition is None:
                self.error(f'Unknown argument "{arg_name}" on directive "@{name}".', argument)
                valid = False
                continue
            if not self.known(_named(definition.type)):
                valid = False  # reported as an unknown type
                continue
            value = self.coerce(argument.value, definition.type)
            if value is None:
                self.error(
                    f'Invalid value for "@{name}({arg_name}:)" of type "{print_type(definition.type)}" in '
                    f'application of "@{name}" to "{coordinate}".',
                    argument,
                )
                valid = False
                continue
            arguments.append(replace(argument, value=value) if value is not argument.value else argument)
        for arg_name, definition in args.items():
            required = isinstance(definition.type, ast.NonNullTypeNode) and definition.default is None
            if required and arg_name not in given:
                self.error(
                    f'Directive "@{name}" argument "{arg_name}" of type "{print_type(definition.type)}" is required, '
                    "but it was not provided.",
                    node,
                )
                valid = False
        if not valid:
            return None
        if all(a is b for a, b in zip(arguments, node.arguments or (), strict=True)):
            return node
        return replace(node, arguments=tuple(arguments))

    def coerce(self, value: ast.ValueNode, type_node: ast.TypeNode) -> ast.ValueNode | None:
        """``value`` (possibly with enum strings turned into enum values) if it is a valid literal of
        ``type_node``, else ``None``."""
        if isinstance(value, ast.VariableNode):
            return None
        if isinstance(type_node, ast.NonNullTypeNode):
            return None if isinstance(value, ast.NullValueNode) else self.coerce(value, type_node.type)
        if isinstance(value, ast.NullValueNode):
            return value
        if isinstance(type_node, ast.ListTypeNode):
            if not isinstance(value, ast.ListValueNode):
                return self.coerce(value, type_node.type)
            items = [self.coerce(v, type_node.type) for v in value.values]
            if any(i is None for i in items):
                return None
            if all(i is v for i, v in zip(items, value.values, strict=True)):
                return value
            return replace(value, values=tuple(items))
        assert isinstance(type_node, ast.NamedTypeNode)
        return self.coerce_named(value, type_node.name.value)

    def coerce_named(self, value: ast.ValueNode, name: str) -> ast.ValueNode | None:
        if name in BUILTIN_SCALARS:
            return value if _scalar_ok(value, name) else None
        type_def = self.subgraph.types.get(name)
        if type_def is None or type_def.kind == "SCALAR":
            return value  # custom scalars accept any literal
        if type_def.kind == "ENUM":
            if isinstance(value, ast.EnumValueNode) and value.value in type_def.values:
                return value
            if isinstance(value, ast.StringValueNode) and value.value in type_def.values:
                return ast.EnumValueNode(value=value.value, loc=value.loc)
            return None
        if type_def.kind == "INPUT_OBJECT":
            return self.coerce_object(value, type_def)
        return None

    def coerce_object(self, value: ast.ValueNode, type_def: TypeDef) -> ast.ValueNode | None:
        if not isinstance(value, ast.ObjectValueNode):
            return None
        fields = {f.name.value: f for f in value.fields}
        if len(fields) != len(value.fields) or any(n not in type_def.input_fields for n in fields):
            return None
        coerced = []
        for field_name, definition in type_def.input_fields.items():
            given = fields.get(field_name)
            if given is None:
                if isinstance(definition.type, ast.NonNullTypeNode) and definition.default is None:
                    return None
                continue
            inner = self.coerce(given.value, definition.type)
            if inner is None:
                return None
            coerced.append((given, inner))
        if all(inner is given.value for given, inner in coerced):
            return value
        by_name = {given.name.value: replace(given, value=inner) for given, inner in coerced}
        return replace(value, fields=tuple(by_name.get(f.name.value, f) for f in value.fields))


def _scalar_ok(value: ast.ValueNode, name: str) -> bool:
    if name == "String":
        return isinstance(value, ast.StringValueNode)
    if name == "Boolean":
        return isinstance(value, ast.BooleanValueNode)
    if name == "Int":
        return isinstance(value, ast.IntValueNode) and int(value.value) in INT_RANGE
    if name == "Float":
        return isinstance(value, ast.IntValueNode | ast.FloatValueNode)
    return isinstance(value, ast.StringValueNode | ast.IntValueNode)  # ID


def _named(type_node: ast.TypeNode) -> str:
    while not isinstance(type_node, ast.NamedTypeNode):
        type_node = type_node.type  # type: ignore[attr-defined]
    return type_node.name.value
