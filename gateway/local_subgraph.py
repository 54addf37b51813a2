"""The gateway-local subgraph: root fields the gateway itself serves (``accessLog``), composed like any other.

It takes part in composition as the graph ``gateway`` so that ``schema.graphql`` describes every field the API
serves, with its ``@personalData`` category, and the planner routes its fields like any other subgraph's; at run
time the gateway answers them in process (``execution.LocalTransport``), never over HTTP.
"""

from __future__ import annotations

from graphql import DirectiveDefinitionNode, EnumTypeDefinitionNode, parse, print_ast

from subgraphs.common.classification import CLASSIFICATION_SPEC_URL

LOCAL_GRAPH = "gateway"
# Written into join__Graph for completeness; the gateway never calls it (it serves this graph in process).
LOCAL_ROUTING_URL = "http://127.0.0.1:4000/graphql"
FEDERATION_URL = "https://specs.apollo.dev/federation/v2.11"


def _classification_definitions() -> str:
    """The ``DataCategory`` enum and ``@personalData`` definition exactly as the subgraphs print them, so that
    composition sees one definition."""
    from subgraphs.population.schema import schema

    sdl = schema.execute_sync("{ _service { sdl } }").data["_service"]["sdl"]  # type: ignore[index]
    wanted = []
    for node in parse(sdl).definitions:
        if isinstance(node, EnumTypeDefinitionNode) and node.name.value in ("DataCategory", "ValueKind", "SubjectRole"):
            wanted.append(node)
        elif isinstance(node, DirectiveDefinitionNode) and node.name.value in ("personalData", "dataSubject"):
            wanted.append(node)
    return "\n\n".join(print_ast(node) for node in wanted)


def federation_sdl() -> str:
    """The local subgraph's SDL in federation-v2 form (what ``_service { sdl }`` would return)."""
    from gateway.audit import ACCESS_LOG_SDL

    header = (
        f'extend schema @link(url: "{FEDERATION_URL}", import: ["@composeDirective"]) '
        f'@link(url: "{CLASSIFICATION_SPEC_URL}", import: ["@dataSubject", "@personalData"]) '
        '@composeDirective(name: "@personalData") @composeDirective(name: "@dataSubject")\n\n'
    )
    return header + _classification_definitions() + "\n" + ACCESS_LOG_SDL
