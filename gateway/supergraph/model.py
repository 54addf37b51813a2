"""What the gateway knows about the supergraph: subgraphs, and for every type and field who resolves it.

Every attribute is read once by the loader from the join spec (v0.1-v0.5) so that planning and execution never
look at directives. Added since join v0.3: override labels, ``@context``/``@fromContext`` context arguments,
interface objects, enum values per graph, ``join__directive`` applications and the applications of other linked
directives (``@tag``, ``@inaccessible``, composed directives) per type and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLSchema, SelectionSetNode

# directive name (the spec's name for a linked directive: "inaccessible", "tag", "context", or the schema's name
# for others) -> the argument values of each application, in schema order
Directives = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class SubgraphInfo:
    """One ``join__Graph`` value: its enum name (``POPULATION``), its name (``population``) and URL."""

    enum_name: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Key:
    """A ``@key`` of an entity type in one subgraph; ``resolvable=False`` keys cannot be fetched by."""

    fields: str
    selection: SelectionSetNode
    resolvable: bool = True


@dataclass(frozen=True, slots=True)
class ContextArgument:
    """One ``join__field(contextArguments:)`` entry (join v0.5, ``@fromContext``): the field's argument ``name``
    of GraphQL type ``type`` takes the value of ``selection`` (``"{ name }"``, ``"... on A { x }"``) read on the
    nearest ancestor whose type declares ``@context(name: context)`` (``context`` is ``<subgraph>__<name>``,
    see :attr:`Supergraph.contexts`). The argument is not in the API schema: the router fills it."""

    name: str
    type: str
    context: str
    selection: str


@dataclass(frozen=True, slots=True)
class JoinDirective:
    """A ``@join__directive(graphs:, name:, args:)`` (join v0.4+): directive ``name`` applied with ``args`` in
    the subgraphs ``graphs`` (subgraph names)."""

    name: str
    graphs: tuple[str, ...]
    args: dict[str, Any]


@dataclass(slots=True)
class FieldInGraph:
    """How one subgraph sees a field (``join__field`` arguments)."""

    external: bool = False
    requires: SelectionSetNode | None = None
    provides: SelectionSetNode | None = None
    used_overridden: bool = False
    # @override(from:): the subgraph *name* this graph took the field over from (join__field(override:))
    override: str | None = None
    # progressive @override(label:) (join v0.4+): set on both the overriding and the overridden graph's entry;
    # the overriding graph resolves the field when the label is enabled for a request, the other graph otherwise
    override_label: str | None = None
    # join__field(type:): the field's type as this subgraph declares it ("String!", "[Int]") when it differs
    # from the supergraph's (shareable fields disagreeing on nullability); None means the supergraph's type
    type: str | None = None
    # join__field(contextArguments:) (@fromContext, join v0.5)
    context_arguments: tuple[ContextArgument, ...] = ()
    requires_fields: str | None = None  # the raw field sets (for messages and to parse with fragments again)
    provides_fields: str | None = None


@dataclass(slots=True)
class FieldMeta:
    name: str
    # graph name -> how that graph sees the field; empty means "every graph that defines the type"
    graphs: dict[str, FieldInGraph] = field(default_factory=dict)
    # only bare `@join__field` applications: the field is on this type in no subgraph (it is contributed to an
    # interface by an @interfaceObject); no graph resolves it on this type directly, resolvers() is empty
    no_direct_resolver: bool = False
    inaccessible: bool = False  # @inaccessible: absent from the API schema, the planner may still select it
    directives: Directives = field(default_factory=dict)  # other linked directives applied to the field
    join_directives: tuple[JoinDirective, ...] = ()


@dataclass(slots=True)
class TypeMeta:
    name: str
    graphs: list[str] = field(default_factory=list)  # graphs defining the type, supergraph order
    keys: dict[str, list[Key]] = field(default_factory=dict)  # graph -> keys
    fields: dict[str, FieldMeta] = field(default_factory=dict)
    # union members / interface implementations per graph (join__unionMember / join__implements)
    members: dict[str, set[str]] = field(default_factory=dict)
    interface_object_in: set[str] = field(default_factory=set)  # graphs where this interface is an @interfaceObject
    kind: str = ""  # OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR ("" for types the loader made up)
    owner: str | None = None  # join v0.1 (Fed 1) @join__owner: the graph that owns the entity's plain fields
    extension_in: set[str] = field(default_factory=set)  # graphs whose key is on an `extend type` (join__type)
    # enum value -> graphs that define it (join__enumValue); a value absent here is in every graph of the enum
    enum_values: dict[str, list[str]] = field(default_factory=dict)
    inaccessible: bool = False  # @inaccessible type: absent from the API schema
    contexts: list[str] = field(default_factory=list)  # @context(name:) names declared on this type
    directives: Directives = field(default_factory=dict)  # other linked directives applied to the type
    join_directives: tuple[JoinDirective, ...] = ()

    def resolvers(self, field_name: str) -> list[str]:
        """Graphs that can resolve ``field_name`` on this type themselves (not external, not overridden)."""
        meta = self.fields.get(field_name)
        if meta is not None and meta.no_direct_resolver:
            return []
        if meta is None or not meta.graphs:
            return list(self.graphs)
        return [g for g, info in meta.graphs.items() if not info.external and not info.used_overridden]

    def field_in(self, field_name: str, graph: str) -> FieldInGraph | None:
        meta = self.fields.get(field_name)
        return meta.graphs.get(graph) if meta is not None else None

    def resolvable_keys(self, graph: str) -> list[Key]:
        return [k for k in self.keys.get(graph, ()) if k.resolvable]


@dataclass(slots=True)
class Supergraph:
    """The loaded supergraph. ``api_schema`` is what clients see; ``categories`` maps ``"Type.field"`` to the
    ``@personalData(category:)`` of that field (the policy reads it; a coordinate absent here is unclassified)."""

    sdl: str
    schema: GraphQLSchema
    api_schema: GraphQLSchema
    graphs: dict[str, SubgraphInfo]  # by subgraph name
    types: dict[str, TypeMeta]
    categories: dict[str, str]
    join_version: tuple[int, int] = (0, 5)
    # (url, purpose) of every @link/@core of the schema, the link/core spec first
    features: tuple[tuple[str, str | None], ...] = ()
    # enum type -> its @inaccessible values: a subgraph returning one of them is answered like an invalid value
    # (null + error), since the value does not exist in the API schema
    inaccessible_enum_values: dict[str, frozenset[str]] = field(default_factory=dict)
    inaccessible_types: frozenset[str] = frozenset()  # @inaccessible types (also absent from api_schema)
    contexts: dict[str, list[str]] = field(default_factory=dict)  # @context name -> types declaring it
    join_directives: tuple[JoinDirective, ...] = ()  # @join__directive on the schema definition

    @property
    def fed1(self) -> bool:
        """Composed by Federation 1 (join v0.1): fields without join__field belong to the type's owner."""
        return self.join_version == (0, 1)

    def type_meta(self, name: str) -> TypeMeta:
        meta = self.types.get(name)
        if meta is None:
            # Types without join__type (e.g. built-ins) belong to no subgraph in particular.
            meta = TypeMeta(name=name)
        return meta

    def possible_types_in(self, abstract: str, graph: str) -> list[str]:
        """Concrete types a field of type ``abstract`` may return when resolved by ``graph``."""
        api_type = self.api_schema.get_type(abstract)
        everything = [t.name for t in self.api_schema.get_possible_types(api_type)]  # type: ignore[arg-type]
        meta = self.types.get(abstract)
        if meta is not None and graph in meta.members:
            allowed = meta.members[graph]
            return [t for t in everything if t in allowed]
        if meta is not None and meta.members:
            return []
        return [t for t in everything if graph in self.type_meta(t).graphs]
