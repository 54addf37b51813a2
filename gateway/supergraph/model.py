"""What the gateway knows about the supergraph: subgraphs, and for every type and field who resolves it."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import GraphQLSchema, SelectionSetNode


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


@dataclass(slots=True)
class FieldInGraph:
    """How one subgraph sees a field (``join__field`` arguments)."""

    external: bool = False
    requires: SelectionSetNode | None = None
    provides: SelectionSetNode | None = None
    used_overridden: bool = False


@dataclass(slots=True)
class FieldMeta:
    name: str
    # graph name -> how that graph sees the field; empty means "every graph that defines the type"
    graphs: dict[str, FieldInGraph] = field(default_factory=dict)


@dataclass(slots=True)
class TypeMeta:
    name: str
    graphs: list[str] = field(default_factory=list)  # graphs defining the type, supergraph order
    keys: dict[str, list[Key]] = field(default_factory=dict)  # graph -> keys
    fields: dict[str, FieldMeta] = field(default_factory=dict)
    # union members / interface implementations per graph (join__unionMember / join__implements)
    members: dict[str, set[str]] = field(default_factory=dict)
    interface_object_in: set[str] = field(default_factory=set)

    def resolvers(self, field_name: str) -> list[str]:
        """Graphs that can resolve ``field_name`` on this type themselves (not external, not overridden)."""
        meta = self.fields.get(field_name)
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
