"""The gateway's internal signing key and the tokens it mints for subgraph calls.

The key is generated on first use under ``<LT_DATA_DIR>/keys`` (git-ignored, never committed); the public half is
written as a JWKS that the subgraphs read (``INTERNAL_JWKS_FILE``).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from cachetools import TTLCache
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from subgraphs.common.settings import INTERNAL_ISSUER, data_dir

INTERNAL_TTL_SECONDS = 60


def key_paths(env: dict[str, str] | None = None) -> tuple[Path, Path]:
    env = dict(os.environ) if env is None else env
    keys = data_dir(env) / "keys"
    private = Path(env.get("GATEWAY_INTERNAL_KEY_FILE", str(keys / "internal-signing.jwk.json")))
    public = Path(env.get("INTERNAL_JWKS_FILE", str(keys / "internal-jwks.json")))
    return private, public


def load_or_create_es256_key(private_path: Path, public_path: Path, kid: str | None = None) -> ECKey:
    """Load an ES256 signing key, creating it (mode 0600, ``kid`` or a random one) and its public JWKS on first
    run. Used for the internal key here and for the development caller key (``gateway.auth.dev``)."""
    if private_path.exists():
        key = ECKey.import_key(json.loads(private_path.read_text()))
    else:
        key = ECKey.generate_key(
            "P-256", parameters={"kid": kid or uuid.uuid4().hex[:16], "use": "sig", "alg": "ES256"}
        )
        private_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(key.as_dict(private=True), fh)
    if not public_path.exists():
        public_path.parent.mkdir(parents=True, exist_ok=True)
        public_path.write_text(json.dumps(KeySet([key]).as_dict(private=False)))
    return key


def load_or_create_internal_key(private_path: Path, public_path: Path) -> ECKey:
    """The gateway's internal signing key and the subgraphs' JWKS (created on first run)."""
    return load_or_create_es256_key(private_path, public_path)


class InternalTokenMinter:
    """Mints the short-lived, per-subgraph-audience tokens the gateway sends to subgraphs."""

    def __init__(self, key: ECKey, issuer: str = INTERNAL_ISSUER, ttl: int = INTERNAL_TTL_SECONDS,
                 cache_size: int = 4096) -> None:
        self.key = key
        self.issuer = issuer
        self.ttl = ttl
        # An ES256 signature costs ~0.3 ms, more than the rest of a simple request's gateway work; a token for
        # the same (subgraph, account, agency, purpose) is reused for at most half its life, so it always has
        # >= ttl/2 seconds left when sent. Per-request identity travels in the X-Request-Id header instead.
        self._cache: TTLCache[tuple[Any, ...], str] = TTLCache(maxsize=cache_size, ttl=max(ttl // 2, 1))

    def mint_cached(self, subgraph: str, **claims: Any) -> str:
        """Like :meth:`mint`, reusing a recent token minted for the same subgraph and claims."""
        key = (subgraph, *sorted(claims.items()))
        token = self._cache.get(key)
        if token is None:
            token = self._cache[key] = self.mint(subgraph, **claims)
        return token

    def mint(self, subgraph: str, **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": f"lienthong-subgraph:{subgraph}",
            "iat": now,
            "exp": now + self.ttl,
            "jti": uuid.uuid4().hex,
            **{k: v for k, v in claims.items() if v is not None},
        }
        return jwt.encode({"alg": "ES256", "kid": self.key.kid}, payload, self.key, algorithms=["ES256"])
