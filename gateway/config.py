"""Configuration of the gateway process, read once from the environment into an immutable object.

| variable | default | meaning |
|---|---|---|
| ``GATEWAY_ENV`` | ``development`` | ``development`` \\| ``test`` \\| ``production``; sets safe defaults below |
| ``GATEWAY_HOST`` / ``GATEWAY_PORT`` | ``127.0.0.1`` / ``4000`` | where ``serve`` listens |
| ``GATEWAY_SUPERGRAPH`` | ``./schema.graphql`` | supergraph SDL (Apollo join spec) written by ``compose`` |
| ``GATEWAY_POLICY_ENGINE`` | ``embedded`` | ``embedded`` (regopy in process) \\| ``opa`` \\| ``allow-all`` (test only) |
| ``GATEWAY_AUDIT_DATABASE_URL`` | ``sqlite+aiosqlite:///data/audit.db`` | where audit records are made durable |
| ``GATEWAY_STORE_DATABASE_URL`` | ``sqlite+aiosqlite:///$LT_DATA_DIR/gateway.db`` | the gateway's own tables (grants, data-subject requests: ``gateway/store``); production must name PostgreSQL or the gateway refuses to start |
| ``GATEWAY_GRANT_CACHE_SECONDS`` | ``5`` | how long a grant read from the registry is reused (a change through this process applies at once; ``gateway/grants/resolver.py``) |
| ``GATEWAY_INTROSPECTION`` | ``true`` in development/test, ``false`` in production | serve ``__schema``/``__type`` |
| ``GATEWAY_DOCUMENT_CACHE_SIZE`` | ``1000`` | parsed + validated documents kept (LRU), in units of 32 fields: a larger operation counts as several (``gateway/cache_weight.py``) |
| ``GATEWAY_PLAN_CACHE_SIZE`` | ``1000`` | query plans kept (LRU), in the same units |
| ``GATEWAY_SUBGRAPH_TIMEOUT_MS`` | ``5000`` | per subgraph call; slower → ``SUBGRAPH_UNAVAILABLE`` |
| ``GATEWAY_MAX_DEPTH`` | ``15`` | deeper operations → ``QUERY_TOO_COMPLEX`` (``limitCode: MAX_DEPTH_LIMIT``) |
| ``GATEWAY_MAX_TOKENS`` | ``5000`` | lexical tokens of the query text, counted before parsing → ``MAX_TOKENS_LIMIT`` |
| ``GATEWAY_MAX_ALIASES`` | ``30`` | aliased fields, fragments expanded → ``MAX_ALIASES_LIMIT`` |
| ``GATEWAY_MAX_ROOT_FIELDS`` | ``20`` | fields at the operation's root → ``MAX_ROOT_FIELDS_LIMIT`` |
| ``GATEWAY_MAX_DIRECTIVES`` | ``50`` | directive applications, fragments expanded → ``MAX_DIRECTIVES_LIMIT`` |
| ``GATEWAY_TRUSTED_DOCUMENTS`` | ``require`` in production, else ``off`` | ``require``: only documents registered for the caller's agency run (``PERSISTED_QUERY_NOT_FOUND``); ``off``: any (``gateway/trusted/``) |
| ``GATEWAY_TRUSTED_DOCUMENTS_FILE`` | ``$LT_DATA_DIR/trusted-documents.json`` | the registered documents (``python -m gateway documents``) |
| ``GATEWAY_RATE_LIMIT`` … | see :mod:`gateway.ratelimit` | token buckets per agency and per account (``RATE_LIMITED``, 429) |
| ``GATEWAY_FIELD_SUGGESTIONS`` | ``true``, ``false`` in production | "Did you mean …?" in validation errors |
| ``GATEWAY_MAX_FIELDS`` | ``2000`` | operations selecting more fields (fragments expanded) → ``QUERY_TOO_COMPLEX`` |
| ``GATEWAY_MAX_COST`` | ``50000`` | estimated rows (objects) an operation may return, computed before any subgraph call (``gateway/supergraph/cost.py``); more → ``QUERY_TOO_COMPLEX``. The bench's heaviest query, 200 persons with their events and sentences, is estimated at 28,200 |
| ``GATEWAY_DEFAULT_LIST_SIZE`` | ``10`` | rows assumed per list field whose arguments (``[ID]`` list, ``first:``) say nothing about its length |
| ``GATEWAY_MAX_ROWS`` | ``50000`` | objects execution may receive from the subgraphs for one request (root lists and entity results); past it the request stops with ``QUERY_TOO_COMPLEX`` and no data |
| ``GATEWAY_MAX_BODY_BYTES`` | ``1048576`` | larger request bodies are refused while they stream (413) |
| ``GATEWAY_WORKERS`` | ``1`` | processes ``serve`` runs (uvicorn workers; each builds its own app from the environment) |
| ``GATEWAY_SUBGRAPH_POOL_SIZE`` | ``100`` | connections in the pooled subgraph HTTP client |
| ``GATEWAY_IDEMPOTENCY_TTL_SECONDS`` | ``86400`` | how long an ``Idempotency-Key`` is kept with the first response of its mutation (``gateway/writes/idempotency.py``) |
| ``POPULATION_URL`` / ``CIVIL_STATUS_URL`` / ``SENTENCES_URL`` | from ``join__Graph`` | override a subgraph's URL; in general ``<GRAPH NAME>_URL`` |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from subgraphs.common.settings import ENVIRONMENTS, ConfigError, parse_choice, parse_environment, parse_int

from .auth.settings import AuthSettings
from .ratelimit import RateLimitSettings

POLICY_ENGINES = ("embedded", "opa", "allow-all")
TRUSTED_DOCUMENT_MODES = ("off", "require")
# Enumerated variables every module reads only through the canonical values written back into ``raw_env``.
CANONICAL = ("GATEWAY_ENV", "GATEWAY_POLICY_ENGINE", "GATEWAY_TRUSTED_DOCUMENTS")

__all__ = ["CANONICAL", "ENVIRONMENTS", "POLICY_ENGINES", "ConfigError", "GatewaySettings", "parse_environment",
           "url_env_name"]


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r}: expected true or false")


_int = parse_int


def url_env_name(graph_name: str) -> str:
    """The variable overriding a subgraph's URL: ``civil-status`` → ``CIVIL_STATUS_URL``."""
    return graph_name.upper().replace("-", "_") + "_URL"


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """Everything the gateway reads from its environment (see the module docstring for the variables)."""

    env: str = "development"
    host: str = "127.0.0.1"
    port: int = 4000
    workers: int = 1
    supergraph_path: Path = Path("schema.graphql")
    policy_engine: str = "embedded"
    audit_database_url: str = "sqlite+aiosqlite:///data/audit.db"
    store_database_url: str = "sqlite+aiosqlite:///data/gateway.db"
    grant_cache_seconds: float = 5.0
    introspection: bool = True
    document_cache_size: int = 1000
    plan_cache_size: int = 1000
    subgraph_timeout_ms: int = 5000
    max_depth: int = 15
    max_tokens: int = 5000
    max_aliases: int = 30
    max_root_fields: int = 20
    max_directives: int = 50
    field_suggestions: bool = True
    trusted_documents: str = "off"
    trusted_documents_file: Path = Path("data/trusted-documents.json")
    max_fields: int = 2000
    max_cost: int = 50_000
    default_list_size: int = 10
    max_rows: int = 50_000
    max_body_bytes: int = 1 << 20
    subgraph_pool_size: int = 100
    idempotency_ttl_seconds: int = 86_400
    subgraph_urls: Mapping[str, str] = field(default_factory=dict)  # override by graph name (``<NAME>_URL``)
    auth: AuthSettings = field(default_factory=AuthSettings)
    rate_limit: RateLimitSettings = field(default_factory=RateLimitSettings)
    # The process environment with every enumerated variable (CANONICAL) replaced by its parsed, lower-case
    # value: the stages that read their own variables from it (policy, audit) see ``production``, never
    # ``Production``.
    raw_env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def production(self) -> bool:
        return self.env == "production"

    def subgraph_url(self, graph_name: str, default: str) -> str:
        """The URL to call ``graph_name`` at: an env override if set, else the supergraph's ``default``."""
        return self.subgraph_urls.get(graph_name) or self.raw_env.get(url_env_name(graph_name)) or default

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GatewaySettings:
        """Read and check the environment; raises :class:`ConfigError` with the variable's name on bad values."""
        env = dict(os.environ if env is None else env)
        mode = parse_environment(env)
        engine = parse_choice(env, "GATEWAY_POLICY_ENGINE", POLICY_ENGINES, "embedded")
        trusted = parse_choice(env, "GATEWAY_TRUSTED_DOCUMENTS", TRUSTED_DOCUMENT_MODES,
                               "require" if mode == "production" else "off")
        env.update({"GATEWAY_ENV": mode, "GATEWAY_POLICY_ENGINE": engine, "GATEWAY_TRUSTED_DOCUMENTS": trusted})
        data = Path(env.get("LT_DATA_DIR") or "data")
        if engine == "allow-all" and mode != "test":
            # allow-all releases every field to everyone: it exists for tests and must never reach real data.
            raise ConfigError(
                f"GATEWAY_POLICY_ENGINE=allow-all is refused with GATEWAY_ENV={mode}: it is only for GATEWAY_ENV=test"
            )
        return cls(
            env=mode,
            host=env.get("GATEWAY_HOST", "127.0.0.1"),
            port=_int(env, "GATEWAY_PORT", 4000),
            workers=_int(env, "GATEWAY_WORKERS", 1, 1),
            supergraph_path=Path(env.get("GATEWAY_SUPERGRAPH", "schema.graphql")),
            policy_engine=engine,
            audit_database_url=env.get("GATEWAY_AUDIT_DATABASE_URL", "sqlite+aiosqlite:///data/audit.db"),
            store_database_url=env.get("GATEWAY_STORE_DATABASE_URL") or f"sqlite+aiosqlite:///{data / 'gateway.db'}",
            grant_cache_seconds=float(_int(env, "GATEWAY_GRANT_CACHE_SECONDS", 5, 0)),
            introspection=_bool(env, "GATEWAY_INTROSPECTION", mode != "production"),
            document_cache_size=_int(env, "GATEWAY_DOCUMENT_CACHE_SIZE", 1000, 1),
            plan_cache_size=_int(env, "GATEWAY_PLAN_CACHE_SIZE", 1000, 1),
            subgraph_timeout_ms=_int(env, "GATEWAY_SUBGRAPH_TIMEOUT_MS", 5000, 1),
            max_depth=_int(env, "GATEWAY_MAX_DEPTH", 15, 1),
            max_tokens=_int(env, "GATEWAY_MAX_TOKENS", 5000, 1),
            max_aliases=_int(env, "GATEWAY_MAX_ALIASES", 30, 0),
            max_root_fields=_int(env, "GATEWAY_MAX_ROOT_FIELDS", 20, 1),
            max_directives=_int(env, "GATEWAY_MAX_DIRECTIVES", 50, 0),
            field_suggestions=_bool(env, "GATEWAY_FIELD_SUGGESTIONS", mode != "production"),
            trusted_documents=trusted,
            trusted_documents_file=Path(env.get("GATEWAY_TRUSTED_DOCUMENTS_FILE")
                                        or data / "trusted-documents.json"),
            max_fields=_int(env, "GATEWAY_MAX_FIELDS", 2000, 1),
            max_cost=_int(env, "GATEWAY_MAX_COST", 50_000, 1),
            default_list_size=_int(env, "GATEWAY_DEFAULT_LIST_SIZE", 10, 1),
            max_rows=_int(env, "GATEWAY_MAX_ROWS", 50_000, 1),
            max_body_bytes=_int(env, "GATEWAY_MAX_BODY_BYTES", 1 << 20, 1024),
            subgraph_pool_size=_int(env, "GATEWAY_SUBGRAPH_POOL_SIZE", 100, 1),
            idempotency_ttl_seconds=_int(env, "GATEWAY_IDEMPOTENCY_TTL_SECONDS", 86_400, 1),
            auth=AuthSettings.from_env(env),
            rate_limit=RateLimitSettings.from_env(env, mode),
            raw_env=env,
        )
