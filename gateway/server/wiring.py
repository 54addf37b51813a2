"""Choosing the auth, policy and audit hooks from the settings: the one place real modules are wired.

``allow-all`` (only accepted with ``GATEWAY_ENV=test``, see :mod:`gateway.config`) uses the trivial hooks of
:mod:`gateway.server.trivial`. Otherwise: JWT authentication (``gateway.auth``), the Rego policy through the
embedded engine or an OPA server (``gateway.policy``), and the hash-chained audit store (``gateway.audit``), plus
the gateway-local subgraph (``accessLog``) served in process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..config import ConfigError, GatewaySettings
from ..execution import LocalTransport, Transport
from ..local_subgraph import LOCAL_GRAPH
from ..pipeline import AuditHook, Authenticator, PolicyHook
from ..supergraph import Supergraph


@dataclass
class Hooks:
    authenticator: Authenticator
    policy: PolicyHook
    audit: AuditHook
    transports: Mapping[str, Transport] = field(default_factory=dict)


def build_hooks(settings: GatewaySettings, supergraph: Supergraph) -> Hooks:
    """The hooks for ``settings``; refuses to guess (fail closed)."""
    if settings.policy_engine == "allow-all":
        if settings.env != "test":  # GatewaySettings.from_env already refuses this; defense in depth
            raise ConfigError("allow-all is only for GATEWAY_ENV=test")
        from .trivial import AllowAllPolicy, HeaderAuthenticator, NullAudit

        return Hooks(HeaderAuthenticator(), AllowAllPolicy(), NullAudit())

    from ..audit import AuditSettings, AuditStore, PipelineAudit, build_access_log_schema
    from ..auth import Authenticator as JwtAuthenticator
    from ..policy import PolicyService
    from ..policy.hook import PolicyHook as RegoPolicyHook

    env = dict(settings.raw_env)  # enumerated values already canonical (GatewaySettings.from_env)
    try:
        authenticator = JwtAuthenticator.from_settings(settings.auth)
        policy = RegoPolicyHook(PolicyService.from_env(env), supergraph)
        store = AuditStore(AuditSettings.from_env(env))
    except (ValueError, RuntimeError, OSError) as exc:
        raise ConfigError(str(exc)) from exc
    transports: dict[str, Transport] = {}
    if LOCAL_GRAPH in supergraph.graphs:
        transports[LOCAL_GRAPH] = LocalTransport(
            LOCAL_GRAPH, build_access_log_schema(store), context_factory=lambda ctx: {"caller": ctx.caller}
        )
    return Hooks(authenticator, policy, PipelineAudit(store, supergraph.categories), transports)
