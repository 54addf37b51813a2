"""The GraphiQL page over HTTP (no browser): pinned assets, CSP, and dev tokens minted in development only."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from gateway.auth import Authenticator, AuthSettings
from gateway.server import create_app
from gateway.server.graphiql import CONTENT_SECURITY_POLICY, STATIC_DIR, graphiql_routes
from gateway.server.graphiql_dev import DevTokenRefused, mint_headers
from tests.fixtures.harness import Cluster, start_cluster

ROOT = Path(__file__).resolve().parents[2]
HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
LEGAL_BASIS = "Thụ lý vụ án số 123/2026/TLST-HS"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    c = start_cluster(tmp_path_factory.mktemp("keys"))
    yield c
    c.close()


def _auth(tmp: Path, env: str) -> AuthSettings:
    return AuthSettings(env=env, jwks_file=tmp / "dev-jwks.json", dev_key_file=tmp / "dev-signing.jwk.json")


async def _client(cluster: Cluster, env: str, tmp: Path) -> AsyncIterator[httpx.AsyncClient]:
    gateway = cluster.gateway(env=env, auth=_auth(tmp, env))
    await gateway.start()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(gateway)),
                                 base_url="http://gw") as client:
        yield client
    await gateway.close()


@pytest.fixture
async def dev(cluster: Cluster, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(cluster, "development", tmp_path):
        yield client


@pytest.fixture(params=["production", "test"])
async def not_dev(cluster: Cluster, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(cluster, request.param, tmp_path):
        yield client


def _config(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="lt-config">(.*?)</script>', page, re.S)
    assert match, page
    return json.loads(match.group(1))


def test_committed_assets_match_their_manifest() -> None:
    """The vendor files are the bytes npm published for the pinned versions (scripts/graphiql_assets.py)."""
    from scripts.graphiql_assets import check

    assert check() == []
    manifest = json.loads((STATIC_DIR / "MANIFEST.json").read_text())["files"]
    versions = {entry["package"]: entry["version"] for entry in manifest.values()}
    lock = json.loads((ROOT / "scripts" / "graphiql-assets" / "package-lock.json").read_text())["packages"]
    assert versions == {p: lock[f"node_modules/{p}"]["version"] for p in ("graphiql", "react", "react-dom")}
    assert versions["graphiql"] == "3.9.0" and versions["react"] == versions["react-dom"] == "18.3.1"


async def test_page_links_only_gateway_assets_under_a_strict_csp(dev: httpx.AsyncClient) -> None:
    r = await dev.get("/graphql", headers=HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'" and directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    page = r.text
    assert "http://" not in page and "https://" not in page and "unpkg" not in page
    # every <script> is either an asset of the gateway or a JSON data block (never executed)
    for tag, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
        assert 'src="/graphiql/assets/' in tag or 'type="application/json"' in tag, tag
        assert "src=" in tag or body.strip().startswith("{"), tag
    assert "<style" not in page and " style=" not in page and " on" not in re.sub(r'"[^"]*"', '""', page)
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assets = [u for u in urls if u.startswith("/graphiql/assets/")]
    assert len(assets) == 6 and set(urls) - set(assets) == {"data:,"}
    for url in assets:
        asset = await dev.get(url, headers={"accept-encoding": "gzip"})
        assert asset.status_code == 200 and asset.content, url
        assert asset.headers["content-type"].startswith(("text/javascript", "text/css")), url
        assert "immutable" in asset.headers["cache-control"] and asset.headers["x-content-type-options"] == "nosniff"
        name = url.split("/")[-1].split("?")[0]
        assert asset.content == (STATIC_DIR / name).read_bytes(), name  # httpx decodes the gzip body


@pytest.mark.parametrize("name", ["MANIFEST.json", "../graphiql.py", "..%2Fgraphiql.py", "nope.js", ""])
async def test_only_the_page_assets_are_served(dev: httpx.AsyncClient, name: str) -> None:
    r = await dev.get(f"/graphiql/assets/{name}")
    assert r.status_code == 404


async def test_development_offers_the_demo_callers_and_purposes(dev: httpx.AsyncClient) -> None:
    config = _config((await dev.get("/graphql", headers=HTML)).text)
    assert config["devTokens"] is True and config["endpoint"] == "/graphql"
    kinds = {c["kind"] for c in config["callers"]}
    assert {"court", "procuracy", "justice_department", "statistics"} <= kinds
    assert any(c["dataSubject"] for c in config["callers"])
    assert [c["id"] for c in config["callers"][:4]] == ["tand-ha-noi", "vksnd-ha-noi", "stp-ha-noi", "cuc-thong-ke"]
    catalogue = json.loads((ROOT / "policies" / "data" / "purposes.json").read_text())["purposes"]
    assert [p["id"] for p in config["purposes"]] == [p["id"] for p in catalogue]


async def test_development_mints_a_token_the_gateway_accepts(dev: httpx.AsyncClient, tmp_path: Path) -> None:
    r = await dev.post("/graphiql/dev-token", json={"caller": "vksnd-ha-noi", "purpose": "criminal_proceedings",
                                                   "legalBasis": LEGAL_BASIS})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store", r.text
    headers = r.json()["headers"]
    assert headers["X-Purpose"] == "criminal_proceedings" and headers["X-Legal-Basis"] == LEGAL_BASIS
    authenticator = Authenticator.from_settings(_auth(tmp_path, "development"))
    caller = await authenticator.authenticate([("authorization", headers["Authorization"])])
    assert (caller.sub, caller.agency_id, caller.agency_kind) == ("kiem-sat-vien-01", "vksnd-ha-noi", "procuracy")
    r = await dev.post("/graphiql/dev-token", json={"caller": "data-subject", "personalId": "001090000001"})
    caller = await authenticator.authenticate([("authorization", r.json()["headers"]["Authorization"])])
    assert caller.is_data_subject and caller.sub == "001090000001" and caller.agency_id is None
    await authenticator.aclose()


@pytest.mark.parametrize(("body", "status"), [
    ({"caller": "nobody"}, 400),
    ({"caller": "tand-ha-noi", "purpose": "gossip"}, 400),
    ({"caller": "tand-ha-noi", "legalBasis": "x" * 201}, 400),
    ({"caller": "data-subject", "personalId": "12345"}, 400),
    ([], 400),
])
async def test_development_refuses_bad_requests(dev: httpx.AsyncClient, body: object, status: int) -> None:
    r = await dev.post("/graphiql/dev-token", json=body)
    assert r.status_code == status and "error" in r.json(), r.text


async def test_development_refuses_a_form_post(dev: httpx.AsyncClient) -> None:
    """A cross-site page can post a form without a CORS preflight: the endpoint takes JSON only."""
    r = await dev.post("/graphiql/dev-token", data={"caller": "tand-ha-noi"})
    assert r.status_code == 415


async def test_outside_development_placeholders_only_and_never_mints(not_dev: httpx.AsyncClient) -> None:
    r = await not_dev.get("/graphql", headers=HTML)
    assert r.status_code == 200 and r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    config = _config(r.text)
    assert config["devTokens"] is False and "callers" not in config and "tokenUrl" not in config
    assert all(v == "Bearer <token>" or re.fullmatch(r"<[^>]+>", v) for v in config["headers"].values()), config
    assert "eyJ" not in r.text
    for body in ({"caller": "tand-ha-noi"}, {}):
        r = await not_dev.post("/graphiql/dev-token", json=body)
        assert r.status_code in (404, 405), r.text
        assert "Bearer" not in r.text


@pytest.mark.parametrize("env", ["production", "test"])
def test_outside_development_nothing_mints_even_if_called_directly(cluster: Cluster, env: str) -> None:
    settings = replace(cluster.settings(), env=env)
    assert [route.path for route in graphiql_routes(settings, None)] == ["/graphiql/assets/{name}"]  # type: ignore[arg-type]
    with pytest.raises(DevTokenRefused) as refused:
        mint_headers(settings, {"caller": "tand-ha-noi"})
    assert refused.value.status == 404
