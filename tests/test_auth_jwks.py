"""JWKS URL: caching, rotation (unknown kid -> one rate-limited refetch), removed keys refused, outage."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from gateway.auth import AgencyCatalogue, Authenticator, AuthError, AuthSettings
from gateway.auth.jwks import RemoteJwks

ISS, AUD = "https://idp.example.gov.vn", "lienthong-gateway"
AGENCIES = AgencyCatalogue.load(AuthSettings().agencies_file)


class Idp:
    """A JWKS endpoint whose key set the test rotates."""

    def __init__(self) -> None:
        self.keys: list[Any] = []
        self.hits = 0
        self.down = False

    async def handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        if self.down:
            return web.Response(status=503)
        return web.json_response(KeySet(self.keys).as_dict(private=False))


@pytest.fixture
async def idp() -> AsyncIterator[tuple[Idp, str]]:
    state = Idp()
    app = web.Application()
    app.router.add_get("/.well-known/jwks.json", state.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield state, str(server.make_url("/.well-known/jwks.json"))
    finally:
        await server.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def token(key: Any, alg: str, **over: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISS, "aud": AUD, "sub": "thu-ky-toa-05", "agency": "tandtc", "iat": now, "exp": now + 300}
    claims.update(over)
    return jwt.encode({"alg": alg, "kid": key.kid}, claims, key, algorithms=[alg])


async def test_rotation_via_jwks_url(idp: tuple[Idp, str]):
    state, url = idp
    old = ECKey.generate_key("P-256", parameters={"kid": "2025-01"})
    new = RSAKey.generate_key(2048, parameters={"kid": "2025-02"})
    state.keys = [old]
    clock = Clock()
    source = RemoteJwks(url, ttl=300, refetch_interval=30, clock=clock)
    auth = Authenticator(source, AGENCIES, issuer=ISS, audience=AUD)
    try:
        assert (await auth.verify(token(old, "ES256"))).agency_kind == "court"
        await auth.verify(token(old, "ES256"))
        assert state.hits == 1  # cached

        # The provider rotates: the old key is removed, a new one published.
        state.keys = [new]
        clock.now += 40
        assert (await auth.verify(token(new, "RS256"))).sub == "thu-ky-toa-05"
        assert state.hits == 2  # exactly one refetch for the unknown kid
        with pytest.raises(AuthError, match="unknown key"):
            await auth.verify(token(old, "ES256"))
        assert state.hits == 2  # old kid: unknown, but the refetch is rate-limited

        # A flood of forged kids within the interval costs no fetch.
        for i in range(20):
            forged = ECKey.generate_key("P-256", parameters={"kid": f"forged-{i}"})
            with pytest.raises(AuthError, match="unknown key"):
                await auth.verify(token(forged, "ES256"))
        assert state.hits == 2

        # After the TTL the set is fetched again on the next request.
        clock.now += 301
        await auth.verify(token(new, "RS256"))
        assert state.hits == 3
    finally:
        await auth.aclose()


async def test_outage_serves_stale_then_fails_closed(idp: tuple[Idp, str]):
    state, url = idp
    key = ECKey.generate_key("P-256", parameters={"kid": "k"})
    state.keys = [key]
    clock = Clock()
    source = RemoteJwks(url, ttl=60, refetch_interval=10, max_stale=120, clock=clock)
    auth = Authenticator(source, AGENCIES, issuer=ISS, audience=AUD)
    try:
        await auth.verify(token(key, "ES256"))
        state.down = True
        clock.now += 100  # stale, URL down: the cached set is still used
        await auth.verify(token(key, "ES256"))
        clock.now += 100  # past ttl + max_stale: fail closed
        with pytest.raises(AuthError, match="keys are unavailable"):
            await auth.verify(token(key, "ES256"))
        state.down = False
        clock.now += 11
        await auth.verify(token(key, "ES256"))
    finally:
        await auth.aclose()


async def test_from_settings_uses_the_url(idp: tuple[Idp, str], tmp_path):
    state, url = idp
    key = ECKey.generate_key("P-256", parameters={"kid": "k"})
    state.keys = [key]
    settings = AuthSettings.from_env(
        {"GATEWAY_JWKS_URL": url, "GATEWAY_JWT_ISSUER": ISS, "GATEWAY_ENV": "production", "LT_DATA_DIR": str(tmp_path)}
    )
    auth = Authenticator.from_settings(settings)
    try:
        assert (await auth.verify(token(key, "ES256"))).sub == "thu-ky-toa-05"
        assert not (tmp_path / "keys").exists()
    finally:
        await auth.aclose()
