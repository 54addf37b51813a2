"""Grants: verified legal bases for CRIMINAL data (000 Art. 13.2-13.4; 004 Art. 17).

- :mod:`~gateway.grants.model`: the ``lt_grants`` table (gateway store), :class:`Grant`, input checks;
- :mod:`~gateway.grants.registry`: create / list / show / revoke, every change audited in the hash chain;
- :mod:`~gateway.grants.resolver`: the grant an ``X-Legal-Basis`` names, once per request (cached briefly,
  invalidated on change), as facts for the policy input (policies/grants.rego decides);
- :mod:`~gateway.grants.api`: the administrative GraphQL API (local subgraph, role ``grant_registrar``);
- :mod:`~gateway.grants.cli`: ``python -m gateway grants create|list|show|revoke``.
"""

# No re-exports: gateway.audit imports gateway.grants.model (the grant id form), and the registry imports
# gateway.audit; import the submodules.
