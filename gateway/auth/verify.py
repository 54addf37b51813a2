"""Verification of caller tokens (``Authorization: Bearer <JWT>``) into a :class:`Caller`.

Accepted signatures: RS256 (RSA >= 2048 bits), ES256 (EC P-256), EdDSA / Ed25519 (OKP Ed25519), and only when the
key found by ``kid`` has the matching type: ``alg: none``, HS* and an HMAC "signed" with a public key are refused
before any cryptography runs. Required claims: ``iss``, ``aud``, ``iat``, ``exp``, ``sub``, with ``exp - iat`` at
most ``max_lifetime`` seconds (``GATEWAY_JWT_MAX_LIFETIME``: a stolen token must not stay valid for months);
``nbf`` is checked when present, with ``leeway`` seconds of skew. Keys named in the token (``jku``, ``jwk``,
``x5u``) are never used. The ``agency`` claim must name an agency of the catalogue (000 Art. 13.7: identified
accounts); ``role: dpo`` is honoured only for an account the catalogue lists as a data-protection officer.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any

from cachetools import LRUCache
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError, MissingClaimError
from joserfc.jwk import Key

from .agencies import AgencyCatalogue
from .caller import AuthError, Caller, Role
from .headers import HeaderPairs, header_values
from .jwks import KeySource, LocalKeySet, RemoteJwks
from .purpose import DeclaredPurpose, read_purpose
from .settings import DEFAULT_MAX_LIFETIME, AuthSettings

MAX_TOKEN_BYTES = 8192
_PERSONAL_ID = re.compile(r"^[0-9]{12}$")
_ACCOUNT = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")
# alg -> (kty, crv or None); the algorithm must match the key type.
ALGORITHMS: dict[str, tuple[str, str | None]] = {
    "RS256": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "EdDSA": ("OKP", "Ed25519"),
    "Ed25519": ("OKP", "Ed25519"),
}


def _b64json(segment: str) -> dict[str, Any]:
    padded = segment + "=" * (-len(segment) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def bearer_token(headers: HeaderPairs) -> str:
    """The token of the single ``Authorization: Bearer`` header, or :class:`AuthError`."""
    values = header_values(headers, "authorization")
    if not values:
        raise AuthError("missing Authorization header: send 'Authorization: Bearer <token>'")
    if len(values) > 1:
        raise AuthError("Authorization header given more than once")
    scheme, _, token = values[0].partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthError("Authorization must use the Bearer scheme: 'Authorization: Bearer <token>'")
    return token


class Authenticator:
    """Turns request headers into a :class:`Caller`, or raises :class:`AuthError` (HTTP 401)."""

    def __init__(self, keys: KeySource, agencies: AgencyCatalogue, *, issuer: str, audience: str,
                 leeway: int = 30, max_lifetime: int = DEFAULT_MAX_LIFETIME) -> None:
        self.keys = keys
        self.agencies = agencies
        # token -> (key, caller, exp, nbf, iat) of a token that passed every check: a service sends the same token
        # for its lifetime, and the signature and claim checks are the costliest step of a small request. The key
        # object is kept and compared by identity, so a rotated or removed key never reuses an old verdict; what
        # depends on the time (exp, nbf, iat) is checked again on every request by the registry's own validators.
        # Everything else the verdict reads is fixed for a token string (its claims) or for the process (issuer,
        # audience, maximum lifetime, the agency catalogue).
        self._verified: LRUCache[str, tuple[Key, Caller, Any, Any, Any]] = LRUCache(maxsize=4096)
        self.issuer = issuer
        self.audience = audience
        self.max_lifetime = max_lifetime
        self.registry = jwt.JWTClaimsRegistry(
            leeway=leeway,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            iat={"essential": True},
            exp={"essential": True},
            sub={"essential": True},
        )

    @classmethod
    def from_settings(cls, settings: AuthSettings, agencies: AgencyCatalogue | None = None) -> Authenticator:
        """Build from settings: JWKS URL when configured, else the local key set (created in development)."""
        agencies = agencies if agencies is not None else AgencyCatalogue.load(settings.agencies_file)
        source: KeySource
        if settings.jwks_url:
            source = RemoteJwks(
                settings.jwks_url,
                ttl=settings.jwks_ttl,
                refetch_interval=settings.jwks_refetch_interval,
                max_stale=settings.jwks_max_stale,
            )
        elif settings.env == "production" and not settings.jwks_file_explicit:
            raise RuntimeError("production needs GATEWAY_JWKS_URL or an explicit GATEWAY_JWKS_FILE")
        else:
            if not settings.jwks_file.exists() and settings.may_create_dev_key:
                from .dev import load_or_create_dev_key

                load_or_create_dev_key(settings)
            source = LocalKeySet.from_file(settings.jwks_file)
        return cls(source, agencies, issuer=settings.issuer, audience=settings.audience, leeway=settings.leeway,
                   max_lifetime=settings.max_lifetime)

    async def aclose(self) -> None:
        """Close the JWKS client, if any."""
        await self.keys.aclose()

    async def authenticate(self, headers: HeaderPairs) -> Caller:
        """Verify the bearer token of a request (raw header pairs) and return the caller."""
        return await self.verify(bearer_token(headers))

    def read_purpose(self, headers: HeaderPairs) -> DeclaredPurpose:
        """The declared purpose (pipeline hook; see :func:`gateway.auth.purpose.read_purpose`)."""
        return read_purpose(headers)

    async def _key_for(self, header: dict[str, Any]) -> tuple[str, Key]:
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in ALGORITHMS:
            raise AuthError(f"token algorithm {alg!r} is not accepted (use RS256, ES256 or EdDSA)")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise AuthError("token header 'kid' must be a string")
        key = await self.keys.get(kid)
        if key is None:
            raise AuthError("token signed with an unknown key" if kid else "token header has no 'kid'")
        kty, crv = ALGORITHMS[alg]
        if key.key_type != kty or (crv is not None and key.get("crv") != crv):
            raise AuthError(f"token algorithm {alg} does not match the type of its signing key")
        if key.get("alg") not in (None, alg) or key.get("use") not in (None, "sig"):
            raise AuthError(f"the signing key is not meant for {alg} signatures")
        if kty == "RSA" and key.raw_value.key_size < 2048:
            raise AuthError("the signing key is too small")
        return alg, key

    async def verify(self, token: str) -> Caller:
        """Verify a compact JWS token and return the caller."""
        if len(token) > MAX_TOKEN_BYTES:
            raise AuthError("token too large")
        parts = token.split(".")
        if len(parts) != 3:
            raise AuthError("malformed token: expected a signed JWT (header.payload.signature)")
        try:
            header = _b64json(parts[0])
        except (ValueError, UnicodeError, binascii.Error) as exc:
            raise AuthError("malformed token header") from exc
        if "crit" in header:
            raise AuthError("token header 'crit' is not supported")
        alg, key = await self._key_for(header)
        cached = self._verified.get(token)
        if cached is not None and cached[0] is key:
            _, caller, exp, nbf, iat = cached
            self._check_times(exp, nbf, iat)
            return caller
        try:
            claims = jwt.decode(token, key, algorithms=[alg]).claims
        except JoseError as exc:
            raise AuthError("token signature is invalid") from exc
        except (ValueError, TypeError) as exc:
            raise AuthError("malformed token") from exc
        self._validate(claims)
        lifetime = claims["exp"] - claims["iat"]  # both numeric: the registry checked them
        if lifetime > self.max_lifetime:
            raise AuthError(f"token lifetime (exp - iat = {int(lifetime)} s) exceeds the maximum of "
                            f"{self.max_lifetime} s")
        caller = self._caller(claims)
        self._verified[token] = (key, caller, claims["exp"], claims.get("nbf"), claims["iat"])
        return caller

    def _validate(self, claims: dict[str, Any]) -> None:
        """Every registered claim check (joserfc's registry), as :class:`AuthError`."""
        with self._claim_errors():
            self.registry.validate(claims)

    def _check_times(self, exp: Any, nbf: Any, iat: Any) -> None:
        """The checks of a verified token that depend on the time, by the same validators as the first time."""
        with self._claim_errors():
            self.registry.validate_exp(exp)
            if nbf is not None:
                self.registry.validate_nbf(nbf)
            self.registry.validate_iat(iat)

    @contextlib.contextmanager
    def _claim_errors(self) -> Iterator[None]:
        """joserfc's claim errors as the :class:`AuthError` messages callers see (one mapping for both paths)."""
        try:
            yield
        except ExpiredTokenError as exc:
            raise AuthError("token has expired") from exc
        except MissingClaimError as exc:
            raise AuthError(f"token lacks required claim(s): {exc.claim}") from exc
        except JoseError as exc:
            raise AuthError(self._claim_problem(exc)) from exc

    def _claim_problem(self, exc: JoseError) -> str:
        claim = getattr(exc, "claim", "")
        problems = {
            "iss": f"token issuer is not {self.issuer!r}",
            "aud": f"token audience is not {self.audience!r}",
            "nbf": "token is not valid yet (nbf)",
            "iat": "token was issued in the future (iat)",
            "exp": "token expiry (exp) is not a valid date",
            "sub": "token 'sub' must be a non-empty account identifier",
        }
        return problems.get(claim, f"invalid token claims ({exc.error})")

    def _caller(self, claims: dict[str, Any]) -> Caller:
        sub = claims["sub"]
        if not isinstance(sub, str) or not _ACCOUNT.fullmatch(sub):
            raise AuthError("token 'sub' must be a non-empty account identifier")
        try:
            role = Role(claims.get("role", Role.AGENCY.value))
        except ValueError as exc:
            raise AuthError(f"token role {claims.get('role')!r} is not one of agency, data_subject, dpo, "
                            "grant_registrar") from exc
        agency_id = claims.get("agency")
        if agency_id is not None and not isinstance(agency_id, str):
            raise AuthError("token 'agency' must be a string")
        if role is Role.AGENCY and not agency_id:
            raise AuthError("token lacks the 'agency' claim")
        if role is Role.DATA_SUBJECT and not _PERSONAL_ID.fullmatch(sub):
            raise AuthError("a data subject's token must carry the personalId (12 digits) as 'sub'")
        if role is Role.DPO:
            officer = self.agencies.data_protection_officer(sub)
            if officer is None:
                raise AuthError(f"account {sub!r} is not a data-protection officer in the agency catalogue")
            if agency_id is not None and agency_id != officer.agency:
                raise AuthError(f"account {sub!r} is a data-protection officer of {officer.agency!r}, "
                                f"not of {agency_id!r}")
            agency_id = officer.agency  # the appointment, not the token, says where the DPO sits
        if role is Role.GRANT_REGISTRAR:
            registrar = self.agencies.grant_registrar(sub)
            if registrar is None:
                raise AuthError(f"account {sub!r} is not a grant registrar in the agency catalogue")
            if agency_id is not None and agency_id != registrar.agency:
                raise AuthError(f"account {sub!r} is a grant registrar of {registrar.agency!r}, not of {agency_id!r}")
            agency_id = registrar.agency
        agency = None
        if agency_id:
            agency = self.agencies.get(agency_id)
            if agency is None:
                raise AuthError(f"token agency {agency_id!r} is not a known agency")
        jti = claims.get("jti")
        return Caller(
            sub=sub,
            agency_id=agency.id if agency else None,
            agency_kind=agency.kind if agency else None,
            province=agency.province if agency else None,
            role=role,
            issuer=claims["iss"],
            token_id=jti if isinstance(jti, str) else None,
            agency_name=agency.name if agency else None,
        )
