"""Load a supergraph SDL (Apollo join spec v0.1–v0.5, under link v1.0 or core v0.1/v0.2) into a :class:`Supergraph`.

The join directives say which subgraph resolves which type and field, the keys, and ``@requires`` /
``@provides`` / ``@external`` / ``@override`` / ``@fromContext``; the composed ``@personalData(category:)`` gives
each field's category. Directive names are looked up through the schema's ``@link``s (``links.py``), so a join
spec linked under another prefix, or renamed imports, read the same. Federation 1 supergraphs (join v0.1) are
completed by ``fed1.py``. All of this is read once at start-up so that no request does schema work; anything
unreadable is a :class:`SupergraphError` naming the element, never another exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    OperationDefinitionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    SelectionSetNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    build_ast_schema,
    parse,
)

from ..config import GatewaySettings
from .api_schema import FEDERATION_TYPES, HIDDEN_TYPES, build_api_schema
from .errors import SupergraphError
from .fed1 import complete_fed1
from .links import JOIN_IDENTITY, Features, LinkedFeature, check_support, directive_args, read_features
from .model import (
    ContextArgument,
    FieldInGraph,
    FieldMeta,
    JoinDirective,
    Key,
    SubgraphInfo,
    Supergraph,
    TypeMeta,
)

__all__ = ["SupergraphError", "load_supergraph", "load_supergraph_sdl", "parse_field_set"]

CATEGORY_DIRECTIVE = "personalData"

_COMPOSITE_DEFS = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
)
_KINDS: dict[type, str] = {
    ObjectTypeDefinitionNode: "OBJECT", ObjectTypeExtensionNode: "OBJECT",
    InterfaceTypeDefinitionNode: "INTERFACE", InterfaceTypeExtensionNode: "INTERFACE",
    UnionTypeDefinitionNode: "UNION", UnionTypeExtensionNode: "UNION",
    EnumTypeDefinitionNode: "ENUM", EnumTypeExtensionNode: "ENUM",
    InputObjectTypeDefinitionNode: "INPUT_OBJECT", InputObjectTypeExtensionNode: "INPUT_OBJECT",
    ScalarTypeDefinitionNode: "SCALAR", ScalarTypeExtensionNode: "SCALAR",
}


def parse_field_set(fields: str) -> SelectionSetNode:
    """Parse a join field set (``"id org { id }"``, ``"... on A { x }"``) into a selection set."""
    op = parse("{" + fields + "}", no_location=True).definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    return op.selection_set


class _Reader:
    """Reads the join directives of one supergraph document (names resolved through its links)."""

    def __init__(self, document: DocumentNode, features: Features | None, join: LinkedFeature) -> None:
        self.features = features
        self.version = join.version or (0, 3)
        self.d = {e: join.directive_name(e) for e in (
            "graph", "type", "field", "owner", "implements", "unionMember", "enumValue", "directive")}
        self.graph_enum = join.type_name("Graph")
        self.graphs = self._graph_names(document)
        self.types: dict[str, TypeMeta] = {}

    def _graph_names(self, document: DocumentNode) -> dict[str, SubgraphInfo]:
        """``join__Graph`` enum value name -> subgraph."""
        graphs: dict[str, SubgraphInfo] = {}
        for definition in document.definitions:
            if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == self.graph_enum:
                for value in definition.values or ():
                    applied = [d for d in value.directives or () if d.name.value == self.d["graph"]]
                    if not applied:
                        raise SupergraphError(f"{self.graph_enum}.{value.name.value} has no @{self.d['graph']}")
                    args = directive_args(applied[0])
                    if not isinstance(args.get("name"), str):
                        raise SupergraphError(f"{self.graph_enum}.{value.name.value}: @{self.d['graph']} "
                                              "without a name")
                    graphs[value.name.value] = SubgraphInfo(value.name.value, args["name"], args.get("url") or "")
        if not graphs:
            raise SupergraphError(f"no {self.graph_enum} enum with subgraphs: is this a supergraph written by "
                                  "`python -m gateway compose` or Apollo composition?")
        return graphs

    def graph(self, value: Any, where: str) -> str:
        info = self.graphs.get(value) if isinstance(value, str) else None
        if info is None:
            raise SupergraphError(f"{where}: graph {value!r} is not a value of {self.graph_enum}")
        return info.name

    @staticmethod
    def name_arg(args: dict[str, Any], arg: str, where: str) -> str:
        value = args.get(arg)
        if not isinstance(value, str) or not value:
            raise SupergraphError(f"{where}: no {arg}")
        return value

    def canonical(self, directive: str) -> str:
        """The spec's name of a linked directive (``@hidden`` imported as inaccessible -> ``inaccessible``)."""
        owner = self.features.owner_of_directive(directive) if self.features else None
        return owner[1] if owner is not None else directive

    def skipped_type(self, name: str) -> bool:
        if self.features is not None:
            return name in FEDERATION_TYPES or self.features.owns_type(name)
        return name in HIDDEN_TYPES or name.startswith(("join__", "link__", "core__"))

    def read(self, node: Any) -> None:
        name = node.name.value
        meta = self.types.setdefault(name, TypeMeta(name=name))
        meta.kind = meta.kind or _KINDS.get(type(node), "")
        join_directives = list(meta.join_directives)
        for d in node.directives or ():
            self._type_directive(meta, d, join_directives)
        meta.join_directives = tuple(join_directives)
        for fnode in getattr(node, "fields", None) or ():
            self._field(meta, fnode)
        for value in getattr(node, "values", None) or ():
            for d in value.directives or ():
                if d.name.value == self.d["enumValue"]:
                    graph = self.graph(directive_args(d).get("graph"), f"{name}.{value.name.value}")
                    meta.enum_values.setdefault(value.name.value, []).append(graph)

    def _type_directive(self, meta: TypeMeta, d: DirectiveNode, join_directives: list[JoinDirective]) -> None:
        name, where = d.name.value, meta.name
        if name == self.d["type"]:
            args = directive_args(d)
            graph = self.graph(args.get("graph"), f"{where}: @{name}")
            if graph not in meta.graphs:
                meta.graphs.append(graph)
            if args.get("key"):
                meta.keys.setdefault(graph, []).append(
                    Key(args["key"], self.field_set(args["key"], f"{where} @key"), args.get("resolvable") is not False))
                if args.get("extension"):
                    meta.extension_in.add(graph)
            if args.get("isInterfaceObject"):
                meta.interface_object_in.add(graph)
        elif name == self.d["owner"]:
            meta.owner = self.graph(directive_args(d).get("graph"), f"{where}: @{name}")
        elif name == self.d["unionMember"]:
            args = directive_args(d)
            member = self.name_arg(args, "member", f"{where}: @{name}")
            meta.members.setdefault(self.graph(args.get("graph"), f"{where}: @{name}"), set()).add(member)
        elif name == self.d["implements"]:
            args = directive_args(d)
            interface = self.name_arg(args, "interface", f"{where}: @{name}")
            iface = self.types.setdefault(interface, TypeMeta(name=interface))
            iface.members.setdefault(self.graph(args.get("graph"), f"{where}: @{name}"), set()).add(meta.name)
        elif name == self.d["directive"]:
            join_directives.append(self.join_directive(d, where))
        else:
            canonical = self.canonical(name)
            args = directive_args(d)
            meta.directives.setdefault(canonical, []).append(args)
            if canonical == "inaccessible":
                meta.inaccessible = True
            elif canonical == "context" and isinstance(args.get("name"), str):
                meta.contexts.append(args["name"])

    def _field(self, meta: TypeMeta, fnode: Any) -> None:
        fmeta = meta.fields.setdefault(fnode.name.value, FieldMeta(fnode.name.value))
        where = f"{meta.name}.{fnode.name.value}"
        bare = applied = 0
        join_directives = list(fmeta.join_directives)
        for d in fnode.directives or ():
            name = d.name.value
            if name == self.d["field"]:
                applied += 1
                args = directive_args(d)
                if args.get("graph") is None:
                    bare += 1  # a field no subgraph defines on this type (contributed by an @interfaceObject)
                    continue
                fmeta.graphs[self.graph(args["graph"], f"{where}: @{name}")] = self.field_in_graph(args, where)
            elif name == self.d["directive"]:
                join_directives.append(self.join_directive(d, where))
            else:
                canonical = self.canonical(name)
                fmeta.directives.setdefault(canonical, []).append(directive_args(d))
                fmeta.inaccessible = fmeta.inaccessible or canonical == "inaccessible"
        fmeta.join_directives = tuple(join_directives)
        fmeta.no_direct_resolver = applied > 0 and bare == applied and not fmeta.graphs

    def field_in_graph(self, args: dict[str, Any], where: str) -> FieldInGraph:
        contexts = []
        for c in args.get("contextArguments") or ():
            if not isinstance(c, dict) or not all(isinstance(c.get(k), str) for k in
                                                  ("name", "type", "context", "selection")):
                raise SupergraphError(f"{where}: contextArguments entry {c!r} needs name, type, context, selection")
            contexts.append(ContextArgument(name=c["name"], type=c["type"], context=c["context"],
                                            selection=c["selection"]))
        return FieldInGraph(
            external=bool(args.get("external")),
            requires=self.field_set(args["requires"], f"{where} @requires") if args.get("requires") else None,
            provides=self.field_set(args["provides"], f"{where} @provides") if args.get("provides") else None,
            used_overridden=bool(args.get("usedOverridden")),
            override=args.get("override") or None,
            override_label=args.get("overrideLabel") or None,
            type=args.get("type") or None,
            context_arguments=tuple(contexts),
            requires_fields=args.get("requires") or None,
            provides_fields=args.get("provides") or None,
        )

    def join_directive(self, d: DirectiveNode, where: str) -> JoinDirective:
        args = directive_args(d)
        graphs = tuple(self.graph(g, f"{where}: @{d.name.value}") for g in args.get("graphs") or ())
        raw = args.get("args")
        return JoinDirective(name=str(args.get("name")), graphs=graphs, args=raw if isinstance(raw, dict) else {})

    @staticmethod
    def field_set(fields: Any, where: str) -> SelectionSetNode:
        try:
            return parse_field_set(str(fields))
        except Exception as exc:  # a GraphQLSyntaxError: name the element rather than the parser's position
            raise SupergraphError(f"{where}: cannot parse the field set {fields!r}: {exc}") from exc


