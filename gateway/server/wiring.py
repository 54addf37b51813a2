"""Choosing the auth, policy and audit hooks from the settings: the one place real modules are wired.

``allow-all`` (only accepted with ``GATEWAY_ENV=test``, see :mod:`gateway.config`) uses the trivial hooks of
:mod:`gateway.server.trivial`. Otherwise: JWT authentication (``gateway.auth``), the Rego policy through the
embedded engine or an OPA server (``gateway.policy``), the hash-chained audit store (``gateway.audit``), the
gateway store (``gateway.store``: the local services' tables) and the gateway-local subgraph
(:mod:`gateway.local_subgraph`: ``accessLog`` and the other local services) served in process.

``Hooks.resources`` are started before the hooks and closed after them with the app's lifespan
(:class:`gateway.server.gateway.Gateway`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..config import ConfigError, GatewaySettings
from ..execution import FetchContext, LocalTransport, Transport
from ..local_subgraph import LOCAL_GRAPH, LocalDeps, build_local_schema, register_tables
from ..pipeline import AuditHook, Authenticator, PolicyHook
from ..supergraph import Supergraph


@dataclass
class Hooks:
    authenticator: Authenticator
    policy: PolicyHook
    audit: AuditHook
    transports: Mapping[str, Transport] = field(default_factory=dict)
    resources: Sequence[Any] = ()  # objects with async start() / close() (the gateway store)
    writes: Any = None  # gateway.writes.stage.WriteStage (Idempotency-Key on the gateway store); None: keys not kept


def local_context(ctx: FetchContext) -> dict[str, Any]:
    """The context value local resolvers get: the authenticated caller and the fetch context."""
    return {"caller": ctx.caller, "fetch": ctx}


def build_hooks(settings: GatewaySettings, supergraph: Supergraph) -> Hooks:
    """The hooks for ``settings``; refuses to guess (fail closed)."""
    if settings.policy_engine == "allow-all":
        if settings.env != "test":  # GatewaySettings.from_env already refuses this; defense in depth
            raise ConfigError("allow-all is only for GATEWAY_ENV=test")
        from .trivial import AllowAllPolicy, HeaderAuthenticator, NullAudit

        return Hooks(HeaderAuthenticator(), AllowAllPolicy(), NullAudit())

    from ..audit import AuditSettings, AuditStore, PipelineAudit
    from ..auth import AgencyCatalogue
    from ..auth import Authenticator as JwtAuthenticator
    from ..grants.registry import GrantRegistry
    from ..grants.resolver import GrantResolver
    from ..policy import PolicyService
    from ..policy.bundle import load_bundle
    from ..policy.hook import PolicyHook as RegoPolicyHook
    from ..store import GatewayStore, store_url_problem

    env = dict(settings.raw_env)  # enumerated values already canonical (GatewaySettings.from_env)
    if problem := store_url_problem(settings.store_database_url, production=settings.production):
        raise ConfigError(problem)
    try:
        authenticator = JwtAuthenticator.from_settings(settings.auth)
        policy = RegoPolicyHook(PolicyService.from_env(env), supergraph)
        audit_store = AuditStore(AuditSettings.from_env(env))
        agencies = AgencyCatalogue.load(settings.auth.agencies_file)
    except (ValueError, RuntimeError, OSError) as exc:
        raise ConfigError(str(exc)) from exc
    store = GatewayStore(settings.store_database_url, production=settings.production)
    register_tables(store)
    from ..writes.idempotency import IdempotencyStore
    from ..writes.stage import WriteStage

    writes = WriteStage(IdempotencyStore(store, settings.idempotency_ttl_seconds))  # registers its table
    # The grants registry: its changes are audited in the chain; the policy resolves X-Legal-Basis through it.
    purposes = {p["id"]: p for p in load_bundle(env.get("GATEWAY_POLICY_DIR") or None).catalogue("purposes") or []}
    grants = GrantRegistry(store, audit_store, agencies=agencies, purposes=purposes)
    policy.service.grants = GrantResolver.for_catalogue(grants, purposes, settings.grant_cache_seconds)
    # Data subjects' requests and consents; the policy reads the consent an X-Consent-Reference names.
    subjects = _subject_rights(settings, supergraph, store, audit_store, agencies, purposes)
    policy.service.consents = subjects.consents
    policy.service.relatives = _relatives(settings, supergraph)
    transports: dict[str, Transport] = {}
    if LOCAL_GRAPH in supergraph.graphs:
        deps = LocalDeps(audit=audit_store, store=store, agencies=agencies, settings=settings, grants=grants,
                         subjects=subjects)
        transports[LOCAL_GRAPH] = LocalTransport(LOCAL_GRAPH, build_local_schema(deps), context_factory=local_context)
    return Hooks(authenticator, policy, PipelineAudit(audit_store, supergraph.categories), transports, (store,),
                 writes)


def _relatives(settings: GatewaySettings, supergraph: Supergraph) -> Any:
    """A data subject's relatives, read from the population and civil status subgraphs (gateway.subjects)."""
    from ..keys import InternalTokenMinter, key_paths, load_or_create_internal_key
    from ..subjects.relatives import RelativesLookup

    def url(name: str, default: str) -> str:
        graph = supergraph.graphs.get(name)
        return settings.subgraph_url(name, graph.url if graph is not None else default)

    env = dict(settings.raw_env)
    return RelativesLookup(url("population", "http://127.0.0.1:4001/graphql"),
                           url("civil_status", "http://127.0.0.1:4002/graphql"),
                           lambda: InternalTokenMinter(load_or_create_internal_key(*key_paths(env))))


def _subject_rights(settings: GatewaySettings, supergraph: Supergraph, store: Any, audit: Any, agencies: Any,
                    purposes: Mapping[str, Any]) -> Any:
    """gateway.subjects' registries; accepted restrictions are recorded at the population subgraph."""
    from ..keys import InternalTokenMinter, key_paths, load_or_create_internal_key
    from ..subjects import build_subject_rights

    graph = supergraph.graphs.get("population")
    url = settings.subgraph_url("population", graph.url if graph is not None else "http://127.0.0.1:4001/graphql")
    env = dict(settings.raw_env)
    return build_subject_rights(store, audit, agencies, purposes, url,
                                lambda: InternalTokenMinter(load_or_create_internal_key(*key_paths(env))))
