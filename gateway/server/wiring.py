"""Choosing the auth, policy and audit hooks from the settings: the one place the lead wires real modules.

``allow-all`` (only accepted with ``GATEWAY_ENV=test``, see :mod:`gateway.config`) uses the trivial hooks of
:mod:`gateway.server.trivial`. The real ones live in ``gateway.auth``, ``gateway.policy`` and ``gateway.audit``.
"""

from __future__ import annotations

from ..config import ConfigError, GatewaySettings
from ..pipeline import AuditHook, Authenticator, PolicyHook
from ..supergraph import Supergraph


def build_hooks(settings: GatewaySettings, supergraph: Supergraph) -> tuple[Authenticator, PolicyHook, AuditHook]:
    """``(authenticator, policy, audit)`` for ``settings``; refuses to guess (fail closed)."""
    if settings.policy_engine == "allow-all":
        if settings.env != "test":  # GatewaySettings.from_env already refuses this; defense in depth
            raise ConfigError("allow-all is only for GATEWAY_ENV=test")
        from .trivial import AllowAllPolicy, HeaderAuthenticator, NullAudit

        return HeaderAuthenticator(), AllowAllPolicy(), NullAudit()
    raise ConfigError(
        f"GATEWAY_POLICY_ENGINE={settings.policy_engine}: the real auth/policy/audit hooks are not wired yet "
        "(gateway/server/wiring.py)"
    )
