"""Development tokens: a local signing key (generated on first run, git-ignored) and a minter.

The private key lives at ``GATEWAY_DEV_KEY_FILE`` (mode 0600), its public JWKS at ``GATEWAY_JWKS_FILE``; both
default to ``$LT_DATA_DIR/keys``. Never used in production (:class:`AuthSettings.may_create_dev_key`).
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey

from .agencies import AgencyCatalogue
from .caller import Role
from .settings import AuthSettings

DEFAULT_TTL = "8h"
_TTL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_ttl(value: str | int) -> int:
    """``"8h"``, ``"30m"``, ``"90s"``, ``"2d"`` or seconds -> seconds (> 0)."""
    if isinstance(value, int):
        seconds = value
    else:
        match = _TTL.match(value)
        if not match:
            raise ValueError(f"bad duration {value!r}: use e.g. 90s, 30m, 8h, 2d")
        seconds = int(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError("duration must be positive")
    return seconds


def load_or_create_dev_key(settings: AuthSettings) -> ECKey:
    """Load the development signing key, creating it and its public JWKS on first run (not in production)."""
    from gateway.keys import load_or_create_es256_key

    path, public = settings.dev_key_file, settings.jwks_file
    if not path.exists() and not settings.may_create_dev_key:
        raise RuntimeError("no development key, and production never creates one")
    return load_or_create_es256_key(path, public, kid=f"dev-{uuid.uuid4().hex[:12]}")


def mint_dev_token(
    agency: str | None,
    sub: str,
    ttl: str | int = DEFAULT_TTL,
    role: str | Role = Role.AGENCY,
    *,
    audience: str | None = None,
    settings: AuthSettings | None = None,
    agencies: AgencyCatalogue | None = None,
    key: ECKey | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """Mint a development token (ES256, dev key) for ``sub`` at ``agency``.

    Refuses an unknown agency, and an agency-less token unless the role is ``data_subject`` or ``dpo``.
    """
    settings = settings or AuthSettings.from_env()
    role = Role(role)
    if role is Role.DPO:  # the gateway would refuse it anyway: say so when minting
        agencies = agencies if agencies is not None else AgencyCatalogue.load(settings.agencies_file)
        if agencies.data_protection_officer(sub) is None:
            raise ValueError(f"{sub!r} is not a data-protection officer in {settings.agencies_file}")
    if role is Role.GRANT_REGISTRAR:
        agencies = agencies if agencies is not None else AgencyCatalogue.load(settings.agencies_file)
        if agencies.grant_registrar(sub) is None:
            raise ValueError(f"{sub!r} is not a grant registrar in {settings.agencies_file}")
    if agency is not None:
        agencies = agencies if agencies is not None else AgencyCatalogue.load(settings.agencies_file)
        if agency not in agencies:
            raise ValueError(f"unknown agency {agency!r} (see {settings.agencies_file})")
    elif role is Role.AGENCY:
        raise ValueError("an agency token needs --agency")
    key = key or load_or_create_dev_key(settings)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": audience or settings.audience,
        "sub": sub,
        "iat": now,
        "nbf": now,
        "exp": now + parse_ttl(ttl),
        "jti": uuid.uuid4().hex,
    }
    if agency is not None:
        claims["agency"] = agency
    if role is not Role.AGENCY:
        claims["role"] = role.value
    claims.update(extra or {})
    return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key, algorithms=["ES256"])
