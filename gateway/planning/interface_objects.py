"""``@interfaceObject``: subgraphs that see an entity interface as one object type.

A subgraph that declares ``type Account @key(fields: "id") @interfaceObject`` adds fields to every implementation
of the interface ``Account`` without knowing the implementations. In the supergraph, such a field appears on
each implementation with a bare ``@join__field`` (no graph), and on the interface with ``@join__field(graph:)``
of the interface-object subgraphs. What follows for planning:

- an implementation's field with a bare ``@join__field`` is resolved by the interface-object subgraphs, fetched
  by the interface's key with ``__typename`` set to the interface's name (those subgraphs know no other type);
- objects returned by an interface-object subgraph have no usable ``__typename`` (it names the interface, or
  anything): their concrete type, when the operation needs it, comes from a subgraph where the interface is a
  real interface with a key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

from ..supergraph import Supergraph


@dataclass(frozen=True, slots=True)
class InterfaceObjects:
    """Per supergraph: which interfaces are interface objects where, and who resolves their fields on the
    implementations (``(type, field) -> [(graph, interface)]``)."""

    graphs: dict[str, frozenset[str]] = field(default_factory=dict)  # interface -> interface-object graphs
    fields: dict[tuple[str, str], tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def is_object_in(self, type_name: str, graph: str) -> bool:
        """Is ``type_name`` an interface that ``graph`` sees as an @interfaceObject?"""
        return graph in self.graphs.get(type_name, ())

    def resolvers(self, type_name: str, field_name: str) -> tuple[tuple[str, str], ...] | None:
        """``(graph, interface)`` pairs resolving an implementation's field through interface objects, or None
        when the field is not such a field."""
        return self.fields.get((type_name, field_name))


def _bare_join_field(node: object) -> bool:
    for directive in getattr(node, "directives", None) or ():
        if directive.name.value == "join__field" and not directive.arguments:
            return True
    return False


def interface_objects(supergraph: Supergraph) -> InterfaceObjects:
    """Read the interface objects of ``supergraph`` (its join directives, once per planner)."""
    graphs = {name: frozenset(meta.interface_object_in) for name, meta in supergraph.types.items()
              if meta.interface_object_in}
    if not graphs:
        return InterfaceObjects()
    schema: GraphQLSchema = supergraph.schema
    fields: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    for type_name, gql_type in schema.type_map.items():
        if not isinstance(gql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        interfaces = [i for i in gql_type.interfaces if i.name in graphs]
        if not interfaces:
            continue
        for field_name, definition in gql_type.fields.items():
            if not _bare_join_field(definition.ast_node):
                continue
            pairs: list[tuple[str, str]] = []
            for iface in interfaces:
                if field_name not in iface.fields:
                    continue
                meta = supergraph.type_meta(iface.name)
                for graph in meta.resolvers(field_name):
                    if graph in graphs[iface.name]:
                        pairs.append((graph, iface.name))
            if pairs:
                fields[(type_name, field_name)] = tuple(pairs)
    return InterfaceObjects(graphs, fields)


def real_interface_graphs(supergraph: Supergraph, iface: GraphQLInterfaceType) -> list[str]:
    """Graphs where ``iface`` is a real interface that can be fetched by key (they know the concrete types)."""
    meta = supergraph.type_meta(iface.name)
    return [g for g in meta.graphs if g not in meta.interface_object_in and meta.resolvable_keys(g)]
