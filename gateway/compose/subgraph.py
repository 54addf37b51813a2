"""Read one Federation 2 subgraph SDL into a small, composition-oriented model.

The model keeps what composition needs and nothing else: types and fields with their AST type references,
federation metadata (``@key``, ``@shareable``, ``@external``, ``@requires``, ``@provides``, ``@extends``), the
directives that survive into the supergraph (those named by ``@composeDirective`` plus ``@deprecated`` and
``@specifiedBy``) and source locations for error reports. Federation's own plumbing (``_Any``, ``_Entity``,
``_Service``, ``Query._entities``, ``Query._service``, link/federation definitions) is dropped here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from graphql import GraphQLSyntaxError, Visitor, parse, visit
from graphql.language import ast
from graphql.language.location import SourceLocation

from .errors import CompositionError, SubgraphLocation
from .links import FederationNames, Link, read_links

BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})
KEPT_BUILTIN_DIRECTIVES = frozenset({"deprecated", "specifiedBy"})
FEDERATION_TYPES = frozenset({"_Any", "_Entity", "_Service", "_FieldSet", "FieldSet", "link__Import", "link__Purpose"})
FEDERATION_ROOT_FIELDS = frozenset({"_entities", "_service"})

KIND_OF_NODE: dict[type, str] = {
    ast.ObjectTypeDefinitionNode: "OBJECT",
    ast.ObjectTypeExtensionNode: "OBJECT",
    ast.InterfaceTypeDefinitionNode: "INTERFACE",
    ast.InterfaceTypeExtensionNode: "INTERFACE",
    ast.UnionTypeDefinitionNode: "UNION",
    ast.UnionTypeExtensionNode: "UNION",
    ast.EnumTypeDefinitionNode: "ENUM",
    ast.EnumTypeExtensionNode: "ENUM",
    ast.InputObjectTypeDefinitionNode: "INPUT_OBJECT",
    ast.InputObjectTypeExtensionNode: "INPUT_OBJECT",
    ast.ScalarTypeDefinitionNode: "SCALAR",
    ast.ScalarTypeExtensionNode: "SCALAR",
}


@dataclass(slots=True)
class Arg:
    """An argument of a field or directive, or an input object field (same shape)."""

    name: str
    type: ast.TypeNode
    default: ast.ValueNode | None
    description: str | None
    directives: list[ast.DirectiveNode]
    location: SubgraphLocation | None


@dataclass(slots=True)
class Field:
    """An output field of an object or interface type."""

    name: str
    parent: str
    type: ast.TypeNode
    args: dict[str, Arg]
    description: str | None
    directives: list[ast.DirectiveNode]
    location: SubgraphLocation | None
    external: bool = False
    shareable: bool = False
    requires: str | None = None
    provides: str | None = None


@dataclass(slots=True)
class EnumValue:
    name: str
    description: str | None
    directives: list[ast.DirectiveNode]


@dataclass(slots=True)
class Key:
    """One ``@key`` application: its field set, whether it is resolvable and whether it sits on an extension."""

    fields: str
    resolvable: bool | None
    extension: bool


@dataclass(slots=True)
class TypeDef:
    """A named type of one subgraph, definition and extensions merged."""

    kind: str
    name: str
    description: str | None = None
    directives: list[ast.DirectiveNode] = field(default_factory=list)
    fields: dict[str, Field] = field(default_factory=dict)
    input_fields: dict[str, Arg] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    values: dict[str, EnumValue] = field(default_factory=dict)
    keys: list[Key] = field(default_factory=list)
    extends: bool = False
    location: SubgraphLocation | None = None


@dataclass(slots=True)
class DirectiveDef:
    name: str
    description: str | None
    args: dict[str, Arg]
    repeatable: bool
    locations: list[str]


@dataclass(slots=True)
class Subgraph:
    """One parsed subgraph."""

    name: str
    url: str
    sdl: str
    federation: FederationNames
    links: list[Link]
    composed: list[str]
    types: dict[str, TypeDef]
    directive_defs: dict[str, DirectiveDef]
    roots: dict[str, str]

    def loc(self, node: ast.Node | None) -> SubgraphLocation | None:
        return _location(self.name, self.sdl, node)


def _location(subgraph: str, sdl: str, node: ast.Node | None) -> SubgraphLocation | None:
    if node is None or node.loc is None:
        return None
    pos: SourceLocation = node.loc.source.get_location(node.loc.start)
    return SubgraphLocation(subgraph, pos.line, pos.column)


def parse_subgraph(name: str, url: str, sdl: str) -> tuple[Subgraph | None, list[CompositionError]]:
    """Parse ``sdl``; return the subgraph, or ``None`` with the errors that make it unusable."""
    try:
        document = parse(sdl)
    except GraphQLSyntaxError as exc:
        loc = exc.locations[0] if exc.locations else None
        where = (SubgraphLocation(name, loc.line, loc.column),) if loc else ()
        return None, [CompositionError("INVALID_GRAPHQL", f"[{name}] {exc.message}", where)]
    schema_nodes = [
        d for d in document.definitions if isinstance(d, ast.SchemaDefinitionNode | ast.SchemaExtensionNode)
    ]
    links, federation, errors = read_links(name, schema_nodes)
    if federation is None:
        return None, errors
    document, rename_errors = _normalize_root_names(name, document, schema_nodes)
    if rename_errors:
        return None, errors + rename_errors
    reader = _Reader(name, sdl, federation)
    subgraph = Subgraph(
        name=name,
        url=url,
        sdl=sdl,
        federation=federation,
        links=links,
        composed=reader.composed_directives(schema_nodes, links, errors),
        types={},
        directive_defs={},
        roots={},
    )
    reader.read(document, subgraph, errors)
    return subgraph, errors


class _Reader:
    """Walks the AST of one subgraph and fills a :class:`Subgraph`."""

    def __init__(self, name: str, sdl: str, federation: FederationNames) -> None:
        self.name = name
        self.sdl = sdl
        self.fed = federation

    def loc(self, node: ast.Node | None) -> SubgraphLocation | None:
        return _location(self.name, self.sdl, node)

    def composed_directives(
        self, schema_nodes: list[ast.Node], links: list[Link], errors: list[CompositionError]
    ) -> list[str]:
        names: list[str] = []
        for node in schema_nodes:
            for directive in node.directives or ():
                if directive.name.value != self.fed.local("composeDirective"):
                    continue
                arg = _arg_value(directive, "name")
                local = arg.lstrip("@") if isinstance(arg, str) else ""
                linked = any(local in link.imports.values() for link in links if not link.is_federation)
                if not linked:
                    errors.append(
                        CompositionError(
                            "DIRECTIVE_COMPOSITION_ERROR",
                            f'[{self.name}] @composeDirective(name: "@{local}"): the directive must be imported '
                            "with @link from a non-federation specification",
                            _opt(self.loc(directive)),
                        )
                    )
                    continue
                names.append(local)
        return names

    def read(self, document: ast.DocumentNode, subgraph: Subgraph, errors: list[CompositionError]) -> None:
        for node in document.definitions:
            if isinstance(node, ast.SchemaDefinitionNode | ast.SchemaExtensionNode):
                for op in node.operation_types or ():
                    subgraph.roots[op.operation.value] = op.type.name.value
            elif isinstance(node, ast.DirectiveDefinitionNode):
                name = node.name.value  # every definition: a non-composing subgraph may supply one
                if name not in subgraph.directive_defs:
                    subgraph.directive_defs[name] = DirectiveDef(
                        name=name,
                        description=node.description.value if node.description else None,
                        args={a.name.value: self.arg(a) for a in node.arguments or ()},
                        repeatable=node.repeatable,
                        locations=[loc.value for loc in node.locations],
                    )
            elif type(node) in KIND_OF_NODE:
                self.read_type(node, subgraph, errors)  # type: ignore[arg-type]
        for op, default in (("query", "Query"), ("mutation", "Mutation"), ("subscription", "Subscription")):
            if op not in subgraph.roots and default in subgraph.types:
                subgraph.roots[op] = default
        # Federation gives every subgraph a Query root (``_service``, ``_entities``), so every subgraph takes part
        # in the supergraph's Query (``@join__type``) even when it has no root field of its own, as in Apollo's.
        query = subgraph.types.get("Query")
        if query is None and "Query" not in subgraph.roots.values():
            query = subgraph.types["Query"] = TypeDef(kind="OBJECT", name="Query")
            subgraph.roots["query"] = "Query"
        if query is not None:
            for name in FEDERATION_ROOT_FIELDS:
                query.fields.pop(name, None)

    def read_type(self, node: ast.TypeDefinitionNode, subgraph: Subgraph, errors: list[CompositionError]) -> None:
        name = node.name.value
        if name in FEDERATION_TYPES or name in BUILTIN_SCALARS or self.fed.is_federation_type(name):
            return
        kind = KIND_OF_NODE[type(node)]
        extension = isinstance(node, ast.TypeExtensionNode)
        current = subgraph.types.get(name)
        if current is None:
            current = subgraph.types[name] = TypeDef(kind=kind, name=name, location=self.loc(node))
        elif current.kind != kind:
            errors.append(
                CompositionError(
                    "TYPE_KIND_MISMATCH",
                    f'[{self.name}] type "{name}" is extended as a different kind',
                    _opt(self.loc(node)),
                )
            )
            return
        if not extension and getattr(node, "description", None) is not None:
            current.description = node.description.value  # type: ignore[attr-defined]
        block_shareable = False
        for directive in node.directives or ():
            dname = directive.name.value
            if dname == self.fed.local("key"):
                resolvable = _arg_value(directive, "resolvable")
                current.keys.append(
                    Key(str(_arg_value(directive, "fields")), resolvable if isinstance(resolvable, bool) else None,
                        extension)
                )
            elif dname == self.fed.local("shareable"):
                block_shareable = True
            elif dname == self.fed.local("extends"):
                current.extends = True
            elif dname == self.fed.local("external"):
                pass  # type-level @external: handled per field below
            elif self.fed.is_unsupported(dname):
                errors.append(self.unsupported(dname, directive))
            elif self.kept(dname, subgraph):
                current.directives.append(directive)
        type_external = any(d.name.value == self.fed.local("external") for d in node.directives or ())
        for iface in getattr(node, "interfaces", None) or ():
            if iface.name.value not in current.interfaces:
                current.interfaces.append(iface.name.value)
        for member in getattr(node, "types", None) or ():
            if member.name.value not in current.members:
                current.members.append(member.name.value)
        for value in getattr(node, "values", None) or ():
            current.values[value.name.value] = EnumValue(
                value.name.value,
                value.description.value if value.description else None,
                [d for d in value.directives or () if self.kept(d.name.value, subgraph)],
            )
        if kind == "INPUT_OBJECT":
            for input_field in node.fields or ():  # type: ignore[attr-defined]
                current.input_fields[input_field.name.value] = self.arg(input_field, subgraph)
        elif kind in ("OBJECT", "INTERFACE"):
            for field_node in node.fields or ():  # type: ignore[attr-defined]
                current.fields[field_node.name.value] = self.field(
                    field_node, name, subgraph, errors, block_shareable, type_external
                )

    def field(
        self,
        node: ast.FieldDefinitionNode,
        parent: str,
        subgraph: Subgraph,
        errors: list[CompositionError],
        block_shareable: bool,
        type_external: bool,
    ) -> Field:
        result = Field(
            name=node.name.value,
            parent=parent,
            type=node.type,
            args={a.name.value: self.arg(a, subgraph) for a in node.arguments or ()},
            description=node.description.value if node.description else None,
            directives=[],
            location=self.loc(node),
            shareable=block_shareable,
            external=type_external,
        )
        for directive in node.directives or ():
            dname = directive.name.value
            if dname == self.fed.local("shareable"):
                result.shareable = True
            elif dname == self.fed.local("external"):
                result.external = True
            elif dname == self.fed.local("requires"):
                result.requires = str(_arg_value(directive, "fields"))
            elif dname == self.fed.local("provides"):
                result.provides = str(_arg_value(directive, "fields"))
            elif self.fed.is_unsupported(dname):
                errors.append(self.unsupported(dname, directive))
            elif self.kept(dname, subgraph):
                result.directives.append(directive)
        return result

    def arg(self, node: ast.InputValueDefinitionNode, subgraph: Subgraph | None = None) -> Arg:
        kept = [d for d in node.directives or () if subgraph is not None and self.kept(d.name.value, subgraph)]
        return Arg(
            name=node.name.value,
            type=node.type,
            default=node.default_value,
            description=node.description.value if node.description else None,
            directives=kept,
            location=self.loc(node),
        )

    def kept(self, directive_name: str, subgraph: Subgraph) -> bool:
        return directive_name in KEPT_BUILTIN_DIRECTIVES or directive_name in subgraph.composed

    def unsupported(self, dname: str, node: ast.DirectiveNode) -> CompositionError:
        return CompositionError(
            "UNSUPPORTED_FEATURE",
            f"[{self.name}] @{dname} is not supported by this composer (supported: @key, @shareable, @external, "
            "@requires, @provides, @extends, @composeDirective)",
            _opt(self.loc(node)),
        )


def _normalize_root_names(
    subgraph: str, document: ast.DocumentNode, schema_nodes: list[ast.Node]
) -> tuple[ast.DocumentNode, list[CompositionError]]:
    """Rename root types to ``Query``/``Mutation``/``Subscription`` as Apollo does (``schema { mutation: M }``)."""
    renames: dict[str, str] = {}
    for node in schema_nodes:
        for op in node.operation_types or ():  # type: ignore[attr-defined]
            canonical = op.operation.value.capitalize()
            if op.type.name.value != canonical:
                renames[op.type.name.value] = canonical
    if not renames:
        return document, []
    defined = {d.name.value for d in document.definitions if isinstance(d, ast.TypeDefinitionNode)}
    clashes = [c for old, c in renames.items() if c in defined and c not in renames]
    if clashes:
        return document, [
            CompositionError(
                "ROOT_TYPE_NAME_CONFLICT",
                f'[{subgraph}] a root type would be renamed to "{c}" but a type of that name exists',
            )
            for c in clashes
        ]

    class Rename(Visitor):
        def enter(self, node: ast.Node, *_: object) -> ast.Node | None:
            if isinstance(node, ast.NamedTypeNode | ast.ObjectTypeDefinitionNode | ast.ObjectTypeExtensionNode):
                new = renames.get(node.name.value)
                if new is not None:
                    return replace(node, name=ast.NameNode(value=new, loc=node.name.loc))  # type: ignore[type-var]
            return None

    return visit(document, Rename()), []


def _opt(loc: SubgraphLocation | None) -> tuple[SubgraphLocation, ...]:
    return (loc,) if loc is not None else ()


def _arg_value(directive: ast.DirectiveNode, name: str) -> object:
    """The literal value of a directive argument (strings and booleans only), or ``None``."""
    for argument in directive.arguments or ():
        if argument.name.value == name:
            value = argument.value
            if isinstance(value, ast.StringValueNode):
                return value.value
            if isinstance(value, ast.BooleanValueNode):
                return value.value
    return None