def _categories(document: DocumentNode) -> dict[str, str]:
    categories: dict[str, str] = {}
    for definition in document.definitions:
        if isinstance(definition, _COMPOSITE_DEFS):
            for fnode in definition.fields or ():
                for d in fnode.directives or ():
                    if d.name.value == CATEGORY_DIRECTIVE:
                        category = directive_args(d).get("category")
                        if category:
                            categories[f"{definition.name.value}.{fnode.name.value}"] = str(category)
    return categories


def _join_feature(document: DocumentNode, features: Features | None) -> LinkedFeature:
    if features is not None:
        check_support(features)
        join = features.by_identity(JOIN_IDENTITY)
        if join is None:
            raise SupergraphError(f"the schema links no join spec ({JOIN_IDENTITY}/v0.x): it is not a supergraph")
        return join
    # No @link/@core at all: an older hand-written supergraph; accept it with the default names.
    names = {d.name.value for d in document.definitions if isinstance(d, DirectiveDefinitionNode)}
    version = (0, 1) if "join__owner" in names else (0, 3)
    return LinkedFeature(url=f"{JOIN_IDENTITY}/v{version[0]}.{version[1]}", identity=JOIN_IDENTITY, name="join",
                         version=version, name_in_schema="join")


def _schema_join_directives(reader: _Reader, document: DocumentNode) -> tuple[JoinDirective, ...]:
    return tuple(reader.join_directive(d, "schema") for definition in document.definitions
                 if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode)
                 for d in definition.directives or () if d.name.value == reader.d["directive"])


