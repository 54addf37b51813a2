"""Only the gateway may call a subgraph: every request carries a short-lived internal JWT signed by the gateway.

The token (ES256) is minted per subgraph audience (``lienthong-subgraph:<name>``, a single string: a token
naming several audiences is refused, so one minted for ``population`` can never be replayed to ``sentences``),
lives at most ``MAX_TTL_SECONDS`` (the gateway mints for 60 s and reuses a token for at most 30 s), and
carries the caller's account, agency and declared purpose so that a subgraph can record on whose behalf it
answered (defense in depth, 000 Art. 13.7). Anything else gets HTTP 401 and no data.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import orjson
from cachetools import LRUCache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.types import ASGIApp, Receive, Scope, Send

ALGORITHMS = ["ES256"]
MAX_TTL_SECONDS = 120
OPEN_PATHS = frozenset({"/healthz"})
log = logging.getLogger("lienthong.subgraph.access")


class InternalTokenError(Exception):
    pass


class InternalTokenVerifier:
    """Verifies internal tokens against the gateway's public key set."""

    def __init__(self, jwks: KeySet, issuer: str, audience: str) -> None:
        self.jwks = jwks
        # The gateway reuses a token for up to half its life; its signature is checked once (the key set is fixed
        # for the life of the process), its claims on every request.
        self._verified: LRUCache[str, dict[str, Any]] = LRUCache(maxsize=1024)
        self.registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            iat={"essential": True},
        )

    @classmethod
    def from_file(cls, path: Path, issuer: str, audience: str) -> InternalTokenVerifier:
        try:
            data = json.loads(Path(path).read_text())
        except FileNotFoundError as exc:
            raise InternalTokenError(
                f"no gateway public keys at {path}: run `python -m gateway keys` or `make run` first"
            ) from exc
        return cls(KeySet.import_key_set(data), issuer, audience)

    def verify(self, token: str) -> dict[str, Any]:
        try:
            claims = self._verified.get(token)
            if claims is None:
                claims = jwt.decode(token, self.jwks, algorithms=ALGORITHMS).claims
                self._verified[token] = claims
            self.registry.validate(claims)
        except (JoseError, ValueError) as exc:
            raise InternalTokenError(str(exc) or type(exc).__name__) from exc
        if not isinstance(claims.get("aud"), str):
            raise InternalTokenError("internal token must name exactly one subgraph audience")
        if claims["exp"] - claims["iat"] > MAX_TTL_SECONDS:
            raise InternalTokenError("internal token lives too long")
        return claims


_UNAUTHORIZED = orjson.dumps(
    {"errors": [{"message": "Only the gateway may call this subgraph.", "extensions": {"code": "UNAUTHENTICATED"}}]}
)


class InternalAuthMiddleware:
    """ASGI middleware: refuse every request but ``/healthz`` without a valid internal token."""

    def __init__(self, app: ASGIApp, verifier: InternalTokenVerifier) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        try:
            if token is None:
                raise InternalTokenError("missing bearer token")
            claims = self.verifier.verify(token)
        except InternalTokenError as exc:
            log.warning("refused %s %s: %s", scope.get("method"), scope["path"], exc)
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")],
                }
            )
            await send({"type": "http.response.body", "body": _UNAUTHORIZED})
            return
        scope.setdefault("state", {})["caller"] = claims
        log.info(
            "request for sub=%s agency=%s purpose=%s request=%s",
            claims.get("sub"),
            claims.get("agency"),
            claims.get("purpose"),
            _header(scope, b"x-request-id"),
        )
        await self.app(scope, receive, send)


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return value.decode("latin-1")
    return None


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token:
                return token.strip()
            return None
    return None


def now() -> int:
    return int(time.time())
