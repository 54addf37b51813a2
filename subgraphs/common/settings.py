"""Configuration of a subgraph process, read from the environment.

| variable | default |
|---|---|
| ``<NAME>_HOST`` / ``<NAME>_PORT`` | ``127.0.0.1`` / 4001 population, 4002 civil-status, 4003 sentences |
| ``<NAME>_DATABASE_URL``, else ``DATABASE_URL`` | ``sqlite+aiosqlite:///<LT_DATA_DIR>/<name>.db`` |
| ``LT_DATA_DIR`` | ``data`` (git-ignored) |
| ``INTERNAL_JWKS_FILE`` | ``<LT_DATA_DIR>/keys/internal-jwks.json``: public keys of the gateway |
| ``INTERNAL_ISSUER`` | ``lienthong-gateway`` |
| ``GATEWAY_ENV`` | ``development`` (``test``, ``production``; case-insensitive, anything else refuses to start) |

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