def _load(sdl: str) -> Supergraph:
    try:
        document = parse(sdl, no_location=True)
        schema = build_ast_schema(document, assume_valid_sdl=True)
    except Exception as exc:  # graphql-core raises GraphQLError / TypeError on malformed SDL
        raise SupergraphError(f"cannot read the supergraph SDL: {exc}") from exc
    features = read_features(document)
    join = _join_feature(document, features)
    reader = _Reader(document, features, join)
    for definition in document.definitions:
        if type(definition) in _KINDS and not reader.skipped_type(definition.name.value):
            reader.read(definition)
    types = reader.types
    if reader.version == (0, 1):
        complete_fed1(types, schema, [g.name for g in reader.graphs.values()])
    api_schema = build_api_schema(document, features)
    contexts: dict[str, list[str]] = {}
    for meta in types.values():
        for context in meta.contexts:
            contexts.setdefault(context, []).append(meta.name)
    return Supergraph(
        sdl=sdl,
        schema=schema,
        api_schema=api_schema,
        graphs={g.name: g for g in reader.graphs.values()},
        types=types,
        categories=_categories(document),
        join_version=reader.version,
        features=tuple((f.url, f.purpose) for f in features.linked) if features else (),
        inaccessible_enum_values=_inaccessible_values(document, reader),
        inaccessible_types=frozenset(n for n, m in types.items() if m.inaccessible),
        contexts=contexts,
        join_directives=_schema_join_directives(reader, document),
    )


def _inaccessible_values(document: DocumentNode, reader: _Reader) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for definition in document.definitions:
        if isinstance(definition, EnumTypeDefinitionNode | EnumTypeExtensionNode):
            hidden = {v.name.value for v in definition.values or ()
                      if any(reader.canonical(d.name.value) == "inaccessible" for d in v.directives or ())}
            if hidden:
                out[definition.name.value] = frozenset(hidden | out.get(definition.name.value, frozenset()))
    return out


def load_supergraph_sdl(sdl: str) -> Supergraph:
    """Build the :class:`Supergraph` from supergraph SDL text; anything unusable is a :class:`SupergraphError`."""
    try:
        return _load(sdl)
    except SupergraphError:
        raise
    except Exception as exc:  # never a traceback at start-up: say what could not be read
        raise SupergraphError(f"cannot load the supergraph: {type(exc).__name__}: {exc}") from exc


def load_supergraph(path: Path | str, settings: GatewaySettings | None = None) -> Supergraph:
    """Load the supergraph file at ``path``, applying the subgraph URL overrides of ``settings``."""
    path = Path(path)
    try:
        sdl = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SupergraphError(f"no supergraph at {path}: run `python -m gateway compose` first") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SupergraphError(f"cannot read the supergraph at {path}: {exc}") from exc
    supergraph = load_supergraph_sdl(sdl)
    if settings is not None:
        supergraph.graphs = {
            name: SubgraphInfo(info.enum_name, name, settings.subgraph_url(name, info.url))
            for name, info in supergraph.graphs.items()
        }
    return supergraph
