"""Settings of caller authentication, read from the environment.

| variable | default | meaning |
|---|---|---|
| ``GATEWAY_ENV`` | ``development`` | ``production`` never creates or trusts the development key implicitly (case-insensitive; unknown values refuse to start) |
| ``GATEWAY_JWT_ISSUER`` | ``lienthong-dev-issuer`` | required ``iss`` of caller tokens |
| ``GATEWAY_JWT_AUDIENCE`` | ``lienthong-gateway`` | required ``aud`` of caller tokens |
| ``GATEWAY_JWT_LEEWAY`` | ``30`` | seconds of clock skew tolerated on ``exp`` / ``nbf`` / ``iat`` |
| ``GATEWAY_JWKS_URL`` | unset | the identity provider's JWKS; when set, keys come only from there |
| ``GATEWAY_JWKS_TTL`` | ``300`` | seconds a fetched JWKS is used before it is fetched again |
| ``GATEWAY_JWKS_REFETCH_INTERVAL`` | ``30`` | minimum seconds between refetches caused by an unknown ``kid`` |
| ``GATEWAY_JWKS_MAX_STALE`` | ``3600`` | seconds an expired JWKS may still be used while the URL is unreachable |
| ``GATEWAY_JWKS_FILE`` | ``$LT_DATA_DIR/keys/dev-jwks.json`` | local public key set (development) |
| ``GATEWAY_DEV_KEY_FILE`` | ``$LT_DATA_DIR/keys/dev-signing.jwk.json`` | private half of the development key |
| ``GATEWAY_AGENCIES_FILE`` | ``policies/data/agencies.json`` of the repository | agency catalogue |
| ``GATEWAY_JWT_MAX_LIFETIME`` | ``86400`` | most seconds between a caller token's ``iat`` and ``exp``; longer-lived tokens, and tokens without ``iat`` or ``exp``, are refused |

In development and test the local key set and its private key are generated on first use (git-ignored under
``data/``). In production one of ``GATEWAY_JWKS_URL`` or an explicit ``GATEWAY_JWKS_FILE`` is required.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from subgraphs.common.settings import ConfigError, parse_environment, parse_int

DEFAULT_ISSUER = "lienthong-dev-issuer"
DEFAULT_AUDIENCE = "lienthong-gateway"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_AGENCIES_FILE = REPO_ROOT / "policies" / "data" / "agencies.json"


DEFAULT_MAX_LIFETIME = 86400


def _data_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("LT_DATA_DIR", "data"))


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r}: expected a number of seconds") from exc
    if value < 0:
        raise ConfigError(f"{name}={raw!r}: must not be negative")
    return value


@dataclass(frozen=True, slots=True)
class AuthSettings:
    """Everything the authenticator and the development token minter need."""

    env: str = "development"
    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE
    leeway: int = 30
    jwks_url: str | None = None
    jwks_ttl: float = 300.0
    jwks_refetch_interval: float = 30.0
    jwks_max_stale: float = 3600.0
    jwks_file: Path = Path("data/keys/dev-jwks.json")
    jwks_file_explicit: bool = False
    dev_key_file: Path = Path("data/keys/dev-signing.jwk.json")
    agencies_file: Path = DEFAULT_AGENCIES_FILE
    max_lifetime: int = DEFAULT_MAX_LIFETIME

    @property
    def may_create_dev_key(self) -> bool:
        """A development key is generated on first use everywhere but in production."""
        return self.env != "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AuthSettings:
        """Read the settings from ``env`` (default: ``os.environ``); :class:`ConfigError` on a bad value.

        ``GATEWAY_ENV`` goes through the one parser every process uses, so ``Production`` is production here too
        (it used to fall through to "not production" and create a development key)."""
        env = os.environ if env is None else env
        keys = _data_dir(env) / "keys"
        return cls(
            env=parse_environment(env),
            issuer=env.get("GATEWAY_JWT_ISSUER", DEFAULT_ISSUER),
            audience=env.get("GATEWAY_JWT_AUDIENCE", DEFAULT_AUDIENCE),
            leeway=parse_int(env, "GATEWAY_JWT_LEEWAY", 30),
            jwks_url=env.get("GATEWAY_JWKS_URL") or None,
            jwks_ttl=_seconds(env, "GATEWAY_JWKS_TTL", 300.0),
            jwks_refetch_interval=_seconds(env, "GATEWAY_JWKS_REFETCH_INTERVAL", 30.0),
            jwks_max_stale=_seconds(env, "GATEWAY_JWKS_MAX_STALE", 3600.0),
            jwks_file=Path(env.get("GATEWAY_JWKS_FILE") or keys / "dev-jwks.json"),
            jwks_file_explicit=bool(env.get("GATEWAY_JWKS_FILE")),
            dev_key_file=Path(env.get("GATEWAY_DEV_KEY_FILE") or keys / "dev-signing.jwk.json"),
            agencies_file=Path(env.get("GATEWAY_AGENCIES_FILE") or DEFAULT_AGENCIES_FILE),
            max_lifetime=parse_int(env, "GATEWAY_JWT_MAX_LIFETIME", DEFAULT_MAX_LIFETIME, 1),
        )
