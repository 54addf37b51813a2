"""Configuration of a subgraph process, read from the environment.

| variable | default |
|---|---|
| ``<NAME>_HOST`` / ``<NAME>_PORT`` | ``127.0.0.1`` / 4001 population, 4002 civil-status, 4003 sentences |
| ``<NAME>_DATABASE_URL``, else ``DATABASE_URL`` | ``sqlite+aiosqlite:///<LT_DATA_DIR>/<name>.db`` |
| ``LT_DATA_DIR`` | ``data`` (git-ignored) |
| ``INTERNAL_JWKS_FILE`` | ``<LT_DATA_DIR>/keys/internal-jwks.json``: public keys of the gateway |
| ``INTERNAL_ISSUER`` | ``lienthong-gateway`` |

``<NAME>`` is ``POPULATION``, ``CIVIL_STATUS`` or ``SENTENCES``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORTS = {"population": 4001, "civil_status": 4002, "sentences": 4003}
INTERNAL_ISSUER = "lienthong-gateway"


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

    @property
    def audience(self) -> str:
        """Internal tokens are minted per subgraph, so one cannot be replayed against another."""
        return f"lienthong-subgraph:{self.name}"

    @classmethod
    def from_env(cls, name: str, env: Mapping[str, str] | None = None) -> SubgraphSettings:
        env = os.environ if env is None else env
        prefix = name.upper()
        return cls(
            name=name,
            host=env.get(f"{prefix}_HOST", "127.0.0.1"),
            port=int(env.get(f"{prefix}_PORT", DEFAULT_PORTS[name])),
            database_url=database_url(name, env),
            internal_jwks_file=Path(
                env.get("INTERNAL_JWKS_FILE", str(data_dir(env) / "keys" / "internal-jwks.json"))
            ),
            internal_issuer=env.get("INTERNAL_ISSUER", INTERNAL_ISSUER),
        )
