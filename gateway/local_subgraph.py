"""The gateway-local subgraph: root fields the gateway itself serves, composed like any other subgraph.

It takes part in composition as the graph ``gateway`` so that ``schema.graphql`` describes every field the API
serves, with its ``@personalData`` category, and the planner routes its fields (queries and mutations) like any
other subgraph's; at run time the gateway answers them in process (``execution.LocalTransport``), never over
HTTP. Requests still pass the whole pipeline: authentication, the policy decision over the requested fields,
masking, the audit record.

The local subgraph is a list of **local services** (:func:`local_services`). A service is any object with:

``name: str``
    for messages.
``sdl: str``
    its types plus ``extend type Query { ... }`` and/or ``extend type Mutation { ... }``; every field carries
    ``@personalData(category:, kind:)`` and every type holding personal data ``@dataSubject`` (the protection
    model's declarations, docs/PROTECTION.md). The ``DataCategory``/``ValueKind``/``SubjectRole`` enums and the
    directives come from the classification spec (:func:`_classification_definitions`); do not redeclare them.
``metadata: sqlalchemy.MetaData | None``
    its tables in the gateway store (:class:`gateway.store.GatewayStore`), created at start.
``bind(schema: GraphQLSchema, deps: LocalDeps) -> None``
    sets the resolvers of its fields on the executable schema (``schema.query_type.fields["x"].resolve = ...``).
    Resolvers read the authenticated caller from ``info.context["caller"]`` (:class:`gateway.auth.Caller`; the
    per-fetch :class:`gateway.execution.FetchContext` is ``info.context["fetch"]``), raise
    ``subgraphs.common.errors.bad_user_input(field, problem)`` on bad arguments and a ``GraphQLError`` with
    ``extensions.code`` (``FORBIDDEN_FIELD``, ...) when the caller may not. :func:`caller_of`, :func:`request_id`
    and :func:`page_size` (a list's ``first``, at most :data:`MAX_PAGE`) are these, once for every service.

To add a service: write it in its own module and add it to :func:`local_services`; then recompose
(``python -m gateway compose``) so ``schema.graphql`` carries its fields, and classify its root fields for the
policy (a mutation on personal data is refused by ``policies/purposes.rego`` unless a rule lets its role through,
as ``policies/grants.rego`` does for the grants registry).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    NameNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    build_ast_schema,
    parse,
    print_ast,
)

from subgraphs.common.classification import CLASSIFICATION_SPEC_URL
from subgraphs.common.errors import bad_user_input

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from .audit import AuditStore
    from .auth import AgencyCatalogue
    from .config import GatewaySettings
    from .grants.registry import GrantRegistry
    from .store import GatewayStore
    from .subjects import SubjectRights

LOCAL_GRAPH = "gateway"
# Written into join__Graph for completeness; the gateway never calls it (it serves this graph in process).
LOCAL_ROUTING_URL = "http://127.0.0.1:4000/graphql"
FEDERATION_URL = "https://specs.apollo.dev/federation/v2.11"
ROOTS = ("Query", "Mutation")
MAX_PAGE = 200  # the most rows one page of a local service's list (grants, requests, access log) gives


@dataclass(frozen=True, slots=True)
class LocalDeps:
    """What a local service's resolvers may use (built once at start-up by ``gateway.server.wiring``)."""

    audit: AuditStore
    store: GatewayStore
    agencies: AgencyCatalogue
    settings: GatewaySettings
    grants: GrantRegistry | None = None  # the grants registry (shared with the policy's grant resolver)
    subjects: SubjectRights | None = None  # data subjects' requests and consents (shared with the policy)


class LocalService(Protocol):
    """One service of the local subgraph (see the module docstring)."""

    name: str
    sdl: str
    metadata: MetaData | None

    def bind(self, schema: GraphQLSchema, deps: LocalDeps) -> None: ...


def caller_of(info: GraphQLResolveInfo) -> Any:
    """The authenticated caller a local resolver answers (``info.context["caller"]``), None if there is none."""
    return info.context.get("caller") if isinstance(info.context, dict) else None


