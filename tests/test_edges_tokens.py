"""Issue 11 (c): caller token lifetime, DPOs only from the catalogue, internal tokens bound to one subgraph."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway.auth import AgencyCatalogue, Authenticator, AuthError, AuthSettings, mint_dev_token
from gateway.auth.jwks import LocalKeySet
from gateway.config import ConfigError, GatewaySettings
from subgraphs.common.internal_auth import InternalAuthMiddleware, InternalTokenError

ISS, AUD = "test-issuer", "lienthong-gateway"
AGENCIES = AgencyCatalogue.load(AuthSettings().agencies_file)
KEY = ECKey.generate_key("P-256", parameters={"kid": "ec-1"})


def authenticator(max_lifetime: int = 3600) -> Authenticator:
    public = KeySet.import_key_set(KeySet([KEY]).as_dict(private=False))
    return Authenticator(LocalKeySet(public), AGENCIES, issuer=ISS, audience=AUD, leeway=5,
                         max_lifetime=max_lifetime)


def token(**over: Any) -> list[tuple[bytes, bytes]]:
    now = int(time.time())
    claims = {"iss": ISS, "aud": AUD, "sub": "officer-1", "agency": "tand-ha-noi", "iat": now, "exp": now + 600}
    claims.update(over)
    claims = {k: v for k, v in claims.items() if v is not None}
    signed = jwt.encode({"alg": "ES256", "kid": KEY.kid}, claims, KEY, algorithms=["ES256"])
    return [(b"authorization", f"Bearer {signed}".encode())]


async def refused(auth: Authenticator, headers: list[tuple[bytes, bytes]], why: str) -> None:
    with pytest.raises(AuthError) as info:
        await auth.authenticate(headers)
    assert why in info.value.message, info.value.message


async def test_token_lifetime_is_bounded():
    auth = authenticator(max_lifetime=3600)
    now = int(time.time())
    assert (await auth.authenticate(token(iat=now, exp=now + 3600))).sub == "officer-1"
    await refused(auth, token(iat=now, exp=now + 3601), "exceeds the maximum of 3600 s")
    await refused(auth, token(iat=now - 86400 * 300, exp=now + 86400 * 65), "lifetime")  # a year-long token
    await refused(auth, token(iat=None), "iat")
    await refused(auth, token(exp=None), "exp")
    await refused(auth, token(iat="yesterday"), "iat")


def test_max_lifetime_setting():
    assert GatewaySettings.from_env({}).auth.max_lifetime == 86400
    assert GatewaySettings.from_env({"GATEWAY_JWT_MAX_LIFETIME": "900"}).auth.max_lifetime == 900
    with pytest.raises(ConfigError, match="GATEWAY_JWT_MAX_LIFETIME"):
        GatewaySettings.from_env({"GATEWAY_JWT_MAX_LIFETIME": "a day"})


async def test_dpo_role_only_for_catalogued_officers(tmp_path: Path):
    auth = authenticator()
    dpo = await auth.authenticate(token(sub="dpo-1", agency=None, role="dpo"))
    assert dpo.is_dpo and dpo.agency_id == "bo-tu-phap"  # the appointment says where the DPO sits
    assert (await auth.authenticate(token(sub="dpo-1", agency="bo-tu-phap", role="dpo"))).is_dpo
    await refused(auth, token(sub="officer-1", agency="bo-tu-phap", role="dpo"), "not a data-protection officer")
    await refused(auth, token(sub="officer-1", agency=None, role="dpo"), "not a data-protection officer")
    await refused(auth, token(sub="dpo-1", agency="tand-ha-noi", role="dpo"), "of 'bo-tu-phap'")
    settings = AuthSettings.from_env({"LT_DATA_DIR": str(tmp_path)})
    with pytest.raises(ValueError, match="not a data-protection officer"):
        mint_dev_token("bo-tu-phap", "someone", role="dpo", settings=settings)


def test_catalogue_rejects_bad_officer_entries():
    agencies = [{"id": "a", "kind": "court"}]
    with pytest.raises(ValueError, match="unknown agency"):
        AgencyCatalogue.from_dict({"agencies": agencies,
                                   "data_protection_officers": [{"account": "x", "agency": "nowhere"}]})
    with pytest.raises(ValueError, match="twice"):
        AgencyCatalogue.from_dict({"agencies": agencies, "data_protection_officers": [
            {"account": "x", "agency": "a"}, {"account": "x", "agency": None}]})


def _subgraph(internal_keys, name: str) -> TestClient:
    async def graphql(request):
        return JSONResponse({"data": {"ok": True, "sub": request.scope["state"]["caller"]["sub"]}})

    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
    app.add_middleware(InternalAuthMiddleware, verifier=internal_keys.verifier(name))
    return TestClient(app)


def test_internal_token_cannot_be_replayed_to_another_subgraph(internal_keys):
    population, sentences = _subgraph(internal_keys, "population"), _subgraph(internal_keys, "sentences")
    headers = internal_keys.headers("population", sub="officer-1")
    assert population.post("/graphql", json={}, headers=headers).status_code == 200
    replay = sentences.post("/graphql", json={}, headers=headers)  # captured token sent to another subgraph
    assert replay.status_code == 401 and replay.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # a token naming several audiences (never minted by the gateway) is refused by every subgraph
    now = int(time.time())
    key = internal_keys.minter.key
    multi = jwt.encode({"alg": "ES256", "kid": key.kid}, {
        "iss": "lienthong-gateway", "aud": ["lienthong-subgraph:population", "lienthong-subgraph:sentences"],
        "iat": now, "exp": now + 60, "sub": "x"}, key, algorithms=["ES256"])
    for client in (population, sentences):
        assert client.post("/graphql", json={}, headers={"Authorization": f"Bearer {multi}"}).status_code == 401
    with pytest.raises(InternalTokenError, match="exactly one"):
        internal_keys.verifier("population").verify(multi)
    # nor does a long-lived internal token pass
    long_lived = internal_keys.minter.__class__(key, ttl=3600).mint("population", sub="x")
    with pytest.raises(InternalTokenError, match="too long"):
        internal_keys.verifier("population").verify(long_lived)
