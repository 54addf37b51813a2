"""Caller token verification: every refusal, and the accepted shapes (RS256, ES256, EdDSA, roles)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

from gateway.auth import (
    AgencyCatalogue,
    Authenticator,
    AuthError,
    AuthSettings,
    Role,
    mint_dev_token,
)
from gateway.auth.jwks import LocalKeySet

ISS, AUD = "test-issuer", "lienthong-gateway"
AGENCIES = AgencyCatalogue.load(AuthSettings().agencies_file)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    return {
        "rsa": RSAKey.generate_key(2048, parameters={"kid": "rsa-1"}),
        "ec": ECKey.generate_key("P-256", parameters={"kid": "ec-1"}),
        "okp": OKPKey.generate_key("Ed25519", parameters={"kid": "ed-1"}),
    }


@pytest.fixture
def auth(keys: dict[str, Any]) -> Authenticator:
    public = KeySet.import_key_set(KeySet(list(keys.values())).as_dict(private=False))
    return Authenticator(LocalKeySet(public), AGENCIES, issuer=ISS, audience=AUD, leeway=5)


def claims(**over: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": ISS, "aud": AUD, "sub": "officer-17", "agency": "tand-ha-noi", "iat": now, "exp": now + 600,
            "jti": "t-1"}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def sign(key: Any, alg: str, payload: dict[str, Any], kid: str | None = None) -> str:
    return jwt.encode({"alg": alg, "kid": kid or key.kid}, payload, key, algorithms=[alg])


def bearer(token: str) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", f"Bearer {token}".encode())]


@pytest.mark.parametrize("kind,alg", [("rsa", "RS256"), ("ec", "ES256"), ("okp", "EdDSA"), ("okp", "Ed25519")])
async def test_accepts_asymmetric_algorithms(auth: Authenticator, keys: dict[str, Any], kind: str, alg: str):
    caller = await auth.authenticate(bearer(sign(keys[kind], alg, claims())))
    assert caller.sub == "officer-17"
    assert (caller.agency_id, caller.agency_kind, caller.province) == ("tand-ha-noi", "court", "001")
    assert caller.role is Role.AGENCY and caller.issuer == ISS and caller.token_id == "t-1"
    with pytest.raises(AttributeError):
        caller.sub = "x"  # type: ignore[misc]  # frozen


async def refused(auth: Authenticator, token: str, why: str) -> str:
    with pytest.raises(AuthError) as info:
        await auth.authenticate(bearer(token))
    assert why in info.value.message, info.value.message
    assert info.value.code == "UNAUTHENTICATED" and info.value.http_status == 401
    return info.value.message


async def test_refuses_alg_none(auth: Authenticator):
    token = f"{b64(json.dumps({'alg': 'none', 'kid': 'ec-1'}).encode())}.{b64(json.dumps(claims()).encode())}."
    await refused(auth, token, "algorithm 'none' is not accepted")


async def test_refuses_hmac_signed_with_public_key(auth: Authenticator, keys: dict[str, Any]):
    """The classic confusion: HS256 with the RSA public key (PEM, as published) as the HMAC secret."""
    for kid, secret in [
        ("rsa-1", keys["rsa"].as_pem(private=False)),
        ("rsa-1", json.dumps(keys["rsa"].as_dict(private=False)).encode()),
        ("ec-1", keys["ec"].as_pem(private=False)),
    ]:
        head = b64(json.dumps({"alg": "HS256", "kid": kid}).encode())
        body = b64(json.dumps(claims()).encode())
        sig = b64(hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest())
        await refused(auth, f"{head}.{body}.{sig}", "'HS256' is not accepted")


async def test_refuses_algorithm_not_matching_key_type(auth: Authenticator, keys: dict[str, Any]):
    # An ES256 signature presented with the kid of the RSA key.
    await refused(auth, sign(keys["ec"], "ES256", claims(), kid="rsa-1"), "does not match the type")
    await refused(auth, sign(keys["rsa"], "RS256", claims(), kid="ed-1"), "does not match the type")


async def test_refuses_other_algorithms(auth: Authenticator, keys: dict[str, Any]):
    await refused(auth, sign(keys["rsa"], "PS256", claims()), "'PS256' is not accepted")
    await refused(auth, sign(keys["rsa"], "RS512", claims()), "'RS512' is not accepted")


async def test_refuses_expired(auth: Authenticator, keys: dict[str, Any]):
    now = int(time.time())
    await refused(auth, sign(keys["ec"], "ES256", claims(iat=now - 100, exp=now - 60)), "expired")
    # within the leeway (5 s) it still passes
    await auth.authenticate(bearer(sign(keys["ec"], "ES256", claims(exp=now - 2))))


async def test_refuses_not_yet_valid(auth: Authenticator, keys: dict[str, Any]):
    now = int(time.time())
    await refused(auth, sign(keys["ec"], "ES256", claims(nbf=now + 120)), "not valid yet")
    await auth.authenticate(bearer(sign(keys["ec"], "ES256", claims(nbf=now + 2))))


async def test_refuses_wrong_issuer_and_audience(auth: Authenticator, keys: dict[str, Any]):
    await refused(auth, sign(keys["ec"], "ES256", claims(iss="someone-else")), "issuer is not")
    await refused(auth, sign(keys["ec"], "ES256", claims(aud="lienthong-subgraph:population")), "audience is not")
    await auth.authenticate(bearer(sign(keys["ec"], "ES256", claims(aud=["other", AUD]))))


async def test_refuses_missing_claims(auth: Authenticator, keys: dict[str, Any]):
    await refused(auth, sign(keys["ec"], "ES256", claims(sub=None)), "sub")
    await refused(auth, sign(keys["ec"], "ES256", claims(exp=None)), "exp")
    await refused(auth, sign(keys["ec"], "ES256", claims(agency=None)), "lacks the 'agency' claim")


async def test_refuses_unknown_agency(auth: Authenticator, keys: dict[str, Any]):
    await refused(auth, sign(keys["ec"], "ES256", claims(agency="toa-an-ma")), "not a known agency")


async def test_refuses_unknown_kid(auth: Authenticator, keys: dict[str, Any]):
    other = ECKey.generate_key("P-256", parameters={"kid": "ec-1"})  # same kid, different key
    await refused(auth, sign(other, "ES256", claims()), "signature is invalid")
    stranger = ECKey.generate_key("P-256", parameters={"kid": "stranger"})
    await refused(auth, sign(stranger, "ES256", claims()), "unknown key")


async def test_refuses_tampered_payload(auth: Authenticator, keys: dict[str, Any]):
    head, _, sig = sign(keys["ec"], "ES256", claims()).split(".")
    forged = b64(json.dumps(claims(agency="vksndtc", sub="boss")).encode())
    message = await refused(auth, f"{head}.{forged}.{sig}", "signature is invalid")
    assert "BEGIN" not in message and "-----" not in message  # never leaks key material


@pytest.mark.parametrize(
    "headers,why",
    [
        ([], "missing Authorization"),
        ([(b"authorization", b"Basic dXNlcjpwYXNz")], "Bearer scheme"),
        ([(b"authorization", b"Bearer ")], "Bearer scheme"),
        ([(b"authorization", b"Bearer a.b.c"), (b"Authorization", b"Bearer a.b.c")], "more than once"),
        ([(b"authorization", b"Bearer not-a-jwt")], "malformed token"),
        ([(b"authorization", b"Bearer !!!.e30.x")], "malformed token header"),
    ],
)
async def test_refuses_bad_authorization_headers(auth: Authenticator, headers: list, why: str):
    with pytest.raises(AuthError, match=why):
        await auth.authenticate(headers)


async def test_roles(auth: Authenticator, keys: dict[str, Any]):
    subject = await auth.authenticate(
        bearer(sign(keys["ec"], "ES256", claims(sub="001090000123", agency=None, role="data_subject")))
    )
    assert subject.role is Role.DATA_SUBJECT and subject.agency_id is None and subject.is_data_subject
    await refused(auth, sign(keys["ec"], "ES256", claims(sub="officer-1", agency=None, role="data_subject")),
                  "personalId")
    dpo = await auth.authenticate(bearer(sign(keys["ec"], "ES256",
                                              claims(sub="dpo-1", role="dpo", agency="bo-tu-phap"))))
    assert dpo.is_dpo and dpo.agency_kind == "justice_ministry"
    await refused(auth, sign(keys["ec"], "ES256", claims(role="admin")), "role 'admin'")


async def test_dev_token_round_trip(tmp_path: Path):
    env = {"LT_DATA_DIR": str(tmp_path)}
    settings = AuthSettings.from_env(env)
    token = mint_dev_token("vksnd-ha-noi", "kiem-sat-vien-02", ttl="30m", settings=settings)
    assert (tmp_path / "keys" / "dev-jwks.json").exists()
    assert (tmp_path / "keys" / "dev-signing.jwk.json").stat().st_mode & 0o077 == 0
    assert "\"d\"" not in (tmp_path / "keys" / "dev-jwks.json").read_text()  # public half only
    auth = Authenticator.from_settings(settings)
    caller = await auth.authenticate([(b"Authorization", f"bearer {token}".encode())])
    assert (caller.sub, caller.agency_kind, caller.issuer) == ("kiem-sat-vien-02", "procuracy", "lienthong-dev-issuer")
    with pytest.raises(ValueError, match="unknown agency"):
        mint_dev_token("nowhere", "x", settings=settings)
    other_aud = mint_dev_token("vksnd-ha-noi", "x", audience="elsewhere", settings=settings)
    await refused(auth, other_aud, "audience")
    subject = mint_dev_token(None, "079190000001", role="data_subject", settings=settings)
    assert (await auth.verify(subject)).role is Role.DATA_SUBJECT


def test_production_never_creates_a_dev_key(tmp_path: Path):
    settings = AuthSettings.from_env({"LT_DATA_DIR": str(tmp_path), "GATEWAY_ENV": "production"})
    with pytest.raises(RuntimeError, match="GATEWAY_JWKS_URL"):
        Authenticator.from_settings(settings)
    assert not (tmp_path / "keys").exists()


async def test_verified_signatures_are_reused_only_with_the_same_key(keys: dict[str, Any]):
    """The verdict cache skips the signature check for a token seen before, never the claims or the key lookup."""
    public = KeySet.import_key_set(KeySet([keys["ec"]]).as_dict(private=False))
    auth = Authenticator(LocalKeySet(public), AGENCIES, issuer=ISS, audience=AUD, leeway=0)
    token = sign(keys["ec"], "ES256", claims(exp=int(time.time()) + 2))
    assert (await auth.authenticate(bearer(token))).sub == "officer-17"
    assert (await auth.authenticate(bearer(token))).sub == "officer-17"  # from the cache
    # the same kid now names another key (rotation): the cached verdict must not be reused
    impostor = ECKey.generate_key("P-256", parameters={"kid": "ec-1"})
    rotated = Authenticator(LocalKeySet(KeySet.import_key_set(KeySet([impostor]).as_dict(private=False))),
                            AGENCIES, issuer=ISS, audience=AUD, leeway=0)
    rotated._verified = auth._verified  # share the cache, as a key refresh inside one Authenticator would
    await refused(rotated, token, "signature")
    # claims are re-validated on every use: the cached token expires like any other
    await asyncio.sleep(3)
    await refused(auth, token, "expired")


async def test_a_cached_verdict_checks_the_time_claims_again(keys: dict[str, Any]):
    """A verified token's caller is reused, but exp, nbf and iat are checked against the clock on every request,
    by the same validators (and messages) as the first time."""
    public = KeySet.import_key_set(KeySet([keys["ec"]]).as_dict(private=False))
    auth = Authenticator(LocalKeySet(public), AGENCIES, issuer=ISS, audience=AUD, leeway=0)
    now = int(time.time())
    token = sign(keys["ec"], "ES256", claims(iat=now, nbf=now, exp=now + 600))
    first = await auth.authenticate(bearer(token))
    assert await auth.authenticate(bearer(token)) is first  # the cached verdict
    clock = {"now": now + 601}
    auth.registry._now = lambda: clock["now"]
    await refused(auth, token, "expired")
    clock["now"] = now - 60  # the clock went back: the token is not valid yet, and was issued in the future
    await refused(auth, token, "not valid yet")
    clock["now"] = now + 10
    assert await auth.authenticate(bearer(token)) is first
    # a token whose claims fail is never cached: the same answer every time, the signature checked every time
    wrong = sign(keys["ec"], "ES256", claims(aud="another-audience"))
    for _ in range(2):
        await refused(auth, wrong, "audience")
    assert wrong not in auth._verified
