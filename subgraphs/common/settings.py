"""Configuration of a subgraph process, read from the environment.

| variable | default |
|---|---|
| ``<NAME>_HOST`` / ``<NAME>_PORT`` | ``127.0.0.1`` / 4001 population, 4002 civil-status, 4003 sentences |
| ``<NAME>_DATABASE_URL``, else ``DATABASE_URL`` | ``sqlite+aiosqlite:///<LT_DATA_DIR>/<name>.db`` |
| ``LT_DATA_DIR`` | ``data`` (git-ignored) |
| ``INTERNAL_JWKS_FILE`` | ``<LT_DATA_DIR>/keys/internal-jwks.json``: public keys of the gateway |
| ``INTERNAL_ISSUER`` | ``lienthong-gateway`` |
| ``GATEWAY_ENV`` | ``development`` (``test``, ``production``; case-insensitive, anything else refuses to start) |
| ``NATS_URL`` | ``nats://127.0.0.1:4222``: JetStream, the exchange between the databases (:class:`ExchangeSettings`) |
| ``LT_EXCHANGE_STREAM`` / ``LT_EXCHANGE_SUBJECTS`` | ``LIENTHONG`` / ``lienthong``: the deployment's stream and subject prefix |
| ``<NAME>_EXCHANGE_PORT`` | ``<NAME>_PORT`` + 10 (4011, 4012, 4013): the exchange runner's ``/metrics``, ``/healthz`` |
| ``LT_EXCHANGE_ACK_WAIT_S`` | 30: a consumer's unacknowledged message is redelivered after this |

``<NAME>`` is ``POPULATION``, ``CIVIL_STATUS`` or ``SENTENCES``.

The enumerated-value parser (:func:`parse_choice`, :func:`parse_environment`) lives here, in the layer both the
gateway and the subgraphs import, so that ``GATEWAY_ENV=Production`` means the same thing in every process.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORTS = {"population": 4001, "civil_status": 4002, "sentences": 4003}
INTERNAL_ISSUER = "lienthong-gateway"
ENVIRONMENTS = ("development", "test", "production")


class ConfigError(ValueError):
    """The environment describes a configuration the process refuses to start with."""


def parse_choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    """The canonical (lower-case) value of the enumerated variable ``name``: compared case-insensitively and
    without surrounding blanks, so ``Production`` is ``production``; an unknown value raises :class:`ConfigError`
    rather than silently falling back to a default (a typo must never start a production gateway as development).
    """
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ConfigError(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return value


def parse_environment(env: Mapping[str, str] | None = None) -> str:
    """``GATEWAY_ENV``, canonical: ``development`` (default), ``test`` or ``production``."""
    return parse_choice(os.environ if env is None else env, "GATEWAY_ENV", ENVIRONMENTS, "development")


def parse_int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    """An integer variable of at least ``minimum`` (:class:`ConfigError` naming the variable otherwise)."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r}: expected an integer") from exc
    if value < minimum:
        raise ConfigError(f"{name}={value}: must be at least {minimum}")
    return value


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("LT_DATA_DIR", "data"))


def default_database_url(name: str, env: Mapping[str, str] | None = None) -> str:
    return f"sqlite+aiosqlite:///{data_dir(env) / f'{name}.db'}"


def database_url(name: str, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get(f"{name.upper()}_DATABASE_URL") or env.get("DATABASE_URL") or default_database_url(name, env)


@dataclass(frozen=True, slots=True)
class SubgraphSettings:
    name: str
    host: str
    port: int
    database_url: str
    internal_jwks_file: Path
    internal_issuer: str = INTERNAL_ISSUER
    env: str = "development"

    @property
    def audience(self) -> str:
        """Internal tokens are minted per subgraph, so one cannot be replayed against another."""
        return f"lienthong-subgraph:{self.name}"

    @classmethod
    def from_env(cls, name: str, env: Mapping[str, str] | None = None) -> SubgraphSettings:
        """Read and check the environment; raises :class:`ConfigError` naming the variable on a bad value."""
        env = os.environ if env is None else env
        prefix = name.upper()
        return cls(
            name=name,
            host=env.get(f"{prefix}_HOST", "127.0.0.1"),
            port=parse_int(env, f"{prefix}_PORT", DEFAULT_PORTS[name], 1),
            database_url=database_url(name, env),
            internal_jwks_file=Path(
                env.get("INTERNAL_JWKS_FILE", str(data_dir(env) / "keys" / "internal-jwks.json"))
            ),
            internal_issuer=env.get("INTERNAL_ISSUER", INTERNAL_ISSUER),
            env=parse_environment(env),
        )


@dataclass(frozen=True, slots=True)
class ExchangeSettings:
    """Where a subgraph's change events go (issue 15, docs/EVENTS.md): one JetStream stream per deployment whose
    subjects are ``<subject_prefix>.<topic>``; the exchange runner of subgraph ``name`` serves ``/metrics`` on
    ``host:port``."""

    name: str
    nats_url: str = "nats://127.0.0.1:4222"
    stream: str = "LIENTHONG"
    subject_prefix: str = "lienthong"
    host: str = "127.0.0.1"
    port: int = 4011
    ack_wait_s: int = 30
    duplicate_window_s: int = 7200  # JetStream drops a re-published event id within this window
    poll_interval_s: float = 0.05  # the relay's idle poll of its outbox
    max_backoff_s: float = 30.0  # the relay's and consumer's longest wait between reconnection attempts
    batch: int = 100

    def subject(self, topic: str) -> str:
        """The NATS subject of ``topic`` in this deployment."""
        return f"{self.subject_prefix}.{topic}"

    @classmethod
    def from_env(cls, name: str, env: Mapping[str, str] | None = None) -> ExchangeSettings:
        """Read and check the environment (:class:`ConfigError` naming the variable on a bad value)."""
        env = os.environ if env is None else env
        prefix = name.upper()
        stream = env.get("LT_EXCHANGE_STREAM", "LIENTHONG")
        subjects = env.get("LT_EXCHANGE_SUBJECTS", "lienthong")
        for variable, value in (("LT_EXCHANGE_STREAM", stream), ("LT_EXCHANGE_SUBJECTS", subjects)):
            if not value or not all(ch.isalnum() or ch in "-_" for ch in value):
                raise ConfigError(f"{variable}={value!r}: letters, digits, '-' and '_' only")
        return cls(
            name=name,
            nats_url=env.get("NATS_URL", "nats://127.0.0.1:4222"),
            stream=stream,
            subject_prefix=subjects,
            host=env.get(f"{prefix}_HOST", "127.0.0.1"),
            # beside the subgraph's own port by default (4011 for population's 4001), moved with it
            port=parse_int(env, f"{prefix}_EXCHANGE_PORT", parse_int(env, f"{prefix}_PORT", DEFAULT_PORTS[name], 1)
                           + 10, 1),
            ack_wait_s=parse_int(env, "LT_EXCHANGE_ACK_WAIT_S", 30, 1),
        )