def request_id(info: GraphQLResolveInfo) -> str | None:
    """The id of the request a local resolver answers (its fetch's), for the audit records a change writes."""
    fetch = info.context.get("fetch") if isinstance(info.context, dict) else None
    return getattr(fetch, "request_id", None)


def unaudited() -> GraphQLError:
    """The error of a local change that could not be audited, hence not made (its audit record comes first):
    ``AUDIT_UNAVAILABLE``, saying nothing of why."""
    return GraphQLError("The audit trail is unavailable: nothing was recorded; try again.",
                        extensions={"code": "AUDIT_UNAVAILABLE"})


def page_size(first: int) -> int:
    """``first`` when a local list may serve that many rows at once (1 to :data:`MAX_PAGE`), else
    ``BAD_USER_INPUT`` naming ``first``."""
    if not 1 <= first <= MAX_PAGE:
        raise bad_user_input("first", f"must be between 1 and {MAX_PAGE}")
    return first


def local_services() -> list[LocalService]:
    """Every service of the local subgraph, in composition order (add yours here)."""
    from .audit.access_log import ACCESS_LOG_SERVICE
    from .grants.api import GRANTS_SERVICE
    from .subjects import SUBJECTS_SERVICE

    return [ACCESS_LOG_SERVICE, GRANTS_SERVICE, SUBJECTS_SERVICE]


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


def merged_sdl(services: Sequence[LocalService]) -> str:
    """The services' SDL as one document: their ``extend type Query/Mutation`` fields gathered into one
    ``type Query`` / ``type Mutation`` (a field defined twice is an error naming both services)."""
    roots: dict[str, list[Any]] = {name: [] for name in ROOTS}
    owners: dict[str, str] = {}
    others: list[Any] = []
    for service in services:
        for node in parse(service.sdl).definitions:
            if isinstance(node, ObjectTypeDefinitionNode | ObjectTypeExtensionNode) and node.name.value in ROOTS:
                for field in node.fields or ():
                    coordinate = f"{node.name.value}.{field.name.value}"
                    if coordinate in owners:
                        raise ValueError(f"local subgraph: {coordinate} defined by {owners[coordinate]} and "
                                         f"{service.name}")
                    owners[coordinate] = service.name
                    roots[node.name.value].append(field)
            else:
                others.append(node)
    merged = [ObjectTypeDefinitionNode(name=NameNode(value=name), fields=tuple(fields), interfaces=(),
                                       directives=()) for name, fields in roots.items() if fields]
    return print_ast(DocumentNode(definitions=(*others, *merged)))


def federation_sdl(services: Sequence[LocalService] | None = None) -> str:
    """The local subgraph's SDL in federation-v2 form (what ``_service { sdl }`` would return)."""
    header = (
        f'extend schema @link(url: "{FEDERATION_URL}", import: ["@composeDirective"]) '
        f'@link(url: "{CLASSIFICATION_SPEC_URL}", import: ["@dataSubject", "@personalData"]) '
        '@composeDirective(name: "@personalData") @composeDirective(name: "@dataSubject")\n\n'
    )
    chosen = local_services() if services is None else services
    return header + _classification_definitions() + "\n\n" + merged_sdl(chosen)


def build_local_schema(deps: LocalDeps, services: Sequence[LocalService] | None = None) -> GraphQLSchema:
    """The executable schema of the local subgraph with every service's resolvers bound."""
    chosen = local_services() if services is None else services
    schema = build_ast_schema(parse(_classification_definitions() + "\n\n" + merged_sdl(chosen)))
    for service in chosen:
        service.bind(schema, deps)
    return schema


def register_tables(store: GatewayStore, services: Sequence[LocalService] | None = None) -> None:
    """Register every service's tables with the gateway store (before it starts)."""
    for service in local_services() if services is None else services:
        if service.metadata is not None:
            store.register(service.metadata)
