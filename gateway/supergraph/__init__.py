"""The supergraph: loading the join-spec SDL, the public API schema, and client documents against it."""

from .loader import SupergraphError, load_supergraph, load_supergraph_sdl, parse_field_set
from .model import FieldInGraph, FieldMeta, Key, SubgraphInfo, Supergraph, TypeMeta

__all__ = [
    "FieldInGraph",
    "FieldMeta",
    "Key",
    "SubgraphInfo",
    "Supergraph",
    "SupergraphError",
    "TypeMeta",
    "load_supergraph",
    "load_supergraph_sdl",
    "parse_field_set",
]
