"""What every subgraph schema is built with."""

from __future__ import annotations

from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

DOCUMENT_CACHE_SIZE = 1024


def schema_extensions() -> list[SchemaExtension]:
    """Parse and validate each distinct document once: the gateway sends the same few operations (one per plan
    fetch) over and over, and validation alone was ~40 % of a simple request's CPU in a subgraph."""
    return [ParserCache(maxsize=DOCUMENT_CACHE_SIZE), ValidationCache(maxsize=DOCUMENT_CACHE_SIZE)]
